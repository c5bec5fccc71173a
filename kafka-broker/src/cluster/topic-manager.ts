// Topic administration through ZooKeeper, as Kafka's AdminZkClient does it: validation (name,
// partitions, replication factor, assignment, configs), then /config/topics/T followed by
// /brokers/topics/T for a new topic; a new assignment for more partitions; /admin/delete_topics/T
// for a deletion. The controller turns these znodes into partition states; callers that must wait
// for leaders (CreateTopics) wait on the metadata cache. Failures are KafkaErrors with the code the
// admin APIs answer. Replica placement (assignReplicasToBrokers) is pure and follows Kafka's
// rack-unaware algorithm.

import { Logger, ZkClient, ZkError } from '../../../shared/src';
import { isLegalTopicName, TOPIC_NAME_LENGTH_MAX } from '../log/log-files';
import { KafkaError } from '../protocol';
import { MetadataCache } from './metadata-cache';
import { validateTopicConfigs } from './topic-config';
import { TopicAssignmentJson, TopicConfigJson, ZkPaths } from './zk-paths';

const TOPIC_JSON_VERSION = 2;
const TOPIC_CONFIG_JSON_VERSION = 1;
/** Partitions of one topic (and per CreatePartitions call): bounds the assignment JSON. */
export const TOPIC_PARTITIONS_MAX = 100_000;

export interface NewTopic {
  readonly name: string;
  /** -1: num.partitions. Ignored when `assignment` is given. */
  readonly numPartitions: number;
  /** -1: default.replication.factor. Ignored when `assignment` is given. */
  readonly replicationFactor: number;
  /** Explicit replicas per partition, partitions 0..n-1. */
  readonly assignment?: readonly (readonly number[])[];
  readonly configs?: Readonly<Record<string, string>>;
}

export interface TopicManagerOptions {
  readonly cache: MetadataCache;
  readonly defaultPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly deleteTopicEnable: boolean;
  /** The ZooKeeper client of the current session; throws when there is none. */
  readonly zk: () => ZkClient;
  /** Uniform integer in [0, n): the random start of replica placement. */
  readonly randomInt: (n: number) => number;
  readonly logger: Logger;
}

export class TopicManager {
  private readonly logger: Logger;

  constructor(private readonly o: TopicManagerOptions) {
    this.logger = o.logger.child({ component: 'topic-manager' });
  }

  /** The assignment a new topic would get; throws KafkaError when the request is not valid. */
  planTopic(t: NewTopic): number[][] {
    checkTopicName(t.name, this.o.cache.topicNames());
    const problem = validateTopicConfigs(t.configs ?? {});
    if (problem !== undefined) throw new KafkaError('INVALID_CONFIG', problem);
    const live = [...this.o.cache.liveBrokerIds()].sort((a, b) => a - b);
    if (t.assignment !== undefined && t.assignment.length > 0) return checkAssignment(t.assignment, live);
    const partitions = t.numPartitions === -1 ? this.o.defaultPartitions : t.numPartitions;
    const rf = t.replicationFactor === -1 ? this.o.defaultReplicationFactor : t.replicationFactor;
    if (partitions <= 0 || partitions > TOPIC_PARTITIONS_MAX) {
      throw new KafkaError(
        'INVALID_PARTITIONS',
        `number of partitions must be in [1, ${TOPIC_PARTITIONS_MAX}], got ${partitions}`,
      );
    }
    if (rf <= 0)
      throw new KafkaError(
        'INVALID_REPLICATION_FACTOR',
        `replication factor must be larger than 0, got ${rf}`,
      );
    if (rf > live.length) {
      throw new KafkaError(
        'INVALID_REPLICATION_FACTOR',
        `replication factor: ${rf} larger than available brokers: ${live.length}`,
      );
    }
    return assignReplicasToBrokers(
      live,
      partitions,
      rf,
      this.o.randomInt(live.length),
      this.o.randomInt(live.length),
    );
  }

