// kafka-topics --zookeeper host:port[/chroot]: the topic actions done on ZooKeeper directly, as
// Kafka 2.8's TopicCommand.ZookeeperTopicService and AdminZkClient do them. Create validates the
// name, count, replication factor and configs against the live brokers (/brokers/ids), writes
// /config/topics/T and then /brokers/topics/T (version 3, with a topic id, as a 2.8 controller leaves
// it); the controller of the running brokers turns that into partition states. Delete writes
// /admin/delete_topics/T; alter rewrites the assignment (more partitions) or the config (plus a
// /config/changes notification). List and describe read the same znodes. Paths: cluster/zk-paths.ts.

import { randomBytes } from 'node:crypto';
import { CreateMode, ZkClient, ZkError } from '../../../shared/src';
import { TextSink } from '../../../shared/src/cli/exit-codes';
import { validateTopicConfigs } from '../cluster/topic-config';
import { assignReplicasToBrokers, checkTopicName } from '../cluster/topic-manager';
import { PartitionStateJson, TopicConfigJson, ZkPaths } from '../cluster/zk-paths';
import { KafkaError } from '../protocol';
import {
  DescribeFilters,
  PartitionSummary,
  partitionLine,
  printsPartitionLine,
  printsTopicLine,
  topicLine,
  topicMatcher,
} from './topic-description';
import {
  PARTITION_INCREASE_WARNING,
  TopicCommand,
  TopicCommandError,
  TopicService,
  ensureTopicExists,
} from './topic-service';

/** Kafka's KafkaZkClient session and connection timeouts for TopicCommand. */
export const ZK_TOOL_TIMEOUT_MS = 30_000;
const TOPIC_JSON_VERSION = 3;
const CONFIG_CHANGE_JSON_VERSION = 2;
const CONFIG_CHANGE_PREFIX = 'config_change_';
const UUID_BYTES = 16;

interface TopicZnode {
  readonly topicId: string | null;
  /** Replicas by partition, partitions 0..n-1. */
  readonly assignment: number[][];
  readonly raw: Record<string, unknown>;
  readonly zkVersion: number;
}

/** A random topic id as Kafka prints them (22 characters of URL-safe base64), never starting with '-'. */
export function newTopicId(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(UUID_BYTES).toString('base64url');
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ') return id;
  }
}

export class ZkTopicService implements TopicService {
  constructor(
    private readonly zk: ZkClient,
    private readonly randomInt: (n: number) => number,
  ) {}

  close(): void {
    this.zk.close();
  }

  private async allTopics(): Promise<string[]> {
    return (await this.zk.getChildrenIfExists(ZkPaths.topics)).sort();
  }

  private async topics(c: TopicCommand): Promise<string[]> {
    const matches = topicMatcher(c.topic);
    return (await this.allTopics()).filter(matches);
  }

  private async liveBrokers(): Promise<number[]> {
    return (await this.zk.getChildrenIfExists(ZkPaths.brokerIds))
      .map(Number)
      .filter(Number.isInteger)
      .sort((a, b) => a - b);
  }

  private async markedForDeletion(topic: string): Promise<boolean> {
    return (await this.zk.exists(ZkPaths.deleteTopic(topic))) !== null;
  }

  async create(c: TopicCommand, out: TextSink): Promise<void> {
    const name = c.topic!;
    const existing = await this.allTopics();
    try {
      checkTopicName(name, existing);
    } catch (e) {
      if (e instanceof KafkaError && e.code === 'TOPIC_ALREADY_EXISTS' && c.ifNotExists) return;
      throw new TopicCommandError((e as Error).message, { cause: e });
    }
    const configs = Object.fromEntries(c.configs);
    const problem = validateTopicConfigs(configs);
    if (problem !== undefined) throw new TopicCommandError(problem);
    const assignment = c.replicaAssignment?.map((r) => [...r]) ?? this.plan(c, await this.liveBrokers());
    const config: TopicConfigJson = { version: 1, config: configs };
    await setOrCreate(this.zk, ZkPaths.configTopic(name), JSON.stringify(config));
    const json = {
      version: TOPIC_JSON_VERSION,
      partitions: Object.fromEntries(assignment.map((r, p) => [String(p), r])),
      adding_replicas: {},
      removing_replicas: {},
      topic_id: newTopicId(),
    };
    try {
      await createWithParents(this.zk, ZkPaths.topic(name), Buffer.from(JSON.stringify(json)));
    } catch (e) {
      if (e instanceof ZkError && e.isNodeExists) {
        if (c.ifNotExists) return;
        throw new TopicCommandError(`Topic '${name}' already exists.`, { cause: e });
      }
      throw e;
    }
    out.write(`Created topic ${name}.\n`);
  }

