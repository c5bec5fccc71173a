// The five actions of kafka-topics as one interface with two implementations, as Kafka's
// TopicCommand has them: over the Kafka protocol (--bootstrap-server, bootstrap-topic-service.ts)
// and straight on ZooKeeper (--zookeeper, zk-topic-service.ts). A failure an operator caused
// (topic exists, bad partition count) is a TopicCommandError: kafka-topics prints
// "Error while executing topic command : <message>" and exits 1.

import { TextSink } from '../../../shared/src/cli/exit-codes';
import { DescribeFilters } from './topic-description';

export interface TopicCommand {
  /** A name for --create, a regular expression for the other actions. */
  readonly topic: string | undefined;
  readonly partitions: number | undefined;
  readonly replicationFactor: number | undefined;
  /** --replica-assignment: replicas of partitions 0..n-1. */
  readonly replicaAssignment: readonly (readonly number[])[] | undefined;
  readonly configs: ReadonlyMap<string, string>;
  readonly configsToDelete: readonly string[];
  readonly ifExists: boolean;
  readonly ifNotExists: boolean;
  readonly excludeInternal: boolean;
  readonly filters: DescribeFilters;
}

export interface TopicService {
  create(c: TopicCommand, out: TextSink): Promise<void>;
  list(c: TopicCommand, out: TextSink): Promise<void>;
  describe(c: TopicCommand, out: TextSink): Promise<void>;
  alter(c: TopicCommand, out: TextSink): Promise<void>;
  delete(c: TopicCommand, out: TextSink): Promise<void>;
  close(): void;
}

export class TopicCommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TopicCommandError';
  }
}

export const COLLISION_WARNING =
  "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. " +
  'To avoid issues it is best to use either, but not both.\n';

export const PARTITION_INCREASE_WARNING =
  'WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected\n';

export const hasCollisionChars = (topic: string): boolean => topic.includes('.') || topic.includes('_');

/** Kafka's ensureTopicExists: a --topic that matched nothing fails unless --if-exists. */
export function ensureTopicExists(found: readonly string[], c: TopicCommand): void {
  if (c.topic !== undefined && !c.ifExists && found.length === 0) {
    throw new TopicCommandError(`Topic '${c.topic}' does not exist as expected`);
  }
}

/** "1:2,2:3" -> [[1, 2], [2, 3]] (Kafka's parseReplicaAssignment, with its checks). */
export function parseReplicaAssignment(text: string): number[][] {
  const out: number[][] = [];
  for (const [i, part] of text.split(',').entries()) {
    const brokers = part.split(':').map((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n)) throw new TopicCommandError(`For input string: "${s.trim()}"`);
      return n;
    });
    const dup = brokers.filter((b, j) => brokers.indexOf(b) !== j);
    if (dup.length > 0) {
      throw new TopicCommandError(
        `Partition replica lists may not contain duplicate entries: ${[...new Set(dup)].join(',')}`,
      );
    }
    if (out.length > 0 && brokers.length !== out[0]!.length) {
      throw new TopicCommandError(`Partition ${i} has different replication factor: [${brokers.join(', ')}]`);
    }
    out.push(brokers);
  }
  return out;
}
