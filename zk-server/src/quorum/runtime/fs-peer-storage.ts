// PeerStorage on disk: an ensemble member's snapshots and txn log in the standalone server's layout
// and Apache ZooKeeper's formats (persistence/), so either can restore what the other wrote, plus
// the two epoch files upstream keeps beside the snapshots: version-2/acceptedEpoch and
// version-2/currentEpoch, each the number in decimal text, replaced atomically.
// Writes are queued in call order and carried out, in that order, by the next sync(); a write
// that vouches for earlier ones (an epoch for the txns before it, a leader's snapshot for the
// removal of the log) waits until they are durable. It never interprets a txn.

import * as nodePath from 'node:path';
import { assert, Logger } from '../../../../shared/src';
import { DataTree } from '../../data/data-tree';
import { restoreDataDir } from '../../persistence/file-txn-snap-log';
import { purgeDataDirs, PurgeResult } from '../../persistence/purge';
import {
  decodeSnapshotData,
  encodeDatabase,
  listSnapshots,
  writeSnapshotData,
} from '../../persistence/snapshot';
import { NodeStorage, PersistenceError, readWholeFile, Storage, versionDir } from '../../persistence/storage';
import { encodeTxnBytes, FileTxnLog } from '../../persistence/txn-log';
import { databaseSourceOf } from '../../persistence/zk-database';
import { PRE_ALLOC_SIZE_KB_DEFAULT } from '../../limits';
import { LoggedTxn } from '../core/history';
import { EpochFiles, StateSnapshot } from '../core/ready';
import { epochOf, hexZxid } from '../core/zxid';
import { PeerStorage, PeerStorageWrite, RecoveredPeer } from './peer-runtime';

export const ACCEPTED_EPOCH_FILE = 'acceptedEpoch';
export const CURRENT_EPOCH_FILE = 'currentEpoch';
/** Upstream AtomicFileOutputStream's temp suffix. */
const EPOCH_TEMP_SUFFIX = '.tmp';
/** An epoch file holds one long in decimal, optionally followed by a line break. */
const EPOCH_TEXT = /^(-?\d{1,19})(\r?\n)?$/;

export interface FsPeerStorageOptions {
  dataDir: string;
  /** null: logs live in dataDir. */
  dataLogDir: string | null;
  /** zoo.cfg preAllocSize in KiB; 0 turns preallocation off. Default 65536. */
  preAllocSizeKiB?: number;
  /** fsync the log on sync (zoo.cfg forceSync). Default true. Snapshots and epochs always are. */
  forceSync?: boolean;
  /**
   * zoo.cfg snapCount: a log file holds at most this many txns, as upstream rolls its log at the
   * latest every snapCount txns; saveSnapshot rolls it as well. 0 or absent: no such bound.
   */
  snapCount?: number;
  /** Defaults to node:fs. */
  storage?: Storage;
}

type Write = PeerStorageWrite;

interface Epochs {
  acceptedEpoch: number;
  currentEpoch: number;
}

export class FsPeerStorage implements PeerStorage {
  private readonly snapDir: string;
  private recovered: RecoveredPeer | null;
  private queue: Write[] = [];
  /** Syncs (and purges) run one after another, each on the writes queued before it. */
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private closed = false;
  private txnsSinceRoll = 0;
  // as of the calls made so far, to check each call against the ones before it
  private lastZxid: bigint;
  private snapshotZxid: bigint;
  private epochs: Epochs;

  private constructor(
    private readonly storage: Storage,
    private readonly options: FsPeerStorageOptions,
    private readonly txnLog: FileTxnLog,
    recovered: RecoveredPeer,
    lastZxid: bigint,
    private readonly log: Logger,
  ) {
    this.snapDir = versionDir(options.dataDir);
    this.recovered = recovered;
    this.lastZxid = lastZxid;
    this.snapshotZxid = recovered.snapshot?.zxid ?? 0n;
    this.epochs = { acceptedEpoch: recovered.acceptedEpoch, currentEpoch: recovered.currentEpoch };
  }

