// Legacy message sets (magic 0 and 1), and conversion to and from v2 record batches: old producers
// (sarama's default config sends Produce v0 with magic 0) are up-converted to one v2 batch on
// append; old Fetch versions (< 4) may be served down-converted records.
// Entry = offset int64 · messageSize int32 · message. Message = crc uint32 (CRC-32 IEEE of
// magic..end) · magic int8 · attributes int8 (bits 0-2 codec; magic 1 bit 3 LogAppendTime) ·
// timestamp int64 (magic 1 only) · key (int32 length, -1 null) · value (int32 length, -1 null).
// A compressed entry is a wrapper whose value is a compressed inner message set of the same magic;
// magic 1 inner offsets are relative (0..n-1) and the wrapper carries the absolute offset of the
// last inner message; magic 0 inner offsets are absolute. Wrappers never nest.
// In both formats the magic byte sits 16 bytes into an entry (magicAt).

import { ByteReader, ByteWriter, CodecError, crc32 } from '../../../shared/src';
import {
  COMPRESSION_MASK,
  CompressOptions,
  CompressionType,
  DecompressOptions,
  compress,
  decompress,
} from './compression';
import { KafkaError } from './error-codes';
import {
  RecordBatch,
  compressionOf,
  decodeRecordBatches,
  encodeRecordBatch,
  isControlBatch,
  isLogAppendTime,
  recordPosition,
} from './record-batch';

export type LegacyMagic = 0 | 1;

const MAGIC_OFFSET = 16;
const ENTRY_OVERHEAD_BYTES = 12;
/** crc + magic + attributes + key length + value length. */
const MESSAGE_BYTES_MIN_V0 = 14;
const TIMESTAMP_BYTES = 8;
const TIMESTAMP_TYPE_BIT = 0x08;
/** Kafka's NO_TIMESTAMP, the timestamp of every magic-0 message. */
export const NO_TIMESTAMP = -1n;

