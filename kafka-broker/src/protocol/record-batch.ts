// Record batches (magic 2) with their records, for the in-house client, tests and format
// conversion; the broker's append path reads only the 61-byte header (batch-header.ts).
// Batch = header (see batch-header.ts) + records, compressed as one blob when attributes & 7 != 0.
// Record = length varint (of the rest) · attributes int8 · timestampDelta varlong · offsetDelta
// varint · keyLength varint (-1 null) · key · valueLength varint (-1 null) · value · headerCount
// varint · headers [keyLength varint, key UTF-8, valueLength varint (-1 null), value]. All varints
// are zigzag. CRC-32C covers attributes..end. Other magic values are refused here explicitly
// (legacy-message-set.ts handles magic 0 and 1).

import { ByteReader, ByteWriter, CodecError, crc32c } from '../../../shared/src';
import {
  BATCH_HEADER_BYTES,
  BatchAttribute,
  BatchField,
  CURRENT_MAGIC,
  LOG_OVERHEAD_BYTES,
  batchSizeAt,
  isBatchCrcValid,
  readBatchHeader,
} from './batch-header';
import {
  COMPRESSION_MASK,
  CompressOptions,
  CompressionType,
  DecompressOptions,
  compress,
  decompress,
} from './compression';
import { varintSize, varlongSize } from './types';