  /**
   * Restores the data directory as the standalone server does (newest valid snapshot, the log
   * after it, torn tails cut) and reads the epoch files. A new directory gets snapshot.0 of the
   * initial tree first, as upstream writes one, so that no log is ever without a snapshot.
   */
  static async open(options: FsPeerStorageOptions, logger: Logger): Promise<FsPeerStorage> {
    const storage = options.storage ?? new NodeStorage();
    const { dataDir, dataLogDir } = options;
    const restored = await restoreDataDir(storage, dataDir, dataLogDir, logger, decodeSnapshotData);
    let snapshot: StateSnapshot;
    if (restored.snapshot !== null) {
      snapshot = { zxid: restored.snapshot.zxid, data: restored.snapshot.data };
    } else {
      snapshot = { zxid: 0n, data: encodeDatabase(databaseSourceOf(new DataTree(), [])) };
      await writeSnapshotData(storage, dataDir, snapshot);
      logger.info('new data directory: wrote snapshot.0 of the initial tree');
    }
    const txns: LoggedTxn[] = [];
    for (const t of restored.txns) txns.push({ zxid: t.header.zxid, bytes: encodeTxnBytes(t) });
    const epochs = await loadEpochs(storage, versionDir(dataDir), restored.lastZxid, logger);
    const txnLog = new FileTxnLog(storage, versionDir(dataLogDir ?? dataDir), {
      preAllocSizeKiB: options.preAllocSizeKiB ?? PRE_ALLOC_SIZE_KB_DEFAULT,
      forceSync: options.forceSync ?? true,
      lastZxid: restored.lastZxid,
      logger,
    });
    logger.info('peer storage opened', {
      acceptedEpoch: epochs.acceptedEpoch,
      currentEpoch: epochs.currentEpoch,
      snapshotZxid: hexZxid(snapshot.zxid),
      txnsAfterSnapshot: txns.length,
      lastZxid: hexZxid(restored.lastZxid),
    });
    const recovered: RecoveredPeer = { ...epochs, snapshot, txns };
    return new FsPeerStorage(storage, options, txnLog, recovered, restored.lastZxid, logger);
  }

  /** The directory as open() found it; a restarted member reopens rather than asking again. */
  recover(): RecoveredPeer {
    assert(this.recovered !== null, 'recover() after writes: reopen the storage to read it again');
    return this.recovered;
  }

  installSnapshot(snapshot: StateSnapshot): void {
    this.enqueue({ kind: 'install', snapshot });
    this.snapshotZxid = snapshot.zxid;
    this.lastZxid = snapshot.zxid;
  }

  truncateLogTo(zxid: bigint): void {
    const below = `truncate to ${hexZxid(zxid)} below the snapshot ${hexZxid(this.snapshotZxid)}`;
    assert(zxid >= this.snapshotZxid, below);
    this.enqueue({ kind: 'truncate', zxid });
    if (zxid < this.lastZxid) this.lastZxid = zxid;
  }

  appendTxns(txns: readonly LoggedTxn[]): void {
    for (const t of txns) {
      assert(t.zxid > this.lastZxid, `log append ${hexZxid(t.zxid)} after ${hexZxid(this.lastZxid)}`);
      this.lastZxid = t.zxid;
    }
    this.enqueue({ kind: 'append', txns: [...txns] });
  }

  writeEpochs(epochs: EpochFiles): void {
    const next = { ...this.epochs, ...epochs };
    const above = `currentEpoch ${next.currentEpoch} above acceptedEpoch ${next.acceptedEpoch}`;
    assert(next.currentEpoch <= next.acceptedEpoch, above);
    this.epochs = next;
    this.enqueue({ kind: 'epochs', epochs: { ...epochs } });
  }

  saveSnapshot(snapshot: StateSnapshot): void {
    const behind = `snapshot ${hexZxid(snapshot.zxid)} behind ${hexZxid(this.snapshotZxid)}`;
    assert(snapshot.zxid >= this.snapshotZxid, behind);
    this.enqueue({ kind: 'snapshot', snapshot });
    this.snapshotZxid = snapshot.zxid;
  }

