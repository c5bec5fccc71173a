// One segment of a partition log: `<base>.log` (batches exactly as received, offsets assigned),
// `<base>.index` (sparse offset index) and `<base>.timeindex` (time index), base = 20-digit offset.
// The .log is the truth; the indexes are rebuilt from it whenever they are missing or disagree.
//
// Only the active (last) segment is written. While active its index files stay open, preallocated
// to segment.index.bytes, and new entries reach them on flush; when it stops being active (roll,
// close) it gets a closing time-index entry and the files are trimmed to their used size, as Kafka
// does. Index entries of other segments are loaded from their files on first use. While active,
// the .log file may run a few MiB past the last batch in a hole whose pages are being warmed
// (page-prefault.ts); deactivation cuts it off, and recovery treats it as a torn tail.
// Never decodes records, never writes anywhere but these three files.

import fs from 'node:fs';
import path from 'node:path';
import { assert, Logger } from '../../../shared/src';
import { BatchField, LOG_OVERHEAD_BYTES } from '../protocol/batch-header';
import { findRecordByTimestamp, TimestampMatch } from './batch-scan';
import {
  closeFile,
  FileWindow,
  fileSize,
  openFile,
  readAt,
  removeFileIfExists,
  renameFile,
  syncFile,
  truncateFile,
  writeAt,
} from './file-io';
import { readInt64Number } from './int64';
import { storageError } from './log-errors';
import {
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  offsetFileName,
  TIME_INDEX_FILE_SUFFIX,
} from './log-files';
import { OFFSET_INDEX_ENTRY_BYTES, OffsetIndex } from './offset-index';
import { PagePrefault, SegmentPrefault } from './page-prefault';
import { BatchCursor, newCursor, walkBatches, WalkEnd } from './segment-scan';
import { TIME_INDEX_ENTRY_BYTES, TimeIndex } from './time-index';

/** Offsets are handled as numbers inside a segment; they stay below 2^53 (285 years at 1M/s). */
const OFFSET_NUMBER_MAX = BigInt(Number.MAX_SAFE_INTEGER);
/** Index capacity while rebuilding: never "full" mid-rebuild, whatever segment.index.bytes says now. */
const REBUILD_INDEX_BYTES = Number.MAX_SAFE_INTEGER;
const EMPTY = Buffer.alloc(0);
/** Scan buffer of recovery, which streams every byte of the segment through the CRC. */
const RECOVERY_WINDOW_BYTES = 1024 * 1024;
/** Time-index entries without an offset-index twin: one closing entry per rebuild and per deactivation. */
const TIME_INDEX_CLOSING_ENTRIES_MAX = 2;

/** Shared by the segments of one partition log; the log updates the sizes when its config changes. */
export interface SegmentContext {
  readonly dir: string;
  indexIntervalBytes: number;
  /** segment.index.bytes: preallocation and capacity of the index files while active. */
  segmentIndexBytes: number;
  /** Shared scan buffer of the partition log (one operation at a time). */
  readonly window: FileWindow;
  readonly logger: Logger;
  /** Page-cache warming past the end of the active segment; none when absent. */
  readonly prefault?: PagePrefault;
}

/** Where a batch sits in the .log file. */
export interface BatchLocation {
  readonly position: number;
  readonly size: number;
  readonly baseOffset: bigint;
}

export interface OpenedSegment {
  readonly segment: LogSegment;
  /** Bytes cut from the end of the .log by recovery (0 when it was whole). */
  readonly truncatedBytes: number;
}

interface ActiveFiles {
  indexFd: number;
  timeIndexFd: number;
  /** Entries already written to each index file. */
  indexFileEntries: number;
  timeIndexFileEntries: number;
}

export class LogSegment {
  readonly baseOffset: bigint;
  readonly logPath: string;
  readonly indexPath: string;
  readonly timeIndexPath: string;
  private readonly base: number;
  private readonly ctx: SegmentContext;
  private fd: number;
  private size = 0;
  private nextRelative = 0;
  private maxTimestamp = -1;
  private offsetOfMaxTimestampRelative = -1;
  private firstBatchTimestamp = -1;
  private created: number;
  private bytesSinceLastIndexEntry = 0;
  private offsetIndexValue: OffsetIndex | null = null;
  private timeIndexValue: TimeIndex | null = null;
  private activeFiles: ActiveFiles | null = null;
  /** Length of the .log file while active: `size` plus a warmed hole past it. */
  private fileBytes = 0;
  private warming: SegmentPrefault | null = null;
  private readonly cursor: BatchCursor = newCursor();
  private closed = false;

