// The log of one partition: the segments of `<log.dir>/<topic>-<partition>/`, oldest first, the last
// one active. Appends assign offsets by patching batch headers in place and write the bytes as
// received; reads return stored bytes without decoding a record. Owns roll, retention, truncation
// and recovery on open; knows nothing of checkpoint files (the log manager passes their values in
// and reads the offsets back) and nothing of replication beyond the high watermark it is given.
//
// Offsets: logStartOffset <= highWatermark <= logEndOffset, and recoveryPoint <= logEndOffset is the
// offset below which everything has been fsynced.

import path from 'node:path';
import { assert, Clock, Logger } from '../../../shared/src';
import {
  BatchField,
  LOG_OVERHEAD_BYTES,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
} from '../protocol/batch-header';
import { BatchRunSummary, checkBatches, TimestampMatch } from './batch-scan';
import { FileWindow, listDirectory, makeDirectory, removeFileIfExists, syncPathsAsync } from './file-io';
import { LogConfig, SEGMENT_BYTES_MAX } from './log-config';
import { LogError } from './log-errors';
import {
  INDEX_FILE_SUFFIX,
  LEFTOVER_FILE_SUFFIXES,
  LOG_FILE_SUFFIX,
  offsetFileName,
  parseSegmentFileName,
  TIME_INDEX_FILE_SUFFIX,
} from './log-files';
import { RollReason, rollReason, segmentsToDelete } from './log-policy';
import { LogSegment, SegmentContext } from './log-segment';
import { PagePrefault } from './page-prefault';

/** ListOffsets special timestamps. */
export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;
export const MAX_TIMESTAMP = -3n;

/** Scan buffer of a partition log: an index interval (4 KiB by default) plus headers in one read. */
export const SCAN_WINDOW_BYTES = 16 * 1024;
const EMPTY = Buffer.alloc(0);

export interface PartitionLogOptions {
  /** The partition directory, created when missing. */
  readonly dir: string;
  readonly topic: string;
  readonly partition: number;
  readonly config: LogConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** From recovery-point-offset-checkpoint; segments from the one holding it are verified after a crash. */
  readonly recoveryPoint?: bigint;
  /** From log-start-offset-checkpoint. */
  readonly logStartOffset?: bigint;
  /** From replication-offset-checkpoint. */
  readonly highWatermark?: bigint;
  /** False when the log directory had no clean-shutdown marker: recovery runs. */
  readonly hadCleanShutdown?: boolean;
  /** Page-cache warming past the log end (shared by the logs of a manager); none when absent. */
  readonly prefault?: PagePrefault;
}

export interface AppendOptions {
  /** Stamped into each batch's partitionLeaderEpoch (outside the CRC). */
  readonly leaderEpoch?: number;
  /** Verify each batch's CRC-32C (default true; false when the caller already did). */
  readonly verifyCrc?: boolean;
}

export interface AppendResult {
  /** -1n when nothing was appended (an empty records buffer). */
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
  /** The broker time stamped into the batches for LogAppendTime logs, else -1n. */
  readonly logAppendTimeMs: bigint;
  readonly logStartOffset: bigint;
  readonly batchCount: number;
  readonly recordCount: number;
}

export interface ReadOptions {
  /** Exclusive upper bound: consumers pass the high watermark, followers nothing (log end). */
  readonly maxOffset?: bigint;
  /** Return the first batch whole even when larger than maxBytes (default true, as Kafka for the first partition). */
  readonly minOneBatch?: boolean;
}

export interface ReadResult {
  /** Stored batches from the one holding fetchOffset; may end in a partial batch; empty at the end. */
  readonly records: Buffer;
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
}