  sync(done: (error?: Error) => void): void {
    assert(!this.closed, 'sync after close');
    this.runInOrder(this.takeQueue()).then(
      () => done(),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** Keeps the `retainCount` newest snapshots and the logs they need (autopurge), between syncs. */
  purge(retainCount: number): Promise<PurgeResult> {
    const { dataDir, dataLogDir } = this.options;
    const purge = (): Promise<PurgeResult> =>
      purgeDataDirs(this.storage, dataDir, dataLogDir, retainCount, this.log);
    const run = this.chain.then(purge);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Carries out the writes not synced yet (nothing is lost by doing more), then closes the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      // a failure already reported by a sync is not reported again
      if (this.failure === null) await this.runInOrder(this.takeQueue());
      else await this.chain;
    } finally {
      await this.txnLog.close();
    }
  }

  private enqueue(write: Write): void {
    assert(!this.closed, `${write.kind} after close`);
    this.recovered = null;
    this.queue.push(write);
  }

  private takeQueue(): Write[] {
    const batch = this.queue;
    this.queue = [];
    return batch;
  }

  private runInOrder(batch: Write[]): Promise<void> {
    const run = this.chain.then(() => this.carryOut(batch));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Once a write fails, none after it is made: every later sync fails with the same error. */
  private async carryOut(batch: Write[]): Promise<void> {
    if (this.failure !== null) throw this.failure;
    try {
      for (const write of batch) await this.carryOutOne(write);
      await this.txnLog.commit();
    } catch (err) {
      const wrapped = new PersistenceError('peer storage write failed', { cause: err });
      this.failure = err instanceof PersistenceError ? err : wrapped;
      this.log.error('peer storage write failed; no further write is made', { error: String(err) });
      throw this.failure;
    }
  }

  private async carryOutOne(write: Write): Promise<void> {
    switch (write.kind) {
      case 'append':
        for (const t of write.txns) this.logTxn(t);
        return;
      case 'truncate':
        this.txnsSinceRoll = 0;
        return this.txnLog.truncate(write.zxid);
      case 'epochs':
        // an epoch vouches for the txns logged before it (NEWLEADER's currentEpoch follows the
        // synced txns): they must not be lost while the epoch survives
        await this.txnLog.commit();
        return this.writeEpochFiles(write.epochs);
      case 'install':
        return this.install(write.snapshot);
      case 'snapshot':
        // the txns logged so far stay where they are; purge can remove their file once older
        // snapshots go
        this.txnLog.rollLog();
        this.txnsSinceRoll = 0;
        await writeSnapshotData(this.storage, this.options.dataDir, write.snapshot);
        this.log.info('snapshot written', { zxid: hexZxid(write.snapshot.zxid) });
        return;
    }
  }

  private logTxn(t: LoggedTxn): void {
    const perFileMax = this.options.snapCount ?? 0;
    if (perFileMax > 0 && this.txnsSinceRoll >= perFileMax) {
      this.txnLog.rollLog();
      this.txnsSinceRoll = 0;
    }
    this.txnLog.appendRaw(t.zxid, t.bytes);
    this.txnsSinceRoll++;
  }

  /**
   * The leader's snapshot replaces snapshot and log. It is durable before anything older goes,
   * and newer snapshots go before the logs, so a crash part way leaves either the old state with
   * this snapshot beside it, or this snapshot with old logs above it: the next sync with a leader
   * truncates those, as any txn not known to be committed.
   */
  private async install(snapshot: StateSnapshot): Promise<void> {
    await writeSnapshotData(this.storage, this.options.dataDir, snapshot);
    let removed = 0;
    for (const s of await listSnapshots(this.storage, this.snapDir)) {
      if (s.zxid <= snapshot.zxid) continue;
      await this.storage.remove(nodePath.join(this.snapDir, s.name));
      removed++;
    }
    if (removed > 0) await this.storage.fsyncDir(this.snapDir);
    this.txnsSinceRoll = 0;
    await this.txnLog.truncate(0n);
    this.log.info('installed the leader snapshot; the log starts over', { zxid: hexZxid(snapshot.zxid) });
  }

  /** acceptedEpoch first: on disk, currentEpoch never exceeds it. */
  private async writeEpochFiles(epochs: EpochFiles): Promise<void> {
    if (epochs.acceptedEpoch !== undefined) {
      await writeEpochFile(this.storage, this.snapDir, ACCEPTED_EPOCH_FILE, epochs.acceptedEpoch);
    }
    if (epochs.currentEpoch !== undefined) {
      await writeEpochFile(this.storage, this.snapDir, CURRENT_EPOCH_FILE, epochs.currentEpoch);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Epoch files

/** Replaces `dir/name` atomically: temp file, fsync, rename, fsync of the directory. */
async function writeEpochFile(
  storage: Storage,
  dir: string,
  name: string,
  epoch: number,
): Promise<void> {
  assert(Number.isSafeInteger(epoch), `epoch ${epoch}`);
  const path = nodePath.join(dir, name);
  const temp = path + EPOCH_TEMP_SUFFIX;
  await storage.remove(temp);
  const file = await storage.open(temp, 'create');
  try {
    await file.write(Buffer.from(String(epoch)), 0);
    await file.fsync();
  } catch (err) {
    await file.close().catch(() => undefined);
    await storage.remove(temp).catch(() => undefined);
    throw err;
  }
  await file.close();
  await storage.rename(temp, path);
  await storage.fsyncDir(dir);
}

/** The epoch in `dir/name`, or null when there is no such file. */
async function readEpochFile(
  storage: Storage,
  dir: string,
  name: string,
): Promise<number | null> {
  const path = nodePath.join(dir, name);
  if ((await storage.size(path)) === null) return null;
  const text = (await readWholeFile(storage, path)).toString('latin1');
  const match = EPOCH_TEXT.exec(text);
  const epoch = match === null ? NaN : Number(match[1]);
  if (!Number.isSafeInteger(epoch)) {
    throw new PersistenceError(`found "${text}" in ${path}, not an epoch`);
  }
  return epoch;
}

/**
 * The epoch files, as upstream QuorumPeer.loadDataBase reads them: a missing one is taken to be
 * the epoch of the last logged zxid and written. Unlike upstream, a currentEpoch behind the log
 * is kept: a Ready logs its txns before it writes its epochs, so a crash between the two leaves
 * exactly that (NEWLEADER, UPTODATE and the first PROPOSAL of the epoch handled in one Ready),
 * and the NEWLEADER ACK that the lost epoch would have vouched for was never sent.
 */
async function loadEpochs(
  storage: Storage,
  snapDir: string,
  lastZxid: bigint,
  logger: Logger,
): Promise<Epochs> {
  const epochOfZxid = epochOf(lastZxid);
  let currentEpoch = await readEpochFile(storage, snapDir, CURRENT_EPOCH_FILE);
  if (currentEpoch === null) {
    currentEpoch = epochOfZxid;
    logger.info('no currentEpoch file: taking the epoch of the last zxid', {
      currentEpoch,
      lastZxid: hexZxid(lastZxid),
    });
    await writeEpochFile(storage, snapDir, CURRENT_EPOCH_FILE, currentEpoch);
  } else if (epochOfZxid > currentEpoch) {
    logger.warn('the log holds txns of an epoch after currentEpoch, written before a crash', {
      currentEpoch,
      lastZxid: hexZxid(lastZxid),
    });
  }
  let acceptedEpoch = await readEpochFile(storage, snapDir, ACCEPTED_EPOCH_FILE);
  if (acceptedEpoch === null) {
    acceptedEpoch = epochOfZxid;
    logger.info('no acceptedEpoch file: taking the epoch of the last zxid', {
      acceptedEpoch,
      lastZxid: hexZxid(lastZxid),
    });
    await writeEpochFile(storage, snapDir, ACCEPTED_EPOCH_FILE, acceptedEpoch);
  }
  if (acceptedEpoch < currentEpoch) {
    const message = `the accepted epoch ${acceptedEpoch} is less than the current epoch ${currentEpoch}`;
    throw new PersistenceError(`${message} in ${snapDir}`);
  }
  return { acceptedEpoch, currentEpoch };
}