  private constructor(ctx: SegmentContext, baseOffset: bigint, fd: number, nowMs: number) {
    assert(baseOffset >= 0n && baseOffset <= OFFSET_NUMBER_MAX, `segment base offset ${baseOffset} out of range`);
    this.ctx = ctx;
    this.baseOffset = baseOffset;
    this.base = Number(baseOffset);
    this.logPath = path.join(ctx.dir, offsetFileName(baseOffset, LOG_FILE_SUFFIX));
    this.indexPath = path.join(ctx.dir, offsetFileName(baseOffset, INDEX_FILE_SUFFIX));
    this.timeIndexPath = path.join(ctx.dir, offsetFileName(baseOffset, TIME_INDEX_FILE_SUFFIX));
    this.fd = fd;
    this.created = nowMs;
  }

  /** A new, empty, active segment (any files left under its name are replaced). */
  static create(ctx: SegmentContext, baseOffset: bigint, nowMs: number): LogSegment {
    const logPath = path.join(ctx.dir, offsetFileName(baseOffset, LOG_FILE_SUFFIX));
    const segment = new LogSegment(ctx, baseOffset, openFile(logPath, 'w+'), nowMs);
    segment.offsetIndexValue = OffsetIndex.empty(ctx.segmentIndexBytes);
    segment.timeIndexValue = TimeIndex.empty(ctx.segmentIndexBytes);
    segment.activate();
    return segment;
  }

  /**
   * Opens an existing segment, inactive. With `recover` (it lies after the recovery point of an
   * unclean shutdown) every batch is verified and the log cut at the first bad byte; otherwise the
   * cheap checks of `openTrusted` run and any disagreement falls back to the same recovery.
   */
  static open(ctx: SegmentContext, baseOffset: bigint, recover: boolean, nowMs: number): OpenedSegment {
    const logPath = path.join(ctx.dir, offsetFileName(baseOffset, LOG_FILE_SUFFIX));
    const segment = new LogSegment(ctx, baseOffset, openFile(logPath, 'r+'), nowMs);
    segment.size = fileSize(segment.fd, logPath);
    if (!recover) {
      const problem = segment.openTrusted();
      if (problem === null) return { segment, truncatedBytes: 0 };
      ctx.logger.warn(`segment ${logPath} needs recovery: ${problem}`);
    }
    return { segment, truncatedBytes: segment.recover() };
  }

  get sizeBytes(): number {
    return this.size;
  }