/** One entry as stored: a plain message or a compressed wrapper. */
export interface LegacyEntry {
  offset: bigint;
  magic: LegacyMagic;
  attributes: number;
  /** -1 for magic 0. */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

/** A message after wrappers are opened: absolute offset, effective timestamp. */
export type LegacyMessage = LegacyEntry;

export const isLegacyMagic = (magic: number): magic is LegacyMagic => magic === 0 || magic === 1;

/** The magic byte of the record-set entry at `at` (legacy message or v2 batch), or -1 if too short. */
export function magicAt(buf: Buffer, at = 0): number {
  return buf.length - at > MAGIC_OFFSET ? buf.readInt8(at + MAGIC_OFFSET) : -1;
}

function messageBytesMin(magic: LegacyMagic): number {
  return MESSAGE_BYTES_MIN_V0 + (magic === 1 ? TIMESTAMP_BYTES : 0);
}

function readBytes(r: ByteReader, what: string): Buffer | null {
  const at = r.offset;
  const n = r.int32();
  if (n < -1 || n > r.remaining)
    throw new CodecError(`${what} length ${n} with ${r.remaining} bytes left`, at);
  return n === -1 ? null : r.bytes(n);
}

export interface DecodeMessageSetOptions extends DecompressOptions {
  /** Check each message's CRC-32 (default true). */
  readonly verifyCrc?: boolean;
}

/** Decodes the entry at `at` (its offset and size included); returns it and its total size. */
function readEntry(
  buf: Buffer,
  at: number,
  options: DecodeMessageSetOptions,
): { entry: LegacyEntry; size: number } {
  const r = new ByteReader(buf, at);
  const offset = r.int64();
  const size = r.int32();
  if (size < MESSAGE_BYTES_MIN_V0 || size > r.remaining)
    throw new CodecError(`message size ${size} with ${r.remaining} bytes left`, at + 8);
  const m = new ByteReader(buf, r.offset, r.offset + size);
  const crc = m.uint32();
  const magic = m.int8();
  if (!isLegacyMagic(magic)) throw new CodecError(`message magic ${magic}, expected 0 or 1`, m.offset - 1);
  if (size < messageBytesMin(magic))
    throw new CodecError(`magic ${magic} message of ${size} bytes is too short`, at + 8);
  if (options.verifyCrc !== false && crc32(buf, m.offset - 1, m.end) !== crc)
    throw new CodecError('message CRC-32 mismatch', at + ENTRY_OVERHEAD_BYTES);
  const attributes = m.int8();
  const timestamp = magic === 1 ? m.int64() : NO_TIMESTAMP;
  const key = readBytes(m, 'key');
  const value = readBytes(m, 'value');
  if (m.remaining !== 0) throw new CodecError(`${m.remaining} bytes after the message value`, m.offset);
  return { entry: { offset, magic, attributes, timestamp, key, value }, size: ENTRY_OVERHEAD_BYTES + size };
}

/** The entries of a message set as stored (wrappers not opened). A trailing partial entry is left out. */
export function decodeMessageSet(buf: Buffer, options: DecodeMessageSetOptions = {}): LegacyEntry[] {
  const entries: LegacyEntry[] = [];
  let at = 0;
  while (buf.length - at >= ENTRY_OVERHEAD_BYTES) {
    const size = ENTRY_OVERHEAD_BYTES + buf.readInt32BE(at + 8);
    if (size > buf.length - at) break;
    entries.push(readEntry(buf, at, options).entry);
    at += size;
  }
  return entries;
}

function openWrapper(wrapper: LegacyEntry, options: DecodeMessageSetOptions): LegacyMessage[] {
  if (wrapper.value === null)
    throw new KafkaError('CORRUPT_MESSAGE', 'compressed wrapper message without a value');
  const type = wrapper.attributes & COMPRESSION_MASK;
  const inner = decodeMessageSet(
    decompress(type, wrapper.value, { ...options, legacyLz4Checksum: wrapper.magic === 0 }),
    options,
  );
  if (inner.length === 0) throw new KafkaError('CORRUPT_MESSAGE', 'compressed wrapper holds no message');
  const lastRelative = inner[inner.length - 1]!.offset;
  const logAppendTime = wrapper.magic === 1 && (wrapper.attributes & TIMESTAMP_TYPE_BIT) !== 0;
  return inner.map((m) => {
    if (m.magic !== wrapper.magic)
      throw new KafkaError(
        'CORRUPT_MESSAGE',
        `magic ${m.magic} message inside a magic ${wrapper.magic} wrapper`,
      );
    if ((m.attributes & COMPRESSION_MASK) !== 0)
      throw new KafkaError('CORRUPT_MESSAGE', 'compressed message inside a compressed wrapper');
    const offset = wrapper.magic === 1 ? wrapper.offset - lastRelative + m.offset : m.offset;
    return { ...m, offset, timestamp: logAppendTime ? wrapper.timestamp : m.timestamp };
  });
}

/** Every message of a message set, wrappers opened, offsets absolute. */
export function readMessages(buf: Buffer, options: DecodeMessageSetOptions = {}): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  for (const e of decodeMessageSet(buf, options)) {
    if ((e.attributes & COMPRESSION_MASK) === CompressionType.None) out.push(e);
    else out.push(...openWrapper(e, options));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding.

function entrySize(m: LegacyEntry): number {
  return ENTRY_OVERHEAD_BYTES + messageBytesMin(m.magic) + (m.key?.length ?? 0) + (m.value?.length ?? 0);
}

function writeEntry(w: ByteWriter, m: LegacyEntry): void {
  w.int64(m.offset).int32(entrySize(m) - ENTRY_OVERHEAD_BYTES);
  const crcAt = w.reserve(4);
  const start = w.offset;
  w.int8(m.magic).int8(m.attributes);
  if (m.magic === 1) w.int64(m.timestamp);
  for (const b of [m.key, m.value]) {
    if (b === null) w.int32(-1);
    else w.int32(b.length).bytes(b);
  }
  w.buf.writeUInt32BE(crc32(w.buf, start, w.offset), crcAt);
}

/** Encodes entries exactly as given (no wrapping). */
export function encodeMessageSet(entries: readonly LegacyEntry[]): Buffer {
  const w = new ByteWriter(
    Math.max(
      1,
      entries.reduce((n, m) => n + entrySize(m), 0),
    ),
  );
  for (const m of entries) writeEntry(w, m);
  return w.view();
}

export interface WrapOptions extends CompressOptions {
  readonly magic: LegacyMagic;
  readonly compression: number;
  /** magic 1: the wrapper's timestamp type (default CreateTime). */
  readonly logAppendTime?: boolean;
}

/**
 * Messages (absolute offsets, ascending) as one compressed wrapper entry: inner offsets relative
 * for magic 1, absolute for magic 0; the wrapper takes the last offset and the largest timestamp.
 */
export function encodeCompressedMessageSet(messages: readonly LegacyMessage[], options: WrapOptions): Buffer {
  if (messages.length === 0) throw new CodecError('a compressed wrapper needs at least one message', 0);
  const first = messages[0]!.offset;
  const last = messages[messages.length - 1]!.offset;
  const inner = messages.map((m) => ({
    ...m,
    magic: options.magic,
    attributes: 0,
    offset: options.magic === 1 ? m.offset - first : m.offset,
  }));
  const value = compress(options.compression, encodeMessageSet(inner), options);
  const maxTimestamp = messages.reduce((t, m) => (m.timestamp > t ? m.timestamp : t), NO_TIMESTAMP);
  let attributes = options.compression & COMPRESSION_MASK;
  if (options.magic === 1 && options.logAppendTime) attributes |= TIMESTAMP_TYPE_BIT;
  const timestamp = options.magic === 1 ? maxTimestamp : NO_TIMESTAMP;
  return encodeMessageSet([{ offset: last, magic: options.magic, attributes, timestamp, key: null, value }]);
}

// ---------------------------------------------------------------------------------------------
// Conversion.

export interface UpConvertOptions extends DecodeMessageSetOptions, CompressOptions {
  /** Codec of the new batch; default: the codec of the first entry (Kafka's compression.type=producer). */
  readonly compression?: number;
}

/**
 * A produce request's message set (magic 0/1) as one v2 batch, as Kafka does on append: offsets
 * 0..n-1 (the log assigns the base offset), CreateTime timestamps (-1 for magic 0), no producer id.
 */
export function upConvertMessageSet(buf: Buffer, options: UpConvertOptions = {}): Buffer {
  const entries = decodeMessageSet(buf, options);
  if (entries.length === 0) throw new KafkaError('CORRUPT_MESSAGE', 'message set holds no whole message');
  const messages = readMessages(buf, options);
  const compression = options.compression ?? entries[0]!.attributes & COMPRESSION_MASK;
  const baseTimestamp = messages[0]!.timestamp;
  let maxTimestamp = NO_TIMESTAMP;
  const records = messages.map((m, i) => {
    if (m.timestamp > maxTimestamp) maxTimestamp = m.timestamp;
    return {
      attributes: 0,
      timestampDelta: m.timestamp - baseTimestamp,
      offsetDelta: i,
      key: m.key,
      value: m.value,
      headers: [],
    };
  });
  const batch: RecordBatch = {
    baseOffset: 0n,
    partitionLeaderEpoch: -1,
    attributes: compression & COMPRESSION_MASK,
    lastOffsetDelta: records.length - 1,
    baseTimestamp,
    maxTimestamp,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    records,
  };
  return encodeRecordBatch(batch, options);
}

export interface DownConvertOptions extends DecodeMessageSetOptions, CompressOptions {}

function batchToMessages(batch: RecordBatch, magic: LegacyMagic): LegacyMessage[] {
  return batch.records.map((rec) => {
    const { offset, timestamp } = recordPosition(batch, rec);
    const attributes = magic === 1 && isLogAppendTime(batch.attributes) ? TIMESTAMP_TYPE_BIT : 0;
    return {
      offset,
      magic,
      attributes,
      timestamp: magic === 1 ? timestamp : NO_TIMESTAMP,
      key: rec.key,
      value: rec.value,
    };
  });
}

/**
 * v2 batches as a magic 0/1 message set for Fetch < v4 clients. Control batches are dropped, headers
 * are lost, a compressed batch becomes one wrapper with the same codec (zstd has no legacy form:
 * UNSUPPORTED_COMPRESSION_TYPE). A trailing partial batch is dropped.
 */
export function downConvertRecordBatches(
  buf: Buffer,
  magic: LegacyMagic,
  options: DownConvertOptions = {},
): Buffer {
  const parts: Buffer[] = [];
  for (const batch of decodeRecordBatches(buf, options)) {
    if (isControlBatch(batch.attributes) || batch.records.length === 0) continue;
    const messages = batchToMessages(batch, magic);
    const type = compressionOf(batch.attributes);
    if (type === CompressionType.Zstd)
      throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', 'zstd batches have no magic 0/1 form');
    if (type === CompressionType.None) parts.push(encodeMessageSet(messages));
    else
      parts.push(
        encodeCompressedMessageSet(messages, {
          ...options,
          magic,
          compression: type,
          logAppendTime: isLogAppendTime(batch.attributes),
        }),
      );
  }
  return Buffer.concat(parts);
}
