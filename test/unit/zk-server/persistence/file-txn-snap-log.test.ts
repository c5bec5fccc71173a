import { seededRng } from '../../../../shared/src';
import {
  FileTxnSnapLog,
  loadDatabase,
  logEntryBytes,
  SnapshotTrigger,
} from '../../../../zk-server/src/persistence/file-txn-snap-log';
import { listSnapshots, SnapshotSource, writeSnapshot } from '../../../../zk-server/src/persistence/snapshot';
import { PersistenceError } from '../../../../zk-server/src/persistence/storage';
import { encodeTxnEntry, FileTxnLog, listLogFiles, LoggedTxn } from '../../../../zk-server/src/persistence/txn-log';
import {
  applyToModel,
  captureLogger,
  createRun,
  MemoryStorage,
  modelFromSnapshot,
  modelNodes,
  ModelTree,
  OPEN_ACL,
  stat,
  txns,
} from './helpers';

const DATA = '/data';
const LOGS = '/logs';
const QUIET = captureLogger().logger;

function emptyTree(): ModelTree {
  return modelFromSnapshot(
    [
      { path: '', data: Buffer.alloc(0), aclIndex: -1n, stat: stat(0n) },
      { path: '/zookeeper', data: Buffer.alloc(0), aclIndex: -1n, stat: stat(0n) },
    ],
    new Map(),
  );
}

function sourceOf(tree: ModelTree, zxid: bigint): SnapshotSource {
  return { sessions: [], acls: tree.acls, nodes: () => modelNodes(tree), zxid, digest: null };
}

describe('loadDatabase', () => {
  test('a brand-new data directory restores nothing, at zxid 0', async () => {
    const storage = new MemoryStorage();
    const restored = await loadDatabase(storage, DATA, null, QUIET);
    expect(restored).toEqual({ snapshot: null, txns: [], lastZxid: 0n });
    expect(storage.dirs.has('/data/version-2')).toBe(true);
  });

  test('logs without any snapshot are refused, as upstream does', async () => {
    const storage = new MemoryStorage();
    const log = new FileTxnLog(storage, `${DATA}/version-2`, { logger: QUIET, preAllocSizeKiB: 16 });
    log.append(txns.create(1n, '/a'));
    await log.commit();
    await log.close();
    await expect(loadDatabase(storage, DATA, null, QUIET)).rejects.toThrow(/no snapshot.*something is broken/);
  });

  test('snapshots that all fail their checksums are refused', async () => {
    const storage = new MemoryStorage();
    await writeSnapshot(storage, DATA, sourceOf(emptyTree(), 0n));
    const path = `${DATA}/version-2/snapshot.0`;
    const bytes = Buffer.from(storage.bytes(path));
    bytes[30] ^= 1;
    storage.setBytes(path, bytes);
    await expect(loadDatabase(storage, DATA, null, QUIET)).rejects.toBeInstanceOf(PersistenceError);
  });

  test('logs in dataLogDir, snapshots in dataDir; txns after the snapshot only', async () => {
    const storage = new MemoryStorage();
    await writeSnapshot(storage, DATA, sourceOf(emptyTree(), 0n));
    const log = new FileTxnLog(storage, `${LOGS}/version-2`, { logger: QUIET, preAllocSizeKiB: 16 });
    for (const t of createRun(1n, 10n)) log.append(t);
    await log.commit();
    await log.close();
    await writeSnapshot(storage, DATA, sourceOf(emptyTree(), 6n)); // content does not matter here
    const restored = await loadDatabase(storage, DATA, LOGS, QUIET);
    expect(restored.snapshot?.zxid).toBe(6n);
    expect([...restored.txns].map((t) => t.header.zxid)).toEqual([7n, 8n, 9n, 10n]);
    expect(restored.lastZxid).toBe(10n);
  });

  test('a torn newest snapshot falls back to the older one and replays the logs from there', async () => {
    const storage = new MemoryStorage();
    await writeSnapshot(storage, DATA, sourceOf(emptyTree(), 0n));
    const log = new FileTxnLog(storage, `${DATA}/version-2`, { logger: QUIET, preAllocSizeKiB: 16 });
    for (const t of createRun(1n, 8n)) log.append(t);
    await log.commit();
    await log.close();
    await writeSnapshot(storage, DATA, sourceOf(emptyTree(), 5n));
    const newest = `${DATA}/version-2/snapshot.5`;
    storage.setBytes(newest, storage.bytes(newest).subarray(0, 60)); // a crash mid-write
    const { logger, lines } = captureLogger();
    const restored = await loadDatabase(storage, DATA, null, logger);
    expect(restored.snapshot?.name).toBe('snapshot.0');
    expect([...restored.txns].map((t) => t.header.zxid)).toEqual(createRun(1n, 8n).map((t) => t.header.zxid));
    expect(lines.some((l) => l.level === 'warn' && l.name === 'snapshot.5')).toBe(true);
  });

  test('an unfinished snapshot temp file is removed', async () => {
    const storage = new MemoryStorage();
    await writeSnapshot(storage, DATA, sourceOf(emptyTree(), 0n));
    storage.setBytes(`${DATA}/version-2/.snapshot.9.tmp`, Buffer.from('partial'));
    await loadDatabase(storage, DATA, null, QUIET);
    expect(await storage.list(`${DATA}/version-2`)).toEqual(['snapshot.0']);
  });
});