  get nextOffset(): bigint {
    return this.baseOffset + BigInt(this.nextRelative);
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  get isActive(): boolean {
    return this.activeFiles !== null;
  }

  /** Largest batch timestamp in the segment, -1 when none carries one. */
  get maxTimestampMs(): number {
    return this.maxTimestamp;
  }

  /** Last offset of the batch that carried maxTimestampMs, -1n when none. */
  get offsetOfMaxTimestamp(): bigint {
    return this.offsetOfMaxTimestampRelative < 0 ? -1n : this.baseOffset + BigInt(this.offsetOfMaxTimestampRelative);
  }

  /** maxTimestamp of the first batch, -1 when empty or unknown: the start of segment.ms. */
  get firstBatchTimestampMs(): number {
    return this.firstBatchTimestamp;
  }

  get createdMs(): number {
    return this.created;
  }

  get offsetIndexFull(): boolean {
    return this.offsetIndex().isFull;
  }

  get timeIndexFull(): boolean {
    return this.timeIndex().isFull;
  }

  get offsetIndexEntries(): number {
    return this.offsetIndex().entries;
  }

  get timeIndexEntries(): number {
    return this.timeIndex().entries;
  }

  /** For time retention: the largest timestamp, else the .log file's modification time (as Kafka). */
  largestTimestampMs(): number {
    if (this.maxTimestamp >= 0) return this.maxTimestamp;
    try {
      return fs.fstatSync(this.fd).mtimeMs;
    } catch (err) {
      throw storageError(`stat ${this.logPath}`, err);
    }
  }

  /**
   * Appends buf[start, end): whole v2 batches whose offsets are assigned and follow nextOffset. The
   * bytes go to the file first, so a failed write changes no in-memory state.
   */
  append(buf: Buffer, start: number, end: number): void {
    assert(this.activeFiles !== null, 'append to an inactive segment');
    const firstBase = readInt64Number(buf, start + BatchField.BaseOffset) - this.base;
    assert(firstBase >= this.nextRelative, `append at offset ${firstBase} below segment end ${this.nextRelative}`);
    writeAt(this.fd, buf, start, end - start, this.size, this.logPath);
    if (this.size === 0) this.firstBatchTimestamp = readInt64Number(buf, start + BatchField.MaxTimestamp);
    let position = this.size;
    let lastRelative = this.nextRelative - 1;
    for (let at = start; at < end; ) {
      const size = LOG_OVERHEAD_BYTES + buf.readInt32BE(at + BatchField.BatchLength);
      lastRelative =
        readInt64Number(buf, at + BatchField.BaseOffset) - this.base + buf.readInt32BE(at + BatchField.LastOffsetDelta);
      this.indexBatch(position, size, lastRelative, readInt64Number(buf, at + BatchField.MaxTimestamp));
      position += size;
      at += size;
    }
    assert(position === this.size + (end - start), 'appended batches do not fill the range');
    this.size = position;
    this.nextRelative = lastRelative + 1;
    if (this.fileBytes < position) this.fileBytes = position;
    this.warming?.advance();
  }

  /** The first batch whose last offset is >= `offset`, searching from `startPosition`; null if none. */
  translateOffset(offset: bigint, startPosition = 0): BatchLocation | null {
    const target = Number(offset - this.baseOffset);
    if (target >= this.nextRelative) return null;
    const from = Math.max(startPosition, target <= 0 ? 0 : this.offsetIndex().lookupPosition(target));
    let found: BatchLocation | null = null;
    this.walk(from, false, (c) => {
      if (c.lastRelativeOffset < target) return false;
      found = { position: c.position, size: c.size, baseOffset: this.baseOffset + BigInt(c.baseRelativeOffset) };
      return true;
    });
    return found;
  }

  /**
   * Bytes from the start of the batch holding `startOffset`: at most maxBytes (the first batch whole
   * when minOneBatch, as Kafka) and never past the batch holding `maxOffset` (exclusive bound, e.g.
   * the high watermark). May end in a partial batch, as Kafka's fetch does. Null when no batch of
   * this segment reaches startOffset.
   */
  read(startOffset: bigint, maxBytes: number, maxOffset: bigint | null, minOneBatch: boolean): Buffer | null {
    const first = this.translateOffset(startOffset);
    if (first === null) return null;
    let maxPosition = this.size;
    if (maxOffset !== null && maxOffset < this.nextOffset) {
      maxPosition = this.translateOffset(maxOffset, first.position)?.position ?? this.size;
    }
    const sizeCap = minOneBatch ? Math.max(maxBytes, first.size) : maxBytes;
    const length = Math.min(maxPosition - first.position, sizeCap);
    if (length <= 0) return EMPTY;
    const out = Buffer.allocUnsafe(length);
    const got = readAt(this.fd, out, 0, length, first.position, this.logPath);
    assert(got === length, `short read of ${this.logPath}: ${got} of ${length} bytes`);
    return out;
  }

  /** The first record at or after `startingOffset` with timestamp >= targetMs, or null. */
  findOffsetByTimestamp(targetMs: number, startingOffset: bigint): TimestampMatch | null {
    if (this.maxTimestamp < targetMs) return null;
    const startingRelative = Math.max(0, Number(startingOffset - this.baseOffset));
    const belowRelative = this.timeIndex().lastRelativeOffsetBelow(targetMs);
    const from = this.offsetIndex().lookupPosition(Math.max(belowRelative + 1, startingRelative));
    let match: TimestampMatch | null = null;
    this.walk(from, false, (c) => {
      if (c.maxTimestampMs < targetMs || c.lastRelativeOffset < startingRelative) return false;
      const batch = Buffer.allocUnsafe(c.size);
      readAt(this.fd, batch, 0, c.size, c.position, this.logPath);
      match = findRecordByTimestamp(batch, 0, targetMs, startingOffset);
      return match !== null;
    });
    return match;
  }

  /**
   * Removes every batch whose last offset is >= `offset` (the whole batch holding it goes).
   * Returns the bytes removed. Only the active segment is truncated.
   */
  truncateTo(offset: bigint, nowMs: number): number {
    assert(this.activeFiles !== null, 'truncate of an inactive segment');
    const cut = this.translateOffset(offset);
    if (cut === null) return 0;
    const removed = this.size - cut.position;
    truncateFile(this.fd, cut.position, this.logPath);
    this.size = cut.position;
    this.fileBytes = cut.position;
    this.warming?.truncated(cut.position);
    this.nextRelative = cut.position === 0 ? 0 : Number(cut.baseOffset - this.baseOffset);
    this.offsetIndex().truncateToPosition(cut.position);
    this.timeIndex().truncateToRelativeOffset(this.nextRelative);
    this.activeFiles.indexFileEntries = Math.min(this.activeFiles.indexFileEntries, this.offsetIndex().entries);
    this.activeFiles.timeIndexFileEntries = Math.min(this.activeFiles.timeIndexFileEntries, this.timeIndex().entries);
    this.recomputeTail();
    if (this.size === 0) {
      this.firstBatchTimestamp = -1;
      this.created = nowMs;
    }
    return removed;
  }

  /** Makes this the segment appends go to: index files open, rewritten and preallocated. */
  activate(): void {
    if (this.activeFiles !== null) return;
    const offsetIndex = this.offsetIndex();
    const timeIndex = this.timeIndex();
    offsetIndex.setMaxIndexBytes(this.ctx.segmentIndexBytes);
    timeIndex.setMaxIndexBytes(this.ctx.segmentIndexBytes);
    const indexFd = openFile(this.indexPath, 'w+');
    const timeIndexFd = openFile(this.timeIndexPath, 'w+');
    this.activeFiles = { indexFd, timeIndexFd, indexFileEntries: 0, timeIndexFileEntries: 0 };
    this.writeIndexEntries();
    const indexBytes = this.ctx.segmentIndexBytes;
    const offsetIndexFileBytes = preallocatedBytes(indexBytes, OFFSET_INDEX_ENTRY_BYTES, offsetIndex.entries);
    const timeIndexFileBytes = preallocatedBytes(indexBytes, TIME_INDEX_ENTRY_BYTES, timeIndex.entries);
    truncateFile(indexFd, offsetIndexFileBytes, this.indexPath);
    truncateFile(timeIndexFd, timeIndexFileBytes, this.timeIndexPath);
    if (this.size > 0 && this.firstBatchTimestamp < 0) this.firstBatchTimestamp = this.readFirstBatchTimestamp();
    this.startWarming();
  }

  private startWarming(): void {
    const prefault = this.ctx.prefault;
    if (prefault === undefined) return;
    this.fileBytes = fileSize(this.fd, this.logPath);
    let fd: number;
    try {
      fd = prefault.open(this.logPath);
    } catch (e) {
      this.ctx.logger.warn(`no page-cache warming for ${this.logPath}: ${(e as Error).message}`);
      return;
    }
    this.warming = new SegmentPrefault(prefault, fd, {
      logEnd: () => this.size,
      extendTo: (bytes) => {
        if (bytes <= this.fileBytes) return;
        truncateFile(this.fd, bytes, this.logPath);
        this.fileBytes = bytes;
      },
      failed: (reason) => this.ctx.logger.warn(`page-cache warming of ${this.logPath} stopped: ${reason}`),
    });
  }

  /** Ends the warming and cuts the warmed hole off the file (when `trim`). */
  private stopWarming(trim: boolean): void {
    if (this.warming === null) return;
    this.warming.stop();
    this.warming = null;
    if (trim && this.fileBytes > this.size) truncateFile(this.fd, this.size, this.logPath);
    this.fileBytes = this.size;
  }

  /** Stops being the active segment: closing time-index entry, index files trimmed and closed. */
  deactivate(): void {
    const files = this.activeFiles;
    if (files === null) return;
    this.stopWarming(true);
    this.timeIndex().maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestampRelative, true);
    this.writeIndexEntries();
    truncateFile(files.indexFd, this.offsetIndex().entries * OFFSET_INDEX_ENTRY_BYTES, this.indexPath);
    truncateFile(files.timeIndexFd, this.timeIndex().entries * TIME_INDEX_ENTRY_BYTES, this.timeIndexPath);
    closeFile(files.indexFd, this.indexPath);
    closeFile(files.timeIndexFd, this.timeIndexPath);
    this.activeFiles = null;
  }

