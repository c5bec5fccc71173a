// All partition logs of this broker, under one or more log.dirs. Per log dir it keeps
// meta.properties, the three offset checkpoint files and the clean-shutdown marker; it loads every
// `<topic>-<partition>` directory on open (recovering when the marker is missing), places new logs
// in the dir holding the fewest, deletes logs by renaming their directory to `...-delete` first, and
// runs the periodic work (retention, flush.ms, checkpoints) on timers of the injected Clock.
// It never interprets records and never decides replication; it only stores what it is told.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Clock, ConfigError, Logger, parseProperties, TimerHandle } from '../../../shared/src';
import { PartitionOffset, readCheckpointFile, writeCheckpointFile } from './checkpoint-file';
import {
  listDirectory,
  makeDirectory,
  readTextIfExists,
  removeFileIfExists,
  renameFile,
  syncDirectory,
  writeFileAtomically,
} from './file-io';
import { LogConfig, LogManagerConfig, makeLogConfig, NEVER } from './log-config';
import { LogError, storageError } from './log-errors';
import {
  CLEAN_SHUTDOWN_FILE,
  DELETE_DIR_SUFFIX,
  deleteDirName,
  isLegalPartition,
  isLegalTopicName,
  LOG_START_OFFSET_CHECKPOINT_FILE,
  META_PROPERTIES_FILE,
  parsePartitionDirName,
  partitionDirName,
  RECOVERY_POINT_CHECKPOINT_FILE,
  REPLICATION_OFFSET_CHECKPOINT_FILE,
  topicPartitionKey,
} from './log-files';
import { PagePrefault } from './page-prefault';
import { PartitionLog } from './partition-log';

export const META_PROPERTIES_VERSION = 0;

export interface LogManagerOptions {
  readonly config: LogManagerConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Per-topic overrides of the default log config (the topic's configs), consulted when a log opens. */
  readonly topicConfig?: (topic: string) => Partial<LogConfig> | undefined;
}

interface HostedLog {
  readonly log: PartitionLog;
  readonly dirIndex: number;
}

/** What one log dir's checkpoints and marker said when the broker started. */
interface DirState {
  readonly hadCleanShutdown: boolean;
  readonly recoveryPoints: Map<string, bigint>;
  readonly logStartOffsets: Map<string, bigint>;
  readonly highWatermarks: Map<string, bigint>;
}

export class LogManager {
  readonly config: LogManagerConfig;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly topicConfig: (topic: string) => Partial<LogConfig> | undefined;
  private readonly hosted = new Map<string, HostedLog>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly pendingDeletes = new Set<Promise<void>>();
  /** Warms the page cache past the end of every log's active segment. */
  private readonly prefault = new PagePrefault();
  private closed = false;

  private constructor(options: LogManagerOptions) {
    this.config = options.config;
    this.clock = options.clock;
    this.logger = options.logger.child({ component: 'log-manager' });
    this.topicConfig = options.topicConfig ?? (() => undefined);
  }

  /** Loads every log under config.logDirs. Background tasks start with startBackgroundTasks(). */
  static open(options: LogManagerOptions): LogManager {
    const manager = new LogManager(options);
    options.config.logDirs.forEach((dir, i) => manager.loadDir(dir, i));
    return manager;
  }

  // ---- lookup, create, delete ---------------------------------------------------------------------

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.hosted.get(topicPartitionKey(topic, partition))?.log;
  }

  /** The log, or LogError UNKNOWN_TOPIC_OR_PARTITION. */
  requireLog(topic: string, partition: number): PartitionLog {
    const log = this.getLog(topic, partition);
    if (log === undefined) {
      throw new LogError('UNKNOWN_TOPIC_OR_PARTITION', `no log for ${topic}-${partition} on this broker`);
    }
    return log;
  }

  allLogs(): PartitionLog[] {
    return [...this.hosted.values()].map((h) => h.log);
  }