describe('SnapshotTrigger', () => {
  test('fires after snapCount/2 + rand(snapCount/2) txns, drawing again at each roll', () => {
    const trigger = new SnapshotTrigger({ snapCount: 100, snapSizeLimitKiB: 0, rng: seededRng(7) });
    const gaps: number[] = [];
    let since = 0;
    for (let i = 0; i < 5000; i++) {
      since++;
      const threshold = trigger.countThreshold;
      if (trigger.onTxnLogged(100)) {
        expect(since).toBe(threshold + 1);
        gaps.push(since);
        since = 0;
      }
    }
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(51);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(100);
    expect(new Set(gaps).size).toBeGreaterThan(10); // randomised
  });

  test('the same seed gives the same schedule', () => {
    const schedule = (seed: number): number[] => {
      const t = new SnapshotTrigger({ snapCount: 1000, rng: seededRng(seed) });
      const fired: number[] = [];
      for (let i = 0; i < 10_000; i++) if (t.onTxnLogged(50)) fired.push(i);
      return fired;
    };
    expect(schedule(3)).toEqual(schedule(3));
    expect(schedule(3)).not.toEqual(schedule(4));
  });

  test('also fires on logged bytes: snapSize/2 + rand(snapSize/2)', () => {
    const trigger = new SnapshotTrigger({ snapCount: 1_000_000, snapSizeLimitKiB: 64, rng: seededRng(1) });
    let bytes = 0;
    let fired = false;
    while (!fired) {
      bytes += 1000;
      fired = trigger.onTxnLogged(1000);
    }
    expect(bytes).toBeGreaterThan(32 * 1024);
    expect(bytes).toBeLessThanOrEqual(64 * 1024 + 1000);
  });

  test('logEntryBytes is the size of the entry in the file', () => {
    for (const t of [txns.create(1n, '/a'), txns.error(2n), txns.multi(3n, '/m')]) {
      expect(logEntryBytes(t)).toBe(encodeTxnEntry(t).length);
    }
  });
});

