// The partitions this broker hosts and its role for each, driven by the state znodes the metadata
// cache follows: leader (appends from producers, serves consumers, moves the high watermark with
// partition-state.ts), follower (log kept; fetching from the leader is the replica fetcher's job,
// not built yet) or nothing (log deleted). Produce and Fetch handlers go through here for every
// partition; after each append or high-watermark move it tells the delayed operations. Owns no
// socket and no ZooKeeper client; the log manager owns the files.

import { Clock, Logger } from '../../../shared/src';
import { MetadataCache, MetadataListener } from '../cluster/metadata-cache';
import { ProducerStateTable, readBatchInfos, rebuildProducerState } from '../coordinator/producer-state';
import { AppendResult, LogManager, OffsetAndTimestamp, PartitionLog, ReadResult } from '../log';
import { KafkaError } from '../protocol';
import { DelayedOperations } from './delayed-operations';
import {
  acksAllOutcome,
  AcksAllOutcome,
  admitAcksAll,
  becomeLeader,
  LeaderAndIsr,
  LeaderState,
  recordFollowerFetch,
  withHighWatermark,
} from './partition-state';

export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export interface ReplicaManagerOptions {
  readonly brokerId: number;
  readonly logManager: LogManager;
  readonly cache: MetadataCache;
  readonly delayed: DelayedOperations;
  /** min.insync.replicas of a topic (its override or the broker's). */
  readonly minInsyncReplicas: (topic: string) => number;
  readonly clock: Clock;
  readonly logger: Logger;
}

class HostedPartition {
  leadership: LeaderAndIsr | null = null;
  /** Set while this broker leads the partition. */
  leader: LeaderState | null = null;
  /** Bytes appended since the broker started: how a waiting fetch measures new data. */
  appendedBytes = 0;
  /** Idempotent producers' last batches; rebuilt from the log on the first use in a term. */
  producers: ProducerStateTable | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
  ) {}

  get key(): string {
    return partitionKey(this.topic, this.partition);
  }
}

export interface FetchReadOptions {
  /** -1 for consumers (read up to the high watermark), a broker id for a follower (up to the log end). */
  readonly replicaId: number;
  /** The client's leader epoch (Fetch v9+), -1 when not given. */
  readonly currentLeaderEpoch: number;
  readonly minOneBatch: boolean;
}

export class ReplicaManager implements MetadataListener {
  private readonly partitions = new Map<string, HostedPartition>();
  private readonly logger: Logger;

  constructor(private readonly o: ReplicaManagerOptions) {
    this.logger = o.logger.child({ component: 'replica-manager' });
    o.cache.addListener(this);
  }

  get brokerId(): number {
    return this.o.brokerId;
  }

  // ---- following the controller's decisions ----------------------------------------------------

  onPartitionStateChanged(topic: string, partition: number, state: LeaderAndIsr | null): void {
    if (state === null) return;
    const key = partitionKey(topic, partition);
    try {
      if (state.leader === this.o.brokerId) this.makeLeader(topic, partition, state);
      else if (state.replicas.includes(this.o.brokerId)) this.makeFollower(topic, partition, state);
      else if (state.replicas.length > 0) this.stopReplica(topic, partition);
    } catch (e) {
      this.logger.error(
        `cannot take up ${key} (leader ${state.leader}, epoch ${state.leaderEpoch}): ${(e as Error).message}`,
      );
    }
    this.o.delayed.checkAndComplete(key);
  }

  onTopicRemoved(topic: string): void {
    for (const h of [...this.partitions.values()])
      if (h.topic === topic) this.stopReplica(topic, h.partition);
  }

  onTopicConfigChanged(topic: string): void {
    this.o.logManager.updateTopicConfig(topic, {});
  }

  private host(topic: string, partition: number): HostedPartition {
    const key = partitionKey(topic, partition);
    let h = this.partitions.get(key);
    if (h === undefined) {
      h = new HostedPartition(topic, partition, this.o.logManager.getOrCreateLog(topic, partition));
      this.partitions.set(key, h);
    }
    return h;
  }