  /** AdminUtils.assignReplicasToBrokers with random start points, and its checks. */
  private plan(c: TopicCommand, brokers: number[]): number[][] {
    const partitions = c.partitions!;
    const rf = c.replicationFactor!;
    if (partitions <= 0) throw new TopicCommandError('Number of partitions must be larger than 0.');
    if (rf <= 0) throw new TopicCommandError('Replication factor must be larger than 0.');
    if (rf > brokers.length) {
      throw new TopicCommandError(
        `Replication factor: ${rf} larger than available brokers: ${brokers.length}.`,
      );
    }
    return assignReplicasToBrokers(
      brokers,
      partitions,
      rf,
      this.randomInt(brokers.length),
      this.randomInt(brokers.length),
    );
  }

  async list(c: TopicCommand, out: TextSink): Promise<void> {
    for (const topic of await this.topics(c)) {
      out.write((await this.markedForDeletion(topic)) ? `${topic} - marked for deletion\n` : `${topic}\n`);
    }
  }

  async delete(c: TopicCommand, out: TextSink): Promise<void> {
    const topics = await this.topics(c);
    ensureTopicExists(topics, c);
    for (const topic of topics) {
      try {
        await createWithParents(this.zk, ZkPaths.deleteTopic(topic));
        out.write(`Topic ${topic} is marked for deletion.\n`);
        out.write('Note: This will have no impact if delete.topic.enable is not set to true.\n');
      } catch (e) {
        if (!(e instanceof ZkError && e.isNodeExists))
          throw new TopicCommandError(`Error while deleting topic ${topic}`, { cause: e });
        out.write(`Topic ${topic} is already marked for deletion.\n`);
      }
    }
  }

  async describe(c: TopicCommand, out: TextSink): Promise<void> {
    const topics = await this.topics(c);
    ensureTopicExists(topics, c);
    const live = new Set(await this.liveBrokers());
    for (const topic of topics) {
      const znode = await this.readTopic(topic);
      if (znode === null) {
        out.write(`Topic ${topic} doesn't exist!\n`);
        continue;
      }
      const marked = await this.markedForDeletion(topic);
      const configs = Object.entries(await this.readConfig(topic));
      if (printsTopicLine(c.filters, configs.length > 0)) {
        out.write(
          topicLine({
            topic,
            topicId: znode.topicId,
            partitionCount: znode.assignment.length,
            replicationFactor: znode.assignment[0]?.length ?? 0,
            configs,
            markedForDeletion: marked,
          }),
        );
      }
      await this.describePartitions(topic, znode, marked, c.filters, live, out);
    }
  }

  private async describePartitions(
    topic: string,
    znode: TopicZnode,
    marked: boolean,
    filters: DescribeFilters,
    live: ReadonlySet<number>,
    out: TextSink,
  ): Promise<void> {
    for (const [partition, replicas] of znode.assignment.entries()) {
      const state = await this.readState(topic, partition);
      const summary: PartitionSummary = {
        topic,
        partition,
        leader: state === null || state.leader === -1 ? null : state.leader,
        replicas,
        isr: state?.isr ?? [],
        markedForDeletion: marked,
        minIsr: null,
      };
      if (printsPartitionLine(filters, summary, live)) out.write(partitionLine(summary));
    }
  }

  async alter(c: TopicCommand, out: TextSink): Promise<void> {
    const topics = await this.topics(c);
    ensureTopicExists(topics, c);
    for (const topic of topics) {
      if (c.configs.size > 0 || c.configsToDelete.length > 0) await this.alterConfig(topic, c, out);
      if (c.partitions !== undefined) await this.addPartitions(topic, c, out);
    }
  }

  private async alterConfig(topic: string, c: TopicCommand, out: TextSink): Promise<void> {
    out.write(
      'WARNING: Altering topic configuration from this script has been deprecated and may be removed in future releases.\n',
    );
    out.write('         Going forward, please use kafka-configs.sh for this functionality\n');
    const config = { ...(await this.readConfig(topic)), ...Object.fromEntries(c.configs) };
    for (const k of c.configsToDelete) delete config[k];
    const problem = validateTopicConfigs(config);
    if (problem !== undefined) throw new TopicCommandError(problem);
    await setOrCreate(this.zk, ZkPaths.configTopic(topic), JSON.stringify({ version: 1, config }));
    const notification = { version: CONFIG_CHANGE_JSON_VERSION, entity_path: `topics/${topic}` };
    await createWithParents(
      this.zk,
      `${ZkPaths.configChanges}/${CONFIG_CHANGE_PREFIX}`,
      Buffer.from(JSON.stringify(notification)),
      'persistent_sequential',
    );
    out.write(`Updated config for topic ${topic}.\n`);
  }