describe('FileTxnSnapLog', () => {
  /** A tiny server loop: append, commit, apply; snapshot when due; restart and check. */
  async function run(tree: ModelTree, snapLog: FileTxnSnapLog, batch: LoggedTxn[]): Promise<number> {
    let snapshots = 0;
    const due: boolean[] = batch.map((t) => snapLog.append(t));
    await snapLog.commit();
    for (let i = 0; i < batch.length; i++) {
      applyToModel(tree, batch[i]!);
      if (due[i]) {
        await snapLog.snapshot(sourceOf(tree, batch[i]!.header.zxid));
        snapshots++;
      }
    }
    return snapshots;
  }

  test('fresh start, snapshot.0, rolls and snapshots every ~snapCount txns, purge, restart restores the same tree', async () => {
    const storage = new MemoryStorage();
    const config = { dataDir: DATA, dataLogDir: LOGS, snapCount: 20, preAllocSizeKiB: 16 };
    const opened = await FileTxnSnapLog.open(storage, config, seededRng(11), QUIET);
    expect(opened.restored.snapshot).toBeNull();
    const tree = emptyTree();
    await opened.snapLog.snapshot(sourceOf(tree, 0n)); // a brand-new server writes snapshot.0 first
    let snapshots = 0;
    for (let z = 1n; z <= 200n; z += 10n) snapshots += await run(tree, opened.snapLog, createRun(z, z + 9n));
    expect(snapshots).toBeGreaterThanOrEqual(200 / 20);
    expect(snapshots).toBeLessThanOrEqual(200 / 10);
    // a new log after each snapshot: every log but the first starts right after a snapshot's zxid
    const snapZxids = new Set((await listSnapshots(storage, `${DATA}/version-2`)).map((s) => s.zxid));
    const logStarts = (await listLogFiles(storage, `${LOGS}/version-2`)).map((f) => f.startZxid);
    expect(logStarts[0]).toBe(1n);
    for (const start of logStarts.slice(1)) expect(snapZxids.has(start - 1n)).toBe(true);
    expect(logStarts.length).toBeGreaterThanOrEqual(snapshots);
    const purged = await opened.snapLog.purge(3);
    expect((await storage.list(`${DATA}/version-2`)).length).toBe(3);
    expect(purged.removed.length).toBeGreaterThan(0);
    await opened.snapLog.close();

    const again = await FileTxnSnapLog.open(storage, config, seededRng(12), QUIET);
    expect(again.restored.lastZxid).toBe(200n);
    const restoredTree = modelFromSnapshot(again.restored.snapshot!.nodes, again.restored.snapshot!.acls);
    for (const t of again.restored.txns) applyToModel(restoredTree, t);
    expect(modelNodes(restoredTree)).toEqual(modelNodes(tree));
    // and appends continue after the restored zxid
    again.snapLog.append(txns.create(201n, '/after'));
    await again.snapLog.commit();
    await again.snapLog.close();
  });

  test('a crash loses only txns not committed; restart appends after the last durable one', async () => {
    const storage = new MemoryStorage();
    const config = { dataDir: DATA, dataLogDir: null, snapCount: 1000, preAllocSizeKiB: 16 };
    const opened = await FileTxnSnapLog.open(storage, config, seededRng(1), QUIET);
    await opened.snapLog.snapshot(sourceOf(emptyTree(), 0n));
    for (const t of createRun(1n, 5n)) opened.snapLog.append(t);
    await opened.snapLog.commit();
    for (const t of createRun(6n, 9n)) opened.snapLog.append(t);
    storage.crash();
    const again = await FileTxnSnapLog.open(storage, config, seededRng(1), QUIET);
    expect(again.restored.lastZxid).toBe(5n);
    again.snapLog.append(txns.create(6n, '/six'));
    await again.snapLog.commit();
    await again.snapLog.close();
    const third = await loadDatabase(storage, DATA, null, QUIET);
    expect([...third.txns].map((t) => t.header.zxid)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
  });

  test('a second snapshot while one is being written is skipped', async () => {
    const storage = new MemoryStorage();
    const opened = await FileTxnSnapLog.open(storage, { dataDir: DATA, dataLogDir: null }, seededRng(1), QUIET);
    const tree = emptyTree();
    for (let i = 0; i < 3000; i++) {
      tree.nodes.set(`/n${String(i).padStart(5, '0')}`, { path: `/n${String(i).padStart(5, '0')}`, data: Buffer.alloc(200), aclIndex: 1n, stat: stat(1n) });
    }
    tree.acls.set(1n, OPEN_ACL);
    const first = opened.snapLog.snapshot(sourceOf(tree, 0n), { chunkBytes: 1024 });
    const second = await opened.snapLog.snapshot(sourceOf(tree, 0n));
    expect(second).toBeNull();
    expect(await first).toBe(`${DATA}/version-2/snapshot.0`);
    await opened.snapLog.close();
  });
});