  private makeLeader(topic: string, partition: number, state: LeaderAndIsr): void {
    const h = this.host(topic, partition);
    const sameTerm = h.leader !== null && h.leadership?.leaderEpoch === state.leaderEpoch;
    h.leadership = state;
    if (sameTerm) h.leader = { ...h.leader!, leadership: state };
    else {
      h.producers = null;
      h.leader = becomeLeader(this.o.brokerId, state, h.log.highWatermark, this.o.clock.nowMs());
      this.logger.info(
        `leading ${h.key} in epoch ${state.leaderEpoch}, isr [${state.isr}], log end ${h.log.logEndOffset}`,
      );
    }
    this.advanceHighWatermark(h);
  }

  private makeFollower(topic: string, partition: number, state: LeaderAndIsr): void {
    const h = this.host(topic, partition);
    const wasLeader = h.leader !== null;
    const newTerm = h.leadership?.leaderEpoch !== state.leaderEpoch;
    h.leadership = state;
    h.leader = null;
    if (wasLeader || newTerm) {
      this.logger.warn(
        `${h.key} follows broker ${state.leader} (epoch ${state.leaderEpoch}); replica fetching is not available`,
      );
    }
  }

  private stopReplica(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    const h = this.partitions.get(key);
    this.partitions.delete(key);
    if (h === undefined && this.o.logManager.getLog(topic, partition) === undefined) return;
    void this.o.logManager.deleteLog(topic, partition).catch((e: unknown) => {
      this.logger.error(`deleting the log of ${key} failed: ${(e as Error).message}`);
    });
    this.o.delayed.checkAndComplete(key);
  }

  private advanceHighWatermark(h: HostedPartition): void {
    if (h.leader === null) return;
    const before = h.leader.highWatermark;
    h.leader = withHighWatermark(h.leader, h.log.logEndOffset);
    h.log.setHighWatermark(h.leader.highWatermark);
    if (h.leader.highWatermark !== before) this.o.delayed.checkAndComplete(h.key);
  }

  // ---- produce ----------------------------------------------------------------------------------

  /** The partition if this broker leads it; else UNKNOWN_TOPIC_OR_PARTITION or NOT_LEADER_OR_FOLLOWER. */
  private leaderPartition(topic: string, partition: number): HostedPartition & { leader: LeaderState } {
    const h = this.partitions.get(partitionKey(topic, partition));
    if (h !== undefined && h.leader !== null) return h as HostedPartition & { leader: LeaderState };
    if (partition < 0 || partition >= this.o.cache.partitionCount(topic)) {
      throw new KafkaError(
        'UNKNOWN_TOPIC_OR_PARTITION',
        `This server does not host this topic-partition: ${topic}-${partition}`,
      );
    }
    throw new KafkaError(
      'NOT_LEADER_OR_FOLLOWER',
      `broker ${this.o.brokerId} is not the leader of ${topic}-${partition}`,
    );
  }

  /**
   * Leader append of producer batches (offsets assigned by the log). acks=-1 is refused before the
   * append when the ISR is below min.insync.replicas. Batches of idempotent producers are checked
   * against the partition's producer state first: a retried batch answers its original offsets
   * without being written again. Throws KafkaError or LogError.
   */
  appendRecords(topic: string, partition: number, records: Buffer, acks: number): AppendResult {
    const h = this.leaderPartition(topic, partition);
    if (acks === -1 && admitAcksAll(h.leader.leadership, this.o.minInsyncReplicas(topic)) !== 'ok') {
      const isr = h.leader.leadership.isr.length;
      throw new KafkaError(
        'NOT_ENOUGH_REPLICAS',
        `${topic}-${partition}: ISR of ${isr} is below min.insync.replicas`,
      );
    }
    const batches = readBatchInfos(records);
    const idempotent = batches !== null && batches.some((b) => b.producerId >= 0n);
    const producers = idempotent ? this.producerStateOf(h) : null;
    if (producers !== null) {
      const check = producers.checkAppend(batches!);
      if (check.kind === 'duplicate') return duplicateAppend(h.log, check.firstOffset, check.lastOffset);
    }
    const result = h.log.append(records, { leaderEpoch: h.leader.leadership.leaderEpoch });
    producers?.onAppended(batches!, result.baseOffset);
    h.appendedBytes += records.length;
    this.advanceHighWatermark(h);
    this.o.delayed.checkAndComplete(h.key);
    return result;
  }