export const RECORD_BATCH_MAGIC = CURRENT_MAGIC;
/** length(1) + attributes(1) + timestampDelta(1) + offsetDelta(1) + key(1) + value(1) + headers(1). */
const RECORD_BYTES_MIN = 7;
const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;
/** batchLength counts from partitionLeaderEpoch: header minus baseOffset and batchLength. */
const BATCH_LENGTH_MIN = BATCH_HEADER_BYTES - LOG_OVERHEAD_BYTES;

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface BatchRecord {
  attributes: number;
  timestampDelta: bigint;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface RecordBatch {
  baseOffset: bigint;
  partitionLeaderEpoch: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: BatchRecord[];
}

export const compressionOf = (attributes: number): number => attributes & COMPRESSION_MASK;
export const isLogAppendTime = (attributes: number): boolean => (attributes & TIMESTAMP_TYPE_BIT) !== 0;
export const isTransactional = (attributes: number): boolean => (attributes & TRANSACTIONAL_BIT) !== 0;
export const isControlBatch = (attributes: number): boolean => (attributes & CONTROL_BIT) !== 0;

// ---------------------------------------------------------------------------------------------
// Records.

function readVarBytes(r: ByteReader, what: string): Buffer | null {
  const at = r.offset;
  const n = r.varint();
  if (n < -1) throw new CodecError(`negative ${what} length ${n}`, at);
  if (n > r.remaining) throw new CodecError(`${what} length ${n} exceeds the ${r.remaining} bytes left`, at);
  return n === -1 ? null : r.bytes(n);
}

function readRecord(r: ByteReader): BatchRecord {
  const at = r.offset;
  const length = r.varint();
  if (length < 0 || length > r.remaining)
    throw new CodecError(`record length ${length} with ${r.remaining} bytes left`, at);
  const end = r.offset + length;
  const sub = new ByteReader(r.buf, r.offset, end);
  const attributes = sub.int8();
  const timestampDelta = sub.varlong();
  const offsetDelta = sub.varint();
  const key = readVarBytes(sub, 'key');
  const value = readVarBytes(sub, 'value');
  const headerCountAt = sub.offset;
  const headerCount = sub.varint();
  if (headerCount < 0 || headerCount > sub.remaining)
    throw new CodecError(`record header count ${headerCount}`, headerCountAt);
  const headers: RecordHeader[] = new Array(headerCount);
  for (let i = 0; i < headerCount; i++) {
    const keyAt = sub.offset;
    const hk = readVarBytes(sub, 'header key');
    if (hk === null) throw new CodecError('null record header key', keyAt);
    headers[i] = { key: hk.toString('utf8'), value: readVarBytes(sub, 'header value') };
  }
  if (sub.remaining !== 0)
    throw new CodecError(`record has ${sub.remaining} bytes after its fields`, sub.offset);
  r.offset = end;
  return { attributes, timestampDelta, offsetDelta, key, value, headers };
}

const varBytesSize = (b: Uint8Array | null): number => (b === null ? 1 : varintSize(b.length) + b.length);

function recordBodySize(rec: BatchRecord): number {
  let n =
    1 +
    varlongSize(rec.timestampDelta) +
    varintSize(rec.offsetDelta) +
    varBytesSize(rec.key) +
    varBytesSize(rec.value);
  n += varintSize(rec.headers.length);
  for (const h of rec.headers) {
    const keyBytes = Buffer.byteLength(h.key);
    n += varintSize(keyBytes) + keyBytes + varBytesSize(h.value);
  }
  return n;
}

function writeVarBytes(w: ByteWriter, b: Uint8Array | null): void {
  if (b === null) w.varint(-1);
  else w.varint(b.length).bytes(b);
}

function writeRecord(w: ByteWriter, rec: BatchRecord): void {
  w.varint(recordBodySize(rec));
  w.int8(rec.attributes).varlong(rec.timestampDelta).varint(rec.offsetDelta);
  writeVarBytes(w, rec.key);
  writeVarBytes(w, rec.value);
  w.varint(rec.headers.length);
  for (const h of rec.headers) {
    w.varint(Buffer.byteLength(h.key)).utf8(h.key);
    writeVarBytes(w, h.value);
  }
}

/** Bytes of the records section (uncompressed) of these records. */
export function recordsSize(records: readonly BatchRecord[]): number {
  let n = 0;
  for (const rec of records) {
    const body = recordBodySize(rec);
    n += varintSize(body) + body;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Batches.

export interface DecodeBatchOptions extends DecompressOptions {
  /** Check the CRC-32C (default true). */
  readonly verifyCrc?: boolean;
}

/** Decodes the whole batch at `at`; returns it with its size in bytes (log overhead included). */
export function decodeRecordBatch(
  buf: Buffer,
  at = 0,
  options: DecodeBatchOptions = {},
): { batch: RecordBatch; size: number } {
  const h = readBatchHeader(buf, at);
  if (h.batchLength < BATCH_LENGTH_MIN)
    throw new CodecError(
      `batch length ${h.batchLength} below ${BATCH_LENGTH_MIN}`,
      at + BatchField.BatchLength,
    );
  const size = LOG_OVERHEAD_BYTES + h.batchLength;
  if (size > buf.length - at)
    throw new CodecError(`batch of ${size} bytes with ${buf.length - at} left`, at + BatchField.BatchLength);
  if (options.verifyCrc !== false && !isBatchCrcValid(buf, at))
    throw new CodecError('record batch CRC-32C mismatch', at + BatchField.Crc);
  const stored = buf.subarray(at + BATCH_HEADER_BYTES, at + size);
  const body = decompress(compressionOf(h.attributes), stored, options);
  const r = new ByteReader(body);
  if (h.recordCount < 0 || h.recordCount > body.length / RECORD_BYTES_MIN) {
    throw new CodecError(
      `record count ${h.recordCount} does not fit ${body.length} bytes`,
      at + BatchField.RecordCount,
    );
  }
  const records: BatchRecord[] = new Array(h.recordCount);
  for (let i = 0; i < h.recordCount; i++) records[i] = readRecord(r);
  if (r.remaining !== 0)
    throw new CodecError(`${r.remaining} bytes after the last record`, at + BATCH_HEADER_BYTES);
  const batch: RecordBatch = {
    baseOffset: h.baseOffset,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    attributes: h.attributes,
    lastOffsetDelta: h.lastOffsetDelta,
    baseTimestamp: h.baseTimestamp,
    maxTimestamp: h.maxTimestamp,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    records,
  };
  return { batch, size };
}

/**
 * Decodes consecutive batches of a record set (a Fetch partition's records, a log segment). A
 * trailing partial batch is left out, as fetch responses may end with one.
 */
export function decodeRecordBatches(buf: Buffer, options: DecodeBatchOptions = {}): RecordBatch[] {
  const batches: RecordBatch[] = [];
  let at = 0;
  for (;;) {
    const size = batchSizeAt(buf, at);
    if (size < 0 || at + size > buf.length) break;
    const magic = buf.length - at > BatchField.Magic ? buf.readInt8(at + BatchField.Magic) : -1;
    if (magic !== RECORD_BATCH_MAGIC)
      throw new CodecError(
        `record set entry with magic ${magic}; only magic 2 is decoded here`,
        at + BatchField.Magic,
      );
    batches.push(decodeRecordBatch(buf, at, options).batch);
    at += size;
  }
  return batches;
}

export interface EncodeBatchOptions extends CompressOptions {}

/** Encodes a batch; compression = attributes & 7; CRC and lengths computed. */
export function encodeRecordBatch(batch: RecordBatch, options: EncodeBatchOptions = {}): Buffer {
  const type = compressionOf(batch.attributes);
  const plain = new ByteWriter(Math.max(1, recordsSize(batch.records)));
  for (const rec of batch.records) writeRecord(plain, rec);
  const records = type === CompressionType.None ? plain.view() : compress(type, plain.view(), options);
  const w = new ByteWriter(BATCH_HEADER_BYTES + records.length);
  w.int64(batch.baseOffset);
  const lengthAt = w.reserve(4);
  w.int32(batch.partitionLeaderEpoch).int8(RECORD_BATCH_MAGIC);
  const crcAt = w.reserve(4);
  w.int16(batch.attributes).int32(batch.lastOffsetDelta).int64(batch.baseTimestamp).int64(batch.maxTimestamp);
  w.int64(batch.producerId).int16(batch.producerEpoch).int32(batch.baseSequence).int32(batch.records.length);
  w.bytes(records);
  const out = w.view();
  w.patchInt32(lengthAt, out.length - LOG_OVERHEAD_BYTES);
  out.writeUInt32BE(crc32c(out, BatchField.Attributes, out.length), crcAt);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Building batches from plain records (producers).

export interface ProducerRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Create time in ms; defaults to the batch's baseTimestamp. */
  timestamp?: bigint;
}

export interface BuildBatchOptions extends EncodeBatchOptions {
  readonly baseTimestamp: bigint;
  readonly compression?: number;
  readonly baseOffset?: bigint;
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly transactional?: boolean;
}

/** Assembles a producer batch: offset deltas 0..n-1, timestamp deltas from baseTimestamp. */
export function buildRecordBatch(
  records: readonly ProducerRecord[],
  options: BuildBatchOptions,
): RecordBatch {
  let maxTimestamp = records.length === 0 ? options.baseTimestamp : -1n;
  const out = records.map((rec, i): BatchRecord => {
    const ts = rec.timestamp ?? options.baseTimestamp;
    if (ts > maxTimestamp) maxTimestamp = ts;
    return {
      attributes: 0,
      timestampDelta: ts - options.baseTimestamp,
      offsetDelta: i,
      key: rec.key ?? null,
      value: rec.value,
      headers: rec.headers ?? [],
    };
  });
  let attributes = (options.compression ?? CompressionType.None) & COMPRESSION_MASK;
  if (options.transactional) attributes |= BatchAttribute.Transactional;
  return {
    baseOffset: options.baseOffset ?? 0n,
    partitionLeaderEpoch: -1,
    attributes,
    lastOffsetDelta: Math.max(0, records.length - 1),
    baseTimestamp: options.baseTimestamp,
    maxTimestamp,
    producerId: options.producerId ?? -1n,
    producerEpoch: options.producerEpoch ?? -1,
    baseSequence: options.baseSequence ?? -1,
    records: out,
  };
}

/** Absolute offset and timestamp of a record (LogAppendTime batches stamp every record with maxTimestamp). */
export function recordPosition(batch: RecordBatch, rec: BatchRecord): { offset: bigint; timestamp: bigint } {
  const timestamp = isLogAppendTime(batch.attributes)
    ? batch.maxTimestamp
    : batch.baseTimestamp + rec.timestampDelta;
  return { offset: batch.baseOffset + BigInt(rec.offsetDelta), timestamp };
}

/** Control record type: 0 ABORT, 1 COMMIT (the key is version int16 + type int16). */
export function controlRecordType(rec: BatchRecord): number {
  if (rec.key === null || rec.key.length < 4) throw new CodecError('control record key needs 4 bytes', 0);
  return rec.key.readInt16BE(2);
}
