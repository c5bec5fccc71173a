// The sparse offset index of one segment, held in memory in its file format: 8-byte big-endian
// entries (relativeOffset int32, position int32). An entry says "the batch whose last offset is
// base + relativeOffset starts at byte `position` of the .log file"; both columns strictly increase.
// Pure: the segment loads and saves these bytes; nothing here touches a file.

import { assert } from '../../../shared/src';

export const OFFSET_INDEX_ENTRY_BYTES = 8;
const INITIAL_CAPACITY_ENTRIES = 256;

export class OffsetIndex {
  private buf: Buffer;
  private count: number;
  private maxEntriesValue: number;

  private constructor(buf: Buffer, count: number, maxIndexBytes: number) {
    this.buf = buf;
    this.count = count;
    this.maxEntriesValue = Math.floor(maxIndexBytes / OFFSET_INDEX_ENTRY_BYTES);
  }

  static empty(maxIndexBytes: number): OffsetIndex {
    return new OffsetIndex(Buffer.alloc(INITIAL_CAPACITY_ENTRIES * OFFSET_INDEX_ENTRY_BYTES), 0, maxIndexBytes);
  }

  /** An index over entries read from a file, or a reason why they are not a valid index. */
  static fromBytes(bytes: Buffer, maxIndexBytes: number): OffsetIndex | string {
    if (bytes.length % OFFSET_INDEX_ENTRY_BYTES !== 0) return `index size ${bytes.length} is not a multiple of 8`;
    const count = bytes.length / OFFSET_INDEX_ENTRY_BYTES;
    for (let i = 0; i < count; i++) {
      const at = i * OFFSET_INDEX_ENTRY_BYTES;
      const rel = bytes.readInt32BE(at);
      const pos = bytes.readInt32BE(at + 4);
      if (rel < 0 || pos < 0) return `negative index entry ${i}`;
      if (i > 0 && (rel <= bytes.readInt32BE(at - 8) || pos <= bytes.readInt32BE(at - 4))) {
        return `index entry ${i} does not increase`;
      }
    }
    return new OffsetIndex(bytes, count, maxIndexBytes);
  }

  get entries(): number {
    return this.count;
  }

  get maxEntries(): number {
    return this.maxEntriesValue;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntriesValue;
  }

  setMaxIndexBytes(maxIndexBytes: number): void {
    this.maxEntriesValue = Math.floor(maxIndexBytes / OFFSET_INDEX_ENTRY_BYTES);
  }

  relativeOffsetAt(i: number): number {
    return this.buf.readInt32BE(i * OFFSET_INDEX_ENTRY_BYTES);
  }

  positionAt(i: number): number {
    return this.buf.readInt32BE(i * OFFSET_INDEX_ENTRY_BYTES + 4);
  }

  append(relativeOffset: number, position: number): void {
    assert(!this.isFull, 'offset index is full');
    const n = this.count;
    assert(n === 0 || relativeOffset > this.relativeOffsetAt(n - 1), 'offset index entries must increase');
    assert(n === 0 || position > this.positionAt(n - 1), 'offset index positions must increase');
    this.ensureCapacity(n + 1);
    this.buf.writeInt32BE(relativeOffset, n * OFFSET_INDEX_ENTRY_BYTES);
    this.buf.writeInt32BE(position, n * OFFSET_INDEX_ENTRY_BYTES + 4);
    this.count = n + 1;
  }

  /** Where to start scanning for `relativeOffset`: the position of the last entry at or below it, else 0. */
  lookupPosition(relativeOffset: number): number {
    const i = this.lastEntryAtOrBelow(relativeOffset);
    return i < 0 ? 0 : this.positionAt(i);
  }

  /** Index of the last entry whose relative offset is <= target, or -1. */
  lastEntryAtOrBelow(relativeOffset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relativeOffsetAt(mid) <= relativeOffset) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi;
  }

  /** Drops the entries of batches starting at or after `position` (the log is cut there). */
  truncateToPosition(position: number): void {
    while (this.count > 0 && this.positionAt(this.count - 1) >= position) this.count--;
  }

  clear(): void {
    this.count = 0;
  }

  /** The used entries, in file format (a view, valid until the next append). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.count * OFFSET_INDEX_ENTRY_BYTES);
  }

  private ensureCapacity(entries: number): void {
    const needed = entries * OFFSET_INDEX_ENTRY_BYTES;
    if (needed <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(needed, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.count * OFFSET_INDEX_ENTRY_BYTES);
    this.buf = next;
  }
}
