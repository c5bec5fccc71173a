import fs from 'node:fs';
import path from 'node:path';
import { makeLogConfig, LogConfig } from '../../../../kafka-broker/src/log/log-config';
import { PartitionLog, PartitionLogOptions } from '../../../../kafka-broker/src/log/partition-log';
import { buildBatch, decodeBatches, makeRecords } from './batch-builder';
import { makeTempDir, ManualClock, recordingLogger, removeTempDir } from './log-test-support';

const SEGMENT = '00000000000000000000';

describe('PartitionLog recovery', () => {
  let root: string;
  let warnings: string[];
  let options: (dir: string, extra?: Partial<PartitionLogOptions>, config?: Partial<LogConfig>) => PartitionLogOptions;
  beforeEach(() => {
    root = makeTempDir();
    const rec = recordingLogger();
    warnings = rec.warnings;
    const clock = new ManualClock();
    options = (dir, extra = {}, config = {}) => ({
      dir,
      topic: 't',
      partition: 0,
      config: makeLogConfig({ segmentIndexBytes: 4096, indexIntervalBytes: 150, ...config }),
      clock,
      logger: rec.logger,
      ...extra,
    });
  });
  afterEach(() => removeTempDir(root));

  /** A cleanly closed log of `count` batches (1 to 4 records each); returns the directory and the record values. */
  function writeLog(dirName: string, count: number, config: Partial<LogConfig> = {}): { dir: string; values: string[] } {
    const dir = path.join(root, dirName);
    const log = PartitionLog.open(options(dir, {}, config));
    const values: string[] = [];
    for (let i = 0; i < count; i++) {
      const records = makeRecords(1 + (i % 4), `b${i}`, { startMs: 1_000 + i * 10, valueBytes: 8 + (i % 5) * 7 });
      log.append(buildBatch({ records }));
      values.push(...records.map((r) => r.value!.toString()));
    }
    log.close();
    return { dir, values };
  }

  function openUnclean(dir: string, recoveryPoint = 0n, config: Partial<LogConfig> = {}): PartitionLog {
    return PartitionLog.open(options(dir, { hadCleanShutdown: false, recoveryPoint }, config));
  }

  /** Every record value, fetching segment by segment as a consumer does. */
  function allValues(log: PartitionLog): string[] {
    const values: string[] = [];
    for (let next = log.logStartOffset; next < log.logEndOffset; ) {
      const batches = decodeBatches(log.read(next, 1 << 30).records);
      expect(batches.length).toBeGreaterThan(0);
      values.push(...batches.flatMap((b) => b.records.map((r) => r.value!)));
      next = batches[batches.length - 1]!.lastOffset + 1n;
    }
    return values;
  }

  it('ends the log at the last whole batch for a tear at every byte of the last batches', () => {
    const { dir, values } = writeLog('source', 12);
    const logBytes = fs.readFileSync(path.join(dir, `${SEGMENT}.log`));
    const indexBytes = fs.readFileSync(path.join(dir, `${SEGMENT}.index`));
    const batches = decodeBatches(logBytes);
    expect(batches.length).toBe(12);
    const from = batches[batches.length - 3]!.position;
    for (let cut = from; cut <= logBytes.length; cut++) {
      const torn = path.join(root, 'torn');
      fs.mkdirSync(torn);
      fs.writeFileSync(path.join(torn, `${SEGMENT}.log`), logBytes.subarray(0, cut));
      fs.writeFileSync(path.join(torn, `${SEGMENT}.index`), indexBytes);
      const whole = batches.filter((b) => b.position + b.size <= cut);
      const last = whole[whole.length - 1]!;
      const log = openUnclean(torn);
      expect(log.logEndOffset).toBe(last.lastOffset + 1n);
      expect(allValues(log)).toEqual(values.slice(0, Number(last.lastOffset) + 1));
      expect(fs.statSync(path.join(torn, `${SEGMENT}.log`)).size).toBe(last.position + last.size);
      expect(log.append(buildBatch({ records: makeRecords(1, 'again') })).baseOffset).toBe(last.lastOffset + 1n);
      log.close();
      fs.rmSync(torn, { recursive: true });
    }
    expect(warnings.some((w) => /truncating .*\.log at position/.test(w))).toBe(true);
  });

  it('cuts the log at a batch whose CRC does not match and keeps every batch before it', () => {
    const { dir, values } = writeLog('crc', 10);
    const file = path.join(dir, `${SEGMENT}.log`);
    const bytes = fs.readFileSync(file);
    const victim = decodeBatches(bytes)[6]!;
    bytes[victim.position + victim.size - 3] ^= 0x01;
    fs.writeFileSync(file, bytes);
    const log = openUnclean(dir);
    expect(log.logEndOffset).toBe(victim.baseOffset);
    expect(allValues(log)).toEqual(values.slice(0, Number(victim.baseOffset)));
    expect(warnings.join('\n')).toMatch(/CRC-32C mismatch in batch at position/);
    log.close();
  });

  it('deletes the segments after a corrupted one found past the recovery point', () => {
    const { dir } = writeLog('multi', 30, { segmentBytes: 1200 });
    const segments = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    expect(segments.length).toBeGreaterThan(3);
    const second = path.join(dir, segments[1]!);
    const bytes = fs.readFileSync(second);
    const victim = decodeBatches(bytes)[1]!;
    bytes[victim.position + 30] ^= 0xff;
    fs.writeFileSync(second, bytes);
    const secondBase = BigInt(segments[1]!.slice(0, 20));
    const log = openUnclean(dir, secondBase, { segmentBytes: 1200 });
    expect(log.segmentCount).toBe(2);
    expect(log.logEndOffset).toBe(victim.baseOffset);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length).toBe(2);
    log.close();
  });

  it('rebuilds deleted index files after a clean shutdown', () => {
    const { dir, values } = writeLog('noindex', 40, { segmentBytes: 1500 });
    const indexFiles = fs.readdirSync(dir).filter((f) => f.endsWith('index')).sort();
    const before = new Map(indexFiles.map((f) => [f, fs.readFileSync(path.join(dir, f))]));
    for (const f of indexFiles) fs.rmSync(path.join(dir, f));
    const log = PartitionLog.open(options(dir, {}, { segmentBytes: 1500 }));
    expect(allValues(log)).toEqual(values);
    log.close();
    for (const f of indexFiles) expect(fs.readFileSync(path.join(dir, f)).equals(before.get(f)!)).toBe(true);
  });

  it('rebuilds an index that disagrees with the log', () => {
    const { dir, values } = writeLog('badindex', 20);
    const indexFile = path.join(dir, `${SEGMENT}.index`);
    const good = fs.readFileSync(indexFile);
    const bad = Buffer.from(good);
    bad.writeInt32BE(bad.readInt32BE(bad.length - 4) + 5, bad.length - 4);
    fs.writeFileSync(indexFile, bad);
    const log = PartitionLog.open(options(dir));
    expect(warnings.join('\n')).toMatch(/needs recovery/);
    expect(allValues(log)).toEqual(values);
    log.close();
    expect(fs.readFileSync(indexFile).equals(good)).toBe(true);
  });

  it('recovers a torn tail even when the shutdown was marked clean', () => {
    const { dir, values } = writeLog('garbage', 8);
    fs.appendFileSync(path.join(dir, `${SEGMENT}.log`), Buffer.from([0, 0, 0, 0, 0, 0, 0, 9, 0, 0]));
    const log = PartitionLog.open(options(dir));
    expect(allValues(log)).toEqual(values);
    log.close();
  });

  it('recovers an active segment left with preallocated index files by a crash', () => {
    const dir = path.join(root, 'crashed');
    const crashed = PartitionLog.open(options(dir));
    for (let i = 0; i < 20; i++) crashed.append(buildBatch({ records: makeRecords(2, `c${i}`, { startMs: 5000 + i }) }));
    expect(fs.statSync(path.join(dir, `${SEGMENT}.index`)).size).toBe(4096);
    const log = openUnclean(dir);
    expect(log.logEndOffset).toBe(40n);
    expect(log.offsetForTimestamp(5_010n)).toEqual({ offset: 19n, timestampMs: 5010n });
    expect(log.offsetForTimestamp(5_020n)).toEqual({ offset: 39n, timestampMs: 5020n });
    log.close();
    crashed.closeForDelete();
  });
});
