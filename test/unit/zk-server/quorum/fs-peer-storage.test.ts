import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { AssertionFailure, ByteReader, seededRng } from '../../../../shared/src';
import { DataTree } from '../../../../zk-server/src/data/data-tree';
import { FileTxnSnapLog, loadDatabase } from '../../../../zk-server/src/persistence/file-txn-snap-log';
import {
  decodeDatabase,
  decodeSnapshot,
  encodeDatabase,
  SnapshotDatabase,
} from '../../../../zk-server/src/persistence/snapshot';
import { NodeStorage, OpenMode, PersistenceError, Storage, StorageFile } from '../../../../zk-server/src/persistence/storage';
import * as persisted from '../../../../zk-server/src/persistence/txn-log';
import { databaseSourceOf, loadDatabaseInto } from '../../../../zk-server/src/persistence/zk-database';
import { decodeTxn } from '../../../../zk-server/src/protocol/txn-codec';
import { LoggedTxn } from '../../../../zk-server/src/quorum/core/history';
import { skipSerializedDatabase } from '../../../../zk-server/src/quorum/core/messages';
import { StateSnapshot } from '../../../../zk-server/src/quorum/core/ready';
import { makeZxid } from '../../../../zk-server/src/quorum/core/zxid';
import { FsPeerStorage, FsPeerStorageOptions } from '../../../../zk-server/src/quorum/runtime/fs-peer-storage';
import { PeerRuntime, PeerStorage } from '../../../../zk-server/src/quorum/runtime/peer-runtime';
import { clientTxn } from '../../../sim/sim-cluster';
import { SimClock } from '../../../support/sim-clock';
import { SimNetwork } from '../../../support/sim-network';
import { SimStateMachine } from '../../../support/sim-state-machine';
import {
  captureLogger,
  createRun,
  FaultyStorage,
  ioError,
  MemoryStorage,
  removeDir,
  tempDir,
  txns,
} from '../persistence/helpers';

const QUIET = captureLogger().logger;
const UPSTREAM_SNAPSHOT_0 = nodePath.join(__dirname, '../../../fixtures/zk-data/apache-3.8/version-2/snapshot.0');

const raw = (t: persisted.LoggedTxn): LoggedTxn => ({ zxid: t.header.zxid, bytes: persisted.encodeTxnBytes(t) });

/** Creates of /n<zxid>, counters from..to of `epoch`, as a leader would log them. */
function run(epoch: number, from: number, to: number, prefix = '/n'): LoggedTxn[] {
  return createRun(makeZxid(epoch, from), makeZxid(epoch, to), prefix).map(raw);
}

const zxids = (ts: readonly LoggedTxn[]): bigint[] => ts.map((t) => t.zxid);

/** What a member writes before it logs txns of `epoch`: the epoch files never lag the log. */
function enterEpoch(storage: FsPeerStorage, epoch: number): void {
  storage.writeEpochs({ acceptedEpoch: epoch, currentEpoch: epoch });
}

function sync(storage: FsPeerStorage): Promise<void> {
  return new Promise((resolve, reject) => storage.sync((error) => (error === undefined ? resolve() : reject(error))));
}

/** The replicated state as the server keeps it: a data tree with txns applied in order. */
class Replica {
  tree = new DataTree();

  static from(snapshot: StateSnapshot | SnapshotDatabase | null, txns: Iterable<LoggedTxn | persisted.LoggedTxn> = []): Replica {
    const r = new Replica();
    if (snapshot !== null) r.load('data' in snapshot ? decodeDatabase(snapshot.data) : snapshot);
    for (const t of txns) r.apply(t);
    return r;
  }

  private load(db: SnapshotDatabase): void {
    loadDatabaseInto(this.tree, db);
  }

  apply(t: LoggedTxn | persisted.LoggedTxn): void {
    const { header, body } = 'bytes' in t ? persisted.decodeTxnBytes(t.bytes) : t;
    this.tree.applyTxn(header, decodeTxn(header.type, new ByteReader(body)));
    this.tree.lastProcessedZxid = header.zxid;
  }