  /** Writes /config/topics/T then /brokers/topics/T; TOPIC_ALREADY_EXISTS if another writer won. */
  async createTopic(t: NewTopic, validateOnly = false): Promise<number[][]> {
    const assignment = this.planTopic(t);
    if (validateOnly) return assignment;
    const zk = this.o.zk();
    const config: TopicConfigJson = { version: TOPIC_CONFIG_JSON_VERSION, config: { ...(t.configs ?? {}) } };
    await setOrCreate(zk, ZkPaths.configTopic(t.name), Buffer.from(JSON.stringify(config)));
    try {
      await zk.create(ZkPaths.topic(t.name), Buffer.from(JSON.stringify(assignmentJson(assignment))));
    } catch (e) {
      if (e instanceof ZkError && e.isNodeExists)
        throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${t.name}' already exists.`);
      throw e;
    }
    this.logger.info(
      `created topic ${t.name} with ${assignment.length} partition(s), assignment ${JSON.stringify(assignment)}`,
    );
    return assignment;
  }

  /** Auto-creation (Metadata): the broker defaults; a concurrent creation counts as success. */
  async autoCreateTopic(name: string): Promise<void> {
    try {
      await this.createTopic({ name, numPartitions: -1, replicationFactor: -1 });
    } catch (e) {
      if (e instanceof KafkaError && e.code === 'TOPIC_ALREADY_EXISTS') return;
      throw e;
    }
  }

  /** Marks a topic for deletion; the controller removes its znodes, then every broker its logs. */
  async deleteTopic(name: string): Promise<void> {
    if (!this.o.deleteTopicEnable)
      throw new KafkaError('TOPIC_DELETION_DISABLED', 'Topic deletion is disabled.');
    if (!this.o.cache.hasTopic(name))
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
    try {
      await this.o.zk().create(ZkPaths.deleteTopic(name));
    } catch (e) {
      if (!(e instanceof ZkError && e.isNodeExists)) throw e;
    }
    this.logger.info(`topic ${name} marked for deletion`);
  }

  /** Raises the partition count; new partitions are placed as Kafka places them. */
  async createPartitions(
    name: string,
    count: number,
    assignment: readonly (readonly number[])[] | null,
    validateOnly = false,
  ): Promise<void> {
    const topic = this.o.cache.topic(name);
    if (topic === undefined)
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${name}' does not exist.`);
    const current = topic.partitions.map((p) => [...p.replicas]);
    const added = this.planNewPartitions(current, count, assignment);
    if (validateOnly) return;
    const json = assignmentJson([...current, ...added]);
    try {
      await this.o.zk().setData(ZkPaths.topic(name), Buffer.from(JSON.stringify(json)), topic.zkVersion);
    } catch (e) {
      if (e instanceof ZkError && (e.isBadVersion || e.isNoNode)) {
        throw new KafkaError(
          'REASSIGNMENT_IN_PROGRESS',
          `the assignment of ${name} changed meanwhile; retry`,
        );
      }
      throw e;
    }
    this.logger.info(`topic ${name} now has ${count} partitions`);
  }

  private planNewPartitions(
    current: number[][],
    count: number,
    assignment: readonly (readonly number[])[] | null,
  ): number[][] {
    const name = 'the topic';
    if (count <= current.length) {
      throw new KafkaError(
        'INVALID_PARTITIONS',
        `${name} has ${current.length} partitions; ${count} would not add any`,
      );
    }
    if (count > TOPIC_PARTITIONS_MAX)
      throw new KafkaError('INVALID_PARTITIONS', `at most ${TOPIC_PARTITIONS_MAX} partitions`);
    const live = [...this.o.cache.liveBrokerIds()].sort((a, b) => a - b);
    const newCount = count - current.length;
    if (assignment !== null && assignment.length > 0) {
      if (assignment.length !== newCount) {
        throw new KafkaError(
          'INVALID_REPLICA_ASSIGNMENT',
          `${assignment.length} assignments for ${newCount} new partitions`,
        );
      }
      return checkAssignment(assignment, live);
    }
    const rf = current[0]?.length ?? 1;
    if (rf > live.length) {
      throw new KafkaError(
        'INVALID_REPLICATION_FACTOR',
        `replication factor: ${rf} larger than available brokers: ${live.length}`,
      );
    }
    const start = Math.max(0, live.indexOf(current[0]?.[0] ?? live[0]!));
    return assignReplicasToBrokers(live, newCount, rf, start, start, current.length).slice(current.length);
  }
}

