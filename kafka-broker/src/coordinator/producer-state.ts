// Idempotent producers on one partition: per producer id its epoch and the last
// PRODUCER_BATCHES_KEPT batches appended (first/last sequence, first/last offset), as Kafka's
// ProducerStateManager keeps them. Before a leader append, checkAppend() looks at every batch with a
// producer id: a batch equal to a kept one (same epoch and sequence range) is a retry and the
// append answers the original offsets without writing (Kafka's DUPLICATE_SEQUENCE handling: success
// with the first append's base offset); a sequence that does not follow the last one gets
// OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch INVALID_PRODUCER_EPOCH; a new epoch must start at
// sequence 0; an unknown producer starting past 0 gets UNKNOWN_PRODUCER_ID. Batches with producer
// id -1 (kafkajs sends -1/0/0 when not idempotent, librdkafka -1/-1/-1) are never checked.
//
// The table is rebuilt from the log (rebuildProducerState): the batch headers of the partition's
// tail, at most PRODUCER_STATE_SCAN_OFFSETS_MAX offsets and about PRODUCER_STATE_SCAN_BYTES_MAX
// bytes back, so a producer retrying across a broker restart still finds its batches. The table is
// pure (no I/O, no clock); the rebuild reads through the narrow LogTail interface.

import { BATCH_HEADER_BYTES, BatchField, CURRENT_MAGIC, LOG_OVERHEAD_BYTES } from '../protocol/batch-header';
import { LogError } from '../log';
import { KafkaError } from '../protocol';

/** Batches remembered per producer (Kafka's NUM_BATCHES_TO_RETAIN; max.in.flight of 5 needs them). */
export const PRODUCER_BATCHES_KEPT = 5;
/** Producer ids remembered per partition; the least recently active one goes first. */
export const PRODUCERS_PER_PARTITION_MAX = 10_000;
/** How far back a rebuild reads, in offsets and (about) in bytes. */
export const PRODUCER_STATE_SCAN_OFFSETS_MAX = 100_000n;
export const PRODUCER_STATE_SCAN_BYTES_MAX = 64 * 1024 * 1024;
const SCAN_CHUNK_BYTES = 1024 * 1024;
/** Reads of one rebuild (the byte bound over the chunk size, with room for oversized batches). */
const SCAN_READS_MAX = (2 * PRODUCER_STATE_SCAN_BYTES_MAX) / SCAN_CHUNK_BYTES + 16;

export const NO_PRODUCER_ID = -1n;
const INT32_MAX = 0x7fff_ffff;

/** What the producer state needs of one batch header. */
export interface BatchInfo {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  /** lastOffsetDelta + 1. */
  readonly offsetCount: number;
  /** As stored (meaningful for batches read back from the log). */
  readonly baseOffset: bigint;
}

interface KeptBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
}

interface ProducerEntry {
  readonly epoch: number;
  /** Oldest first, at most PRODUCER_BATCHES_KEPT. */
  readonly batches: KeptBatch[];
}

export type AppendCheck =
  | { readonly kind: 'append' }
  | { readonly kind: 'duplicate'; readonly firstOffset: bigint; readonly lastOffset: bigint };

/** The batch headers of a record set; null when it is not a run of whole v2 batches (the log refuses it). */
export function readBatchInfos(records: Buffer): BatchInfo[] | null {
  const { batches, bytes } = walkBatchInfos(records);
  return bytes === records.length ? batches : null;
}

/** The whole v2 batches at the front of `buf` and the bytes they take (a partial tail is left). */
export function walkBatchInfos(buf: Buffer): { batches: BatchInfo[]; bytes: number } {
  const batches: BatchInfo[] = [];
  let at = 0;
  while (buf.length - at >= BATCH_HEADER_BYTES) {
    const batchLength = buf.readInt32BE(at + BatchField.BatchLength);
    const size = LOG_OVERHEAD_BYTES + batchLength;
    if (batchLength < BATCH_HEADER_BYTES - LOG_OVERHEAD_BYTES || size > buf.length - at) break;
    if (buf.readInt8(at + BatchField.Magic) !== CURRENT_MAGIC) break;
    batches.push({
      producerId: buf.readBigInt64BE(at + BatchField.ProducerId),
      producerEpoch: buf.readInt16BE(at + BatchField.ProducerEpoch),
      baseSequence: buf.readInt32BE(at + BatchField.BaseSequence),
      offsetCount: buf.readInt32BE(at + BatchField.LastOffsetDelta) + 1,
      baseOffset: buf.readBigInt64BE(at + BatchField.BaseOffset),
    });
    at += size;
  }
  return { batches, bytes: at };
}