  snapshot(): StateSnapshot {
    return { zxid: this.tree.lastProcessedZxid, data: encodeDatabase(databaseSourceOf(this.tree, [])) };
  }

  nodes(): Array<[string, string | null, unknown]> {
    return nodesOf(this.tree);
  }
}

/** Every node with its data and persisted stat, by path. */
function nodesOf(tree: DataTree): Array<[string, string | null, unknown]> {
  return [...tree.paths()].sort().map((p) => {
    const n = tree.getNode(p)!;
    return [p, n.data === null ? null : n.data.toString('hex'), n.persisted()];
  });
}

describe('FsPeerStorage on a real directory', () => {
  let dir: string;
  let versionDir: string;
  const opened: FsPeerStorage[] = [];

  beforeEach(() => {
    dir = tempDir('fs-peer-storage');
    versionDir = nodePath.join(dir, 'version-2');
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    removeDir(dir);
  });

  async function open(extra: Partial<FsPeerStorageOptions> = {}): Promise<FsPeerStorage> {
    const storage = await FsPeerStorage.open({ dataDir: dir, dataLogDir: null, preAllocSizeKiB: 16, ...extra }, QUIET);
    opened.push(storage);
    return storage;
  }

  async function reopen(storage: FsPeerStorage, extra: Partial<FsPeerStorageOptions> = {}): Promise<FsPeerStorage> {
    await storage.close();
    return open(extra);
  }

  const files = (prefix: string): string[] => fs.readdirSync(versionDir).filter((f) => f.startsWith(prefix)).sort();
  const text = (name: string): string => fs.readFileSync(nodePath.join(versionDir, name), 'latin1');

  test('a new directory gets snapshot.0 of the initial tree, as upstream has it, and epochs 0', async () => {
    const storage = await open();
    const recovered = storage.recover();
    expect(recovered).toMatchObject({ acceptedEpoch: 0, currentEpoch: 0, txns: [] });
    expect(recovered.snapshot!.zxid).toBe(0n);
    expect(files('snapshot')).toEqual(['snapshot.0']);
    expect([text('acceptedEpoch'), text('currentEpoch')]).toEqual(['0', '0']);
    const upstream = decodeSnapshot(fs.readFileSync(UPSTREAM_SNAPSHOT_0), 'snapshot.0');
    expect(Replica.from(recovered.snapshot).nodes()).toEqual(Replica.from(upstream).nodes());
  });

  test('appended txns come back after sync and reopen, byte for byte, from a log named by the first', async () => {
    let storage = await open();
    storage.recover();
    enterEpoch(storage, 1);
    storage.appendTxns(run(1, 1, 5));
    storage.appendTxns(run(1, 6, 7));
    await sync(storage);
    expect(files('log')).toEqual(['log.100000001']);
    storage = await reopen(storage);
    expect(storage.recover().txns).toEqual(run(1, 1, 7));
    storage.appendTxns(run(1, 8, 8));
    await sync(storage);
    storage = await reopen(storage);
    expect(storage.recover().txns).toEqual(run(1, 1, 8));
    expect(files('log')).toEqual(['log.100000001', 'log.100000008']); // never appended to after a restart
  });

  test('recover() answers until the first write; a restarted member reopens', async () => {
    const storage = await open();
    expect(storage.recover()).toBe(storage.recover());
    storage.writeEpochs({ acceptedEpoch: 1 });
    expect(() => storage.recover()).toThrow(AssertionFailure);
  });

  test('truncation inside a file keeps the txns up to the zxid; appends after it follow', async () => {
    let storage = await open();
    enterEpoch(storage, 1);
    storage.appendTxns(run(1, 1, 10));
    await sync(storage);
    storage.truncateLogTo(makeZxid(1, 6));
    enterEpoch(storage, 2);
    storage.appendTxns(run(2, 1, 2, '/other'));
    await sync(storage);
    storage = await reopen(storage);
    expect(storage.recover().txns).toEqual([...run(1, 1, 6), ...run(2, 1, 2, '/other')]);
    expect(files('log')).toEqual(['log.100000001', 'log.200000001']);
  });

  test('truncation across files removes every later file (snapCount bounds a file)', async () => {
    let storage = await open({ snapCount: 3 });
    enterEpoch(storage, 1);
    storage.appendTxns(run(1, 1, 10));
    await sync(storage);
    expect(files('log')).toEqual(['log.100000001', 'log.100000004', 'log.100000007', 'log.10000000a']);
    storage.truncateLogTo(makeZxid(1, 5));
    await sync(storage);
    expect(files('log')).toEqual(['log.100000001', 'log.100000004']);
    storage = await reopen(storage);
    expect(zxids(storage.recover().txns)).toEqual(zxids(run(1, 1, 5)));
  });

  test('truncations and appends queued before one sync take effect in call order', async () => {
    let storage = await open();
    enterEpoch(storage, 1);
    storage.appendTxns(run(1, 1, 5));
    storage.truncateLogTo(makeZxid(1, 3));
    storage.appendTxns(run(1, 4, 6, '/again'));
    storage.truncateLogTo(makeZxid(1, 5));
    await sync(storage);
    storage = await reopen(storage);
    expect(storage.recover().txns).toEqual([...run(1, 1, 3), ...run(1, 4, 5, '/again')]);
  });

  test('saveSnapshot writes snapshot.<zxid> and rolls the log, losing nothing logged', async () => {
    let storage = await open();
    const replica = Replica.from(storage.recover().snapshot);
    const logged = run(1, 1, 10);
    enterEpoch(storage, 1);
    storage.appendTxns(logged);
    await sync(storage);
    for (const t of logged.slice(0, 6)) replica.apply(t);
    storage.saveSnapshot(replica.snapshot());
    storage.appendTxns(run(1, 11, 12));
    await sync(storage);
    expect(files('snapshot')).toEqual(['snapshot.0', 'snapshot.100000006']);
    expect(files('log')).toEqual(['log.100000001', 'log.10000000b']);
    storage = await reopen(storage);
    const recovered = storage.recover();
    expect(recovered.snapshot).toEqual(replica.snapshot());
    expect(recovered.txns).toEqual(run(1, 7, 12));
  });

  test('installSnapshot replaces snapshot and log: recover gives it and only the txns after it', async () => {
    let storage = await open();
    enterEpoch(storage, 1);
    storage.appendTxns(run(1, 1, 10));
    await sync(storage);
    const leader = Replica.from(null, run(1, 1, 4, '/leader'));
    const snap = leader.snapshot();
    storage.installSnapshot(snap);
    storage.writeEpochs({ acceptedEpoch: 2, currentEpoch: 2 });
    storage.appendTxns(run(2, 1, 2));
    await sync(storage);
    expect(files('log')).toEqual(['log.200000001']);
    storage = await reopen(storage);
    const recovered = storage.recover();
    expect(recovered).toEqual({ acceptedEpoch: 2, currentEpoch: 2, snapshot: snap, txns: run(2, 1, 2) });
    expect(Replica.from(recovered.snapshot, recovered.txns).nodes()).toEqual(Replica.from(null, [...run(1, 1, 4, '/leader'), ...run(2, 1, 2)]).nodes());
  });

  test('installSnapshot removes snapshots newer than it, which would otherwise win at restart', async () => {
    let storage = await open();
    enterEpoch(storage, 1);
    storage.appendTxns(run(1, 1, 8));
    const local = Replica.from(null, run(1, 1, 8));
    storage.saveSnapshot(local.snapshot());
    await sync(storage);
    const leader = Replica.from(null, run(1, 1, 5));
    storage.installSnapshot(leader.snapshot());
    await sync(storage);
    expect(files('snapshot')).toEqual(['snapshot.0', 'snapshot.100000005']);
    storage = await reopen(storage);
    expect(storage.recover().snapshot).toEqual(leader.snapshot());
    expect(storage.recover().txns).toEqual([]);
  });

  test('epoch files round trip as decimal text, replaced without leaving temp files', async () => {
    let storage = await open();
    storage.writeEpochs({ acceptedEpoch: 7 });
    await sync(storage);
    expect([text('acceptedEpoch'), text('currentEpoch')]).toEqual(['7', '0']);
    storage.writeEpochs({ currentEpoch: 7 });
    storage.writeEpochs({ acceptedEpoch: 12 });
    await sync(storage);
    expect(fs.readdirSync(versionDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    storage = await reopen(storage);
    expect(storage.recover()).toMatchObject({ acceptedEpoch: 12, currentEpoch: 7 });
    expect(() => storage.writeEpochs({ currentEpoch: 13 })).toThrow(AssertionFailure);
  });

  test('missing epoch files are taken from the epoch of the last logged zxid, and written', async () => {
    let storage = await open();
    enterEpoch(storage, 5);
    storage.appendTxns(run(5, 1, 3));
    await sync(storage);
    await storage.close();
    fs.rmSync(nodePath.join(versionDir, 'acceptedEpoch'));
    fs.rmSync(nodePath.join(versionDir, 'currentEpoch'));
    storage = await open();
    expect(storage.recover()).toMatchObject({ acceptedEpoch: 5, currentEpoch: 5 });
    expect([text('acceptedEpoch'), text('currentEpoch')]).toEqual(['5', '5']);
  });

  test('a currentEpoch behind the log is kept: a crash came between the txns and the epoch', async () => {
    const storage = await open();
    storage.writeEpochs({ acceptedEpoch: 3 });
    storage.appendTxns(run(3, 1, 2));
    await sync(storage);
    await storage.close();
    expect((await open()).recover()).toMatchObject({ acceptedEpoch: 3, currentEpoch: 0, txns: run(3, 1, 2) });
  });

  test('epoch files that contradict each other, or hold no number, are refused', async () => {
    const storage = await open();
    enterEpoch(storage, 3);
    await sync(storage);
    await storage.close();
    const write = (name: string, value: string): void => fs.writeFileSync(nodePath.join(versionDir, name), value);
    const reopenFails = (): Promise<unknown> => expect(open()).rejects.toThrow(PersistenceError);
    write('acceptedEpoch', '2');
    await reopenFails();
    write('acceptedEpoch', 'three\n');
    await reopenFails();
    write('acceptedEpoch', '');
    await reopenFails();
    write('acceptedEpoch', '4\n'); // upstream reads the first line
    expect((await open()).recover()).toMatchObject({ acceptedEpoch: 4, currentEpoch: 3 });
  });

  test('the standalone loader restores what FsPeerStorage wrote, to the same nodes', async () => {
    let storage = await open({ snapCount: 4 });
    const replica = Replica.from(storage.recover().snapshot);
    const history: LoggedTxn[] = [
      ...run(1, 1, 5),
      raw(txns.setData(makeZxid(1, 6), `/n${makeZxid(1, 2)}`, 'changed', 1)),
      raw(txns.delete(makeZxid(1, 7), `/n${makeZxid(1, 3)}`)),
      ...run(1, 8, 9, '/late'),
    ];
    enterEpoch(storage, 1);
    storage.appendTxns(history.slice(0, 7));
    await sync(storage);
    for (const t of history.slice(0, 6)) replica.apply(t);
    storage.saveSnapshot(replica.snapshot());
    storage.appendTxns(history.slice(7));
    await sync(storage);
    for (const t of history.slice(6)) replica.apply(t);
    storage = await reopen(storage);
    const recovered = storage.recover();
    await storage.close();

    const restored = await loadDatabase(new NodeStorage(), dir, null, QUIET);
    expect(restored.snapshot!.zxid).toBe(makeZxid(1, 6));
    expect([...restored.txns].map((t) => persisted.encodeTxnBytes(t))).toEqual(recovered.txns.map((t) => t.bytes));
    const standalone = Replica.from(restored.snapshot, restored.txns);
    expect(standalone.nodes()).toEqual(replica.nodes());
    expect(Replica.from(recovered.snapshot, recovered.txns).nodes()).toEqual(replica.nodes());

    // and the standalone server carries on from there
    const { snapLog, restored: again } = await FileTxnSnapLog.open(new NodeStorage(), { dataDir: dir, dataLogDir: null, preAllocSizeKiB: 16 }, seededRng(1), QUIET);
    expect(again.lastZxid).toBe(makeZxid(1, 9));
    snapLog.append(txns.create(makeZxid(1, 10), '/standalone'));
    await snapLog.commit();
    await snapLog.close();
    expect(zxids((await open()).recover().txns)).toEqual([7, 8, 9, 10].map((n) => makeZxid(1, n)));
  });

  test('a SNAP body from the leader is filed as a snapshot the standalone loader reads', async () => {
    const leader = Replica.from(null, run(1, 1, 3));
    const body = leader.snapshot().data;
    const r = new ByteReader(body);
    skipSerializedDatabase(r); // how a quorum stream finds where a SNAP ends
    expect(r.remaining).toBe(0);
    const storage = await open();
    storage.installSnapshot({ zxid: makeZxid(1, 3), data: body });
    await sync(storage);
    await storage.close();
    const restored = await loadDatabase(new NodeStorage(), dir, null, QUIET);
    expect(restored.snapshot!.name).toBe('snapshot.100000003');
    expect(Replica.from(restored.snapshot).nodes()).toEqual(leader.nodes());
  });

  test('dataLogDir holds the logs; snapshots and epoch files stay in dataDir', async () => {
    const logDir = nodePath.join(dir, 'logs');
    let storage = await open({ dataLogDir: logDir });
    enterEpoch(storage, 1);
    storage.appendTxns(run(1, 1, 2));
    await sync(storage);
    expect(fs.readdirSync(nodePath.join(logDir, 'version-2'))).toEqual(['log.100000001']);
    expect(files('log')).toEqual([]);
    storage = await reopen(storage, { dataLogDir: logDir });
    expect(storage.recover().txns).toEqual(run(1, 1, 2));
  });
});

describe('FsPeerStorage write order and failures', () => {
  const DATA = '/data';

  async function openOn(storage: Storage, extra: Partial<FsPeerStorageOptions> = {}): Promise<FsPeerStorage> {
    return FsPeerStorage.open({ dataDir: DATA, dataLogDir: null, preAllocSizeKiB: 16, storage, ...extra }, QUIET);
  }

  test('an epoch file is replaced only after the txns logged before it are fsynced', async () => {
    const calls: string[] = [];
    const storage = await openOn(new RecordingStorage(new MemoryStorage(), calls));
    calls.length = 0;
    storage.appendTxns(run(1, 1, 3));
    storage.writeEpochs({ currentEpoch: 0, acceptedEpoch: 1 });
    await sync(storage);
    const logFsync = calls.indexOf('fsync /data/version-2/log.100000001');
    const epochRename = calls.indexOf('rename /data/version-2/acceptedEpoch');
    expect(logFsync).toBeGreaterThanOrEqual(0);
    expect(epochRename).toBeGreaterThan(logFsync);
    expect(calls.filter((c) => c.startsWith('fsync /data/version-2/log'))).toHaveLength(1); // one fsync for the batch
  });

  test('a failed write fails that sync and every later one', async () => {
    const faulty = new FaultyStorage(new MemoryStorage());
    const storage = await openOn(faulty);
    storage.appendTxns(run(1, 1, 2));
    faulty.faults.set('fsync', ioError('EIO'));
    await expect(sync(storage)).rejects.toThrow(PersistenceError);
    faulty.faults.clear();
    storage.appendTxns(run(1, 3, 3));
    await expect(sync(storage)).rejects.toThrow(PersistenceError);
    await storage.close(); // the failure was reported already
  });

  test('bytes that are not a txn fail the sync and reach no log', async () => {
    const memory = new MemoryStorage();
    const storage = await openOn(memory);
    const [good] = run(1, 1, 1);
    storage.appendTxns([{ zxid: good!.zxid, bytes: good!.bytes.subarray(0, 40) }]);
    await expect(sync(storage)).rejects.toThrow(PersistenceError);
    await storage.close();
    expect(await memory.list('/data/version-2')).not.toContainEqual(expect.stringMatching(/^log\./));
  });

  test('forceSync off writes the log without fsync; snapshots and epoch files are still fsynced', async () => {
    const faulty = new FaultyStorage(new MemoryStorage());
    const storage = await openOn(faulty, { forceSync: false });
    const before = faulty.counts.fsync;
    storage.appendTxns(run(1, 1, 3));
    await sync(storage);
    expect(faulty.counts.fsync).toBe(before);
    storage.writeEpochs({ acceptedEpoch: 1 });
    await sync(storage);
    expect(faulty.counts.fsync).toBe(before + 1);
    await storage.close();
  });

  test('writes after close are refused', async () => {
    const storage = await openOn(new MemoryStorage());
    await storage.close();
    expect(() => storage.appendTxns(run(1, 1, 1))).toThrow(AssertionFailure);
  });
});

describe('FsPeerStorage under the peer runtime', () => {
  const dirs = new Map<number, string>();
  afterEach(() => {
    for (const dir of dirs.values()) removeDir(dir);
    dirs.clear();
  });

  test.each([
    ['a DIFF', 500],
    ['a SNAP', 5],
  ])('an ensemble logs, snapshots and restarts a member that %s brings back; each directory restores to the same tree', async (_sync, committedLogMax) => {
    const clock = new SimClock();
    const network = new SimNetwork(clock, seededRng(11));
    const specs = [1, 2, 3].map((id) => ({ id, role: 'participant' as const }));
    const rng = seededRng(5);
    let inFlight = 0;
    let fatal: Error | null = null;
    let installs = 0;
    interface Member { storage: FsPeerStorage; runtime: PeerRuntime; machine: SimStateMachine }
    const members = new Map<number, Member>();

    const start = async (id: number): Promise<void> => {
      if (!dirs.has(id)) dirs.set(id, tempDir(`fs-peer-storage-${id}`));
      const storage = await FsPeerStorage.open({ dataDir: dirs.get(id)!, dataLogDir: null, preAllocSizeKiB: 16 }, QUIET);
      // the runtime over a real disk: the clock waits while a sync is on its way
      const counted: PeerStorage = {
        recover: () => storage.recover(),
        installSnapshot: (snapshot) => {
          installs++;
          storage.installSnapshot(snapshot);
        },
        truncateLogTo: (zxid) => storage.truncateLogTo(zxid),
        appendTxns: (txns) => storage.appendTxns(txns),
        writeEpochs: (epochs) => storage.writeEpochs(epochs),
        saveSnapshot: (snapshot) => storage.saveSnapshot(snapshot),
        sync: (done) => {
          inFlight++;
          storage.sync((error) => {
            inFlight--;
            done(error);
          });
        },
      };
      const machine = new SimStateMachine();
      const zab = { myId: id, members: specs, initLimitTicks: 10, syncLimitTicks: 5, electionRetryTicksMax: 8, committedLogMax };
      const runtime = new PeerRuntime({ zab, tickMs: 100, snapshotEveryTxns: 7 }, network.transport(id), counted, clock, machine, {
        onFatal: (error) => (fatal = error),
      });
      members.set(id, { storage, runtime, machine });
      runtime.start();
    };
    const stop = async (id: number): Promise<void> => {
      const m = members.get(id)!;
      m.runtime.stop();
      network.crash(id, true);
      await m.storage.close();
      members.delete(id);
    };
    const runUntil = async (done: () => boolean): Promise<void> => {
      const end = clock.nowMs() + 60_000;
      while (!done()) {
        if (fatal !== null) throw fatal;
        if (inFlight > 0) {
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        const next = clock.nextAt();
        if (next === undefined || next > end) throw new Error(`no progress by ${clock.nowMs()} ms`);
        clock.step();
      }
    };
    const leader = (): Member | undefined =>
      [...members.values()].find((m) => m.runtime.status().role === 'leading' && m.runtime.status().serving);
    let lastZxid = 0n;
    const write = async (count: number): Promise<void> => {
      await runUntil(() => leader() !== undefined);
      for (let i = 0; i < count; i++) {
        const result = leader()!.runtime.propose(clientTxn(i, rng, BigInt(clock.nowMs())));
        if (!result.ok) throw new Error(`propose refused: ${result.reason}`);
        lastZxid = result.zxid;
      }
    };
    const appliedEverywhere = (): boolean => [...members.values()].every((m) => m.machine.appliedZxid === lastZxid);

    for (const id of [1, 2, 3]) await start(id);
    await write(20);
    await runUntil(appliedEverywhere);
    const follower = [...members.keys()].find((id) => members.get(id) !== leader())!;
    await stop(follower);
    await write(15);
    await runUntil(appliedEverywhere);
    await start(follower);
    await runUntil(appliedEverywhere);
    expect(installs).toBe(committedLogMax < 15 ? 1 : 0);
    const epoch = leader()!.runtime.status().epoch;
    const expected = nodesOf(leader()!.machine.tree);
    for (const id of [1, 2, 3]) await stop(id);

    for (const [id, dir] of dirs) {
      const reopened = await FsPeerStorage.open({ dataDir: dir, dataLogDir: null }, QUIET);
      const recovered = reopened.recover();
      await reopened.close();
      expect([id, recovered.acceptedEpoch, recovered.currentEpoch]).toEqual([id, epoch, epoch]);
      expect(fs.readdirSync(nodePath.join(dir, 'version-2')).filter((f) => f.startsWith('snapshot.')).length).toBeGreaterThan(1);
      expect(Replica.from(recovered.snapshot, recovered.txns).nodes()).toEqual(expected);
      const restored = await loadDatabase(new NodeStorage(), dir, null, QUIET);
      expect(restored.lastZxid).toBe(lastZxid);
      expect(Replica.from(restored.snapshot, restored.txns).nodes()).toEqual(expected);
    }
  });
});

/** Records fsyncs and renames, in order. */
class RecordingStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly calls: string[],
  ) {}

  async open(path: string, mode: OpenMode): Promise<StorageFile> {
    const f = await this.inner.open(path, mode);
    return {
      path,
      write: (data, position) => f.write(data, position),
      read: (position, length) => f.read(position, length),
      fsync: async () => {
        this.calls.push(`fsync ${path}`);
        return f.fsync();
      },
      truncate: (length) => f.truncate(length),
      size: () => f.size(),
      close: () => f.close(),
    };
  }
  list(dir: string): Promise<string[]> {
    return this.inner.list(dir);
  }
  mkdirs(dir: string): Promise<void> {
    return this.inner.mkdirs(dir);
  }
  async rename(from: string, to: string): Promise<void> {
    this.calls.push(`rename ${to}`);
    return this.inner.rename(from, to);
  }
  remove(path: string): Promise<void> {
    return this.inner.remove(path);
  }
  size(path: string): Promise<number | null> {
    return this.inner.size(path);
  }
  fsyncDir(dir: string): Promise<void> {
    this.calls.push(`fsyncDir ${dir}`);
    return this.inner.fsyncDir(dir);
  }
}