  private producerStateOf(h: HostedPartition): ProducerStateTable {
    if (h.producers === null) {
      h.producers = rebuildProducerState(h.log);
      if (h.producers.size > 0) this.logger.info(`${h.key}: ${h.producers.size} idempotent producer(s) found in the log`);
    }
    return h.producers;
  }

  /** Where a waiting acks=all produce stands; a partition no longer led here counts as failed. */
  acksAllOutcome(
    topic: string,
    partition: number,
    lastOffset: bigint,
  ): AcksAllOutcome | 'NOT_LEADER_OR_FOLLOWER' {
    const h = this.partitions.get(partitionKey(topic, partition));
    if (h === undefined || h.leader === null) return 'NOT_LEADER_OR_FOLLOWER';
    const isr = h.leader.leadership.isr.length;
    return acksAllOutcome(h.leader.highWatermark, lastOffset, isr, this.o.minInsyncReplicas(topic));
  }

  // ---- fetch and offsets ------------------------------------------------------------------------

  /** Stored batches for a consumer (up to the high watermark) or a follower (up to the log end). */
  readRecords(
    topic: string,
    partition: number,
    fetchOffset: bigint,
    maxBytes: number,
    o: FetchReadOptions,
  ): ReadResult {
    const h = this.leaderPartition(topic, partition);
    checkLeaderEpoch(h.leader.leadership.leaderEpoch, o.currentLeaderEpoch);
    if (o.replicaId >= 0) {
      h.leader = recordFollowerFetch(
        h.leader,
        o.replicaId,
        fetchOffset,
        h.log.logEndOffset,
        this.o.clock.nowMs(),
      );
      this.advanceHighWatermark(h);
      return h.log.read(fetchOffset, maxBytes, { minOneBatch: o.minOneBatch });
    }
    return h.log.read(fetchOffset, maxBytes, {
      maxOffset: h.leader.highWatermark,
      minOneBatch: o.minOneBatch,
    });
  }

  /** Bytes appended to a partition since start (0 when not led here): a waiting fetch's yardstick. */
  appendedBytes(topic: string, partition: number): number {
    return this.partitions.get(partitionKey(topic, partition))?.appendedBytes ?? 0;
  }

  /** True while this broker leads the partition in `leaderEpoch`. */
  leadsInEpoch(topic: string, partition: number, leaderEpoch: number): boolean {
    const h = this.partitions.get(partitionKey(topic, partition));
    return h?.leader?.leadership.leaderEpoch === leaderEpoch;
  }

  leaderEpochOf(topic: string, partition: number): number {
    return this.leaderPartition(topic, partition).leader.leadership.leaderEpoch;
  }

  /** ListOffsets for a consumer: offsets are bounded by the high watermark. */
  offsetForTimestamp(
    topic: string,
    partition: number,
    timestampMs: bigint,
    currentLeaderEpoch: number,
  ): OffsetAndTimestamp | null {
    const h = this.leaderPartition(topic, partition);
    checkLeaderEpoch(h.leader.leadership.leaderEpoch, currentLeaderEpoch);
    return h.log.offsetForTimestamp(timestampMs, h.leader.highWatermark);
  }

  /** Logs hosted here whose topic ZooKeeper does not know (left by a deletion while we were down). */
  strayLogs(): string[] {
    return this.o.logManager
      .allLogs()
      .filter((l) => !this.o.cache.hasTopic(l.topic))
      .map((l) => partitionKey(l.topic, l.partition));
  }
}

/** The answer to a retried batch that is already in the log: its first append's offsets. */
function duplicateAppend(log: PartitionLog, baseOffset: bigint, lastOffset: bigint): AppendResult {
  return {
    baseOffset,
    lastOffset,
    logAppendTimeMs: -1n,
    logStartOffset: log.logStartOffset,
    batchCount: 0,
    recordCount: 0,
  };
}

/** KIP-320: a client's epoch older than ours is fenced, a newer one is unknown to us yet. */
function checkLeaderEpoch(ours: number, theirs: number): void {
  if (theirs < 0 || theirs === ours) return;
  if (theirs < ours)
    throw new KafkaError('FENCED_LEADER_EPOCH', `leader epoch ${theirs} is older than ${ours}`);
  throw new KafkaError('UNKNOWN_LEADER_EPOCH', `leader epoch ${theirs} is newer than ${ours}`);
}