/** The sequence of a batch's last record (sequences wrap from 2^31-1 to 0). */
export function lastSequenceOf(baseSequence: number, offsetCount: number): number {
  const increment = offsetCount - 1;
  return baseSequence > INT32_MAX - increment ? increment - (INT32_MAX - baseSequence) - 1 : baseSequence + increment;
}

function follows(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (lastSeq === INT32_MAX && nextSeq === 0);
}

export class ProducerStateTable {
  /** Least recently appended first. */
  private readonly producers = new Map<bigint, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  /** The epoch and last sequence kept for a producer, or undefined. */
  lastOf(producerId: bigint): { epoch: number; lastSequence: number } | undefined {
    const e = this.producers.get(producerId);
    const last = e?.batches[e.batches.length - 1];
    return e === undefined || last === undefined ? undefined : { epoch: e.epoch, lastSequence: last.lastSeq };
  }

  /**
   * Checks the batches of an append before it happens. A retry of a kept batch answers its offsets
   * (the whole append is then skipped, as Kafka does); a bad sequence or epoch throws KafkaError.
   */
  checkAppend(batches: readonly BatchInfo[]): AppendCheck {
    const pending = new Map<bigint, { epoch: number; lastSequence: number }>();
    for (const b of batches) {
      if (b.producerId === NO_PRODUCER_ID) continue;
      if (b.baseSequence < 0) {
        throw new KafkaError('INVALID_RECORD', `producer ${b.producerId}: batch without a sequence number`);
      }
      const earlier = pending.get(b.producerId);
      const seen = earlier ?? this.lastOf(b.producerId);
      const lastSeq = lastSequenceOf(b.baseSequence, b.offsetCount);
      if (seen === undefined) {
        if (b.baseSequence !== 0) {
          const detail = `is unknown here and starts at sequence ${b.baseSequence}`;
          throw new KafkaError('UNKNOWN_PRODUCER_ID', `producer ${b.producerId} ${detail}`);
        }
      } else {
        if (b.producerEpoch < seen.epoch) {
          const detail = `epoch ${b.producerEpoch} is older than ${seen.epoch}`;
          throw new KafkaError('INVALID_PRODUCER_EPOCH', `producer ${b.producerId}: ${detail}`);
        }
        if (earlier === undefined && b.producerEpoch === seen.epoch) {
          const duplicate = this.keptBatch(b.producerId, b.baseSequence, lastSeq);
          if (duplicate !== undefined) {
            return { kind: 'duplicate', firstOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset };
          }
        }
        checkSequence(b, seen.epoch, seen.lastSequence);
      }
      pending.set(b.producerId, { epoch: b.producerEpoch, lastSequence: lastSeq });
    }
    return { kind: 'append' };
  }

  private keptBatch(producerId: bigint, firstSeq: number, lastSeq: number): KeptBatch | undefined {
    return this.producers.get(producerId)?.batches.find((k) => k.firstSeq === firstSeq && k.lastSeq === lastSeq);
  }

  /** Records an append that checkAppend() allowed; offsets follow from its base offset. */
  onAppended(batches: readonly BatchInfo[], baseOffset: bigint): void {
    let offset = baseOffset;
    for (const b of batches) {
      const last = offset + BigInt(b.offsetCount - 1);
      if (b.producerId !== NO_PRODUCER_ID) this.keep(b, offset, last);
      offset = last + 1n;
    }
  }

