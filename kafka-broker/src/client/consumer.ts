// A consumer over KafkaClient, as the Java consumer behaves for the console consumer. Partitions
// come from assign() (explicit), or subscribe(): with a group id through the group protocol
// (group-member.ts, committed offsets, auto-commit), without one every partition of the topics
// (new partitions picked up on metadata refresh). A partition without a position starts at its
// committed offset, else where auto.offset.reset says (ListOffsets earliest/latest). poll() sends
// one Fetch per leader (long-polling maxWaitMs) until records arrive or its timeout passes, and
// returns records in offset order per partition; control batches are skipped.

import {
  ErrorCode,
  decodeRecordBatches,
  errorName,
  isControlBatch,
  isLogAppendTime,
  recordPosition,
} from '../protocol';
import type { RecordHeader } from '../protocol';
import { CommittedOffset, GroupMember } from './group-member';
import {
  ClientError,
  EARLIEST_TIMESTAMP,
  KafkaClient,
  LATEST_TIMESTAMP,
  TopicPartition,
  isRetriableError,
  kafkaErrorOf,
  sleep,
  topicPartitionKey,
} from './kafka-client';

export type OffsetResetPolicy = 'earliest' | 'latest' | 'none';
/** Pause after a fetch failed with a routing error, before metadata is asked again. */
const FETCH_RETRY_PAUSE_MS = 100;
/** How long close() may spend committing and leaving the group. */
const CLOSE_TIMEOUT_MS = 5_000;
/** How long a poll without partitions waits before looking again. */
const IDLE_POLL_STEP_MS = 100;

export interface ConsumerOptions {
  readonly groupId: string | null;
  readonly autoOffsetReset: OffsetResetPolicy;
  readonly enableAutoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** 0 read_uncommitted, 1 read_committed. */
  readonly isolationLevel: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly fetchMaxBytes: number;
  readonly partitionMaxBytes: number;
  readonly metadataMaxAgeMs: number;
  readonly allowAutoTopicCreation: boolean;
}

export interface ConsumerRecord extends TopicPartition {
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly timestampType: 'CreateTime' | 'LogAppendTime';
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

type SeekTarget = bigint | 'earliest' | 'latest';

interface PartitionState {
  readonly tp: TopicPartition;
  /** The next offset to fetch; null until it is known. */
  position: bigint | null;
  /** An explicit seek waiting to be resolved into a position. */
  seek: SeekTarget | null;
}

/** No offset to start from and auto.offset.reset=none. */
export class NoOffsetForPartitionError extends Error {
  constructor(readonly tp: TopicPartition) {
    super(`Undefined offset with no reset policy for partitions: ${topicPartitionKey(tp)}`);
    this.name = 'NoOffsetForPartitionError';
  }
}

export class Consumer {
  private readonly partitions = new Map<string, PartitionState>();
  private subscription: readonly string[] | RegExp | null = null;
  private member: GroupMember | null = null;
  private nextCommitMs = 0;
  private nextMetadataMs = 0;
  private closed = false;

  constructor(
    private readonly client: KafkaClient,
    private readonly o: ConsumerOptions,
  ) {}

  /** Reads exactly these partitions (no group membership). */
  assign(tps: readonly TopicPartition[]): void {
    this.subscription = null;
    this.setAssignment(tps);
  }

  /**
   * Reads every partition of these topics (or of the topics whose whole name matches a pattern):
   * through the group when there is a group id. A group member subscribes to the topics matching
   * the pattern now; without a group new matches are picked up on each metadata refresh.
   */
  async subscribe(topics: readonly string[] | RegExp, deadlineMs: number): Promise<void> {
    this.subscription = topics instanceof RegExp ? topics : [...topics];
    this.nextMetadataMs = 0;
    if (this.o.groupId === null) return;
    const names = topics instanceof RegExp ? await this.matchingTopics(topics, deadlineMs) : [...topics];
    this.member = new GroupMember(this.client, {
      groupId: this.o.groupId,
      topics: names,
      sessionTimeoutMs: this.o.sessionTimeoutMs,
      rebalanceTimeoutMs: this.o.rebalanceTimeoutMs,
      heartbeatIntervalMs: this.o.heartbeatIntervalMs,
    });
  }

  private async matchingTopics(pattern: RegExp, deadlineMs: number): Promise<string[]> {
    const metadata = await this.client.refreshMetadata(null, false, deadlineMs);
    return [...metadata.topics.values()]
      .filter((t) => !t.isInternal && t.errorCode === ErrorCode.NONE && pattern.test(t.name))
      .map((t) => t.name)
      .sort();
  }

  seek(tp: TopicPartition, target: SeekTarget): void {
    const state = this.partitions.get(topicPartitionKey(tp));
    if (state === undefined) throw new Error(`seek on ${topicPartitionKey(tp)}, which is not assigned`);
    state.seek = typeof target === 'bigint' ? null : target;
    state.position = typeof target === 'bigint' ? target : null;
  }

