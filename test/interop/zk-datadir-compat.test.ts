// Data directories shared with the real Apache ZooKeeper 3.8: a directory written by our txn log
// and snapshot writer is served by Apache ZooKeeper (node-zookeeper-client reads back the tree,
// every Stat field, ACLs and the zxid), and a directory Apache ZooKeeper wrote is restored by our
// loadDatabase to the tree the client saw. Tree digests are written as upstream computes them,
// and Apache ZooKeeper must report no digest mismatch.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import zookeeper from 'node-zookeeper-client';
import { loadDatabase } from '../../zk-server/src/persistence/file-txn-snap-log';
import { decodeSnapshot, writeSnapshot } from '../../zk-server/src/persistence/snapshot';
import { NodeStorage } from '../../zk-server/src/persistence/storage';
import { FileTxnLog, LoggedTxn } from '../../zk-server/src/persistence/txn-log';
import { Op } from '../../zk-server/src/protocol/op-codes';
import { ACL } from '../../zk-server/src/protocol/records/data';
import {
  CreateSessionTxn,
  CreateTxn,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetACLTxn,
  SetDataTxn,
} from '../../zk-server/src/protocol/records/txn';
import { describeWith, findApacheZooKeeper } from '../support/debian-tools';
import { cleanupAllZkServers, fourLetterWord, startZkServer, ZkServer } from '../support/process-launcher';
import {
  applyToModel,
  captureLogger,
  ClientNode,
  clientView,
  modelFromSnapshot,
  modelNodes,
  ModelTree,
  removeDir,
  tempDir,
  treeDigest,
} from '../unit/zk-server/persistence/helpers';

jest.setTimeout(120_000);

const SNAPSHOT_0 = nodePath.join(__dirname, '../fixtures/zk-data/apache-3.8/version-2/snapshot.0');
const EPOCH = 1n << 32n;
const SESSION = 0x1000005f00d0000n;
const SESSION_TIMEOUT_MS = 30_000;
const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const digestId = (user: string, password: string): string =>
  `${user}:${crypto.createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
const SECRET: ACL[] = [
  { perms: 31, id: { scheme: 'digest', id: digestId('admin', 'secret') } },
  { perms: 1, id: { scheme: 'world', id: 'anyone' } },
];

// ---------------------------------------------------------------------------------------------
// node-zookeeper-client 1.1.3, typed as it behaves at run time (its ACLs carry `permission`,
// callbacks take whatever the operation returns), and promised

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Callback = (error: Error | null, ...results: any[]) => void;
interface RuntimeAcl {
  permission: number;
  id: { scheme: string; id: string };
}
interface Transaction {
  create(path: string, data: Buffer | null, acls: zookeeper.ACL[], mode: number): Transaction;
  setData(path: string, data: Buffer, version: number): Transaction;
  remove(path: string, version: number): Transaction;
  commit(cb: Callback): void;
}
interface Client {
  connect(): void;
  close(): void;
  once(event: 'connected', listener: () => void): void;
  create(path: string, data: Buffer | null, acls: zookeeper.ACL[], mode: number, cb: Callback): void;
  setData(path: string, data: Buffer, version: number, cb: Callback): void;
  setACL(path: string, acls: zookeeper.ACL[], version: number, cb: Callback): void;
  remove(path: string, version: number, cb: Callback): void;
  getData(path: string, cb: Callback): void;
  getACL(path: string, cb: Callback): void;
  getChildren(path: string, cb: Callback): void;
  transaction(): Transaction;
}

const call = <T extends unknown[]>(fn: (cb: (err: Error | null, ...rest: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, ...rest) => (err ? reject(err) : resolve(rest))));

function connect(connectString: string): Promise<Client> {
  const options = { sessionTimeout: 10_000, retries: 0 };
  const client = zookeeper.createClient(connectString, options) as unknown as Client;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connection to ${connectString}`)), 15_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

const longHex = (b: Buffer): string => BigInt.asUintN(64, b.readBigInt64BE(0)).toString(16);
const longDec = (b: Buffer): string => b.readBigInt64BE(0).toString();

