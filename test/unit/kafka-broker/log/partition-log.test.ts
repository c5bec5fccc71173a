import fs from 'node:fs';
import path from 'node:path';
import { makeLogConfig, LogConfig } from '../../../../kafka-broker/src/log/log-config';
import { LogError } from '../../../../kafka-broker/src/log/log-errors';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  MAX_TIMESTAMP,
  PartitionLog,
  PartitionLogOptions,
} from '../../../../kafka-broker/src/log/partition-log';
import { isBatchCrcValid, readBatchHeader } from '../../../../kafka-broker/src/protocol/batch-header';
import { silentLogger } from '../../../../shared/src';
import { buildBatch, decodeBatches, makeRecords, valuesOf } from './batch-builder';
import { makeTempDir, ManualClock, removeTempDir } from './log-test-support';

describe('PartitionLog', () => {
  let root: string;
  let clock: ManualClock;
  const open: PartitionLog[] = [];
  beforeEach(() => {
    root = makeTempDir();
    clock = new ManualClock(10_000_000);
  });
  afterEach(async () => {
    for (const log of open.splice(0)) {
      await log.whenRolledSegmentsFlushed();
      log.close();
    }
    removeTempDir(root);
  });

  function openLog(config: Partial<LogConfig> = {}, extra: Partial<PartitionLogOptions> = {}): PartitionLog {
    const partition = extra.partition ?? 0;
    const log = PartitionLog.open({
      dir: path.join(root, `topic-${partition}`),
      topic: 'topic',
      partition,
      config: makeLogConfig({ segmentIndexBytes: 4096, ...config }),
      clock,
      logger: silentLogger(),
      ...extra,
    });
    open.push(log);
    return log;
  }

  function reopen(log: PartitionLog, config: Partial<LogConfig> = {}, extra: Partial<PartitionLogOptions> = {}): PartitionLog {
    open.splice(open.indexOf(log), 1);
    log.close();
    return openLog(config, { highWatermark: log.highWatermark, logStartOffset: log.logStartOffset, ...extra });
  }

  /** A produce request body: `batches` batches of `perBatch` records with values tag-i. */
  function produce(tag: string, batches = 1, perBatch = 3, startMs = 1_000): Buffer {
    const parts: Buffer[] = [];
    for (let b = 0; b < batches; b++) {
      parts.push(buildBatch({ records: makeRecords(perBatch, `${tag}.${b}`, { startMs: startMs + b * perBatch, valueBytes: 30 }) }));
    }
    return Buffer.concat(parts);
  }

  /** Every record value from `from` to the log end, fetching the way a consumer does. */
  function readAll(log: PartitionLog, from = log.logStartOffset, maxBytes = 700): { offsets: bigint[]; values: (string | null)[] } {
    const offsets: bigint[] = [];
    const values: (string | null)[] = [];
    let next = from;
    while (next < log.logEndOffset) {
      const batches = decodeBatches(log.read(next, maxBytes).records);
      expect(batches.length).toBeGreaterThan(0);
      for (const b of batches) {
        for (const r of b.records) {
          if (r.offset < next) continue;
          offsets.push(r.offset);
          values.push(r.value);
        }
        next = b.lastOffset + 1n;
      }
    }
    return { offsets, values };
  }

  function errorCode(fn: () => unknown): string {
    try {
      fn();
    } catch (err) {
      if (err instanceof LogError) return err.code;
      throw err;
    }
    return 'no error';
  }

  it('assigns offsets by patching the batches in place and returns the offset range', () => {
    const log = openLog();
    const first = produce('a', 2, 3);
    expect(log.append(first, { leaderEpoch: 7 })).toMatchObject({ baseOffset: 0n, lastOffset: 5n, logAppendTimeMs: -1n, batchCount: 2 });
    expect(decodeBatches(first).map((b) => b.baseOffset)).toEqual([0n, 3n]);
    expect(readBatchHeader(first, 0).partitionLeaderEpoch).toBe(7);
    expect(isBatchCrcValid(first, 0)).toBe(true);
    expect(log.append(produce('b', 1, 4))).toMatchObject({ baseOffset: 6n, lastOffset: 9n });
    expect(log.logEndOffset).toBe(10n);
    expect(log.read(0n, 1 << 20).records.subarray(0, first.length).equals(first)).toBe(true);
  });

  it('round-trips many appends across many segments', () => {
    const log = openLog({ segmentBytes: 3000, indexIntervalBytes: 256 });
    const expected: string[] = [];
    for (let i = 0; i < 120; i++) {
      const batches = 1 + (i % 3);
      log.append(produce(`p${i}`, batches, 1 + (i % 4)));
      for (let b = 0; b < batches; b++) for (let r = 0; r < 1 + (i % 4); r++) expected.push(`p${i}.${b}-${r}`);
    }
    expect(log.segmentCount).toBeGreaterThan(10);
    const { offsets, values } = readAll(log);
    expect(values.map((v) => v!.replace(/\.+$/, ''))).toEqual(expected);
    expect(offsets).toEqual(expected.map((_, i) => BigInt(i)));
    for (let offset = 0n; offset < log.logEndOffset; offset += 7n) {
      const first = decodeBatches(log.read(offset, 1).records)[0]!;
      expect(first.baseOffset <= offset && offset <= first.lastOffset).toBe(true);
    }
  });

  it('stamps LogAppendTime from the clock and keeps the CRC valid', () => {
    const log = openLog({ messageTimestampType: 'LogAppendTime' });
    const records = produce('t', 2);
    const result = log.append(records);
    expect(result.logAppendTimeMs).toBe(10_000_000n);
    for (const at of [0, decodeBatches(records)[1]!.position]) {
      const h = readBatchHeader(records, at);
      expect(h.maxTimestamp).toBe(10_000_000n);
      expect(h.attributes & 0x08).toBe(0x08);
      expect(isBatchCrcValid(records, at)).toBe(true);
    }
  });

  it('appends nothing when any batch of the request is bad', () => {
    const log = openLog();
    log.append(produce('ok'));
    const request = produce('bad', 3);
    request[request.length - 1] ^= 0x55;
    expect(errorCode(() => log.append(request))).toBe('CORRUPT_MESSAGE');
    expect(log.logEndOffset).toBe(3n);
    expect(errorCode(() => log.append(produce('big', 1, 40), {}))).toBe('no error');
    const tooBig = openLog({ segmentBytes: 500 }, { partition: 1 });
    expect(errorCode(() => tooBig.append(produce('big', 1, 40)))).toBe('RECORD_LIST_TOO_LARGE');
  });

  it('rolls when the next append would pass segment.bytes', () => {
    const one = produce('x').length;
    const log = openLog({ segmentBytes: one * 3 });
    for (let i = 0; i < 7; i++) log.append(produce('x'));
    expect(log.segmentBaseOffsets()).toEqual([0n, 9n, 18n]);
    expect(fs.readdirSync(log.dir).filter((f) => f.endsWith('.log'))).toEqual([
      '00000000000000000000.log',
      '00000000000000000009.log',
      '00000000000000000018.log',
    ]);
  });

  it('rolls on segment.ms measured from the first batch timestamp', () => {
    const log = openLog({ segmentMs: 1000 });
    log.append(produce('a', 1, 3, 5_000));
    log.append(produce('b', 1, 3, 5_900));
    expect(log.segmentCount).toBe(1);
    log.append(produce('c', 1, 3, 6_001));
    expect(log.segmentBaseOffsets()).toEqual([0n, 6n]);
  });

  it('rolls on segment.ms by the clock for LogAppendTime logs', () => {
    const log = openLog({ segmentMs: 1000, messageTimestampType: 'LogAppendTime' });
    log.append(produce('a'));
    clock.advance(1000);
    log.append(produce('b'));
    expect(log.segmentCount).toBe(1);
    clock.advance(1);
    log.append(produce('c'));
    expect(log.segmentBaseOffsets()).toEqual([0n, 6n]);
  });

  it('rolls when the offset index is full', () => {
    const log = openLog({ indexIntervalBytes: 0, segmentIndexBytes: 24 });
    for (let i = 0; i < 10; i++) log.append(produce(`i${i}`, 1, 1));
    expect(log.segmentBaseOffsets()).toEqual([0n, 4n, 8n]);
    expect(readAll(log).values.length).toBe(10);
  });

  it('serves reads within the log range, bounded by maxOffset', () => {
    const log = openLog();
    for (let i = 0; i < 5; i++) log.append(produce(`r${i}`));
    expect(errorCode(() => log.read(16n, 100))).toBe('OFFSET_OUT_OF_RANGE');
    expect(log.read(15n, 100).records.length).toBe(0);
    expect(log.read(0n, 100, { maxOffset: 0n }).records.length).toBe(0);
    log.setHighWatermark(9n);
    const visible = decodeBatches(log.read(0n, 1 << 20, { maxOffset: log.highWatermark }).records);
    expect(visible.map((b) => b.baseOffset)).toEqual([0n, 3n, 6n]);
    const result = log.read(4n, 1 << 20);
    expect(result).toMatchObject({ highWatermark: 9n, logStartOffset: 0n, logEndOffset: 15n });
    expect(decodeBatches(result.records)[0]!.baseOffset).toBe(3n);
  });

  it('deletes the oldest segments beyond retention.bytes, below the high watermark', () => {
    const one = produce('x').length;
    const log = openLog({ segmentBytes: one * 2, retentionBytes: one * 3 });
    for (let i = 0; i < 10; i++) log.append(produce(`v${i}`));
    expect(log.segmentCount).toBe(5);
    expect(log.deleteOldSegments()).toBe(0);
    log.setHighWatermark(log.logEndOffset);
    expect(log.deleteOldSegments()).toBe(3);
    expect(log.segmentBaseOffsets()).toEqual([18n, 24n]);
    expect(log.logStartOffset).toBe(18n);
    expect(errorCode(() => log.read(17n, 100))).toBe('OFFSET_OUT_OF_RANGE');
    expect(readAll(log).values.length).toBe(12);
    expect(fs.readdirSync(log.dir).filter((f) => f.endsWith('.log')).length).toBe(2);
  });

  it('deletes segments older than retention.ms but never the active one', () => {
    const one = produce('x').length;
    const log = openLog({ segmentBytes: one * 2, retentionMs: 60_000 });
    const now = clock.nowMs();
    for (let i = 0; i < 6; i++) log.append(produce(`v${i}`, 1, 3, now - 200_000 + i * 30_000));
    log.setHighWatermark(log.logEndOffset);
    expect(log.segmentCount).toBe(3);
    expect(log.deleteOldSegments()).toBe(2);
    expect(log.logStartOffset).toBe(12n);
    clock.advance(1_000_000);
    expect(log.deleteOldSegments()).toBe(0);
    expect(log.segmentCount).toBe(1);
  });

  it('moves the log start offset for DeleteRecords and lets retention drop the segments below it', () => {
    const one = produce('x').length;
    const log = openLog({ segmentBytes: one * 2 });
    for (let i = 0; i < 6; i++) log.append(produce(`v${i}`));
    expect(errorCode(() => log.advanceLogStartOffset(7n))).toBe('OFFSET_OUT_OF_RANGE');
    log.setHighWatermark(18n);
    expect(log.advanceLogStartOffset(13n)).toBe(true);
    expect(errorCode(() => log.read(12n, 100))).toBe('OFFSET_OUT_OF_RANGE');
    expect(log.offsetForTimestamp(EARLIEST_TIMESTAMP)).toEqual({ offset: 13n, timestampMs: -1n });
    expect(log.deleteOldSegments()).toBe(2);
    expect(log.segmentBaseOffsets()).toEqual([12n]);
    expect(log.logStartOffset).toBe(13n);
    expect(readAll(log).offsets[0]).toBe(13n);
  });

  it('truncates a follower log across segments and appends again', () => {
    const one = produce('x').length;
    const log = openLog({ segmentBytes: one * 2 });
    for (let i = 0; i < 10; i++) log.append(produce(`v${i}`));
    log.setHighWatermark(25n);
    expect(log.truncateTo(13n)).toBe(12n);
    expect(log.segmentBaseOffsets()).toEqual([0n, 6n, 12n]);
    expect(log.highWatermark).toBe(12n);
    expect(fs.readdirSync(log.dir).filter((f) => f.endsWith('.log')).length).toBe(3);
    log.append(produce('after'));
    const { values, offsets } = readAll(log);
    expect(offsets).toEqual(Array.from({ length: 15 }, (_, i) => BigInt(i)));
    expect(values[12]).toMatch(/^after/);
    expect(log.truncateTo(100n)).toBe(15n);
  });

  it('truncates fully and restarts at a new offset', () => {
    const log = openLog();
    log.append(produce('a'));
    log.truncateFullyAndStartAt(500n);
    expect([log.logStartOffset, log.logEndOffset, log.highWatermark]).toEqual([500n, 500n, 500n]);
    expect(log.append(produce('b')).baseOffset).toBe(500n);
    expect(log.segmentBaseOffsets()).toEqual([500n]);
  });

  it('answers ListOffsets by timestamp, earliest, latest and max timestamp', () => {
    const one = produce('x').length;
    const log = openLog({ segmentBytes: one * 2, indexIntervalBytes: 100 });
    for (let i = 0; i < 10; i++) log.append(produce(`v${i}`, 1, 3, 1_000 + i * 10));
    log.setHighWatermark(24n);
    expect(log.offsetForTimestamp(EARLIEST_TIMESTAMP)).toEqual({ offset: 0n, timestampMs: -1n });
    expect(log.offsetForTimestamp(LATEST_TIMESTAMP, log.highWatermark)).toEqual({ offset: 24n, timestampMs: -1n });
    expect(log.offsetForTimestamp(LATEST_TIMESTAMP)).toEqual({ offset: 30n, timestampMs: -1n });
    expect(log.offsetForTimestamp(0n)).toEqual({ offset: 0n, timestampMs: 1000n });
    expect(log.offsetForTimestamp(1_041n)).toEqual({ offset: 13n, timestampMs: 1041n });
    expect(log.offsetForTimestamp(1_043n)).toEqual({ offset: 15n, timestampMs: 1050n });
    expect(log.offsetForTimestamp(1_093n)).toBeNull();
    expect(log.offsetForTimestamp(1_085n, log.highWatermark)).toBeNull();
    expect(log.offsetForTimestamp(MAX_TIMESTAMP)).toEqual({ offset: 29n, timestampMs: 1092n });
  });

  it('fsyncs after flush.messages records and moves the recovery point', () => {
    const log = openLog({ flushIntervalMessages: 5 });
    log.append(produce('a'));
    expect(log.recoveryPoint).toBe(0n);
    log.append(produce('b'));
    expect(log.recoveryPoint).toBe(6n);
  });

  it('moves the recovery point once rolled segments are fsynced in the background', async () => {
    const one = produce('x').length;
    const log = openLog({ segmentBytes: one * 2 });
    for (let i = 0; i < 5; i++) log.append(produce(`v${i}`));
    await log.whenRolledSegmentsFlushed();
    expect(log.recoveryPoint).toBe(12n);
  });

  it('keeps offsets, data and the high watermark across a clean close and reopen', () => {
    const one = produce('x').length;
    let log = openLog({ segmentBytes: one * 3 });
    for (let i = 0; i < 8; i++) log.append(produce(`v${i}`));
    log.setHighWatermark(20n);
    const before = readAll(log);
    log = reopen(log, { segmentBytes: one * 3 });
    expect([log.logStartOffset, log.logEndOffset, log.highWatermark, log.recoveryPoint]).toEqual([0n, 24n, 20n, 24n]);
    expect(readAll(log)).toEqual(before);
    expect(log.append(produce('next')).baseOffset).toBe(24n);
  });

  it('appends follower batches with their own offsets, dropping a partial tail', () => {
    const log = openLog();
    const a = buildBatch({ records: makeRecords(3, 'a'), baseOffset: 0n });
    const b = buildBatch({ records: makeRecords(2, 'b'), baseOffset: 3n });
    expect(log.appendAsFollower(Buffer.concat([a, b.subarray(0, 40)]))).toMatchObject({ baseOffset: 0n, lastOffset: 2n });
    expect(log.appendAsFollower(b)).toMatchObject({ baseOffset: 3n, lastOffset: 4n });
    expect(errorCode(() => log.appendAsFollower(a))).toBe('UNEXPECTED_APPEND_OFFSET');
    expect(valuesOf(log.read(0n, 1 << 20).records)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1']);
  });
});