  /** Creates an empty log in the log dir hosting the fewest; TOPIC_ALREADY_EXISTS if it is here already. */
  createLog(topic: string, partition: number, overrides: Partial<LogConfig> = {}): PartitionLog {
    this.assertOpen();
    if (!isLegalTopicName(topic)) {
      throw new LogError('INVALID_TOPIC_EXCEPTION', `illegal topic name ${JSON.stringify(topic)}`);
    }
    if (!isLegalPartition(partition)) throw new LogError('INVALID_PARTITIONS', `illegal partition ${partition}`);
    const key = topicPartitionKey(topic, partition);
    if (this.hosted.has(key)) throw new LogError('TOPIC_ALREADY_EXISTS', `log ${topic}-${partition} exists`);
    const dirIndex = this.leastLoadedDir();
    const log = PartitionLog.open({
      dir: path.join(this.config.logDirs[dirIndex]!, partitionDirName(topic, partition)),
      topic,
      partition,
      config: this.logConfigFor(topic, overrides),
      clock: this.clock,
      logger: this.logger,
      prefault: this.prefault,
    });
    this.hosted.set(key, { log, dirIndex });
    this.logger.info(`created log ${topic}-${partition} in ${this.config.logDirs[dirIndex]}`);
    return log;
  }

  getOrCreateLog(topic: string, partition: number, overrides: Partial<LogConfig> = {}): PartitionLog {
    return this.getLog(topic, partition) ?? this.createLog(topic, partition, overrides);
  }

  /**
   * Removes a log: closed, its directory renamed to `<topic>-<p>.<uuid>-delete` at once (so it is gone
   * for a restart too), then removed in the background; the promise settles when the files are gone.
   * False when there was no such log.
   */
  deleteLog(topic: string, partition: number): Promise<boolean> {
    this.assertOpen();
    const key = topicPartitionKey(topic, partition);
    const hosted = this.hosted.get(key);
    if (hosted === undefined) return Promise.resolve(false);
    this.hosted.delete(key);
    hosted.log.closeForDelete();
    const logDir = this.config.logDirs[hosted.dirIndex]!;
    const doomed = path.join(logDir, deleteDirName(topic, partition, randomUUID().replace(/-/g, '')));
    renameFile(hosted.log.dir, doomed);
    syncDirectory(logDir);
    this.writeCheckpointsOfDir(hosted.dirIndex);
    this.logger.info(`deleting log ${topic}-${partition}`);
    return this.track(removeTree(doomed)).then(() => true);
  }

  /** Applies changed topic configs to the open logs of that topic. */
  updateTopicConfig(topic: string, overrides: Partial<LogConfig>): void {
    const config = this.logConfigFor(topic, overrides);
    for (const { log } of this.hosted.values()) if (log.topic === topic) log.setConfig(config);
  }

  private logConfigFor(topic: string, overrides: Partial<LogConfig>): LogConfig {
    return makeLogConfig({ ...this.topicConfig(topic), ...overrides }, this.config.defaultLogConfig);
  }

  private leastLoadedDir(): number {
    const counts = this.config.logDirs.map(() => 0);
    for (const h of this.hosted.values()) counts[h.dirIndex]!++;
    let best = 0;
    for (let i = 1; i < counts.length; i++) if (counts[i]! < counts[best]!) best = i;
    return best;
  }

  // ---- periodic work ------------------------------------------------------------------------------

  /** Starts retention, flush.ms and checkpoint timers on the Clock (each re-armed after it runs). */
  startBackgroundTasks(): void {
    this.assertOpen();
    if (this.timers.size > 0) return;
    this.every('retention', this.config.retentionCheckIntervalMs, () => this.runRetention());
    this.every('flush', this.config.flushCheckIntervalMs, () => this.flushDueLogs());
    const c = this.config;
    this.every('recovery-point checkpoint', c.recoveryPointCheckpointIntervalMs, () => this.checkpointRecoveryPoints());
    this.every('log-start checkpoint', c.logStartOffsetCheckpointIntervalMs, () => this.checkpointLogStartOffsets());
    this.every('high-watermark checkpoint', c.highWatermarkCheckpointIntervalMs, () => this.checkpointHighWatermarks());
  }

  private every(name: string, intervalMs: number, task: () => unknown): void {
    if (intervalMs >= NEVER) return;
    const run = (): void => {
      if (this.closed) return;
      try {
        task();
      } catch (err) {
        this.logger.error(`${name} failed: ${String(err)}`);
      }
      this.timers.set(name, this.clock.setTimer(intervalMs, run));
    };
    this.timers.set(name, this.clock.setTimer(intervalMs, run));
  }