/** The whole tree, as the client reads it, in the shape clientView() gives. */
async function readTree(client: Client): Promise<ClientNode[]> {
  const out: ClientNode[] = [];
  const stack = ['/'];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const [data, s] = await call<[Buffer, zookeeper.Stat]>((cb) => client.getData(path, cb));
    const [acls] = await call<[RuntimeAcl[], zookeeper.Stat]>((cb) => client.getACL(path, cb));
    const [children] = await call<[string[], zookeeper.Stat]>((cb) => client.getChildren(path, cb));
    out.push({
      path,
      data: data === null || data === undefined ? null : data.toString('base64'),
      stat: {
        czxid: longHex(s.czxid), mzxid: longHex(s.mzxid), ctime: longDec(s.ctime), mtime: longDec(s.mtime), version: s.version,
        cversion: s.cversion, aversion: s.aversion, ephemeralOwner: longHex(s.ephemeralOwner), dataLength: s.dataLength,
        numChildren: s.numChildren, pzxid: longHex(s.pzxid),
      },
      acl: acls.map((a) => ({ perms: a.permission, scheme: a.id.scheme, id: a.id.id })),
    });
    for (const c of children) stack.push(path === '/' ? `/${c}` : `${path}/${c}`);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

async function srvrZxid(server: ZkServer): Promise<bigint> {
  const reply = await fourLetterWord(server.host, server.port, 'srvr');
  const hex = /^Zxid: 0x([0-9a-f]+)$/m.exec(reply)?.[1];
  if (hex === undefined) throw new Error(`no Zxid in srvr reply: ${reply}`);
  return BigInt('0x' + hex);
}

async function digestMismatches(server: ZkServer): Promise<number | null> {
  const reply = await fourLetterWord(server.host, server.port, 'mntr');
  const m = /^zk_digest_mismatches_count\s+(\d+)$/m.exec(reply);
  return m === null ? null : Number(m[1]);
}

// ---------------------------------------------------------------------------------------------
// Txns as a server would prepare them: parentCVersion and digests from the model tree

class History {
  readonly tree: ModelTree;
  readonly txns: LoggedTxn[] = [];
  private zxid: bigint;

  constructor(
    tree: ModelTree,
    zxid: bigint,
    private readonly withDigests: boolean,
  ) {
    this.tree = tree;
    this.zxid = zxid;
  }

  private add(type: number, body: Buffer, withDigest = true): LoggedTxn {
    this.zxid++;
    const header = { clientId: SESSION, cxid: this.txns.length + 1, zxid: this.zxid, time: 1_795_000_000_000n + this.zxid % 1000n, type };
    const txn: LoggedTxn = { header, body, digest: null };
    applyToModel(this.tree, txn);
    if (withDigest && this.withDigests) txn.digest = { version: 2, treeDigest: treeDigest(this.tree) };
    this.txns.push(txn);
    return txn;
  }

  private parentCVersion(path: string): number {
    return this.tree.nodes.get(path.slice(0, path.lastIndexOf('/')))!.stat.cversion + 1;
  }

  get lastZxid(): bigint {
    return this.zxid;
  }

  createSession(): LoggedTxn {
    return this.add(Op.createSession, CreateSessionTxn.toBytes({ timeOut: SESSION_TIMEOUT_MS }));
  }
  create(path: string, data: Buffer | null, acl: ACL[] = OPEN, ephemeral = false): LoggedTxn {
    return this.add(Op.create, CreateTxn.toBytes({ path, data, acl, ephemeral, parentCVersion: this.parentCVersion(path) }));
  }
  setData(path: string, data: string): LoggedTxn {
    const version = this.tree.nodes.get(path)!.stat.version + 1;
    return this.add(Op.setData, SetDataTxn.toBytes({ path, data: Buffer.from(data), version }));
  }
  setACL(path: string, acl: ACL[]): LoggedTxn {
    const version = this.tree.nodes.get(path)!.stat.aversion + 1;
    return this.add(Op.setACL, SetACLTxn.toBytes({ path, acl, version }));
  }
  delete(path: string): LoggedTxn {
    return this.add(Op.delete, DeleteTxn.toBytes({ path }));
  }
  multiCreateAndSet(path: string): LoggedTxn {
    const create = CreateTxn.toBytes({ path, data: Buffer.from('m'), acl: OPEN, ephemeral: false, parentCVersion: this.parentCVersion(path) });
    const set = SetDataTxn.toBytes({ path, data: Buffer.from('n'), version: 1 });
    return this.add(Op.multi, MultiTxn.toBytes({ txns: [{ type: Op.create, data: create }, { type: Op.setData, data: set }] }));
  }
  error(err: number): LoggedTxn {
    return this.add(Op.error, ErrorTxn.toBytes({ err }), false);
  }
}

async function appendAll(log: FileTxnLog, txns: LoggedTxn[]): Promise<void> {
  for (const t of txns) log.append(t);
  await log.commit();
}

// ---------------------------------------------------------------------------------------------

describeWith('data directories shared with Apache ZooKeeper 3.8', [findApacheZooKeeper()], () => {
  const dirs: string[] = [];
  const clients: Client[] = [];
  const servers: ZkServer[] = [];
  const start = async (options: Parameters<typeof startZkServer>[0]): Promise<ZkServer> => {
    const server = await startZkServer(options);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    // a stopped server is no longer tracked by the launcher: clean each up explicitly
    for (const s of servers.splice(0)) await s.cleanup();
    await cleanupAllZkServers();
    for (const d of dirs.splice(0)) removeDir(d);
  });

  test.each([
    ['with TxnDigests and ZxidDigests as upstream computes them', true],
    ['without any digest (no TxnDigest in entries, no ZxidDigest section in snapshots)', false],
  ])('Apache ZooKeeper serves a directory our writers made %s: tree, Stats, ACLs, ephemerals, zxid', async (_name, digests) => {
    const dataDir = tempDir('zk-ours-for-apache');
    dirs.push(dataDir);
    const storage = new NodeStorage();
    const { logger } = captureLogger();
    const base = decodeSnapshot(fs.readFileSync(SNAPSHOT_0), 'snapshot.0'); // the empty tree, as upstream has it
    const history = new History(modelFromSnapshot(base.nodes, base.acls), EPOCH, digests);
    const sourceOf = (zxid: bigint) => ({
      sessions: [{ sessionId: SESSION, timeoutMs: SESSION_TIMEOUT_MS }],
      acls: history.tree.acls,
      nodes: () => modelNodes(history.tree),
      zxid,
      digest: digests ? treeDigest(history.tree) : null,
    });
    /** A pre-3.6 snapshot ends at its first seal: cut the ZxidDigest and its seal (20 + 13 bytes). */
    const dropZxidDigest = (path: string): void => {
      if (digests) return;
      const bytes = fs.readFileSync(path);
      fs.writeFileSync(path, bytes.subarray(0, bytes.length - 33));
    };
    dropZxidDigest(await writeSnapshot(storage, dataDir, { ...sourceOf(0n), sessions: [], digest: null }));

    const log = new FileTxnLog(storage, nodePath.join(dataDir, 'version-2'), { logger, preAllocSizeKiB: 64 });
    history.createSession();
    history.create('/app', Buffer.from('hello'));
    history.create('/app/eph', Buffer.from('e'), OPEN, true);
    history.create('/app/child', null);
    history.create('/secure', Buffer.from([0, 1, 2, 255]), SECRET);
    history.setData('/app', 'hello again');
    await appendAll(log, history.txns);
    const snapZxid = history.lastZxid;
    log.rollLog();
    dropZxidDigest(await writeSnapshot(storage, dataDir, sourceOf(snapZxid)));
    const before = history.txns.length;
    history.create('/app/later', Buffer.from('l'));
    history.setData('/app/later', 'l2');
    history.delete('/app/child');
    history.multiCreateAndSet('/app/m');
    history.error(-101); // a failed request: logged without a digest
    history.setACL('/app/later', [{ perms: 3, id: { scheme: 'world', id: 'anyone' } }]);
    await appendAll(log, history.txns.slice(before));
    await log.close();
    expect(fs.readdirSync(nodePath.join(dataDir, 'version-2')).sort()).toEqual(
      [`log.${(EPOCH + 1n).toString(16)}`, `log.${(snapZxid + 1n).toString(16)}`, 'snapshot.0', `snapshot.${snapZxid.toString(16)}`].sort(),
    );

    const server = await start({ kind: 'apache', dataDir, tickTime: 2000 });
    expect(await srvrZxid(server)).toBe(history.lastZxid); // before our client adds a createSession
    const client = await connect(server.connectString);
    clients.push(client);
    const seen = await readTree(client);
    expect(seen).toEqual(clientView(modelNodes(history.tree), history.tree.acls));
    expect(seen.find((n) => n.path === '/app/eph')?.stat['ephemeralOwner']).toBe(SESSION.toString(16));
    expect(await digestMismatches(server)).toBe(0);
    expect(server.output()).not.toMatch(/Digests are not matching|digest mismatch/i);
    // (a srvr probe racing the server's start can log an unrelated ERROR from ServerCnxn)
    expect(server.output()).not.toMatch(/ERROR org\.apache\.zookeeper\.server\.(DataTree|ZKDatabase|persistence\.)/);
    // a snapshot without ZxidDigest is read as an older one, with this warning and nothing else
    expect(/Got EOF exception while reading the digest/.test(server.output())).toBe(!digests);

    // and back: what Apache ZooKeeper left in the directory restores to the same tree
    client.close();
    await server.stop();
    const restored = await loadDatabase(storage, dataDir, null, logger);
    expect(restored.snapshot!.zxid).toBeGreaterThanOrEqual(history.lastZxid); // upstream snapshots at start
    const tree = modelFromSnapshot(restored.snapshot!.nodes, restored.snapshot!.acls);
    for (const t of restored.txns) applyToModel(tree, t);
    expect(clientView(modelNodes(tree), tree.acls)).toEqual(seen);
  });

  test('our loadDatabase restores a directory Apache ZooKeeper wrote to the tree its client saw', async () => {
    const server = await start({ kind: 'apache', tickTime: 2000, jvmArgs: ['-Dzookeeper.preAllocSize=64'] });
    const client = await connect(server.connectString);
    clients.push(client);
    const { PERSISTENT, EPHEMERAL, PERSISTENT_SEQUENTIAL } = zookeeper.CreateMode;
    const open = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))];
    await call((cb) => client.create('/x', Buffer.from('x'), open, PERSISTENT, cb));
    await call((cb) => client.create('/x/eph', Buffer.from('e'), open, EPHEMERAL, cb));
    const [seq] = await call<[string]>((cb) => client.create('/x/seq-', null, open, PERSISTENT_SEQUENTIAL, cb));
    await call((cb) => client.create('/x/seq-', Buffer.from('s'), open, PERSISTENT_SEQUENTIAL, cb));
    await call((cb) => client.setData('/x', Buffer.from('x2'), -1, cb));
    const secret = [
      new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', digestId('admin', 'secret'))),
      new zookeeper.ACL(zookeeper.Permission.READ, new zookeeper.Id('world', 'anyone')),
    ];
    await call((cb) => client.create('/secret', Buffer.from('s'), secret, PERSISTENT, cb));
    const noAdmin = zookeeper.Permission.ALL & ~zookeeper.Permission.ADMIN;
    await call((cb) => client.setACL('/x', [new zookeeper.ACL(noAdmin, new zookeeper.Id('world', 'anyone'))], -1, cb));
    await call((cb) => client.transaction().create('/x/m', Buffer.from('m'), open, PERSISTENT).setData('/x/m', Buffer.from('n'), 0).commit(cb));
    await call((cb) => client.transaction().create('/x/never', null, open, PERSISTENT).remove('/nope', -1).commit((err, res) => cb(null, err, res)));
    await call((cb) => client.remove(seq, -1, cb));
    const seen = await readTree(client);
    const lastZxid = await srvrZxid(server);
    await server.stop(); // the client's session is still open: its ephemeral stays in the log's tree
    client.close();

    const { logger, lines } = captureLogger();
    const restored = await loadDatabase(new NodeStorage(), server.dataDir, null, logger);
    expect(restored.snapshot?.name).toBe('snapshot.0');
    expect(restored.lastZxid).toBe(lastZxid);
    const tree = modelFromSnapshot(restored.snapshot!.nodes, restored.snapshot!.acls);
    for (const t of restored.txns) {
      applyToModel(tree, t);
      if (t.digest !== null) expect([t.header.zxid, treeDigest(tree)]).toEqual([t.header.zxid, t.digest.treeDigest]);
    }
    expect(clientView(modelNodes(tree), tree.acls)).toEqual(seen);
    expect(seen.find((n) => n.path === '/x/eph')).toBeDefined();
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  test('Apache ZooKeeper refuses a log without a snapshot, so a new server must write snapshot.0 first', async () => {
    const dataDir = tempDir('zk-log-only');
    dirs.push(dataDir);
    const { logger } = captureLogger();
    const base = decodeSnapshot(fs.readFileSync(SNAPSHOT_0), 'snapshot.0');
    const history = new History(modelFromSnapshot(base.nodes, base.acls), 0n, true);
    history.createSession();
    history.create('/a', Buffer.from('a'));
    const log = new FileTxnLog(new NodeStorage(), nodePath.join(dataDir, 'version-2'), { logger, preAllocSizeKiB: 64 });
    await appendAll(log, history.txns);
    await log.close();
    await expect(start({ kind: 'apache', dataDir, startTimeoutMs: 15_000 })).rejects.toThrow(/No snapshot found, but there are log entries/);
  });
});
