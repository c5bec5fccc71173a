// Walks the batches of a .log file front to back through a FileWindow, reading headers only (and,
// when verifying, streaming the CRC-32C over each batch body in window-sized pieces, so a corrupt
// length never makes us allocate it). Used by recovery, index rebuilds, offset lookups and
// timestamp searches. Reads files; writes nothing.

import { crc32c } from '../../../shared/src';
import { BATCH_HEADER_BYTES, BatchField, CURRENT_MAGIC, LOG_OVERHEAD_BYTES } from '../protocol/batch-header';
import { BATCH_LENGTH_MIN, RELATIVE_OFFSET_MAX } from './batch-scan';
import { FileWindow } from './file-io';
import { readInt64Number } from './int64';

/** The batch under the cursor; one object is reused for the whole walk. Offsets are relative to the segment. */
export interface BatchCursor {
  position: number;
  size: number;
  baseRelativeOffset: number;
  lastRelativeOffset: number;
  maxTimestampMs: number;
}

export interface WalkOptions {
  /** Segment base offset as a number (offsets stay below 2^53). */
  readonly baseOffset: number;
  /** Check magic, CRC-32C and that offsets increase from `minNextRelativeOffset` (recovery). */
  readonly verify: boolean;
  /** When verifying: the smallest relative offset the first batch may start at. */
  readonly minNextRelativeOffset?: number;
}

export interface WalkEnd {
  /** File position where the walk stopped: after the last visited batch, or at a bad one. */
  position: number;
  /** Why the walk stopped before `fileEnd`, or null (reached the end, or the visitor stopped it). */
  problem: string | null;
}

export function newCursor(): BatchCursor {
  return { position: 0, size: 0, baseRelativeOffset: 0, lastRelativeOffset: -1, maxTimestampMs: -1 };
}

/**
 * Visits each whole batch in [from, fileEnd) of the window's file until `visit` returns true, the
 * file ends, or a batch is broken (partial, bad length or magic; when verifying also CRC or offsets).
 */
export function walkBatches(
  window: FileWindow,
  from: number,
  fileEnd: number,
  options: WalkOptions,
  cursor: BatchCursor,
  visit: (cursor: BatchCursor) => boolean,
): WalkEnd {
  let position = from;
  let minNext = options.minNextRelativeOffset ?? 0;
  while (position < fileEnd) {
    const problem = readHeader(window, position, fileEnd, options, cursor);
    if (problem !== null) return { position, problem };
    if (options.verify) {
      const bad = verifyBatch(window, cursor, minNext);
      if (bad !== null) return { position, problem: bad };
      minNext = cursor.lastRelativeOffset + 1;
    }
    position += cursor.size;
    if (visit(cursor)) return { position, problem: null };
  }
  return { position, problem: null };
}

function readHeader(
  window: FileWindow,
  position: number,
  fileEnd: number,
  options: WalkOptions,
  cursor: BatchCursor,
): string | null {
  const left = fileEnd - position;
  if (left < LOG_OVERHEAD_BYTES || !window.ensure(position, Math.min(left, BATCH_HEADER_BYTES))) {
    return `partial batch header (${left} bytes) at position ${position}`;
  }
  const at = window.at(position);
  const buf = window.buf;
  const batchLength = buf.readInt32BE(at + BatchField.BatchLength);
  if (batchLength < BATCH_LENGTH_MIN) return `batch length ${batchLength} at position ${position}`;
  const size = LOG_OVERHEAD_BYTES + batchLength;
  if (size > left) return `partial batch at position ${position}: ${size} bytes claimed, ${left} left`;
  const magic = buf.readInt8(at + BatchField.Magic);
  if (magic !== CURRENT_MAGIC) return `magic ${magic} at position ${position}`;
  const baseRelative = readInt64Number(buf, at + BatchField.BaseOffset) - options.baseOffset;
  const lastOffsetDelta = buf.readInt32BE(at + BatchField.LastOffsetDelta);
  cursor.position = position;
  cursor.size = size;
  cursor.baseRelativeOffset = baseRelative;
  cursor.lastRelativeOffset = baseRelative + lastOffsetDelta;
  cursor.maxTimestampMs = readInt64Number(buf, at + BatchField.MaxTimestamp);
  return null;
}

function verifyBatch(window: FileWindow, cursor: BatchCursor, minNext: number): string | null {
  const { position } = cursor;
  if (cursor.baseRelativeOffset < minNext) {
    return `batch offset ${cursor.baseRelativeOffset} at position ${position} does not follow ${minNext - 1}`;
  }
  if (cursor.lastRelativeOffset < cursor.baseRelativeOffset || cursor.lastRelativeOffset > RELATIVE_OFFSET_MAX) {
    return `batch last offset ${cursor.lastRelativeOffset} at position ${position} is out of range`;
  }
  const expected = window.buf.readUInt32BE(window.at(position) + BatchField.Crc);
  if (streamCrc(window, position + BatchField.Attributes, position + cursor.size) !== expected) {
    return `CRC-32C mismatch in batch at position ${position}`;
  }
  return null;
}

function streamCrc(window: FileWindow, from: number, to: number): number {
  let crc = 0;
  for (let p = from; p < to; ) {
    const n = Math.min(window.buf.length, to - p);
    if (!window.ensure(p, n)) return -1;
    const at = window.at(p);
    crc = crc32c(window.buf, at, at + n, crc);
    p += n;
  }
  return crc;
}