  /** Writes pending index entries and fsyncs the three files. */
  flush(): void {
    syncFile(this.fd, this.logPath);
    const files = this.activeFiles;
    if (files !== null) {
      this.writeIndexEntries();
      syncFile(files.indexFd, this.indexPath);
      syncFile(files.timeIndexFd, this.timeIndexPath);
      return;
    }
    syncPath(this.indexPath);
    syncPath(this.timeIndexPath);
  }

  /** The three files' paths, for an fsync off the event loop after a roll. */
  filePaths(): string[] {
    return [this.logPath, this.indexPath, this.timeIndexPath];
  }

  close(): void {
    if (this.closed) return;
    this.deactivate();
    if (fileSize(this.fd, this.logPath) > this.size) truncateFile(this.fd, this.size, this.logPath);
    closeFile(this.fd, this.logPath);
    this.closed = true;
  }

  /** Closes and removes the files: renamed to `.deleted` first, so a crash midway leaves only leftovers. */
  closeAndDelete(): void {
    this.stopWarming(false);
    if (this.activeFiles !== null) {
      closeFile(this.activeFiles.indexFd, this.indexPath);
      closeFile(this.activeFiles.timeIndexFd, this.timeIndexPath);
      this.activeFiles = null;
    }
    if (!this.closed) closeFile(this.fd, this.logPath);
    this.closed = true;
    for (const file of this.filePaths()) {
      if (!fs.existsSync(file)) continue;
      renameFile(file, file + DELETED_FILE_SUFFIX);
      removeFileIfExists(file + DELETED_FILE_SUFFIX);
    }
  }