/** Kafka's checks of a topic name, plus collisions of names that differ only in '.' and '_'. */
export function checkTopicName(name: string, existing: readonly string[]): void {
  if (name.length > TOPIC_NAME_LENGTH_MAX) {
    throw new KafkaError(
      'INVALID_TOPIC_EXCEPTION',
      `Topic name is illegal, it can't be longer than ${TOPIC_NAME_LENGTH_MAX} characters`,
    );
  }
  if (!isLegalTopicName(name)) {
    throw new KafkaError(
      'INVALID_TOPIC_EXCEPTION',
      `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
    );
  }
  if (existing.includes(name))
    throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
  const unified = name.replace(/\./g, '_');
  const clash = existing.find((t) => t.replace(/\./g, '_') === unified);
  if (clash !== undefined) {
    throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${clash}`);
  }
}

function checkAssignment(assignment: readonly (readonly number[])[], live: readonly number[]): number[][] {
  const rf = assignment[0]?.length ?? 0;
  if (assignment.length > TOPIC_PARTITIONS_MAX)
    throw new KafkaError('INVALID_PARTITIONS', `at most ${TOPIC_PARTITIONS_MAX} partitions`);
  for (const replicas of assignment) {
    if (replicas.length === 0 || replicas.length !== rf) {
      throw new KafkaError(
        'INVALID_REPLICA_ASSIGNMENT',
        'every partition must have the same, non-zero number of replicas',
      );
    }
    if (new Set(replicas).size !== replicas.length) {
      throw new KafkaError(
        'INVALID_REPLICA_ASSIGNMENT',
        `duplicate brokers in replica assignment [${replicas}]`,
      );
    }
    const unknown = replicas.find((id) => !live.includes(id));
    if (unknown !== undefined)
      throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `unknown broker ${unknown} in replica assignment`);
  }
  return assignment.map((r) => [...r]);
}

/**
 * PURE: Kafka's rack-unaware replica placement (AdminUtils.assignReplicasToBrokers): partition p's
 * first replica is broker (p + startIndex) % n, followers are shifted by a per-round increment so
 * replicas spread evenly. Returns replicas for partitions 0..startPartition+partitions-1; the
 * first startPartition entries are left empty.
 */
export function assignReplicasToBrokers(
  brokers: readonly number[],
  partitions: number,
  replicationFactor: number,
  startIndex: number,
  replicaShift: number,
  startPartition = 0,
): number[][] {
  const n = brokers.length;
  const out: number[][] = Array.from({ length: startPartition }, () => []);
  let shift = replicaShift;
  for (let p = startPartition; p < startPartition + partitions; p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + startIndex) % n;
    const replicas = [brokers[first]!];
    for (let j = 0; j < replicationFactor - 1; j++)
      replicas.push(brokers[followerIndex(first, shift, j, n)]!);
    out.push(replicas);
  }
  return out;
}

function followerIndex(first: number, shift: number, j: number, n: number): number {
  return (first + 1 + ((shift + j) % (n - 1))) % n;
}

function assignmentJson(assignment: readonly (readonly number[])[]): TopicAssignmentJson {
  return {
    version: TOPIC_JSON_VERSION,
    partitions: Object.fromEntries(assignment.map((r, p) => [String(p), [...r]])),
    adding_replicas: {},
    removing_replicas: {},
  };
}

async function setOrCreate(zk: ZkClient, path: string, data: Buffer): Promise<void> {
  try {
    await zk.create(path, data);
  } catch (e) {
    if (!(e instanceof ZkError && e.isNodeExists)) throw e;
    await zk.setData(path, data);
  }
}