  /** AdminZkClient.addPartitions: new partitions placed from partition 0's first replica onwards. */
  private async addPartitions(topic: string, c: TopicCommand, out: TextSink): Promise<void> {
    out.write(PARTITION_INCREASE_WARNING);
    const znode = await this.readTopic(topic);
    if (znode === null || znode.assignment.length === 0)
      throw new TopicCommandError(`The topic ${topic} does not exist`);
    const count = c.partitions!;
    const existing = znode.assignment.length;
    if (count <= existing) {
      throw new TopicCommandError(
        `The number of partitions for a topic can only be increased. Topic ${topic} currently has ${existing} partitions, ${count} would not be an increase.`,
      );
    }
    const brokers = await this.liveBrokers();
    let added: number[][];
    if (c.replicaAssignment !== undefined && c.replicaAssignment.length > existing) {
      added = c.replicaAssignment.slice(existing).map((r) => [...r]);
      if (added.length !== count - existing) {
        throw new TopicCommandError(
          `Increasing the number of partitions by ${count - existing} but ${added.length} assignments provided.`,
        );
      }
    } else {
      const rf = znode.assignment[0]!.length;
      if (rf > brokers.length) {
        throw new TopicCommandError(
          `Replication factor: ${rf} larger than available brokers: ${brokers.length}.`,
        );
      }
      const start = Math.max(0, brokers.indexOf(znode.assignment[0]![0]!));
      added = assignReplicasToBrokers(brokers, count - existing, rf, start, start, existing).slice(existing);
    }
    const partitions = Object.fromEntries([...znode.assignment, ...added].map((r, p) => [String(p), r]));
    const json = { ...znode.raw, partitions };
    try {
      await this.zk.setData(ZkPaths.topic(topic), Buffer.from(JSON.stringify(json)), znode.zkVersion);
    } catch (e) {
      if (e instanceof ZkError && e.isBadVersion)
        throw new TopicCommandError(`The assignment of ${topic} changed meanwhile; try again`);
      throw e;
    }
    out.write('Adding partitions succeeded!\n');
  }

  private async readTopic(topic: string): Promise<TopicZnode | null> {
    const node = await this.zk.getDataIfExists(ZkPaths.topic(topic));
    if (node === null || node.data === null) return null;
    const raw = JSON.parse(node.data.toString('utf8')) as Record<string, unknown>;
    const partitions = (raw['partitions'] ?? {}) as Record<string, number[]>;
    const assignment: number[][] = [];
    for (const [p, replicas] of Object.entries(partitions)) assignment[Number(p)] = replicas;
    return {
      topicId: typeof raw['topic_id'] === 'string' ? raw['topic_id'] : null,
      assignment: assignment.map((r) => r ?? []),
      raw,
      zkVersion: node.stat.version,
    };
  }

  private async readConfig(topic: string): Promise<Record<string, string>> {
    const node = await this.zk.getDataIfExists(ZkPaths.configTopic(topic));
    if (node === null || node.data === null || node.data.length === 0) return {};
    const json = JSON.parse(node.data.toString('utf8')) as Partial<TopicConfigJson>;
    return { ...(json.config ?? {}) };
  }

  private async readState(topic: string, partition: number): Promise<PartitionStateJson | null> {
    const node = await this.zk.getDataIfExists(ZkPaths.partitionState(topic, partition));
    if (node === null || node.data === null || node.data.length === 0) return null;
    return JSON.parse(node.data.toString('utf8')) as PartitionStateJson;
  }
}

async function setOrCreate(zk: ZkClient, path: string, text: string): Promise<void> {
  const data = Buffer.from(text);
  try {
    await createWithParents(zk, path, data);
  } catch (e) {
    if (!(e instanceof ZkError && e.isNodeExists)) throw e;
    await zk.setData(path, data);
  }
}

/** create, making missing parents first (Kafka's createRecursive): a fresh ensemble has none. */
async function createWithParents(
  zk: ZkClient,
  path: string,
  data: Buffer | null = null,
  mode: CreateMode = 'persistent',
): Promise<string> {
  try {
    return await zk.create(path, data, mode);
  } catch (e) {
    if (!(e instanceof ZkError && e.isNoNode)) throw e;
    await zk.mkdirp(path.slice(0, path.lastIndexOf('/')));
    return zk.create(path, data, mode);
  }
}