  // ---- index maintenance -------------------------------------------------------------------------

  /** Kafka's rule: an entry for a batch when more than index.interval.bytes went in since the last one. */
  private indexBatch(position: number, size: number, lastRelative: number, maxTimestampMs: number): void {
    if (maxTimestampMs > this.maxTimestamp) {
      this.maxTimestamp = maxTimestampMs;
      this.offsetOfMaxTimestampRelative = lastRelative;
    }
    if (this.bytesSinceLastIndexEntry > this.ctx.indexIntervalBytes) {
      this.offsetIndex().append(lastRelative, position);
      this.timeIndex().maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestampRelative);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += size;
  }

  private writeIndexEntries(): void {
    const files = this.activeFiles;
    assert(files !== null, 'index files are not open');
    files.indexFileEntries = writeEntries(
      files.indexFd,
      this.offsetIndex().bytes(),
      files.indexFileEntries,
      OFFSET_INDEX_ENTRY_BYTES,
      this.indexPath,
    );
    files.timeIndexFileEntries = writeEntries(
      files.timeIndexFd,
      this.timeIndex().bytes(),
      files.timeIndexFileEntries,
      TIME_INDEX_ENTRY_BYTES,
      this.timeIndexPath,
    );
  }

  private offsetIndex(): OffsetIndex {
    if (this.offsetIndexValue === null) this.loadIndexes();
    return this.offsetIndexValue!;
  }

  private timeIndex(): TimeIndex {
    if (this.timeIndexValue === null) this.loadIndexes();
    return this.timeIndexValue!;
  }