  assignment(): TopicPartition[] {
    return [...this.partitions.values()].map((s) => s.tp);
  }

  position(tp: TopicPartition): bigint | null {
    return this.partitions.get(topicPartitionKey(tp))?.position ?? null;
  }

  /** Records fetched within `timeoutMs` ([] when none came or `signal` aborted the wait). */
  async poll(timeoutMs: number, signal?: AbortSignal): Promise<ConsumerRecord[]> {
    const deadlineMs = Date.now() + timeoutMs;
    for (;;) {
      if (signal?.aborted || this.closed) return [];
      const ready = await this.maintain(deadlineMs, signal);
      const remaining = deadlineMs - Date.now();
      if (!ready) {
        if (remaining <= 0) return [];
        await abortable(sleep(Math.min(remaining, IDLE_POLL_STEP_MS)), signal);
        continue;
      }
      const records = await abortable(
        this.fetchOnce(Math.max(0, Math.min(this.o.maxWaitMs, remaining))),
        signal,
      );
      if (records === undefined) return [];
      if (records.length > 0 || Date.now() >= deadlineMs) return records;
    }
  }

  /** Commits the current positions (group consumers only). */
  async commit(deadlineMs = Date.now() + CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.member === null || this.member.needsRejoin) return;
    const offsets = new Map<string, TopicPartition & { offset: bigint }>();
    for (const [key, s] of this.partitions)
      if (s.position !== null) offsets.set(key, { ...s.tp, offset: s.position });
    await this.member.commit(offsets, deadlineMs);
  }

  /** Commits (when auto-commit is on) and leaves the group. The client stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const deadline = Date.now() + CLOSE_TIMEOUT_MS;
    if (this.member !== null) {
      if (this.o.enableAutoCommit) await this.commit(deadline).catch((e: unknown) => this.commitFailed(e));
      await this.member.leave(deadline);
    }
  }

  /** Auto-commit failures are reported, not fatal: the next commit carries the same positions. */
  private commitFailed(e: unknown): void {
    const reason = e instanceof Error ? e.message : String(e);
    this.client.warnOnce(
      `commit ${reason}`,
      `Auto-commit of offsets failed for group ${this.o.groupId}: ${reason}`,
    );
  }

  private setAssignment(tps: readonly TopicPartition[]): void {
    const keep = new Map<string, PartitionState>();
    for (const tp of tps) {
      const key = topicPartitionKey(tp);
      keep.set(
        key,
        this.partitions.get(key) ?? {
          tp: { topic: tp.topic, partition: tp.partition },
          position: null,
          seek: null,
        },
      );
    }
    this.partitions.clear();
    for (const [k, v] of keep) this.partitions.set(k, v);
  }

