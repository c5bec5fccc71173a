// The fixed 61-byte header of a v2 record batch (magic 2), read and patched in place. The broker
// appends and serves batches without decoding their records, so this is all the storage layer and
// the Produce path need. Layout (offsets in bytes from the batch start):
//   0 baseOffset int64 · 8 batchLength int32 (bytes after this field) · 12 partitionLeaderEpoch int32
//   16 magic int8 · 17 crc uint32 (CRC-32C of bytes 21..end) · 21 attributes int16
//   23 lastOffsetDelta int32 · 27 baseTimestamp int64 · 35 maxTimestamp int64 · 43 producerId int64
//   51 producerEpoch int16 · 53 baseSequence int32 · 57 recordCount int32 · 61 records
// baseOffset, batchLength and partitionLeaderEpoch lie outside the CRC, so assigning offsets and the
// leader epoch needs no CRC update; setting LogAppendTime (attributes + maxTimestamp) does.

import { CodecError, crc32c } from '../../../shared/src';

export const BATCH_HEADER_BYTES = 61;
/** baseOffset + batchLength: the part of a log entry before the length-counted bytes. */
export const LOG_OVERHEAD_BYTES = 12;
export const CURRENT_MAGIC = 2;

export const enum BatchField {
  BaseOffset = 0,
  BatchLength = 8,
  PartitionLeaderEpoch = 12,
  Magic = 16,
  Crc = 17,
  Attributes = 21,
  LastOffsetDelta = 23,
  BaseTimestamp = 27,
  MaxTimestamp = 35,
  ProducerId = 43,
  ProducerEpoch = 51,
  BaseSequence = 53,
  RecordCount = 57,
}

const CRC_START = BatchField.Attributes;

export const enum BatchAttribute {
  CompressionMask = 0x07,
  TimestampTypeLogAppend = 0x08,
  Transactional = 0x10,
  Control = 0x20,
}

export interface BatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Total bytes of the batch starting at `at` (log overhead included), or -1 if not even 12 bytes remain. */
export function batchSizeAt(buf: Buffer, at: number): number {
  if (buf.length - at < LOG_OVERHEAD_BYTES) return -1;
  return LOG_OVERHEAD_BYTES + buf.readInt32BE(at + BatchField.BatchLength);
}

/** Reads the header of a v2 batch; throws CodecError if it is short or not magic 2. */
export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  if (buf.length - at < BATCH_HEADER_BYTES) {
    throw new CodecError(`record batch header needs ${BATCH_HEADER_BYTES} bytes, ${buf.length - at} left`, at);
  }
  const magic = buf.readInt8(at + BatchField.Magic);
  if (magic !== CURRENT_MAGIC) throw new CodecError(`record batch magic ${magic}, expected 2`, at + BatchField.Magic);
  return {
    baseOffset: buf.readBigInt64BE(at + BatchField.BaseOffset),
    batchLength: buf.readInt32BE(at + BatchField.BatchLength),
    partitionLeaderEpoch: buf.readInt32BE(at + BatchField.PartitionLeaderEpoch),
    magic,
    crc: buf.readUInt32BE(at + BatchField.Crc),
    attributes: buf.readInt16BE(at + BatchField.Attributes),
    lastOffsetDelta: buf.readInt32BE(at + BatchField.LastOffsetDelta),
    baseTimestamp: buf.readBigInt64BE(at + BatchField.BaseTimestamp),
    maxTimestamp: buf.readBigInt64BE(at + BatchField.MaxTimestamp),
    producerId: buf.readBigInt64BE(at + BatchField.ProducerId),
    producerEpoch: buf.readInt16BE(at + BatchField.ProducerEpoch),
    baseSequence: buf.readInt32BE(at + BatchField.BaseSequence),
    recordCount: buf.readInt32BE(at + BatchField.RecordCount),
  };
}

/** CRC-32C over attributes..end of the batch at `at`, as stored in its crc field. */
export function computeBatchCrc(buf: Buffer, at = 0): number {
  const end = at + batchSizeAt(buf, at);
  return crc32c(buf, at + CRC_START, end);
}

export function isBatchCrcValid(buf: Buffer, at = 0): boolean {
  return computeBatchCrc(buf, at) === buf.readUInt32BE(at + BatchField.Crc);
}

export function setBaseOffset(buf: Buffer, at: number, baseOffset: bigint): void {
  buf.writeBigInt64BE(baseOffset, at + BatchField.BaseOffset);
}

export function setPartitionLeaderEpoch(buf: Buffer, at: number, epoch: number): void {
  buf.writeInt32BE(epoch, at + BatchField.PartitionLeaderEpoch);
}

/** Marks the batch LogAppendTime with the broker's time and recomputes the CRC. */
export function setLogAppendTime(buf: Buffer, at: number, timestampMs: bigint): void {
  const attributes = buf.readInt16BE(at + BatchField.Attributes);
  buf.writeInt16BE(attributes | BatchAttribute.TimestampTypeLogAppend, at + BatchField.Attributes);
  buf.writeBigInt64BE(timestampMs, at + BatchField.MaxTimestamp);
  buf.writeUInt32BE(computeBatchCrc(buf, at), at + BatchField.Crc);
}
