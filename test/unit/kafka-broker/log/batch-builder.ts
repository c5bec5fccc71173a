// Builds and decodes v2 record batches for the storage tests: records varint-encoded, CRC-32C over
// attributes..end, as a producer would send them. Kept beside the log tests, apart from the
// protocol's own record-batch codec.

import { ByteReader, ByteWriter, crc32c } from '../../../../shared/src';
import { BATCH_HEADER_BYTES, LOG_OVERHEAD_BYTES, readBatchHeader } from '../../../../kafka-broker/src/protocol/batch-header';

export interface TestRecord {
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  /** Absolute timestamp; defaults to the batch base timestamp. */
  readonly timestampMs?: number;
}

export interface BatchSpec {
  readonly records: readonly TestRecord[];
  readonly baseOffset?: bigint;
  readonly baseTimestampMs?: number;
  /** Attribute bits (codec, timestamp type); the records are stored as given either way. */
  readonly attributes?: number;
  readonly partitionLeaderEpoch?: number;
}

export function buildBatch(spec: BatchSpec): Buffer {
  const baseTimestamp = spec.baseTimestampMs ?? spec.records[0]?.timestampMs ?? 0;
  const timestamps = spec.records.map((r) => r.timestampMs ?? baseTimestamp);
  const maxTimestamp = timestamps.length === 0 ? -1 : Math.max(...timestamps);
  const w = new ByteWriter(256);
  w.int64(spec.baseOffset ?? 0n);
  const lengthAt = w.reserve(4);
  w.int32(spec.partitionLeaderEpoch ?? -1).int8(2);
  const crcAt = w.reserve(4);
  w.int16(spec.attributes ?? 0)
    .int32(spec.records.length - 1)
    .int64(BigInt(baseTimestamp))
    .int64(BigInt(maxTimestamp))
    .int64(-1n)
    .int16(-1)
    .int32(-1)
    .int32(spec.records.length);
  spec.records.forEach((r, i) => writeRecord(w, r, i, timestamps[i]! - baseTimestamp));
  w.patchInt32(lengthAt, w.offset - LOG_OVERHEAD_BYTES);
  const out = Buffer.from(w.view());
  out.writeUInt32BE(crc32c(out, 21, out.length), crcAt);
  return out;
}

function writeRecord(w: ByteWriter, r: TestRecord, offsetDelta: number, timestampDelta: number): void {
  const body = new ByteWriter(64);
  body.int8(0).varlong(BigInt(timestampDelta)).varint(offsetDelta);
  writeNullableBytes(body, r.key ?? null);
  writeNullableBytes(body, r.value);
  body.varint(0);
  w.varint(body.offset).bytes(body.view());
}

function writeNullableBytes(w: ByteWriter, b: Buffer | null): void {
  if (b === null) w.varint(-1);
  else w.varint(b.length).bytes(b);
}

/** `count` records with values `${prefix}-${i}` padded to valueBytes, timestamps from `startMs` one ms apart. */
export function makeRecords(count: number, prefix: string, options: { valueBytes?: number; startMs?: number } = {}): TestRecord[] {
  const records: TestRecord[] = [];
  for (let i = 0; i < count; i++) {
    const text = `${prefix}-${i}`;
    const value = Buffer.alloc(Math.max(options.valueBytes ?? 0, text.length), '.');
    value.write(text);
    records.push({ value, timestampMs: (options.startMs ?? 1_000) + i });
  }
  return records;
}

export interface DecodedRecord {
  readonly offset: bigint;
  readonly timestampMs: bigint;
  readonly value: string | null;
}

export interface DecodedBatch {
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
  readonly position: number;
  readonly size: number;
  readonly records: DecodedRecord[];
}

/** Decodes the whole batches of `buf` (a trailing partial batch is left out, as clients do). */
export function decodeBatches(buf: Buffer): DecodedBatch[] {
  const out: DecodedBatch[] = [];
  for (let at = 0; buf.length - at >= BATCH_HEADER_BYTES; ) {
    const size = LOG_OVERHEAD_BYTES + buf.readInt32BE(at + 8);
    if (at + size > buf.length) break;
    const h = readBatchHeader(buf, at);
    out.push({
      baseOffset: h.baseOffset,
      lastOffset: h.baseOffset + BigInt(h.lastOffsetDelta),
      position: at,
      size,
      records: decodeRecords(buf, at, size, h.baseOffset, h.baseTimestamp, h.recordCount),
    });
    at += size;
  }
  return out;
}

function decodeRecords(buf: Buffer, at: number, size: number, baseOffset: bigint, baseTimestamp: bigint, count: number): DecodedRecord[] {
  const r = new ByteReader(buf, at + BATCH_HEADER_BYTES, at + size);
  const records: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const end = r.offset + length;
    r.int8();
    const timestampMs = baseTimestamp + r.varlong();
    const offset = baseOffset + BigInt(r.varint());
    const keyLength = r.varint();
    if (keyLength >= 0) r.bytes(keyLength);
    const valueLength = r.varint();
    const value = valueLength < 0 ? null : r.utf8(valueLength);
    records.push({ offset, timestampMs, value });
    r.offset = end;
  }
  return records;
}

/** Values of every record in `buf`, in order. */
export function valuesOf(buf: Buffer): (string | null)[] {
  return decodeBatches(buf).flatMap((b) => b.records.map((r) => r.value));
}