export interface OffsetAndTimestamp {
  readonly offset: bigint;
  /** -1n for EARLIEST and LATEST, as Kafka answers. */
  readonly timestampMs: bigint;
}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  private configValue: LogConfig;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly ctx: SegmentContext;
  private segments: LogSegment[] = [];
  private logEnd = 0n;
  private logStart = 0n;
  private hw = 0n;
  private recoveryPointValue = 0n;
  private unflushedMessages = 0;
  private lastFlushMs: number;
  private flushChain: Promise<void> = Promise.resolve();
  /** Bumped by every truncation: a background fsync started before one must not move the recovery point. */
  private truncations = 0;
  private closed = false;

  private constructor(options: PartitionLogOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.dir = options.dir;
    this.configValue = options.config;
    this.clock = options.clock;
    this.logger = options.logger.child({ component: 'log', partition: `${options.topic}-${options.partition}` });
    this.ctx = {
      dir: options.dir,
      indexIntervalBytes: options.config.indexIntervalBytes,
      segmentIndexBytes: options.config.segmentIndexBytes,
      window: new FileWindow(SCAN_WINDOW_BYTES),
      logger: this.logger,
      prefault: options.prefault,
    };
    this.lastFlushMs = options.clock.nowMs();
  }

  /** Opens (or creates) the partition directory and loads its segments, recovering after a crash. */
  static open(options: PartitionLogOptions): PartitionLog {
    const log = new PartitionLog(options);
    makeDirectory(options.dir);
    log.load(options);
    return log;
  }

  get config(): LogConfig {
    return this.configValue;
  }

  get logStartOffset(): bigint {
    return this.logStart;
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): bigint {
    return this.logEnd;
  }

  get highWatermark(): bigint {
    return this.hw;
  }

  get recoveryPoint(): bigint {
    return this.recoveryPointValue;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.sizeBytes;
    return total;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): bigint[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** The replication layer moves the high watermark; it is kept within [logStartOffset, logEndOffset]. */
  setHighWatermark(offset: bigint): void {
    this.hw = clamp(offset, this.logStart, this.logEnd);
  }

  setConfig(config: LogConfig): void {
    this.configValue = config;
    this.ctx.indexIntervalBytes = config.indexIntervalBytes;
    this.ctx.segmentIndexBytes = config.segmentIndexBytes;
  }

  // ---- append ------------------------------------------------------------------------------------

  /**
   * Leader append of one or more v2 batches as received from a producer: checks them all, assigns
   * offsets from logEndOffset (patching baseOffset in place, and partitionLeaderEpoch and LogAppendTime
   * when asked), rolls if needed and writes the bytes. Throws LogError and appends nothing when any
   * batch is bad.
   */
  append(records: Buffer, options: AppendOptions = {}): AppendResult {
    this.assertOpen();
    if (records.length === 0) return this.emptyAppend();
    const summary = checkBatches(records, {
      batchBytesMax: this.configValue.maxMessageBytes,
      verifyCrc: options.verifyCrc ?? true,
      offsetsAssigned: false,
    });
    this.checkAppendSize(summary.bytes);
    const nowMs = this.clock.nowMs();
    const logAppendTimeMs = this.configValue.messageTimestampType === 'LogAppendTime' ? nowMs : -1;
    const baseOffset = this.logEnd;
    const lastOffset = baseOffset + BigInt(summary.offsetCount - 1);
    const maxTimestampMs = logAppendTimeMs >= 0 ? logAppendTimeMs : summary.maxTimestampMs;
    this.maybeRoll(summary.bytes, maxTimestampMs, baseOffset, lastOffset, nowMs);
    assignOffsets(records, baseOffset, options.leaderEpoch, logAppendTimeMs);
    this.activeSegment().append(records, 0, records.length);
    this.afterAppend(lastOffset, summary);
    return {
      baseOffset,
      lastOffset,
      logAppendTimeMs: BigInt(logAppendTimeMs),
      logStartOffset: this.logStart,
      batchCount: summary.batchCount,
      recordCount: summary.offsetCount,
    };
  }

  /**
   * Follower append of batches fetched from the leader, offsets kept as they are. A trailing partial
   * batch (fetch responses may end in one) is ignored. Throws UNEXPECTED_APPEND_OFFSET when the first
   * batch starts below logEndOffset.
   */
  appendAsFollower(records: Buffer): AppendResult {
    this.assertOpen();
    const summary = checkBatches(records, { batchBytesMax: SEGMENT_BYTES_MAX, verifyCrc: true, offsetsAssigned: true });
    if (summary.batchCount === 0) return this.emptyAppend();
    if (summary.firstOffset < this.logEnd) {
      const detail = `follower append at ${summary.firstOffset} below log end ${this.logEnd}`;
      throw new LogError('UNEXPECTED_APPEND_OFFSET', detail);
    }
    this.checkAppendSize(summary.bytes);
    const nowMs = this.clock.nowMs();
    this.maybeRoll(summary.bytes, summary.maxTimestampMs, summary.firstOffset, summary.lastOffset, nowMs);
    this.activeSegment().append(records, 0, summary.bytes);
    this.afterAppend(summary.lastOffset, summary);
    return {
      baseOffset: summary.firstOffset,
      lastOffset: summary.lastOffset,
      logAppendTimeMs: -1n,
      logStartOffset: this.logStart,
      batchCount: summary.batchCount,
      recordCount: summary.offsetCount,
    };
  }

  private emptyAppend(): AppendResult {
    return {
      baseOffset: -1n,
      lastOffset: -1n,
      logAppendTimeMs: -1n,
      logStartOffset: this.logStart,
      batchCount: 0,
      recordCount: 0,
    };
  }

  private checkAppendSize(bytes: number): void {
    if (bytes > this.configValue.segmentBytes) {
      const limit = this.configValue.segmentBytes;
      throw new LogError('RECORD_LIST_TOO_LARGE', `append of ${bytes} bytes exceeds segment.bytes ${limit}`);
    }
  }

  private afterAppend(lastOffset: bigint, summary: BatchRunSummary): void {
    this.logEnd = lastOffset + 1n;
    this.unflushedMessages += summary.offsetCount;
    if (this.unflushedMessages >= this.configValue.flushIntervalMessages) this.flush();
  }

  private maybeRoll(
    bytes: number,
    maxTimestampMs: number,
    firstOffset: bigint,
    lastOffset: bigint,
    nowMs: number,
  ): void {
    const reason = rollReason(this.activeSegment(), { bytes, maxTimestampMs, lastOffset, nowMs }, this.configValue);
    if (reason !== null) this.roll(firstOffset, reason);
  }

  /** Starts a new active segment at `baseOffset` (default logEndOffset). */
  roll(baseOffset: bigint = this.logEnd, reason: RollReason | 'requested' = 'requested'): void {
    this.assertOpen();
    assert(baseOffset >= this.logEnd, `roll at ${baseOffset} below log end ${this.logEnd}`);
    const old = this.activeSegment();
    if (old.isEmpty) {
      if (old.baseOffset === baseOffset) return;
      this.segments.pop();
      old.closeAndDelete();
    } else {
      old.deactivate();
      this.flushRolledSegmentsLater();
    }
    this.segments.push(LogSegment.create(this.ctx, baseOffset, this.clock.nowMs()));
    this.logger.info(`rolled new segment at offset ${baseOffset} (${reason})`);
  }

  /** fsync of the segments that stopped being active, off the event loop; then the recovery point moves. */
  private flushRolledSegmentsLater(): void {
    const unflushed = this.segments.filter((s) => !s.isActive && s.nextOffset > this.recoveryPointValue);
    if (unflushed.length === 0) return;
    const paths = unflushed.flatMap((s) => s.filePaths());
    const upTo = unflushed[unflushed.length - 1]!.nextOffset;
    const truncations = this.truncations;
    this.flushChain = this.flushChain
      .then(() => syncPathsAsync(paths))
      .then(
        () => {
          if (this.closed || truncations !== this.truncations || upTo <= this.recoveryPointValue) return;
          this.recoveryPointValue = min(upTo, this.logEnd);
        },
        (err: unknown) => {
          const stays = `recovery point stays at ${this.recoveryPointValue}`;
          this.logger.warn(`fsync of rolled segments failed, ${stays}: ${String(err)}`);
        },
      );
  }

  /** Resolves when the fsyncs started by rolls have finished. */
  whenRolledSegmentsFlushed(): Promise<void> {
    return this.flushChain;
  }

  // ---- read --------------------------------------------------------------------------------------

  /**
   * Stored bytes from the batch holding fetchOffset, up to maxBytes (see ReadOptions), from one
   * segment. Throws OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset].
   */
  read(fetchOffset: bigint, maxBytes: number, options: ReadOptions = {}): ReadResult {
    this.assertOpen();
    assert(maxBytes >= 0, 'maxBytes must not be negative');
    if (fetchOffset < this.logStart || fetchOffset > this.logEnd) {
      throw new LogError('OFFSET_OUT_OF_RANGE', `offset ${fetchOffset} is outside [${this.logStart}, ${this.logEnd}]`);
    }
    const maxOffset = options.maxOffset ?? null;
    if (fetchOffset === this.logEnd || (maxOffset !== null && maxOffset <= fetchOffset)) return this.readResult(EMPTY);
    const minOneBatch = options.minOneBatch ?? true;
    for (let i = this.segmentIndexFor(fetchOffset); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      if (maxOffset !== null && segment.baseOffset >= maxOffset) break;
      const bound = maxOffset !== null && maxOffset < segment.nextOffset ? maxOffset : null;
      const records = segment.read(fetchOffset, maxBytes, bound, minOneBatch);
      if (records !== null) return this.readResult(records);
    }
    return this.readResult(EMPTY);
  }

  private readResult(records: Buffer): ReadResult {
    return { records, highWatermark: this.hw, logStartOffset: this.logStart, logEndOffset: this.logEnd };
  }

  /** Index of the last segment whose base offset is <= offset (0 if none). */
  private segmentIndexFor(offset: bigint): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  // ---- ListOffsets -------------------------------------------------------------------------------

  /**
   * ListOffsets: EARLIEST (-2) -> logStartOffset; LATEST (-1) -> maxOffset (the high watermark for
   * consumers) or logEndOffset; MAX_TIMESTAMP (-3) -> the batch with the largest timestamp; a
   * timestamp >= 0 -> the first record with timestamp >= it. Null when there is none (Kafka answers -1).
   */
  offsetForTimestamp(timestampMs: bigint, maxOffset: bigint = this.logEnd): OffsetAndTimestamp | null {
    this.assertOpen();
    if (timestampMs === EARLIEST_TIMESTAMP) return { offset: this.logStart, timestampMs: -1n };
    if (timestampMs === LATEST_TIMESTAMP) return { offset: maxOffset, timestampMs: -1n };
    const found = timestampMs === MAX_TIMESTAMP ? this.maxTimestampMatch() : this.searchTimestamp(timestampMs);
    if (found === null || found.offset >= maxOffset) return null;
    return { offset: found.offset, timestampMs: BigInt(found.timestampMs) };
  }

  private searchTimestamp(timestampMs: bigint): TimestampMatch | null {
    if (timestampMs < 0n) return null;
    const target = Number(timestampMs);
    for (const segment of this.segments) {
      if (segment.maxTimestampMs < target || segment.nextOffset <= this.logStart) continue;
      const match = segment.findOffsetByTimestamp(target, this.logStart);
      if (match !== null) return match;
    }
    return null;
  }

  private maxTimestampMatch(): TimestampMatch | null {
    let best: LogSegment | null = null;
    for (const s of this.segments) {
      if (s.maxTimestampMs >= 0 && (best === null || s.maxTimestampMs > best.maxTimestampMs)) best = s;
    }
    if (best === null || best.offsetOfMaxTimestamp < this.logStart) return null;
    return { offset: best.offsetOfMaxTimestamp, timestampMs: best.maxTimestampMs };
  }

  // ---- truncation and retention ------------------------------------------------------------------

  /**
   * Follower truncation: removes every batch holding an offset >= `offset` (a batch straddling it
   * goes whole, so the log may end below `offset`). Returns the new logEndOffset.
   */
  truncateTo(offset: bigint): bigint {
    this.assertOpen();
    assert(offset >= 0n, 'truncation offset must not be negative');
    if (offset >= this.logEnd) return this.logEnd;
    if (offset < this.logStart) {
      this.truncateFullyAndStartAt(offset);
      return this.logEnd;
    }
    this.truncations++;
    while (this.segments.length > 1 && this.activeSegment().baseOffset > offset) this.segments.pop()!.closeAndDelete();
    const active = this.activeSegment();
    active.activate();
    const removed = active.truncateTo(offset, this.clock.nowMs());
    this.logEnd = active.nextOffset;
    if (this.logStart > this.logEnd) this.logStart = this.logEnd;
    this.hw = min(this.hw, this.logEnd);
    this.recoveryPointValue = min(this.recoveryPointValue, this.logEnd);
    this.logger.info(`truncated to offset ${offset}: log end ${this.logEnd}, ${removed} bytes cut`);
    return this.logEnd;
  }

  /** Drops everything and restarts the log empty at `offset` (a follower far behind the leader's start). */
  truncateFullyAndStartAt(offset: bigint): void {
    this.assertOpen();
    assert(offset >= 0n, 'start offset must not be negative');
    this.truncations++;
    for (const segment of this.segments) segment.closeAndDelete();
    this.segments = [LogSegment.create(this.ctx, offset, this.clock.nowMs())];
    this.logEnd = offset;
    this.logStart = offset;
    this.hw = offset;
    this.recoveryPointValue = offset;
    this.logger.info(`truncated fully, log restarts at offset ${offset}`);
  }

  /**
   * DeleteRecords: moves logStartOffset up to `offset` (at most the high watermark); retention then
   * removes the segments below it.
   */
  advanceLogStartOffset(offset: bigint): boolean {
    this.assertOpen();
    if (offset > this.hw) {
      throw new LogError('OFFSET_OUT_OF_RANGE', `log start ${offset} beyond high watermark ${this.hw}`);
    }
    if (offset <= this.logStart) return false;
    this.logStart = offset;
    if (this.recoveryPointValue < offset) this.recoveryPointValue = offset;
    return true;
  }

  /**
   * Retention: deletes the oldest segments past retention.ms or beyond retention.bytes, and those
   * wholly below logStartOffset; never the active segment, never data at or above the high
   * watermark. Returns how many segments went.
   */
  deleteOldSegments(): number {
    this.assertOpen();
    const decision = segmentsToDelete({
      segments: this.segments.map((s) => ({
        baseOffset: s.baseOffset,
        sizeBytes: s.sizeBytes,
        largestTimestampMs: s.largestTimestampMs(),
      })),
      nowMs: this.clock.nowMs(),
      retentionMs: this.configValue.retentionMs,
      retentionBytes: this.configValue.retentionBytes,
      highWatermark: this.hw,
      logStartOffset: this.logStart,
    });
    if (decision.count === 0) return 0;
    const doomed = this.segments.splice(0, decision.count);
    for (const segment of doomed) segment.closeAndDelete();
    const first = this.segments[0]!.baseOffset;
    if (first > this.logStart) this.logStart = first;
    if (this.recoveryPointValue < this.logStart) this.recoveryPointValue = this.logStart;
    this.logger.info(`deleted ${doomed.length} segment(s) by ${decision.reason}; log start offset ${this.logStart}`);
    return doomed.length;
  }

  // ---- flush and close ---------------------------------------------------------------------------

  /** fsync of every segment holding data at or above the recovery point; the recovery point moves to the log end. */
  flush(): void {
    this.assertOpen();
    for (const segment of this.segments) {
      if (segment.nextOffset > this.recoveryPointValue || segment.isActive) segment.flush();
    }
    this.recoveryPointValue = this.logEnd;
    this.unflushedMessages = 0;
    this.lastFlushMs = this.clock.nowMs();
  }

  /** The flush.ms policy, checked by the log manager's scheduler. */
  flushIfDue(nowMs: number): boolean {
    if (this.unflushedMessages === 0 || nowMs - this.lastFlushMs < this.configValue.flushIntervalMs) return false;
    this.flush();
    return true;
  }

  /** Clean close: the active segment gets its closing index entries and trimmed files, then everything is fsynced. */
  close(): void {
    if (this.closed) return;
    this.activeSegment().deactivate();
    this.flush();
    for (const segment of this.segments) segment.close();
    this.closed = true;
  }

  /** Close without fsync, for a log whose directory is about to be deleted. */
  closeForDelete(): void {
    if (this.closed) return;
    for (const segment of this.segments) segment.close();
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- loading -----------------------------------------------------------------------------------

  private load(options: PartitionLogOptions): void {
    const bases = this.listSegmentBases();
    const clean = options.hadCleanShutdown ?? true;
    const checkpointedStart = options.logStartOffset ?? 0n;
    const recoveryPoint = options.recoveryPoint ?? 0n;
    if (bases.length === 0) {
      this.segments = [LogSegment.create(this.ctx, checkpointedStart, this.clock.nowMs())];
    } else {
      this.openSegments(bases, clean ? null : recoveryPoint);
    }
    this.activeSegment().activate();
    this.logEnd = this.activeSegment().nextOffset;
    this.logStart = clamp(checkpointedStart, this.segments[0]!.baseOffset, this.logEnd);
    this.recoveryPointValue = clean ? this.logEnd : min(recoveryPoint, this.logEnd);
    this.hw = clamp(options.highWatermark ?? 0n, this.logStart, this.logEnd);
    this.logger.info(
      `loaded ${this.segments.length} segment(s)${clean ? '' : ' after recovery'}: ` +
        `log start ${this.logStart}, log end ${this.logEnd}, high watermark ${this.hw}`,
    );
  }

  /**
   * Opens the segments; with a recovery point (unclean shutdown) those from the one holding it on
   * are verified, and when one is cut short every later segment is deleted.
   */
  private openSegments(bases: bigint[], recoveryPoint: bigint | null): void {
    let recoverFrom = bases.length;
    if (recoveryPoint !== null) {
      recoverFrom = 0;
      while (recoverFrom + 1 < bases.length && bases[recoverFrom + 1]! <= recoveryPoint) recoverFrom++;
    }
    const nowMs = this.clock.nowMs();
    for (let i = 0; i < bases.length; i++) {
      const opened = LogSegment.open(this.ctx, bases[i]!, i >= recoverFrom, nowMs);
      this.segments.push(opened.segment);
      if (opened.truncatedBytes > 0 && i >= recoverFrom && i + 1 < bases.length) {
        this.deleteSegmentFilesAfter(bases.slice(i + 1));
        break;
      }
    }
  }

  private deleteSegmentFilesAfter(bases: bigint[]): void {
    this.logger.warn(`deleting ${bases.length} segment(s) after the corrupted one, from offset ${bases[0]}`);
    for (const base of bases) {
      for (const suffix of [LOG_FILE_SUFFIX, INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX]) {
        removeFileIfExists(path.join(this.dir, offsetFileName(base, suffix)));
      }
    }
  }

  /** Base offsets of the .log files, ascending; leftovers of interrupted deletions and orphan indexes removed. */
  private listSegmentBases(): bigint[] {
    const logs = new Set<bigint>();
    const indexes: { base: bigint; name: string }[] = [];
    for (const entry of listDirectory(this.dir)) {
      if (!entry.isFile()) continue;
      if (LEFTOVER_FILE_SUFFIXES.some((suffix) => entry.name.endsWith(suffix))) {
        removeFileIfExists(path.join(this.dir, entry.name));
        continue;
      }
      const parsed = parseSegmentFileName(entry.name);
      if (parsed === null) continue;
      if (parsed.suffix === LOG_FILE_SUFFIX) logs.add(parsed.baseOffset);
      else if (parsed.suffix === INDEX_FILE_SUFFIX || parsed.suffix === TIME_INDEX_FILE_SUFFIX) {
        indexes.push({ base: parsed.baseOffset, name: entry.name });
      }
    }
    for (const index of indexes) if (!logs.has(index.base)) removeFileIfExists(path.join(this.dir, index.name));
    return [...logs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private assertOpen(): void {
    assert(!this.closed, `log ${this.topic}-${this.partition} is closed`);
  }
}

/** Patches offsets (and epoch, append time) into each batch of a checked buffer. */
function assignOffsets(
  records: Buffer,
  baseOffset: bigint,
  leaderEpoch: number | undefined,
  logAppendTimeMs: number,
): void {
  const appendTime = logAppendTimeMs >= 0 ? BigInt(logAppendTimeMs) : -1n;
  let offset = baseOffset;
  for (let at = 0; at < records.length; ) {
    setBaseOffset(records, at, offset);
    if (leaderEpoch !== undefined) setPartitionLeaderEpoch(records, at, leaderEpoch);
    if (appendTime >= 0n) setLogAppendTime(records, at, appendTime);
    offset += BigInt(records.readInt32BE(at + BatchField.LastOffsetDelta) + 1);
    at += LOG_OVERHEAD_BYTES + records.readInt32BE(at + BatchField.BatchLength);
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value;
}
