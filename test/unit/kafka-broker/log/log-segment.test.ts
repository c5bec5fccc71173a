import fs from 'node:fs';
import { FileWindow } from '../../../../kafka-broker/src/log/file-io';
import { LogSegment, SegmentContext } from '../../../../kafka-broker/src/log/log-segment';
import { buildBatch, decodeBatches, makeRecords, valuesOf } from './batch-builder';
import { makeTempDir, recordingLogger, removeTempDir } from './log-test-support';

const NOW = 5_000;

describe('LogSegment', () => {
  let dir: string;
  let ctx: SegmentContext;
  let warnings: string[];
  beforeEach(() => {
    dir = makeTempDir();
    const rec = recordingLogger();
    warnings = rec.warnings;
    ctx = { dir, indexIntervalBytes: 300, segmentIndexBytes: 4096, window: new FileWindow(1024), logger: rec.logger };
  });
  afterEach(() => removeTempDir(dir));

  /** Appends `count` batches of 3 records each, offsets from `base`, timestamps 1000 + offset. */
  function fill(segment: LogSegment, base: bigint, count: number): Buffer[] {
    const batches: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const first = base + BigInt(i * 3);
      const batch = buildBatch({
        records: makeRecords(3, `r${first}`, { startMs: 1000 + Number(first), valueBytes: 20 }),
        baseOffset: first,
      });
      segment.append(batch, 0, batch.length);
      batches.push(batch);
    }
    return batches;
  }

  it('appends batches and reads from the batch holding any offset', () => {
    const segment = LogSegment.create(ctx, 100n, NOW);
    const batches = fill(segment, 100n, 20);
    expect(segment.nextOffset).toBe(160n);
    expect(segment.sizeBytes).toBe(batches.reduce((n, b) => n + b.length, 0));
    for (const offset of [100n, 101n, 102n, 103n, 130n, 159n]) {
      const data = segment.read(offset, 1 << 20, null, true)!;
      const first = decodeBatches(data)[0]!;
      expect(first.baseOffset <= offset && offset <= first.lastOffset).toBe(true);
    }
    expect(segment.read(160n, 1000, null, true)).toBeNull();
    segment.close();
  });

  it('adds an index entry whenever more than index.interval.bytes went in since the last', () => {
    const segment = LogSegment.create(ctx, 0n, NOW);
    const batches = fill(segment, 0n, 30);
    const size = batches[0]!.length;
    let expected = 0;
    let since = 0;
    for (const b of batches) {
      if (since > 300) [expected, since] = [expected + 1, 0];
      since += b.length;
    }
    expect(size).toBeGreaterThan(100);
    expect(segment.offsetIndexEntries).toBe(expected);
    expect(segment.timeIndexEntries).toBe(expected);
    const location = segment.translateOffset(50n)!;
    expect(location.baseOffset).toBe(48n);
    expect(location.position).toBe(16 * size);
    segment.close();
  });

  it('preallocates index files while active and trims them when it stops being active', () => {
    const segment = LogSegment.create(ctx, 0n, NOW);
    fill(segment, 0n, 10);
    expect(fs.statSync(segment.indexPath).size).toBe(4096);
    expect(fs.statSync(segment.timeIndexPath).size).toBe(4092);
    segment.deactivate();
    expect(fs.statSync(segment.indexPath).size).toBe(segment.offsetIndexEntries * 8);
    expect(fs.statSync(segment.timeIndexPath).size).toBe(segment.timeIndexEntries * 12);
    segment.close();
  });

  it('bounds a read by maxBytes and by the batch holding maxOffset', () => {
    const segment = LogSegment.create(ctx, 0n, NOW);
    const batches = fill(segment, 0n, 10);
    const size = batches[0]!.length;
    expect(segment.read(0n, 10, null, true)!.length).toBe(size);
    expect(segment.read(0n, 10, null, false)!.length).toBe(10);
    expect(segment.read(0n, size * 2 + 5, null, true)!.length).toBe(size * 2 + 5);
    expect(decodeBatches(segment.read(0n, 1 << 20, 9n, true)!).map((b) => b.baseOffset)).toEqual([0n, 3n, 6n]);
    expect(segment.read(3n, 1 << 20, 3n, true)!.length).toBe(0);
    segment.close();
  });

  it('finds the first record at or after a timestamp through the time index', () => {
    const segment = LogSegment.create(ctx, 0n, NOW);
    fill(segment, 0n, 30);
    expect(segment.findOffsetByTimestamp(1000, 0n)).toEqual({ offset: 0n, timestampMs: 1000 });
    expect(segment.findOffsetByTimestamp(1044, 0n)).toEqual({ offset: 44n, timestampMs: 1044 });
    expect(segment.findOffsetByTimestamp(1044, 60n)).toEqual({ offset: 60n, timestampMs: 1060 });
    expect(segment.findOffsetByTimestamp(1090, 0n)).toBeNull();
    expect(segment.maxTimestampMs).toBe(1089);
    expect(segment.offsetOfMaxTimestamp).toBe(89n);
    segment.close();
  });

  it('truncates away the whole batch holding an offset and keeps appending after it', () => {
    const segment = LogSegment.create(ctx, 0n, NOW);
    const batches = fill(segment, 0n, 30);
    const removed = segment.truncateTo(46n, NOW);
    expect(segment.nextOffset).toBe(45n);
    expect(removed).toBe(15 * batches[0]!.length);
    expect(segment.maxTimestampMs).toBe(1044);
    expect(segment.findOffsetByTimestamp(1050, 0n)).toBeNull();
    fill(segment, 45n, 2);
    const values = valuesOf(segment.read(44n, 1 << 20, null, true)!).map((v) => v!.replace(/\.+$/, ''));
    expect(values).toEqual(['r42-0', 'r42-1', 'r42-2', 'r45-0', 'r45-1', 'r45-2', 'r48-0', 'r48-1', 'r48-2']);
    segment.close();
  });

  it('reopens a cleanly closed segment without rescanning it', () => {
    const segment = LogSegment.create(ctx, 10n, NOW);
    fill(segment, 10n, 25);
    const before = segment.read(10n, 1 << 20, null, true)!;
    segment.close();
    const { segment: again, truncatedBytes } = LogSegment.open(ctx, 10n, false, NOW);
    expect(truncatedBytes).toBe(0);
    expect(warnings).toEqual([]);
    expect(again.nextOffset).toBe(85n);
    expect(again.maxTimestampMs).toBe(1084);
    expect(again.read(10n, 1 << 20, null, true)!.equals(before)).toBe(true);
    expect(again.translateOffset(70n)!.baseOffset).toBe(70n);
    again.close();
  });

  it('rebuilds missing index files from the log', () => {
    const segment = LogSegment.create(ctx, 0n, NOW);
    fill(segment, 0n, 25);
    const entries = segment.offsetIndexEntries;
    segment.close();
    const indexBytes = fs.readFileSync(segment.indexPath);
    fs.rmSync(segment.indexPath);
    fs.rmSync(segment.timeIndexPath);
    const { segment: again, truncatedBytes } = LogSegment.open(ctx, 0n, false, NOW);
    expect(truncatedBytes).toBe(0);
    expect(warnings.join('\n')).toMatch(/index is missing/);
    expect(again.offsetIndexEntries).toBe(entries);
    expect(fs.readFileSync(again.indexPath).equals(indexBytes)).toBe(true);
    expect(again.findOffsetByTimestamp(1050, 0n)).toEqual({ offset: 50n, timestampMs: 1050 });
    again.close();
  });
});