  /** Group membership, subscription metadata, positions and auto-commit; true when fetching can start. */
  private async maintain(deadlineMs: number, signal?: AbortSignal): Promise<boolean> {
    try {
      if (this.member !== null && this.member.needsRejoin) {
        if (this.o.enableAutoCommit && this.partitions.size > 0)
          await this.commit().catch((e: unknown) => this.commitFailed(e));
        const joined = await abortable(this.member.join(deadlineMs), signal);
        if (joined === undefined) return false;
        this.setAssignment(
          [...joined].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition }))),
        );
        this.nextCommitMs = Date.now() + this.o.autoCommitIntervalMs;
      } else if (this.member === null && this.subscription !== null && Date.now() >= this.nextMetadataMs) {
        await this.refreshSubscription(deadlineMs);
      }
      await this.resolvePositions(deadlineMs);
      if (this.member !== null && this.o.enableAutoCommit && Date.now() >= this.nextCommitMs) {
        this.nextCommitMs = Date.now() + this.o.autoCommitIntervalMs;
        await this.commit().catch((e: unknown) => this.commitFailed(e));
      }
    } catch (e) {
      if (isDeadline(e) || isRetriableError(e)) return false;
      throw e;
    }
    return [...this.partitions.values()].some((s) => s.position !== null);
  }

  /** Without a group: every partition of the subscribed topics (auto-created when allowed). */
  private async refreshSubscription(deadlineMs: number): Promise<void> {
    const subscription = this.subscription ?? [];
    const topics =
      subscription instanceof RegExp ? await this.matchingTopics(subscription, deadlineMs) : subscription;
    const metadata =
      subscription instanceof RegExp
        ? this.client.metadataSnapshot
        : await this.client.refreshMetadata(topics, this.o.allowAutoTopicCreation, deadlineMs);
    const tps: TopicPartition[] = [];
    let complete = true;
    for (const name of topics) {
      const t = metadata.topics.get(name);
      if (t === undefined || t.errorCode !== ErrorCode.NONE || t.partitions.length === 0) {
        complete = false;
        if (t !== undefined && t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
          this.client.warnOnce(
            `metadata ${name}`,
            `Error while fetching metadata: {${name}=UNKNOWN_TOPIC_OR_PARTITION}`,
          );
        }
      }
      for (const p of t?.partitions ?? []) tps.push({ topic: name, partition: p.partition });
    }
    this.nextMetadataMs = Date.now() + (complete ? this.o.metadataMaxAgeMs : this.client.retryBackoffMs * 5);
    this.setAssignment(tps);
  }

  private async resolvePositions(deadlineMs: number): Promise<void> {
    const missing = [...this.partitions.values()].filter((s) => s.position === null);
    if (missing.length === 0) return;
    const unseeked = missing.filter((s) => s.seek === null).map((s) => s.tp);
    const committed =
      this.member !== null && unseeked.length > 0
        ? await this.member.committed(unseeked, deadlineMs)
        : new Map<string, CommittedOffset>();
    const lookups: (TopicPartition & { timestamp: bigint })[] = [];
    for (const s of missing) {
      const key = topicPartitionKey(s.tp);
      const target = s.seek ?? this.resetTarget(s.tp, committed.get(key)?.offset ?? -1n);
      if (typeof target === 'bigint') s.position = target;
      else
        lookups.push({ ...s.tp, timestamp: target === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP });
      s.seek = null;
    }
    if (lookups.length === 0) return;
    const offsets = await this.client.listOffsets(lookups, deadlineMs, this.o.isolationLevel);
    for (const l of lookups) {
      const s = this.partitions.get(topicPartitionKey(l));
      const offset = offsets.get(topicPartitionKey(l));
      if (s !== undefined && offset !== undefined) s.position = offset;
    }
  }

  private resetTarget(tp: TopicPartition, committed: bigint): SeekTarget {
    if (committed >= 0n) return committed;
    if (this.o.autoOffsetReset === 'none') throw new NoOffsetForPartitionError(tp);
    return this.o.autoOffsetReset;
  }

  /** One Fetch per leader for every partition with a position; returns the new records. */
  private async fetchOnce(maxWaitMs: number): Promise<ConsumerRecord[]> {
    const wanted = [...this.partitions.values()]
      .filter((s) => s.position !== null)
      .map((s) => ({ ...s.tp, offset: s.position! }));
    let byLeader;
    try {
      byLeader = await this.client.byLeader(wanted);
    } catch (e) {
      if (!isRetriableError(e)) throw e;
      await sleep(FETCH_RETRY_PAUSE_MS);
      return [];
    }
    const options = {
      maxWaitMs,
      minBytes: this.o.minBytes,
      maxBytes: this.o.fetchMaxBytes,
      partitionMaxBytes: this.o.partitionMaxBytes,
      isolationLevel: this.o.isolationLevel,
    };
    const answers = await Promise.all(
      [...byLeader].map(([nodeId, list]) =>
        this.client.fetch(nodeId, list, options).catch(async (e: unknown) => {
          if (!isRetriableError(e)) throw e;
          await this.client.refreshMetadata(null, false).catch(() => undefined);
          await sleep(FETCH_RETRY_PAUSE_MS);
          return [];
        }),
      ),
    );
    const records: ConsumerRecord[] = [];
    for (const p of answers.flat()) await this.takePartition(p, records);
    return records;
  }

  private async takePartition(
    p: { topic: string; partition: number; errorCode: number; records: Buffer | null },
    out: ConsumerRecord[],
  ): Promise<void> {
    const state = this.partitions.get(topicPartitionKey(p));
    if (state === undefined || state.position === null) return;
    if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      state.position = null;
      state.seek = this.resetTarget(state.tp, -1n);
      return;
    }
    if (p.errorCode !== ErrorCode.NONE) {
      const error = kafkaErrorOf(p.errorCode, `Fetch ${topicPartitionKey(p)}: ${errorName(p.errorCode)}`);
      if (!error.retriable) throw error;
      await this.client.refreshMetadata([p.topic], false).catch(() => undefined);
      return;
    }
    if (p.records === null || p.records.length === 0) return;
    for (const batch of decodeRecordBatches(p.records)) {
      const last = batch.baseOffset + BigInt(batch.lastOffsetDelta);
      if (last < state.position) continue;
      if (!isControlBatch(batch.attributes)) {
        for (const rec of batch.records) {
          const at = recordPosition(batch, rec);
          if (at.offset < state.position) continue;
          out.push({
            topic: p.topic,
            partition: p.partition,
            offset: at.offset,
            timestamp: at.timestamp,
            timestampType: isLogAppendTime(batch.attributes) ? 'LogAppendTime' : 'CreateTime',
            key: rec.key,
            value: rec.value,
            headers: rec.headers,
          });
        }
      }
      state.position = last + 1n;
    }
  }
}

function isDeadline(e: unknown): boolean {
  return e instanceof ClientError && e.code === 'DEADLINE';
}

/** The promise's value, or undefined as soon as `signal` aborts (the promise is left to settle). */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
  if (signal === undefined) return promise;
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
