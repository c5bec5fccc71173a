// Walks the v2 batch headers of a buffer without decoding records: the checks an append makes
// before anything reaches a file, and the record walk that ListOffsets by timestamp needs inside one
// uncompressed batch. Pure: buffers in, summaries out.

import { ByteReader, CodecError } from '../../../shared/src';
import {
  BATCH_HEADER_BYTES,
  BatchAttribute,
  BatchField,
  CURRENT_MAGIC,
  LOG_OVERHEAD_BYTES,
  isBatchCrcValid,
} from '../protocol/batch-header';
import { readInt64Number } from './int64';
import { LogError } from './log-errors';

/** The smallest legal batchLength field: a header with no records. */
export const BATCH_LENGTH_MIN = BATCH_HEADER_BYTES - LOG_OVERHEAD_BYTES;
/** Relative offsets are int32 in the index files. */
export const RELATIVE_OFFSET_MAX = 2_147_483_647;

export interface BatchCheck {
  /** Largest batch accepted (max.message.bytes); larger ones fail with MESSAGE_TOO_LARGE. */
  readonly batchBytesMax: number;
  readonly verifyCrc: boolean;
  /** Follower appends: batches carry their offsets, which must increase; a trailing partial batch is ignored. */
  readonly offsetsAssigned: boolean;
}

export interface BatchRunSummary {
  /** Bytes of whole batches (a tolerated trailing partial batch excluded). */
  bytes: number;
  batchCount: number;
  /** Sum of lastOffsetDelta + 1: the offsets the run occupies. */
  offsetCount: number;
  /** Largest maxTimestamp of the run, -1 when none carries one. */
  maxTimestampMs: number;
  /** baseOffset of the first batch as found in the buffer (meaningful for follower appends). */
  firstOffset: bigint;
  /** Last offset of the last batch as found in the buffer (meaningful for follower appends). */
  lastOffset: bigint;
}

/** Checks every batch of `buf` (length, magic, counts, size, CRC); throws LogError on the first bad one. */
export function checkBatches(buf: Buffer, check: BatchCheck): BatchRunSummary {
  const summary: BatchRunSummary = {
    bytes: 0,
    batchCount: 0,
    offsetCount: 0,
    maxTimestampMs: -1,
    firstOffset: -1n,
    lastOffset: -1n,
  };
  let at = 0;
  while (at < buf.length) {
    const size = checkedBatchSize(buf, at, check);
    if (size < 0) break;
    checkBatchContents(buf, at, size, check);
    const lastOffsetDelta = buf.readInt32BE(at + BatchField.LastOffsetDelta);
    const maxTimestampMs = readInt64Number(buf, at + BatchField.MaxTimestamp);
    if (check.offsetsAssigned) followOffsets(buf, at, lastOffsetDelta, summary);
    summary.batchCount++;
    summary.offsetCount += lastOffsetDelta + 1;
    if (maxTimestampMs > summary.maxTimestampMs) summary.maxTimestampMs = maxTimestampMs;
    at += size;
  }
  summary.bytes = at;
  return summary;
}

/** Size of the batch at `at`, or -1 for a tolerated partial tail; throws for a broken length. */
function checkedBatchSize(buf: Buffer, at: number, check: BatchCheck): number {
  const left = buf.length - at;
  if (left < BATCH_HEADER_BYTES) {
    if (check.offsetsAssigned) return -1;
    throw new LogError('CORRUPT_MESSAGE', `${left} bytes left at byte ${at}, less than a batch header`);
  }
  const batchLength = buf.readInt32BE(at + BatchField.BatchLength);
  if (batchLength < BATCH_LENGTH_MIN) {
    throw new LogError('CORRUPT_MESSAGE', `batch length ${batchLength} at byte ${at} is below ${BATCH_LENGTH_MIN}`);
  }
  const size = LOG_OVERHEAD_BYTES + batchLength;
  if (size > left) {
    if (check.offsetsAssigned) return -1;
    throw new LogError('CORRUPT_MESSAGE', `batch at byte ${at} claims ${size} bytes, ${left} left`);
  }
  return size;
}

