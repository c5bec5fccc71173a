// kafka-topics --bootstrap-server: the topic actions over the Kafka protocol, as Kafka 2.8's
// TopicCommand.AdminClientTopicService does them: Metadata for list and describe, DescribeConfigs
// for the "Configs:" column (entries not at their default), CreateTopics, DeleteTopics and
// CreatePartitions at the controller. A failed item becomes a TopicCommandError with the broker's
// message.

import { TextSink } from '../../../shared/src/cli/exit-codes';
import { ItemError, KafkaClient, TopicMetadata } from '../client/kafka-client';
import { ErrorCode } from '../protocol';
import {
  PartitionSummary,
  partitionLine,
  printsPartitionLine,
  printsTopicLine,
  topicLine,
  topicMatcher,
} from './topic-description';
import { TopicCommand, TopicCommandError, TopicService, ensureTopicExists } from './topic-service';

/** The broker-side wait of CreateTopics, DeleteTopics and CreatePartitions. */
export const ADMIN_REQUEST_TIMEOUT_MS = 30_000;
const MIN_ISR_CONFIG = 'min.insync.replicas';

export class BootstrapTopicService implements TopicService {
  constructor(private readonly client: KafkaClient) {}

  close(): void {
    this.client.close();
  }

  private async topics(c: TopicCommand): Promise<TopicMetadata[]> {
    const metadata = await this.client.refreshMetadata(null, false);
    const matches = topicMatcher(c.topic);
    return [...metadata.topics.values()]
      .filter(
        (t) => t.errorCode === ErrorCode.NONE && matches(t.name) && !(c.excludeInternal && t.isInternal),
      )
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async create(c: TopicCommand, out: TextSink): Promise<void> {
    const rf = c.replicationFactor;
    if (rf !== undefined && (rf > 32767 || rf < 1)) {
      throw new TopicCommandError('The replication factor must be between 1 and 32767 inclusive');
    }
    if (c.partitions !== undefined && c.partitions < 1)
      throw new TopicCommandError('The partitions must be greater than 0');
    const results = await this.client.createTopics(
      [
        {
          name: c.topic!,
          numPartitions: c.partitions ?? -1,
          replicationFactor: rf ?? -1,
          ...(c.replicaAssignment === undefined ? {} : { assignment: c.replicaAssignment }),
          configs: Object.fromEntries(c.configs),
        },
      ],
      { timeoutMs: ADMIN_REQUEST_TIMEOUT_MS },
    );
    const error = results.get(c.topic!) ?? null;
    if (error !== null) {
      if (error.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && c.ifNotExists) return;
      throw itemFailure(error);
    }
    out.write(`Created topic ${c.topic}.\n`);
  }

  async list(c: TopicCommand, out: TextSink): Promise<void> {
    out.write(`${(await this.topics(c)).map((t) => t.name).join('\n')}\n`);
  }

  async delete(c: TopicCommand): Promise<void> {
    const names = (await this.topics(c)).map((t) => t.name);
    ensureTopicExists(names, c);
    if (names.length === 0) return;
    const results = await this.client.deleteTopics(names, ADMIN_REQUEST_TIMEOUT_MS);
    for (const error of results.values()) if (error !== null) throw itemFailure(error);
  }

  async alter(c: TopicCommand): Promise<void> {
    const topics = await this.topics(c);
    ensureTopicExists(
      topics.map((t) => t.name),
      c,
    );
    if (topics.length === 0) return;
    const items = topics.map((t) => ({
      name: t.name,
      count: c.partitions!,
      ...(c.replicaAssignment === undefined
        ? {}
        : { assignment: c.replicaAssignment.slice(t.partitions.length) }),
    }));
    const results = await this.client.createPartitions(items, { timeoutMs: ADMIN_REQUEST_TIMEOUT_MS });
    for (const error of results.values()) if (error !== null) throw itemFailure(error);
  }

  async describe(c: TopicCommand, out: TextSink): Promise<void> {
    const topics = await this.topics(c);
    ensureTopicExists(
      topics.map((t) => t.name),
      c,
    );
    if (topics.length === 0) return;
    const configs = await this.client.describeTopicConfigs(topics.map((t) => t.name));
    const live = new Set(this.client.metadataSnapshot.brokers.keys());
    for (const t of topics) {
      const described = configs.get(t.name);
      if (described === undefined || described.error !== null) {
        throw itemFailure(
          described?.error ?? {
            errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
            message: `no configs for ${t.name}`,
          },
        );
      }
      const overrides = described.entries
        .filter((e) => !e.isDefault)
        .map((e): [string, string] => [e.name, e.isSensitive ? 'null' : (e.value ?? 'null')]);
      const minIsrText = described.entries.find((e) => e.name === MIN_ISR_CONFIG)?.value;
      const minIsr = minIsrText === undefined || minIsrText === null ? null : Number(minIsrText);
      if (printsTopicLine(c.filters, overrides.length > 0) && t.partitions.length > 0) {
        out.write(
          topicLine({
            topic: t.name,
            topicId: t.topicId,
            partitionCount: t.partitions.length,
            replicationFactor: t.partitions[0]!.replicas.length,
            configs: overrides,
            markedForDeletion: false,
          }),
        );
      }
      for (const p of t.partitions) {
        const summary: PartitionSummary = {
          topic: t.name,
          partition: p.partition,
          leader: p.leader < 0 ? null : p.leader,
          replicas: p.replicas,
          isr: p.isr,
          markedForDeletion: false,
          minIsr,
        };
        if (printsPartitionLine(c.filters, summary, live)) out.write(partitionLine(summary));
      }
    }
  }
}

function itemFailure(error: NonNullable<ItemError>): TopicCommandError {
  return new TopicCommandError(error.message);
}
