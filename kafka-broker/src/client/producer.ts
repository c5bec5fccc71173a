// A producer over KafkaClient, as the Java producer behaves for the console producer: records are
// placed by the default partitioner (partitioner.ts), gathered per partition into record batches
// (magic 2, optionally compressed) that leave when full (batchBytesMax), after lingerMs, or on
// flush; one Produce request per leader carries every ready batch for it. Retriable failures
// (leader moved, not enough replicas, a lost connection) retry a batch up to `retries` times with
// fresh metadata, ahead of later batches of its partition so their order holds. Each send()
// settles with the record's offset (-1 for acks=0) or its final error.

import { CompressionType, ErrorCode, ZstdCompressor, buildRecordBatch, encodeRecordBatch } from '../protocol';
import type { RecordHeader } from '../protocol';
import {
  ClientError,
  KafkaClient,
  TopicPartition,
  isRetriableError,
  kafkaErrorOf,
  topicPartitionKey,
} from './kafka-client';
import { partitionForKey } from './partitioner';

/** Kafka's max.request.size default: a larger record is refused before it is sent. */
export const RECORD_BYTES_MAX_DEFAULT = 1_048_576;
/** Batch header bytes plus a record's framing, for the size estimate of a batch. */
const BATCH_OVERHEAD_BYTES = 61;
const RECORD_OVERHEAD_BYTES = 21;

export interface ProducerOptions {
  /** -1 (all), 0 or 1. */
  readonly acks: number;
  readonly compression: CompressionType;
  /** Needed when compression is zstd. */
  readonly zstd?: ZstdCompressor;
  /** How long the broker may wait for acks (Produce timeoutMs). */
  readonly requestTimeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly lingerMs: number;
  readonly batchBytesMax: number;
  /** How long send() waits for the topic's metadata. */
  readonly maxBlockMs: number;
  readonly recordBytesMax?: number;
  readonly allowAutoTopicCreation: boolean;
  /** Uniform integer in [0, n): picks the sticky partition of records without a key. */
  readonly randomInt: (n: number) => number;
  /** Create time of a record, ms. */
  readonly nowMs: () => number;
}

export interface ProducerRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly RecordHeader[];
  readonly partition?: number;
}

export interface RecordMetadata extends TopicPartition {
  /** -1 when acks=0. */
  readonly offset: bigint;
}

interface QueuedRecord {
  readonly record: ProducerRecord;
  readonly timestamp: bigint;
  readonly bytes: number;
  readonly resolve: (m: RecordMetadata) => void;
  readonly reject: (e: Error) => void;
}

interface Batch {
  readonly tp: TopicPartition;
  readonly records: QueuedRecord[];
  bytes: number;
  readonly createdMs: number;
  attempts: number;
  retryAtMs: number;
}

export class Producer {
  private readonly queues = new Map<string, Batch[]>();
  private readonly sticky = new Map<string, number>();
  private readonly topicReady = new Map<string, Promise<number>>();
  private readonly unsettled = new Set<Promise<unknown>>();
  private sending: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushing = 0;
  private buffered = 0;

  constructor(
    private readonly client: KafkaClient,
    private readonly o: ProducerOptions,
  ) {}