  /** Retention over every log; returns the segments deleted. */
  runRetention(): number {
    let deleted = 0;
    for (const { log } of this.hosted.values()) deleted += log.deleteOldSegments();
    if (deleted > 0) this.checkpointLogStartOffsets();
    return deleted;
  }

  /** flush.ms over every log; returns how many logs were fsynced. */
  flushDueLogs(): number {
    const nowMs = this.clock.nowMs();
    let flushed = 0;
    for (const { log } of this.hosted.values()) if (log.flushIfDue(nowMs)) flushed++;
    return flushed;
  }

  checkpointRecoveryPoints(): void {
    this.writeCheckpoints(RECOVERY_POINT_CHECKPOINT_FILE, (log) => log.recoveryPoint);
  }

  checkpointLogStartOffsets(): void {
    this.writeCheckpoints(LOG_START_OFFSET_CHECKPOINT_FILE, (log) => log.logStartOffset);
  }

  checkpointHighWatermarks(): void {
    this.writeCheckpoints(REPLICATION_OFFSET_CHECKPOINT_FILE, (log) => log.highWatermark);
  }

  private writeCheckpoints(file: string, offsetOf: (log: PartitionLog) => bigint, onlyDir?: number): void {
    this.config.logDirs.forEach((dir, dirIndex) => {
      if (onlyDir !== undefined && dirIndex !== onlyDir) return;
      const entries: PartitionOffset[] = [];
      for (const h of this.hosted.values()) {
        if (h.dirIndex !== dirIndex) continue;
        entries.push({ topic: h.log.topic, partition: h.log.partition, offset: offsetOf(h.log) });
      }
      writeCheckpointFile(path.join(dir, file), entries);
    });
  }

  private writeCheckpointsOfDir(dirIndex: number): void {
    this.writeCheckpoints(RECOVERY_POINT_CHECKPOINT_FILE, (log) => log.recoveryPoint, dirIndex);
    this.writeCheckpoints(LOG_START_OFFSET_CHECKPOINT_FILE, (log) => log.logStartOffset, dirIndex);
    this.writeCheckpoints(REPLICATION_OFFSET_CHECKPOINT_FILE, (log) => log.highWatermark, dirIndex);
  }

  // ---- close --------------------------------------------------------------------------------------