  /** Loads both index files of a trusted segment; rebuilds them from the log if either is invalid. */
  private loadIndexes(): void {
    const offsetIndex = OffsetIndex.fromBytes(readWholeFile(this.indexPath), this.ctx.segmentIndexBytes);
    const timeIndex = TimeIndex.fromBytes(readWholeFile(this.timeIndexPath), this.ctx.segmentIndexBytes);
    if (typeof offsetIndex !== 'string' && typeof timeIndex !== 'string') {
      this.offsetIndexValue = offsetIndex;
      this.timeIndexValue = timeIndex;
      return;
    }
    const reason = typeof offsetIndex === 'string' ? offsetIndex : (timeIndex as string);
    this.ctx.logger.warn(`rebuilding indexes of ${this.logPath}: ${reason}`);
    const end = this.rebuildIndexes(false);
    if (end.problem !== null) this.ctx.logger.error(`segment ${this.logPath} is damaged: ${end.problem}`);
  }

  /**
   * Resets both indexes and the tail state and rebuilds them by walking the log from the start. The
   * time index ends with the segment's largest timestamp, so that reopening it can trust that entry.
   */
  private rebuildIndexes(verify: boolean, window: FileWindow = this.ctx.window): WalkEnd {
    this.offsetIndexValue = OffsetIndex.empty(REBUILD_INDEX_BYTES);
    this.timeIndexValue = TimeIndex.empty(REBUILD_INDEX_BYTES);
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestampRelative = -1;
    this.bytesSinceLastIndexEntry = 0;
    this.nextRelative = 0;
    this.firstBatchTimestamp = -1;
    const end = this.walk(
      0,
      verify,
      (c) => {
        if (c.position === 0) this.firstBatchTimestamp = c.maxTimestampMs;
        this.indexBatch(c.position, c.size, c.lastRelativeOffset, c.maxTimestampMs);
        this.nextRelative = c.lastRelativeOffset + 1;
        return false;
      },
      window,
    );
    this.timeIndexValue.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestampRelative, true);
    this.offsetIndexValue.setMaxIndexBytes(this.ctx.segmentIndexBytes);
    this.timeIndexValue.setMaxIndexBytes(this.ctx.segmentIndexBytes);
    return end;
  }

  /** Verifies every batch, cuts the log at the first bad byte, rewrites both index files. */
  private recover(): number {
    const end = this.rebuildIndexes(true, new FileWindow(RECOVERY_WINDOW_BYTES));
    const truncated = this.size - end.position;
    if (truncated > 0) {
      const where = `at position ${end.position} (${truncated} bytes)`;
      this.ctx.logger.warn(`truncating ${this.logPath} ${where}: ${end.problem}`);
      truncateFile(this.fd, end.position, this.logPath);
      this.size = end.position;
    }
    writeWholeFile(this.indexPath, this.offsetIndex().bytes());
    writeWholeFile(this.timeIndexPath, this.timeIndex().bytes());
    return truncated;
  }

  /**
   * Cheap checks of a segment trusted to be whole: index files present with sane sizes, the last
   * offset-index entry pointing at the batch it names, and the batches after it reaching exactly
   * the end of the file. Fills in the tail state. Returns a problem, or null.
   */
  private openTrusted(): string | null {
    const lastEntry = readLastEntry(this.indexPath, OFFSET_INDEX_ENTRY_BYTES);
    const lastTime = readLastEntry(this.timeIndexPath, TIME_INDEX_ENTRY_BYTES);
    if (typeof lastEntry === 'string') return lastEntry;
    if (typeof lastTime === 'string') return lastTime;
    if (lastTime.entries > lastEntry.entries + TIME_INDEX_CLOSING_ENTRIES_MAX) {
      return 'time index has more entries than the offset index allows';
    }
    const entryRelative = lastEntry.entry === null ? -1 : lastEntry.entry.readInt32BE(0);
    const from = lastEntry.entry === null ? 0 : lastEntry.entry.readInt32BE(4);
    if (lastEntry.entry !== null && from >= this.size) return 'index points past the end of the log';
    let checkedEntry = lastEntry.entry === null;
    this.nextRelative = 0;
    const end = this.walk(from, false, (c) => {
      if (!checkedEntry && c.lastRelativeOffset !== entryRelative) return true;
      checkedEntry = true;
      this.nextRelative = c.lastRelativeOffset + 1;
      return false;
    });
    if (end.problem !== null) return end.problem;
    if (!checkedEntry || end.position !== this.size) return 'last index entry does not match the log';
    this.bytesSinceLastIndexEntry = this.size - from;
    if (lastTime.entry !== null) {
      this.maxTimestamp = readInt64Number(lastTime.entry, 0);
      this.offsetOfMaxTimestampRelative = lastTime.entry.readInt32BE(8);
      if (this.offsetOfMaxTimestampRelative >= this.nextRelative) return 'time index points past the end of the log';
    }
    return null;
  }

  /** After a truncation: the largest timestamp and the bytes since the last index entry. */
  private recomputeTail(): void {
    const timeIndex = this.timeIndex();
    const offsetIndex = this.offsetIndex();
    this.maxTimestamp = timeIndex.lastTimestamp();
    this.offsetOfMaxTimestampRelative = timeIndex.lastRelativeOffset();
    const from = offsetIndex.lookupPosition(Math.max(0, this.offsetOfMaxTimestampRelative));
    this.walk(from, false, (c) => {
      if (c.maxTimestampMs > this.maxTimestamp) {
        this.maxTimestamp = c.maxTimestampMs;
        this.offsetOfMaxTimestampRelative = c.lastRelativeOffset;
      }
      return false;
    });
    const entries = offsetIndex.entries;
    this.bytesSinceLastIndexEntry = this.size - (entries === 0 ? 0 : offsetIndex.positionAt(entries - 1));
  }

  private readFirstBatchTimestamp(): number {
    let timestamp = -1;
    this.walk(0, false, (c) => {
      timestamp = c.maxTimestampMs;
      return true;
    });
    return timestamp;
  }

  private walk(
    from: number,
    verify: boolean,
    visit: (c: BatchCursor) => boolean,
    window: FileWindow = this.ctx.window,
  ): WalkEnd {
    window.reset(this.fd, this.size, this.logPath);
    return walkBatches(window, from, this.size, { baseOffset: this.base, verify }, this.cursor, visit);
  }
}