  /** Queues a record; settles once the broker has it (or it failed for good). */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    const size = estimateBytes(record);
    const limit = this.o.recordBytesMax ?? RECORD_BYTES_MAX_DEFAULT;
    if (size > limit) {
      return Promise.reject(
        kafkaErrorOf(
          ErrorCode.MESSAGE_TOO_LARGE,
          `The message is ${size} bytes when serialized which is larger than ${limit}, which is the value of the max.request.size configuration.`,
        ),
      );
    }
    const timestamp = BigInt(this.o.nowMs());
    const promise = this.partitionCount(record.topic).then(
      (count) =>
        new Promise<RecordMetadata>((resolve, reject) => {
          const partition = this.choosePartition(record, count);
          this.append(
            { topic: record.topic, partition },
            { record, timestamp, bytes: size, resolve, reject },
          );
        }),
    );
    this.unsettled.add(promise);
    this.buffered += size;
    const forget = (): void => {
      this.unsettled.delete(promise);
      this.buffered -= size;
    };
    promise.then(forget, forget);
    return promise;
  }

  /** Bytes of records sent and not settled yet (Kafka's buffer.memory counts the same). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Sends everything queued now and resolves once every record sent so far has settled. */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      this.schedule();
      while (this.unsettled.size > 0) await Promise.allSettled([...this.unsettled]);
    } finally {
      this.flushing--;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.timer !== null) clearTimeout(this.timer);
  }

  private partitionCount(topic: string): Promise<number> {
    let ready = this.topicReady.get(topic);
    if (ready === undefined) {
      ready = this.client
        .waitForTopics([topic], this.o.allowAutoTopicCreation, Date.now() + this.o.maxBlockMs)
        .then(
          (m) => m.topics.get(topic)!.partitions.length,
          (e: unknown) => {
            if (isRetriableError(e) || (e instanceof ClientError && e.code === 'DEADLINE')) {
              throw new ClientError(
                'DEADLINE',
                `Topic ${topic} not present in metadata after ${this.o.maxBlockMs} ms.`,
                { cause: e },
              );
            }
            throw e;
          },
        );
      this.topicReady.set(topic, ready);
      ready.catch(() => this.topicReady.delete(topic));
    }
    return ready;
  }

  private choosePartition(record: ProducerRecord, count: number): number {
    if (record.partition !== undefined) return record.partition;
    if (record.key !== null) return partitionForKey(record.key, count);
    let p = this.sticky.get(record.topic);
    if (p === undefined || p >= count) {
      p = this.o.randomInt(count);
      this.sticky.set(record.topic, p);
    }
    return p;
  }

  private append(tp: TopicPartition, q: QueuedRecord): void {
    const key = topicPartitionKey(tp);
    const queue = this.queues.get(key) ?? [];
    this.queues.set(key, queue);
    let last = queue[queue.length - 1];
    if (last === undefined || last.attempts > 0 || last.bytes + q.bytes > this.o.batchBytesMax) {
      if (last !== undefined) this.rotateSticky(tp);
      last = {
        tp,
        records: [],
        bytes: BATCH_OVERHEAD_BYTES,
        createdMs: Date.now(),
        attempts: 0,
        retryAtMs: 0,
      };
      queue.push(last);
    }
    last.records.push(q);
    last.bytes += q.bytes;
    this.schedule();
  }

  /** A new batch of the sticky partition: records without a key move to another partition. */
  private rotateSticky(tp: TopicPartition): void {
    if (this.sticky.get(tp.topic) !== tp.partition) return;
    this.sticky.delete(tp.topic);
  }

  private isReady(b: Batch, nowMs: number): boolean {
    if (b.retryAtMs > nowMs) return false;
    return (
      this.flushing > 0 ||
      b.attempts > 0 ||
      b.bytes >= this.o.batchBytesMax ||
      nowMs - b.createdMs >= this.o.lingerMs
    );
  }

  /** When the next batch becomes ready by time alone; null when none waits. */
  private nextWakeMs(nowMs: number): number | null {
    let next: number | null = null;
    for (const queue of this.queues.values()) {
      const b = queue[0];
      if (b === undefined) continue;
      const at = Math.max(b.retryAtMs, b.attempts > 0 ? 0 : b.createdMs + this.o.lingerMs);
      next = next === null ? at : Math.min(next, at);
    }
    return next === null ? null : Math.max(next, nowMs);
  }

  private schedule(): void {
    if (this.sending !== null) return;
    const now = Date.now();
    const ready = [...this.queues.values()].some((q) => q[0] !== undefined && this.isReady(q[0], now));
    if (ready) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.sending = this.sendRound().finally(() => {
        this.sending = null;
        this.schedule();
      });
      return;
    }
    const wake = this.nextWakeMs(now);
    if (wake !== null && this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, wake - now);
    }
  }

  /** Takes the first ready batch of every partition and sends them, one request per leader. */
  private async sendRound(): Promise<void> {
    const now = Date.now();
    const batches: Batch[] = [];
    for (const [key, queue] of this.queues) {
      const first = queue[0];
      if (first === undefined || !this.isReady(first, now)) continue;
      queue.shift();
      if (queue.length === 0) this.queues.delete(key);
      if (first.attempts === 0) this.rotateSticky(first.tp);
      batches.push(first);
    }
    let byLeader: Map<number, Batch[]>;
    try {
      byLeader = await this.groupByLeader(batches);
    } catch (e) {
      for (const b of batches) this.failed(b, e);
      return;
    }
    await Promise.all([...byLeader].map(([nodeId, list]) => this.sendToLeader(nodeId, list)));
  }

  private async groupByLeader(batches: Batch[]): Promise<Map<number, Batch[]>> {
    const grouped = await this.client.byLeader(batches.map((b) => ({ ...b.tp, batch: b })));
    return new Map([...grouped].map(([nodeId, items]) => [nodeId, items.map((i) => i.batch)]));
  }

  private async sendToLeader(nodeId: number, batches: Batch[]): Promise<void> {
    let results;
    try {
      results = await this.client.produce(
        nodeId,
        batches.map((b) => ({ ...b.tp, records: this.encode(b) })),
        { acks: this.o.acks, timeoutMs: this.o.requestTimeoutMs },
      );
    } catch (e) {
      for (const b of batches) this.failed(b, e);
      return;
    }
    for (const b of batches) {
      const r = results?.find((x) => x.topic === b.tp.topic && x.partition === b.tp.partition);
      if (results === null) {
        b.records.forEach((q) => q.resolve({ ...b.tp, offset: -1n }));
      } else if (r === undefined) {
        this.failed(
          b,
          kafkaErrorOf(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${topicPartitionKey(b.tp)}`),
        );
      } else if (r.errorCode !== ErrorCode.NONE) {
        this.failed(b, kafkaErrorOf(r.errorCode, r.errorMessage));
      } else {
        b.records.forEach((q, i) => q.resolve({ ...b.tp, offset: r.baseOffset + BigInt(i) }));
      }
    }
  }

  private encode(b: Batch): Buffer {
    const baseTimestamp = b.records[0]?.timestamp ?? BigInt(this.o.nowMs());
    const batch = buildRecordBatch(
      b.records.map((q) => ({
        key: q.record.key,
        value: q.record.value,
        headers: [...(q.record.headers ?? [])],
        timestamp: q.timestamp,
      })),
      { baseTimestamp, compression: this.o.compression },
    );
    return encodeRecordBatch(batch, this.o.zstd === undefined ? {} : { zstd: this.o.zstd });
  }

  private failed(b: Batch, e: unknown): void {
    if (isRetriableError(e) && b.attempts < this.o.retries) {
      b.attempts++;
      b.retryAtMs = Date.now() + this.o.retryBackoffMs;
      const key = topicPartitionKey(b.tp);
      this.queues.set(key, [b, ...(this.queues.get(key) ?? [])]);
      this.client.refreshMetadata([b.tp.topic], false).catch(() => undefined);
      return;
    }
    const error = e instanceof Error ? e : new Error(String(e));
    for (const q of b.records) q.reject(error);
  }
}

function estimateBytes(r: ProducerRecord): number {
  let n = RECORD_OVERHEAD_BYTES + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers ?? []) n += Buffer.byteLength(h.key) + (h.value?.length ?? 0) + 2;
  return n;
}
