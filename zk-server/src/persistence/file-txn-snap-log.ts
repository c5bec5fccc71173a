// The persistence façade (upstream FileTxnSnapLog): restore = newest valid snapshot + the logged
// txns after it; while running, the txn log with group commit, the randomised snapshot trigger,
// log roll + fuzzy snapshot, and purge. It never applies txns: the server's data tree does,
// from what loadDatabase returns, and hands snapshots a SnapshotSource.
//
// Layout: snapshots in <dataDir>/version-2, logs in <dataLogDir or dataDir>/version-2. Apache
// ZooKeeper refuses to start from logs without a snapshot, so a brand-new server must write
// snapshot.0 (its empty tree) before it logs anything; upstream also takes a snapshot at the
// last zxid after every restore, which keeps replays short.

import { assert, Logger, Rng } from '../../../shared/src';
import { PRE_ALLOC_SIZE_KB_DEFAULT, SNAP_COUNT_DEFAULT } from '../limits';
import { purgeDataDirs, PurgeResult } from './purge';
import {
  decodeSnapshot,
  findNewestValidSnapshot,
  LoadedSnapshot,
  removeSnapshotTempFiles,
  SnapshotSource,
  writeSnapshot,
  WriteSnapshotOptions,
} from './snapshot';
import { PersistenceError, Storage, versionDir, zxidHex as hex } from './storage';
import { FileTxnLog, LoggedTxn, logEntryBytes, readTxnLogs } from './txn-log';

export { logEntryBytes };

/** A restored data directory; `S` is the snapshot as the caller's decoder gives it. */
export interface RestoredDatabase<S = LoadedSnapshot> {
  /** The newest valid snapshot, or null for a brand-new data directory. */
  snapshot: S | null;
  /** Logged txns with zxid > the snapshot's, in zxid order, to apply on top of it. */
  txns: Iterable<LoggedTxn>;
  /** zxid of the last txn returned, else of the snapshot, else 0. */
  lastZxid: bigint;
}

/**
 * Reads a data directory for restore. Corrupt snapshots (bad checksum, truncated) are skipped for
 * older ones; a torn or corrupt log tail ends the txns with a warning and is cut from its file, so
 * new appends follow the last valid entry. PersistenceError when no snapshot is valid although
 * some exist, or when logs hold txns but there is no snapshot (as upstream: something is broken).
 * `dataLogDir` null means the logs are in dataDir.
 */
export function loadDatabase(
  storage: Storage,
  dataDir: string,
  dataLogDir: string | null,
  log: Logger,
): Promise<RestoredDatabase> {
  return restoreDataDir(storage, dataDir, dataLogDir, log, decodeSnapshot);
}

/**
 * loadDatabase with the snapshot decoded by `decode` (decodeSnapshot, or decodeSnapshotData to
 * keep the database as bytes); `decode` throws CodecError for a corrupt file.
 */
export async function restoreDataDir<S extends { name: string; zxid: bigint }>(
  storage: Storage,
  dataDir: string,
  dataLogDir: string | null,
  log: Logger,
  decode: (bytes: Buffer, name: string) => S,
): Promise<RestoredDatabase<S>> {
  const snapDir = versionDir(dataDir);
  const logDir = versionDir(dataLogDir ?? dataDir);
  await storage.mkdirs(snapDir);
  await storage.mkdirs(logDir);
  const stale = await removeSnapshotTempFiles(storage, snapDir);
  if (stale.length > 0) log.info('removed unfinished snapshot files', { files: stale });
  const found = await findNewestValidSnapshot(storage, snapDir, decode);
  for (const r of found.rejected) log.warn('snapshot is corrupt, trying an older one', r);
  if (found.snapshot === null) {
    if (found.candidates > 0) {
      throw new PersistenceError(`none of the ${found.candidates} snapshots in ${snapDir} is valid`);
    }
    const logs = await readTxnLogs(storage, logDir, -1n, log, { repair: true });
    if (logs.anyEntries) {
      throw new PersistenceError(`no snapshot in ${snapDir}, but ${logDir} holds txns: something is broken`);
    }
    log.info('empty data directory');
    return { snapshot: null, txns: [], lastZxid: 0n };
  }
  const snapshot = found.snapshot;
  const logs = await readTxnLogs(storage, logDir, snapshot.zxid, log, { repair: true });
  const lastZxid = logs.lastZxid ?? snapshot.zxid;
  log.info('data directory loaded', {
    snapshot: snapshot.name,
    txnsToReplay: logs.txns.length,
    lastZxid: hex(lastZxid),
  });
  return { snapshot, txns: logs.txns, lastZxid };
}

/** zookeeper.snapSizeLimitInKb default (4 GiB); 0 or less turns the size trigger off. */
export const SNAP_SIZE_LIMIT_KIB_DEFAULT = 4 * 1024 * 1024;

export interface SnapshotTriggerOptions {
  snapCount?: number;
  snapSizeLimitKiB?: number;
  rng: Rng;
}

/**
 * Decides when to roll the log and snapshot, as upstream SyncRequestProcessor: after more than
 * snapCount/2 + rand(snapCount/2) txns, or more than snapSize/2 + rand(snapSize/2) logged bytes,
 * since the last roll. The random part is drawn again at every roll so the servers of an
 * ensemble do not all snapshot at once.
 */