function checkBatchContents(buf: Buffer, at: number, size: number, check: BatchCheck): void {
  const magic = buf.readInt8(at + BatchField.Magic);
  if (magic !== CURRENT_MAGIC) {
    throw new LogError('UNSUPPORTED_FOR_MESSAGE_FORMAT', `batch at byte ${at} has magic ${magic}, only 2 is stored`);
  }
  if (size > check.batchBytesMax) {
    throw new LogError('MESSAGE_TOO_LARGE', `batch of ${size} bytes exceeds ${check.batchBytesMax}`);
  }
  const lastOffsetDelta = buf.readInt32BE(at + BatchField.LastOffsetDelta);
  if (lastOffsetDelta < 0) {
    throw new LogError('INVALID_RECORD', `batch at byte ${at} has lastOffsetDelta ${lastOffsetDelta}`);
  }
  const recordCount = buf.readInt32BE(at + BatchField.RecordCount);
  if (!check.offsetsAssigned && recordCount !== lastOffsetDelta + 1) {
    const detail = `${recordCount} records but lastOffsetDelta ${lastOffsetDelta}`;
    throw new LogError('INVALID_RECORD', `batch at byte ${at} has ${detail}`);
  }
  if (check.verifyCrc && !isBatchCrcValid(buf, at)) {
    throw new LogError('CORRUPT_MESSAGE', `batch at byte ${at} fails its CRC-32C`);
  }
}

function followOffsets(buf: Buffer, at: number, lastOffsetDelta: number, summary: BatchRunSummary): void {
  const baseOffset = buf.readBigInt64BE(at + BatchField.BaseOffset);
  if (baseOffset < 0n || (summary.batchCount > 0 && baseOffset <= summary.lastOffset)) {
    throw new LogError('UNEXPECTED_APPEND_OFFSET', `batch offset ${baseOffset} does not follow ${summary.lastOffset}`);
  }
  if (summary.batchCount === 0) summary.firstOffset = baseOffset;
  summary.lastOffset = baseOffset + BigInt(lastOffsetDelta);
}

export interface TimestampMatch {
  offset: bigint;
  timestampMs: number;
}

/**
 * The first record of the batch at `at` (held whole in `buf`) with timestamp >= target and offset >=
 * minOffset. Uncompressed CreateTime batches are walked record by record; for the others every record
 * is taken to carry the batch's maxTimestamp (exact for LogAppendTime, the batch start for compressed).
 */
export function findRecordByTimestamp(
  buf: Buffer,
  at: number,
  targetMs: number,
  minOffset: bigint,
): TimestampMatch | null {
  const baseOffset = buf.readBigInt64BE(at + BatchField.BaseOffset);
  const lastOffset = baseOffset + BigInt(buf.readInt32BE(at + BatchField.LastOffsetDelta));
  const maxTimestampMs = readInt64Number(buf, at + BatchField.MaxTimestamp);
  if (maxTimestampMs < targetMs || lastOffset < minOffset) return null;
  const attributes = buf.readInt16BE(at + BatchField.Attributes);
  const plain = (attributes & BatchAttribute.CompressionMask) === 0;
  const createTime = (attributes & BatchAttribute.TimestampTypeLogAppend) === 0;
  if (!plain || !createTime) {
    return { offset: baseOffset > minOffset ? baseOffset : minOffset, timestampMs: maxTimestampMs };
  }
  return walkRecordsOrNull(buf, at, targetMs, minOffset) ?? { offset: lastOffset, timestampMs: maxTimestampMs };
}

/** Records are stored as the producer sent them; a malformed one ends the walk at batch precision. */
function walkRecordsOrNull(buf: Buffer, at: number, targetMs: number, minOffset: bigint): TimestampMatch | null {
  try {
    return walkRecords(buf, at, targetMs, minOffset);
  } catch (err) {
    if (err instanceof CodecError) return null;
    throw err;
  }
}

function walkRecords(buf: Buffer, at: number, targetMs: number, minOffset: bigint): TimestampMatch | null {
  const end = at + LOG_OVERHEAD_BYTES + buf.readInt32BE(at + BatchField.BatchLength);
  const baseOffset = buf.readBigInt64BE(at + BatchField.BaseOffset);
  const baseTimestamp = buf.readBigInt64BE(at + BatchField.BaseTimestamp);
  const recordCount = buf.readInt32BE(at + BatchField.RecordCount);
  const reader = new ByteReader(buf, at + BATCH_HEADER_BYTES, end);
  for (let i = 0; i < recordCount && reader.remaining > 0; i++) {
    const length = reader.varint();
    if (length <= 0) return null;
    const next = reader.offset + length;
    reader.int8();
    const timestampMs = Number(baseTimestamp + reader.varlong());
    const offset = baseOffset + BigInt(reader.varint());
    if (timestampMs >= targetMs && offset >= minOffset) return { offset, timestampMs };
    reader.offset = next;
  }
  return null;
}
