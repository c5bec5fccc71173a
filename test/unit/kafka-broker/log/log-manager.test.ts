import fs from 'node:fs';
import path from 'node:path';
import { readCheckpointFile } from '../../../../kafka-broker/src/log/checkpoint-file';
import { LogConfig, LogManagerConfigInput, makeLogConfig, makeLogManagerConfig } from '../../../../kafka-broker/src/log/log-config';
import { LogError } from '../../../../kafka-broker/src/log/log-errors';
import { LogManager } from '../../../../kafka-broker/src/log/log-manager';
import { ConfigError } from '../../../../shared/src';
import { buildBatch, makeRecords } from './batch-builder';
import { makeTempDir, ManualClock, recordingLogger, removeTempDir } from './log-test-support';

describe('LogManager', () => {
  let root: string;
  let dirs: string[];
  let clock: ManualClock;
  let warnings: string[];
  const managers: LogManager[] = [];
  beforeEach(() => {
    root = makeTempDir();
    dirs = [path.join(root, 'd1'), path.join(root, 'd2')];
    clock = new ManualClock();
    warnings = [];
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
    removeTempDir(root);
  });

  function openManager(input: Partial<LogManagerConfigInput> = {}, topicConfig?: (t: string) => Partial<LogConfig>): LogManager {
    const rec = recordingLogger();
    warnings = rec.warnings;
    const manager = LogManager.open({
      config: makeLogManagerConfig({
        logDirs: dirs,
        brokerId: 1,
        clusterId: 'cluster-a',
        defaultLogConfig: makeLogConfig({ segmentIndexBytes: 4096 }),
        ...input,
      }),
      clock,
      logger: rec.logger,
      ...(topicConfig === undefined ? {} : { topicConfig }),
    });
    managers.push(manager);
    return manager;
  }

  async function closeManager(manager: LogManager): Promise<void> {
    managers.splice(managers.indexOf(manager), 1);
    await manager.close();
  }

  function batch(tag: string, count = 3): Buffer {
    return buildBatch({ records: makeRecords(count, tag, { startMs: clock.nowMs() }) });
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

  it('writes meta.properties in each log dir and refuses another broker id', async () => {
    const manager = openManager();
    for (const dir of dirs) {
      const text = fs.readFileSync(path.join(dir, 'meta.properties'), 'utf8');
      expect(text).toMatch(/^version=0$/m);
      expect(text).toMatch(/^broker\.id=1$/m);
      expect(text).toMatch(/^cluster\.id=cluster-a$/m);
    }
    await closeManager(manager);
    expect(() => openManager({ brokerId: 2 })).toThrow(ConfigError);
    expect(() => openManager({ clusterId: 'other' })).toThrow(/cluster\.id/);
  });

  it('places new logs in the log dir holding the fewest and refuses duplicates and bad names', () => {
    const manager = openManager();
    for (let p = 0; p < 4; p++) manager.createLog('orders', p);
    expect(fs.readdirSync(dirs[0]!).filter((f) => f.startsWith('orders-')).sort()).toEqual(['orders-0', 'orders-2']);
    expect(fs.readdirSync(dirs[1]!).filter((f) => f.startsWith('orders-')).sort()).toEqual(['orders-1', 'orders-3']);
    expect(errorCode(() => manager.createLog('orders', 1))).toBe('TOPIC_ALREADY_EXISTS');
    expect(errorCode(() => manager.createLog('../etc', 0))).toBe('INVALID_TOPIC_EXCEPTION');
    expect(errorCode(() => manager.requireLog('orders', 9))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(manager.getOrCreateLog('orders', 2)).toBe(manager.getLog('orders', 2));
  });

  it('writes checkpoints and the clean-shutdown marker on close and restores offsets on open', async () => {
    let manager = openManager();
    const log = manager.createLog('t', 0);
    for (let i = 0; i < 4; i++) log.append(batch(`v${i}`));
    log.setHighWatermark(9n);
    manager.createLog('t', 1);
    await closeManager(manager);
    expect(fs.existsSync(path.join(dirs[0]!, '.kafka_cleanshutdown'))).toBe(true);
    expect(readCheckpointFile(path.join(dirs[0]!, 'replication-offset-checkpoint'))).toEqual([{ topic: 't', partition: 0, offset: 9n }]);
    expect(readCheckpointFile(path.join(dirs[0]!, 'recovery-point-offset-checkpoint'))).toEqual([{ topic: 't', partition: 0, offset: 12n }]);
    expect(readCheckpointFile(path.join(dirs[1]!, 'log-start-offset-checkpoint'))).toEqual([{ topic: 't', partition: 1, offset: 0n }]);
    manager = openManager();
    expect(fs.existsSync(path.join(dirs[0]!, '.kafka_cleanshutdown'))).toBe(false);
    const again = manager.requireLog('t', 0);
    expect([again.logEndOffset, again.highWatermark, again.recoveryPoint]).toEqual([12n, 9n, 12n]);
    expect(manager.allLogs().length).toBe(2);
    expect(warnings).toEqual([]);
  });

  it('recovers logs when the clean-shutdown marker is missing', async () => {
    let manager = openManager();
    const log = manager.createLog('t', 0);
    for (let i = 0; i < 4; i++) log.append(batch(`v${i}`));
    await closeManager(manager);
    fs.rmSync(path.join(dirs[0]!, '.kafka_cleanshutdown'));
    fs.appendFileSync(path.join(dirs[0]!, 't-0', '00000000000000000000.log'), Buffer.alloc(30, 7));
    manager = openManager();
    expect(manager.requireLog('t', 0).logEndOffset).toBe(12n);
    expect(warnings.join('\n')).toMatch(/no clean-shutdown marker/);
    expect(warnings.join('\n')).toMatch(/truncating/);
  });

  it('deletes a log by renaming its directory and then removing it', async () => {
    const manager = openManager();
    manager.createLog('gone', 0).append(batch('x'));
    manager.createLog('kept', 0);
    const deleting = manager.deleteLog('gone', 0);
    expect(manager.getLog('gone', 0)).toBeUndefined();
    expect(fs.readdirSync(dirs[0]!).some((f) => /^gone-0\.[0-9a-f]{32}-delete$/.test(f))).toBe(true);
    await expect(deleting).resolves.toBe(true);
    expect(fs.readdirSync(dirs[0]!).filter((f) => f.startsWith('gone'))).toEqual([]);
    expect(readCheckpointFile(path.join(dirs[0]!, 'recovery-point-offset-checkpoint'))).toEqual([]);
    await expect(manager.deleteLog('gone', 0)).resolves.toBe(false);
  });

  it('removes leftover -delete directories on open', async () => {
    fs.mkdirSync(path.join(dirs[0]!, 'old-0.0123456789abcdef0123456789abcdef-delete'), { recursive: true });
    const manager = openManager();
    await closeManager(manager);
    expect(fs.readdirSync(dirs[0]!).filter((f) => f.endsWith('-delete'))).toEqual([]);
    expect(manager.allLogs().length).toBe(0);
  });

  it('runs retention every log.retention.check.interval.ms on the clock', () => {
    const one = batch('v0').length;
    const manager = openManager({
      retentionCheckIntervalMs: 1000,
      defaultLogConfig: makeLogConfig({ segmentIndexBytes: 4096, segmentBytes: one * 2, retentionBytes: one * 2 }),
    });
    const log = manager.createLog('t', 0);
    for (let i = 0; i < 8; i++) log.append(batch(`v${i}`));
    log.setHighWatermark(log.logEndOffset);
    manager.startBackgroundTasks();
    clock.advance(999);
    expect(log.segmentCount).toBe(4);
    clock.advance(1);
    expect(log.segmentCount).toBe(1);
    expect(log.logStartOffset).toBe(18n);
    expect(readCheckpointFile(path.join(dirs[0]!, 'log-start-offset-checkpoint'))).toEqual([{ topic: 't', partition: 0, offset: 18n }]);
  });

  it('fsyncs logs after flush.ms and checkpoints high watermarks on their interval', () => {
    const manager = openManager({
      defaultLogConfig: makeLogConfig({ segmentIndexBytes: 4096, flushIntervalMs: 500 }),
      highWatermarkCheckpointIntervalMs: 2000,
    });
    const log = manager.createLog('t', 0);
    log.append(batch('a'));
    log.setHighWatermark(3n);
    manager.startBackgroundTasks();
    expect(log.recoveryPoint).toBe(0n);
    clock.advance(500);
    expect(log.recoveryPoint).toBe(3n);
    clock.advance(1500);
    expect(readCheckpointFile(path.join(dirs[0]!, 'replication-offset-checkpoint'))).toEqual([{ topic: 't', partition: 0, offset: 3n }]);
  });

  it('stops its timers on close', async () => {
    const manager = openManager({ retentionCheckIntervalMs: 1000 });
    manager.startBackgroundTasks();
    expect(clock.pendingTimers).toBeGreaterThan(0);
    await closeManager(manager);
    expect(clock.pendingTimers).toBe(0);
  });

  it('applies per-topic config overrides', () => {
    const manager = openManager({}, (topic) => (topic === 'compact' ? { retentionMs: 1234 } : {}));
    expect(manager.createLog('compact', 0).config.retentionMs).toBe(1234);
    expect(manager.createLog('other', 0, { segmentBytes: 5000 }).config).toMatchObject({ segmentBytes: 5000, retentionMs: 604_800_000 });
    manager.updateTopicConfig('other', { retentionBytes: 10 });
    expect(manager.requireLog('other', 0).config.retentionBytes).toBe(10);
  });
});