export class SnapshotTrigger {
  private readonly snapCount: number;
  private readonly snapSizeBytes: number;
  private randRoll = 0;
  private randSizeBytes = 0;
  private txnCount = 0;
  private logBytes = 0;

  constructor(private readonly options: SnapshotTriggerOptions) {
    this.snapCount = options.snapCount ?? SNAP_COUNT_DEFAULT;
    assert(Number.isInteger(this.snapCount) && this.snapCount >= 2, 'snapCount >= 2');
    const snapSizeLimitKiB = options.snapSizeLimitKiB ?? SNAP_SIZE_LIMIT_KIB_DEFAULT;
    this.snapSizeBytes = Math.max(0, snapSizeLimitKiB * 1024);
    this.reset();
  }

  /** Txn count above which the next logged txn triggers (snapCount/2 + the current random part). */
  get countThreshold(): number {
    return Math.floor(this.snapCount / 2) + this.randRoll;
  }

  /** Counts one logged txn of `entryBytes`; true when it is time to roll and snapshot (and restarts). */
  onTxnLogged(entryBytes: number): boolean {
    this.txnCount++;
    this.logBytes += entryBytes;
    const sizeThreshold = Math.floor(this.snapSizeBytes / 2) + this.randSizeBytes;
    const bySize = this.snapSizeBytes > 0 && this.logBytes > sizeThreshold;
    if (this.txnCount <= this.countThreshold && !bySize) return false;
    this.reset();
    return true;
  }

  private reset(): void {
    this.randRoll = this.options.rng.int(Math.floor(this.snapCount / 2));
    this.randSizeBytes = Math.floor(this.options.rng.next() * Math.floor(this.snapSizeBytes / 2));
    this.txnCount = 0;
    this.logBytes = 0;
  }
}

export interface TxnSnapLogConfig {
  dataDir: string;
  /** null: logs live in dataDir. */
  dataLogDir: string | null;
  snapCount?: number;
  snapSizeLimitKiB?: number;
  preAllocSizeKiB?: number;
  forceSync?: boolean;
}

/** One data directory while the server runs: txn log, snapshot trigger, snapshots, purge. */
export class FileTxnSnapLog {
  readonly txnLog: FileTxnLog;
  private readonly trigger: SnapshotTrigger;
  private snapshotRunning = false;

  private constructor(
    private readonly storage: Storage,
    private readonly config: TxnSnapLogConfig,
    lastZxid: bigint,
    rng: Rng,
    private readonly log: Logger,
  ) {
    this.txnLog = new FileTxnLog(storage, versionDir(config.dataLogDir ?? config.dataDir), {
      preAllocSizeKiB: config.preAllocSizeKiB ?? PRE_ALLOC_SIZE_KB_DEFAULT,
      forceSync: config.forceSync ?? true,
      lastZxid,
      logger: log,
    });
    this.trigger = new SnapshotTrigger({
      snapCount: config.snapCount,
      snapSizeLimitKiB: config.snapSizeLimitKiB,
      rng,
    });
  }

  /** Restores the data directory and opens it for appending after the restored txns. */
  static async open(
    storage: Storage,
    config: TxnSnapLogConfig,
    rng: Rng,
    log: Logger,
  ): Promise<{ snapLog: FileTxnSnapLog; restored: RestoredDatabase }> {
    const restored = await loadDatabase(storage, config.dataDir, config.dataLogDir, log);
    return { snapLog: new FileTxnSnapLog(storage, config, restored.lastZxid, rng, log), restored };
  }

  /**
   * Buffers a txn (see TxnLog.append). Returns true when a snapshot is due: the log has then been
   * rolled, and the caller should call snapshot() once the txns so far are applied.
   */
  append(txn: LoggedTxn): boolean {
    this.txnLog.append(txn);
    if (!this.trigger.onTxnLogged(logEntryBytes(txn))) return false;
    this.txnLog.rollLog();
    return true;
  }

  commit(): Promise<void> {
    return this.txnLog.commit();
  }

  rollLog(): void {
    this.txnLog.rollLog();
  }

  /** Writes a fuzzy snapshot; null (with a warning) if one is still being written, as upstream. */
  async snapshot(src: SnapshotSource, options?: WriteSnapshotOptions): Promise<string | null> {
    if (this.snapshotRunning) {
      this.log.warn('too busy to snapshot, skipping', { zxid: hex(src.zxid) });
      return null;
    }
    this.snapshotRunning = true;
    try {
      const path = await writeSnapshot(this.storage, this.config.dataDir, src, options);
      this.log.info('snapshot written', { path });
      return path;
    } finally {
      this.snapshotRunning = false;
    }
  }

  /** Keeps the `retainCount` newest snapshots and the logs they need. */
  purge(retainCount: number): Promise<PurgeResult> {
    const { dataDir, dataLogDir } = this.config;
    return purgeDataDirs(this.storage, dataDir, dataLogDir, retainCount, this.log);
  }

  close(): Promise<void> {
    return this.txnLog.close();
  }
}
