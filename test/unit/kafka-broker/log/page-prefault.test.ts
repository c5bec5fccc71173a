// Page-cache warming past the end of the active segment: the file runs ahead of the log in a hole
// while the segment is active, never shows in what is read, is cut off on roll and close, and a
// crash that leaves it is recovered like any torn tail. The warming state machine itself is driven
// by hand through a fake reader.

import fs from 'node:fs';
import path from 'node:path';
import { LogConfig, makeLogConfig } from '../../../../kafka-broker/src/log/log-config';
import { PagePrefault, PrefaultTarget, SegmentPrefault } from '../../../../kafka-broker/src/log/page-prefault';
import { PartitionLog, PartitionLogOptions } from '../../../../kafka-broker/src/log/partition-log';
import { buildBatch, decodeBatches, makeRecords } from './batch-builder';
import { makeTempDir, ManualClock, recordingLogger, removeTempDir } from './log-test-support';

const SEGMENT = '00000000000000000000';
const AHEAD_BYTES = 64 * 1024;

/** A PagePrefault whose reads can be awaited. */
class TrackedPrefault extends PagePrefault {
  private out = 0;
  private waiters: (() => void)[] = [];
  reads = 0;

  override read(fd: number, position: number, length: number, done: (failed: boolean) => void): void {
    this.out++;
    this.reads++;
    super.read(fd, position, length, (failed) => {
      this.out--;
      done(failed);
      if (this.out === 0) for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves once no read is out (reads started by completions included). */
  idle(): Promise<void> {
    return this.out === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

describe('page-cache warming of the active segment', () => {
  let root: string;
  let warnings: string[];
  let prefault: TrackedPrefault;
  let options: (dir: string, extra?: Partial<PartitionLogOptions>, config?: Partial<LogConfig>) => PartitionLogOptions;
  beforeEach(() => {
    root = makeTempDir();
    const rec = recordingLogger();
    warnings = rec.warnings;
    prefault = new TrackedPrefault(AHEAD_BYTES);
    const clock = new ManualClock();
    options = (dir, extra = {}, config = {}) => ({
      dir,
      topic: 't',
      partition: 0,
      config: makeLogConfig({ segmentIndexBytes: 4096, indexIntervalBytes: 150, ...config }),
      clock,
      logger: rec.logger,
      prefault,
      ...extra,
    });
  });
  afterEach(async () => {
    await prefault.idle();
    removeTempDir(root);
  });

  const logFile = (dir: string, base = SEGMENT): string => path.join(dir, `${base}.log`);

  function appendSome(log: PartitionLog, count: number, prefix: string): string[] {
    const values: string[] = [];
    for (let i = 0; i < count; i++) {
      const records = makeRecords(1 + (i % 3), `${prefix}${i}`, { valueBytes: 40 });
      log.append(buildBatch({ records }));
      values.push(...records.map((r) => r.value!.toString()));
    }
    return values;
  }

  function readAll(log: PartitionLog): string[] {
    return decodeBatches(log.read(log.logStartOffset, 1 << 30).records).flatMap((b) => b.records.map((r) => r.value!));
  }

  it('runs the file ahead of the log in a hole that reads never show, and cuts it on close', async () => {
    const dir = path.join(root, 'open');
    const log = PartitionLog.open(options(dir));
    const values = appendSome(log, 20, 'v');
    await prefault.idle();
    expect(prefault.reads).toBeGreaterThan(0);
    expect(fs.statSync(logFile(dir)).size).toBeGreaterThan(log.sizeBytes);
    expect(fs.statSync(logFile(dir)).size).toBeLessThanOrEqual(log.sizeBytes + AHEAD_BYTES);
    expect(readAll(log)).toEqual(values);
    log.close();
    expect(fs.statSync(logFile(dir)).size).toBe(log.sizeBytes);
    const again = PartitionLog.open(options(dir));
    expect(readAll(again)).toEqual(values);
    again.close();
    expect(warnings).toEqual([]);
  });

  it('cuts the hole off a segment when it rolls', async () => {
    const dir = path.join(root, 'roll');
    const log = PartitionLog.open(options(dir));
    const values = appendSome(log, 10, 'a');
    await prefault.idle();
    const firstSegmentBytes = log.sizeBytes;
    log.roll();
    values.push(...appendSome(log, 5, 'b'));
    expect(fs.statSync(logFile(dir)).size).toBe(firstSegmentBytes);
    expect(log.segmentCount).toBe(2);
    const all: string[] = [];
    for (let next = log.logStartOffset; next < log.logEndOffset; ) {
      const batches = decodeBatches(log.read(next, 1 << 30).records);
      all.push(...batches.flatMap((b) => b.records.map((r) => r.value!)));
      next = batches[batches.length - 1]!.lastOffset + 1n;
    }
    expect(all).toEqual(values);
    log.close();
  });

  it('recovers a crashed log whose file still runs into the hole', async () => {
    const dir = path.join(root, 'crash');
    const crashed = PartitionLog.open(options(dir));
    const values = appendSome(crashed, 12, 'c');
    await prefault.idle();
    const endBefore = crashed.logEndOffset;
    expect(fs.statSync(logFile(dir)).size).toBeGreaterThan(crashed.sizeBytes);
    const recovered = PartitionLog.open(options(dir, { hadCleanShutdown: false, recoveryPoint: 0n, prefault: undefined }));
    expect(recovered.logEndOffset).toBe(endBefore);
    expect(readAll(recovered)).toEqual(values);
    expect(fs.statSync(logFile(dir)).size).toBe(recovered.sizeBytes);
    expect(warnings.join('\n')).toMatch(/truncating/);
    recovered.close();
    crashed.closeForDelete();
  });

  it('keeps appending correctly after a truncation while warm', async () => {
    const dir = path.join(root, 'truncate');
    const log = PartitionLog.open(options(dir));
    const values = appendSome(log, 10, 'd');
    await prefault.idle();
    const end = log.truncateTo(6n);
    const kept = values.slice(0, Number(end));
    kept.push(...appendSome(log, 4, 'e'));
    await prefault.idle();
    expect(readAll(log)).toEqual(kept);
    log.close();
    expect(fs.statSync(logFile(dir)).size).toBe(log.sizeBytes);
  });
});

describe('SegmentPrefault', () => {
  /** A PagePrefault whose reads complete when the test says so. */
  class ManualPrefault extends PagePrefault {
    readonly reads: { position: number; length: number; done: (failed: boolean) => void }[] = [];
    closed: number[] = [];

    override read(_fd: number, position: number, length: number, done: (failed: boolean) => void): void {
      this.reads.push({ position, length, done });
    }

    override close(fd: number): void {
      this.closed.push(fd);
    }
  }

  function target(): PrefaultTarget & { end: number; fileBytes: number; failures: string[] } {
    const t = {
      end: 0,
      fileBytes: 0,
      failures: [] as string[],
      logEnd: () => t.end,
      extendTo: (size: number) => void (t.fileBytes = Math.max(t.fileBytes, size)),
      failed: (reason: string) => void t.failures.push(reason),
    };
    return t;
  }

  it('reads ahead one chunk at a time until half the window is warm, then waits for appends', () => {
    const p = new ManualPrefault(4 * 1024 * 1024);
    const t = target();
    const warming = new SegmentPrefault(p, 7, t);
    t.end = 1000;
    warming.advance();
    expect(p.reads.map((r) => [r.position, r.length])).toEqual([[1000, 1024 * 1024]]);
    expect(t.fileBytes).toBe(1000 + 1024 * 1024);
    warming.advance();
    expect(p.reads.length).toBe(1);
    p.reads[0]!.done(false);
    expect(p.reads.length).toBe(2);
    p.reads[1]!.done(false);
    expect(p.reads.length).toBe(2);
    expect(t.fileBytes).toBe(1000 + 2 * 1024 * 1024);
    t.end = 1000 + 1024 * 1024;
    warming.advance();
    expect(p.reads[2]!.position).toBe(1000 + 2 * 1024 * 1024);
  });

  it('closes its descriptor only once no read is out', () => {
    const p = new ManualPrefault(1024 * 1024);
    const t = target();
    const warming = new SegmentPrefault(p, 9, t);
    t.end = 10;
    warming.advance();
    warming.stop();
    expect(p.closed).toEqual([]);
    p.reads[0]!.done(false);
    expect(p.closed).toEqual([9]);
    expect(p.reads.length).toBe(1);
  });

  it('stops warming after a failed read, and warms again from a truncation point', () => {
    const p = new ManualPrefault(1024 * 1024);
    const t = target();
    const warming = new SegmentPrefault(p, 3, t);
    t.end = 100;
    warming.advance();
    p.reads[0]!.done(false);
    t.end = 50;
    warming.truncated(50);
    warming.advance();
    expect(p.reads[1]!.position).toBe(50);
    p.reads[1]!.done(true);
    expect(p.closed).toEqual([3]);
    expect(t.failures).toEqual([`a read of [50, ${50 + 1024 * 1024}) failed`]);
    t.end = 5000;
    warming.advance();
    expect(p.reads.length).toBe(2);
  });

  it('stops warming, without throwing, when the file cannot be lengthened', () => {
    const p = new ManualPrefault(1024 * 1024);
    const t = target();
    t.extendTo = () => {
      throw new Error('EFBIG');
    };
    const warming = new SegmentPrefault(p, 4, t);
    t.end = 10;
    expect(() => warming.advance()).not.toThrow();
    expect(p.reads).toEqual([]);
    expect(p.closed).toEqual([4]);
    expect(t.failures).toEqual(['cannot lengthen the file: EFBIG']);
  });
});