  /**
   * Clean shutdown: timers stopped, pending deletions finished, every log flushed and closed, the
   * checkpoints written, then `.kafka_cleanshutdown` in each log dir so the next start skips recovery.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers.values()) this.clock.clearTimer(t);
    this.timers.clear();
    await Promise.all([...this.pendingDeletes]);
    for (const { log } of this.hosted.values()) log.close();
    this.config.logDirs.forEach((_dir, i) => this.writeCheckpointsOfDir(i));
    for (const dir of this.config.logDirs) writeFileAtomically(path.join(dir, CLEAN_SHUTDOWN_FILE), '');
    this.logger.info(`closed ${this.hosted.size} log(s) cleanly`);
  }

  private track(work: Promise<void>): Promise<void> {
    const tracked = work.catch((err: unknown) => {
      this.logger.error(`background deletion failed: ${String(err)}`);
    });
    this.pendingDeletes.add(tracked);
    return tracked.finally(() => this.pendingDeletes.delete(tracked));
  }

  private assertOpen(): void {
    if (this.closed) throw new LogError('KAFKA_STORAGE_ERROR', 'the log manager is closed');
  }

  // ---- loading ------------------------------------------------------------------------------------

  private loadDir(dir: string, dirIndex: number): void {
    makeDirectory(dir);
    this.checkMetaProperties(dir);
    const state = this.readDirState(dir);
    if (!state.hadCleanShutdown) this.logger.warn(`no clean-shutdown marker in ${dir}: recovering logs`);
    for (const entry of listDirectory(dir)) {
      if (!entry.isDirectory()) continue;
      if (entry.name.endsWith(DELETE_DIR_SUFFIX)) {
        this.track(removeTree(path.join(dir, entry.name)));
        continue;
      }
      const parsed = parsePartitionDirName(entry.name);
      if (parsed === null) {
        this.logger.warn(`ignoring ${path.join(dir, entry.name)}: not a partition directory`);
        continue;
      }
      this.loadLog(dir, dirIndex, parsed.topic, parsed.partition, state);
    }
    removeFileIfExists(path.join(dir, CLEAN_SHUTDOWN_FILE));
    syncDirectory(dir);
  }

  private loadLog(dir: string, dirIndex: number, topic: string, partition: number, state: DirState): void {
    const key = topicPartitionKey(topic, partition);
    const existing = this.hosted.get(key);
    if (existing !== undefined) {
      const where = `${dir} and ${existing.log.dir}`;
      throw new LogError('KAFKA_STORAGE_ERROR', `duplicate log ${topic}-${partition} in ${where}`);
    }
    const log = PartitionLog.open({
      dir: path.join(dir, partitionDirName(topic, partition)),
      topic,
      partition,
      config: this.logConfigFor(topic, {}),
      clock: this.clock,
      logger: this.logger,
      hadCleanShutdown: state.hadCleanShutdown,
      recoveryPoint: state.recoveryPoints.get(key) ?? 0n,
      logStartOffset: state.logStartOffsets.get(key) ?? 0n,
      highWatermark: state.highWatermarks.get(key) ?? 0n,
      prefault: this.prefault,
    });
    this.hosted.set(key, { log, dirIndex });
  }

  private readDirState(dir: string): DirState {
    return {
      hadCleanShutdown: fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_FILE)),
      recoveryPoints: this.readCheckpointMap(path.join(dir, RECOVERY_POINT_CHECKPOINT_FILE)),
      logStartOffsets: this.readCheckpointMap(path.join(dir, LOG_START_OFFSET_CHECKPOINT_FILE)),
      highWatermarks: this.readCheckpointMap(path.join(dir, REPLICATION_OFFSET_CHECKPOINT_FILE)),
    };
  }

  /** A damaged checkpoint is read as empty: recovery then starts from the beginning, which is safe. */
  private readCheckpointMap(file: string): Map<string, bigint> {
    const map = new Map<string, bigint>();
    let entries: PartitionOffset[];
    try {
      entries = readCheckpointFile(file);
    } catch (err) {
      if (err instanceof LogError) throw err;
      this.logger.warn(`ignoring damaged checkpoint ${file}: ${String(err)}`);
      return map;
    }
    for (const e of entries) map.set(topicPartitionKey(e.topic, e.partition), e.offset);
    return map;
  }

  /** meta.properties: written when absent; otherwise broker.id (and cluster.id when known) must match. */
  private checkMetaProperties(dir: string): void {
    const file = path.join(dir, META_PROPERTIES_FILE);
    const text = readTextIfExists(file);
    if (text === null) {
      writeFileAtomically(file, this.formatMetaProperties());
      return;
    }
    const props = new Map(parseProperties(text).map((e) => [e.key, e.value]));
    if (props.get('version') !== String(META_PROPERTIES_VERSION)) {
      throw new ConfigError(`${file}: version ${props.get('version') ?? '(none)'} is not ${META_PROPERTIES_VERSION}`);
    }
    if (props.get('broker.id') !== String(this.config.brokerId)) {
      const stored = props.get('broker.id') ?? '(none)';
      throw new ConfigError(`${file}: stored broker.id ${stored} does not match broker.id ${this.config.brokerId}`);
    }
    const clusterId = props.get('cluster.id');
    if (this.config.clusterId !== undefined && clusterId !== undefined && clusterId !== this.config.clusterId) {
      throw new ConfigError(`${file}: stored cluster.id ${clusterId} does not match ${this.config.clusterId}`);
    }
  }

  private formatMetaProperties(): string {
    const lines = ['#', `#${new Date(this.clock.nowMs()).toUTCString()}`];
    if (this.config.clusterId !== undefined) lines.push(`cluster.id=${this.config.clusterId}`);
    lines.push(`version=${META_PROPERTIES_VERSION}`, `broker.id=${this.config.brokerId}`);
    return lines.join('\n') + '\n';
  }
}

async function removeTree(dir: string): Promise<void> {
  try {
    await fs.promises.rm(dir, { recursive: true, force: true });
  } catch (err) {
    throw storageError(`remove ${dir}`, err);
  }
}