/** Index file size while active: segment.index.bytes rounded down to whole entries, never below what is used. */
function preallocatedBytes(segmentIndexBytes: number, entryBytes: number, entries: number): number {
  return Math.max(Math.floor(segmentIndexBytes / entryBytes), entries) * entryBytes;
}

/** Writes entries [fromEntry, end) of `bytes` at their place in the file; returns the entries now in the file. */
function writeEntries(fd: number, bytes: Buffer, fromEntry: number, entryBytes: number, what: string): number {
  const from = fromEntry * entryBytes;
  if (bytes.length > from) writeAt(fd, bytes, from, bytes.length - from, from, what);
  return bytes.length / entryBytes;
}

function readWholeFile(filePath: string): Buffer {
  try {
    return fs.readFileSync(filePath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw storageError(`read ${filePath}`, err);
  }
}

function writeWholeFile(filePath: string, bytes: Buffer): void {
  try {
    fs.writeFileSync(filePath, bytes);
  } catch (err) {
    throw storageError(`write ${filePath}`, err);
  }
}

interface LastEntry {
  /** The last entry, null when the file is empty. */
  readonly entry: Buffer | null;
  readonly entries: number;
}

/** The last entry and entry count of an index file, or a problem (missing, ragged size). */
function readLastEntry(filePath: string, entryBytes: number): LastEntry | string {
  let fd: number;
  try {
    fd = fs.openSync(filePath, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `${path.basename(filePath)} is missing`;
    throw storageError(`open ${filePath}`, err);
  }
  try {
    const size = fileSize(fd, filePath);
    if (size % entryBytes !== 0) return `${path.basename(filePath)} size ${size} is not whole entries`;
    if (size === 0) return { entry: null, entries: 0 };
    const entry = Buffer.alloc(entryBytes);
    readAt(fd, entry, 0, entryBytes, size - entryBytes, filePath);
    return { entry, entries: size / entryBytes };
  } finally {
    closeFile(fd, filePath);
  }
}

function syncPath(filePath: string): void {
  const fd = openFile(filePath, 'r');
  try {
    syncFile(fd, filePath);
  } finally {
    closeFile(fd, filePath);
  }
}
