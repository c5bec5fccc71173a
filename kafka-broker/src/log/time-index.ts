// The time index of one segment, held in memory in its file format: 12-byte big-endian entries
// (timestamp int64 = the largest batch timestamp so far, relativeOffset int32 = last offset of the
// batch that carried it). Timestamps strictly increase; offsets never decrease. Used for ListOffsets
// by time and for time retention. Pure: the segment loads and saves these bytes.

import { assert } from '../../../shared/src';
import { readInt64Number, writeInt64Number } from './int64';

export const TIME_INDEX_ENTRY_BYTES = 12;
const INITIAL_CAPACITY_ENTRIES = 256;

export class TimeIndex {
  private buf: Buffer;
  private count: number;
  private maxEntriesValue: number;

  private constructor(buf: Buffer, count: number, maxIndexBytes: number) {
    this.buf = buf;
    this.count = count;
    this.maxEntriesValue = Math.floor(maxIndexBytes / TIME_INDEX_ENTRY_BYTES);
  }

  static empty(maxIndexBytes: number): TimeIndex {
    return new TimeIndex(Buffer.alloc(INITIAL_CAPACITY_ENTRIES * TIME_INDEX_ENTRY_BYTES), 0, maxIndexBytes);
  }

  /** An index over entries read from a file, or a reason why they are not a valid index. */
  static fromBytes(bytes: Buffer, maxIndexBytes: number): TimeIndex | string {
    if (bytes.length % TIME_INDEX_ENTRY_BYTES !== 0) return `time index size ${bytes.length} is not a multiple of 12`;
    const count = bytes.length / TIME_INDEX_ENTRY_BYTES;
    for (let i = 1; i < count; i++) {
      const at = i * TIME_INDEX_ENTRY_BYTES;
      if (readInt64Number(bytes, at) <= readInt64Number(bytes, at - TIME_INDEX_ENTRY_BYTES)) {
        return `time index entry ${i} does not increase`;
      }
      if (bytes.readInt32BE(at + 8) < bytes.readInt32BE(at - 4)) return `time index entry ${i} goes back`;
    }
    if (count > 0 && bytes.readInt32BE(8) < 0) return 'negative time index offset';
    return new TimeIndex(bytes, count, maxIndexBytes);
  }

  get entries(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntriesValue;
  }

  setMaxIndexBytes(maxIndexBytes: number): void {
    this.maxEntriesValue = Math.floor(maxIndexBytes / TIME_INDEX_ENTRY_BYTES);
  }

  timestampAt(i: number): number {
    return readInt64Number(this.buf, i * TIME_INDEX_ENTRY_BYTES);
  }

  relativeOffsetAt(i: number): number {
    return this.buf.readInt32BE(i * TIME_INDEX_ENTRY_BYTES + 8);
  }

  /** -1 when empty. */
  lastTimestamp(): number {
    return this.count === 0 ? -1 : this.timestampAt(this.count - 1);
  }

  /** -1 when empty. */
  lastRelativeOffset(): number {
    return this.count === 0 ? -1 : this.relativeOffsetAt(this.count - 1);
  }

  /**
   * Appends when the timestamp is newer than the last entry's (an empty index takes any timestamp
   * >= 0; -1 means "none"). `skipFullCheck` allows the one
   * closing entry a segment writes when it stops being active, as Kafka does.
   */
  maybeAppend(timestampMs: number, relativeOffset: number, skipFullCheck = false): boolean {
    if (timestampMs <= this.lastTimestamp()) return false;
    assert(skipFullCheck || !this.isFull, 'time index is full');
    assert(relativeOffset >= this.lastRelativeOffset(), 'time index offsets must not go back');
    this.ensureCapacity(this.count + 1);
    const at = this.count * TIME_INDEX_ENTRY_BYTES;
    writeInt64Number(this.buf, timestampMs, at);
    this.buf.writeInt32BE(relativeOffset, at + 8);
    this.count++;
    return true;
  }

  /**
   * Relative offset of the last entry whose timestamp is strictly below `timestampMs`, or -1. Every
   * batch up to that offset has a smaller timestamp, so a search may start after it.
   */
  lastRelativeOffsetBelow(timestampMs: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestampAt(mid) < timestampMs) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi < 0 ? -1 : this.relativeOffsetAt(hi);
  }

  /** Drops entries at or after `relativeOffset` (the log is cut before that offset). */
  truncateToRelativeOffset(relativeOffset: number): void {
    while (this.count > 0 && this.relativeOffsetAt(this.count - 1) >= relativeOffset) this.count--;
  }

  clear(): void {
    this.count = 0;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.count * TIME_INDEX_ENTRY_BYTES);
  }

  private ensureCapacity(entries: number): void {
    const needed = entries * TIME_INDEX_ENTRY_BYTES;
    if (needed <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(needed, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.count * TIME_INDEX_ENTRY_BYTES);
    this.buf = next;
  }
}