  /** Takes in a batch read back from the log (offsets as stored). */
  replay(b: BatchInfo): void {
    if (b.producerId === NO_PRODUCER_ID || b.baseSequence < 0) return;
    this.keep(b, b.baseOffset, b.baseOffset + BigInt(b.offsetCount - 1));
  }

  private keep(b: BatchInfo, firstOffset: bigint, lastOffset: bigint): void {
    const old = this.producers.get(b.producerId);
    if (old !== undefined && b.producerEpoch < old.epoch) return;
    const entry: ProducerEntry =
      old === undefined || b.producerEpoch > old.epoch ? { epoch: b.producerEpoch, batches: [] } : old;
    const lastSeq = lastSequenceOf(b.baseSequence, b.offsetCount);
    entry.batches.push({ firstSeq: b.baseSequence, lastSeq, firstOffset, lastOffset });
    if (entry.batches.length > PRODUCER_BATCHES_KEPT) entry.batches.shift();
    this.producers.delete(b.producerId);
    this.producers.set(b.producerId, entry);
    if (this.producers.size > PRODUCERS_PER_PARTITION_MAX) {
      this.producers.delete(this.producers.keys().next().value!);
    }
  }
}

function checkSequence(b: BatchInfo, epoch: number, lastSeq: number): void {
  if (b.producerEpoch > epoch) {
    if (b.baseSequence !== 0) {
      const detail = `new epoch ${b.producerEpoch} starts at sequence ${b.baseSequence}, not 0`;
      throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${b.producerId}: ${detail}`);
    }
    return;
  }
  if (!follows(lastSeq, b.baseSequence)) {
    const detail = `sequence ${b.baseSequence} does not follow ${lastSeq}`;
    throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${b.producerId}: ${detail}`);
  }
}

// ---- rebuilding from the log --------------------------------------------------------------------

/** What a rebuild reads: PartitionLog has this shape. */
export interface LogTail {
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  read(offset: bigint, maxBytes: number, options: { minOneBatch: boolean }): { readonly records: Buffer };
}

/** The producer state of a partition from the batch headers of its log's tail. */
export function rebuildProducerState(log: LogTail): ProducerStateTable {
  const table = new ProducerStateTable();
  const end = log.logEndOffset;
  let from = maxBig(log.logStartOffset, end - PRODUCER_STATE_SCAN_OFFSETS_MAX);
  if (from >= end) return table;
  from = narrowToBytes(log, from, end);
  for (let reads = 0; from < end && reads < SCAN_READS_MAX; reads++) {
    const chunk = readOrNull(log, from);
    if (chunk === null) break;
    const { batches } = walkBatchInfos(chunk);
    if (batches.length === 0) break;
    for (const b of batches) {
      if (b.baseOffset + BigInt(b.offsetCount - 1) >= from) table.replay(b);
    }
    const last = batches[batches.length - 1]!;
    from = last.baseOffset + BigInt(last.offsetCount);
  }
  return table;
}

/** Moves `from` forward when the first chunk shows the span would take more than the byte bound. */
function narrowToBytes(log: LogTail, from: bigint, end: bigint): bigint {
  const probe = readOrNull(log, from);
  if (probe === null) return from;
  const { batches, bytes } = walkBatchInfos(probe);
  const last = batches[batches.length - 1];
  if (last === undefined) return from;
  const covered = Number(last.baseOffset + BigInt(last.offsetCount) - from);
  if (covered <= 0) return from;
  const bytesPerOffset = bytes / covered;
  const estimated = bytesPerOffset * Number(end - from);
  if (estimated <= PRODUCER_STATE_SCAN_BYTES_MAX) return from;
  return maxBig(from, end - BigInt(Math.floor(PRODUCER_STATE_SCAN_BYTES_MAX / bytesPerOffset)));
}

function readOrNull(log: LogTail, offset: bigint): Buffer | null {
  try {
    const records = log.read(offset, SCAN_CHUNK_BYTES, { minOneBatch: true }).records;
    return records.length === 0 ? null : records;
  } catch (e) {
    // The log moved under the scan (retention or truncation): what was read so far stands.
    if (e instanceof LogError) return null;
    throw e;
  }
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
