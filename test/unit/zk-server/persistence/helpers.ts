// Test helpers for the persistence tests: an in-memory Storage that loses unsynced writes on a
// simulated crash, a wrapper that counts calls and injects disk errors, a logger that keeps what
// it logged, temp directories, and txn builders.

import { Op } from '../../../../zk-server/src/protocol/op-codes';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { crc32, Logger } from '../../../../shared/src';
import { ACL, StatPersisted } from '../../../../zk-server/src/protocol/records/data';
import {
  CloseSessionTxn,
  CreateSessionTxn,
  CreateTxn,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetACLTxn,
  SetDataTxn,
  TxnDigest,
} from '../../../../zk-server/src/protocol/records/txn';
import { OpenMode, Storage, StorageFile } from '../../../../zk-server/src/persistence/storage';
import { SnapshotNode } from '../../../../zk-server/src/persistence/snapshot';
import { LoggedTxn } from '../../../../zk-server/src/persistence/txn-log';

// ---------------------------------------------------------------------------------------------
// In-memory storage with crash simulation

interface MemFile {
  data: Buffer;
  /** Content as of the last fsync. */
  durable: Buffer;
  /** Whether the directory entry survives a crash (fsyncDir after creation or rename). */
  entryDurable: boolean;
}

const errno = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: ${message}`), { code });

export class MemoryStorage implements Storage {
  readonly files = new Map<string, MemFile>();
  readonly dirs = new Set<string>();

  async open(path: string, mode: OpenMode): Promise<StorageFile> {
    let f = this.files.get(path);
    if (mode === 'create') {
      if (f !== undefined) throw errno('EEXIST', path);
      f = { data: Buffer.alloc(0), durable: Buffer.alloc(0), entryDurable: false };
      this.files.set(path, f);
    } else if (f === undefined) {
      throw errno('ENOENT', path);
    }
    return this.handle(path, f, mode === 'read');
  }

  private handle(path: string, f: MemFile, readOnly: boolean): StorageFile {
    const writable = (): void => {
      if (readOnly) throw errno('EBADF', path);
    };
    return {
      path,
      write: async (data, position) => {
        writable();
        const end = position + data.length;
        if (end > f.data.length) f.data = Buffer.concat([f.data, Buffer.alloc(end - f.data.length)]);
        data.copy(f.data, position);
      },
      read: async (position, length) => Buffer.from(f.data.subarray(position, Math.min(f.data.length, position + length))),
      fsync: async () => {
        f.durable = Buffer.from(f.data);
      },
      truncate: async (length) => {
        writable();
        f.data = length <= f.data.length ? f.data.subarray(0, length) : Buffer.concat([f.data, Buffer.alloc(length - f.data.length)]);
      },
      size: async () => f.data.length,
      close: async () => undefined,
    };
  }

  async list(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const p of this.files.keys()) if (nodePath.dirname(p) === dir) out.push(nodePath.basename(p));
    return out;
  }

  async mkdirs(dir: string): Promise<void> {
    this.dirs.add(dir);
  }

  async rename(from: string, to: string): Promise<void> {
    const f = this.files.get(from);
    if (f === undefined) throw errno('ENOENT', from);
    this.files.delete(from);
    this.files.set(to, { ...f, entryDurable: false });
  }

  async remove(path: string): Promise<void> {
    this.files.delete(path);
  }

  async size(path: string): Promise<number | null> {
    return this.files.get(path)?.data.length ?? null;
  }

  async fsyncDir(dir: string): Promise<void> {
    for (const [p, f] of this.files) if (nodePath.dirname(p) === dir) f.entryDurable = true;
  }

  /** A power loss: unsynced writes are lost, files whose entries were never synced vanish. */
  crash(): void {
    for (const [p, f] of [...this.files]) {
      if (!f.entryDurable) this.files.delete(p);
      else f.data = Buffer.from(f.durable);
    }
  }

  bytes(path: string): Buffer {
    const f = this.files.get(path);
    if (f === undefined) throw new Error(`no file ${path}`);
    return f.data;
  }

  setBytes(path: string, data: Buffer): void {
    this.files.set(path, { data: Buffer.from(data), durable: Buffer.from(data), entryDurable: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Counting / fault-injecting wrapper

export type StorageOp = 'write' | 'fsync' | 'truncate' | 'fsyncDir' | 'open' | 'rename' | 'remove';

export class FaultyStorage implements Storage {
  readonly counts: Record<StorageOp, number> = { write: 0, fsync: 0, truncate: 0, fsyncDir: 0, open: 0, rename: 0, remove: 0 };
  /** The next calls of these operations fail with the given error (until cleared). */
  readonly faults = new Map<StorageOp, NodeJS.ErrnoException>();
  /** Called before every fsync (to hold one open in concurrency tests). */
  beforeFsync: (() => Promise<void>) | null = null;

  constructor(private readonly inner: Storage) {}

  private check(op: StorageOp): void {
    this.counts[op]++;
    const fault = this.faults.get(op);
    if (fault !== undefined) throw fault;
  }

  async open(path: string, mode: OpenMode): Promise<StorageFile> {
    this.check('open');
    const f = await this.inner.open(path, mode);
    return {
      path,
      write: async (data, position) => {
        this.check('write');
        return f.write(data, position);
      },
      read: (position, length) => f.read(position, length),
      fsync: async () => {
        if (this.beforeFsync) await this.beforeFsync();
        this.check('fsync');
        return f.fsync();
      },
      truncate: async (length) => {
        this.check('truncate');
        return f.truncate(length);
      },
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
    this.check('rename');
    return this.inner.rename(from, to);
  }
  async remove(path: string): Promise<void> {
    this.check('remove');
    return this.inner.remove(path);
  }
  size(path: string): Promise<number | null> {
    return this.inner.size(path);
  }
  async fsyncDir(dir: string): Promise<void> {
    this.check('fsyncDir');
    return this.inner.fsyncDir(dir);
  }
}

export const ioError = (code: 'EIO' | 'ENOSPC'): NodeJS.ErrnoException => errno(code, 'injected');

// ---------------------------------------------------------------------------------------------
// Logging and temp dirs

export interface LogLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as LogLine);
      done();
    },
  });
  const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  return { logger, lines };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(nodePath.join(os.tmpdir(), `${prefix}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Txn builders

export const OPEN_ACL: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
export const SESSION_ID = 0x100000538890000n;
export const TIME_MS = 1_795_000_000_000n;

function txn(zxid: bigint, type: number, body: Buffer, digest: TxnDigest | null = { version: 2, treeDigest: zxid * 7919n }): LoggedTxn {
  return { header: { clientId: SESSION_ID, cxid: Number(zxid % 1000n), zxid, time: TIME_MS + zxid, type }, body, digest };
}

export const txns = {
  createSession: (zxid: bigint, timeOut = 30000) => txn(zxid, Op.createSession, CreateSessionTxn.toBytes({ timeOut })),
  create: (zxid: bigint, path: string, data: string | null = 'data', ephemeral = false) =>
    txn(zxid, Op.create, CreateTxn.toBytes({ path, data: data === null ? null : Buffer.from(data), acl: OPEN_ACL, ephemeral, parentCVersion: 1 })),
  setData: (zxid: bigint, path: string, data: string, version = 1) =>
    txn(zxid, Op.setData, SetDataTxn.toBytes({ path, data: Buffer.from(data), version })),
  delete: (zxid: bigint, path: string) => txn(zxid, Op.delete, DeleteTxn.toBytes({ path })),
  error: (zxid: bigint, err = -101) => txn(zxid, Op.error, ErrorTxn.toBytes({ err }), null),
  closeSession: (zxid: bigint, paths: string[]) => txn(zxid, Op.closeSession, CloseSessionTxn.toBytes({ paths2Delete: paths })),
  multi: (zxid: bigint, path: string) =>
    txn(
      zxid, Op.multi,
      MultiTxn.toBytes({
        txns: [
          { type: Op.create, data: CreateTxn.toBytes({ path, data: Buffer.from('m'), acl: OPEN_ACL, ephemeral: false, parentCVersion: 2 }) },
          { type: Op.setData, data: SetDataTxn.toBytes({ path, data: Buffer.from('n'), version: 0 }) },
        ],
      }),
    ),
};

/** A run of simple creates, zxids from..to inclusive. */
export function createRun(from: bigint, to: bigint, prefix = '/n'): LoggedTxn[] {
  const out: LoggedTxn[] = [];
  for (let z = from; z <= to; z++) out.push(txns.create(z, `${prefix}${z}`, `value-${z}`));
  return out;
}

export function stat(czxid: bigint, overrides: Partial<StatPersisted> = {}): StatPersisted {
  return {
    czxid,
    mzxid: czxid,
    ctime: TIME_MS + czxid,
    mtime: TIME_MS + czxid,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: czxid,
    ...overrides,
  };
}

/** Compares LoggedTxns by value (body bytes, not views). */
export function plainTxn(t: LoggedTxn): { header: LoggedTxn['header']; body: string; digest: TxnDigest | null } {
  return { header: t.header, body: t.body.toString('hex'), digest: t.digest };
}

// ---------------------------------------------------------------------------------------------
// What a client sees

/** A node as node-zookeeper-client showed it (test/fixtures/zk-data/capture.js). */
export interface ClientNode {
  path: string;
  data: string | null;
  stat: Record<string, string | number>;
  acl: Array<{ perms: number; scheme: string; id: string }>;
}

const hex = (v: bigint): string => BigInt.asUintN(64, v).toString(16);

/** What a client would read for persisted nodes: upstream DataNode.copyStat and getACL. */
export function clientView(nodes: SnapshotNode[], acls: Map<bigint, ACL[]>): ClientNode[] {
  const childCount = new Map<string, number>();
  for (const n of nodes) {
    if (n.path === '') continue;
    const parent = n.path.slice(0, n.path.lastIndexOf('/'));
    childCount.set(parent, (childCount.get(parent) ?? 0) + 1);
  }
  const out = nodes.map((n): ClientNode => {
    const children = childCount.get(n.path) ?? 0;
    const s = n.stat;
    const acl = n.aclIndex === -1n ? OPEN_ACL : acls.get(n.aclIndex)!;
    return {
      path: n.path === '' ? '/' : n.path,
      data: n.data === null ? null : n.data.toString('base64'),
      stat: {
        czxid: hex(s.czxid), mzxid: hex(s.mzxid), ctime: s.ctime.toString(), mtime: s.mtime.toString(), version: s.version,
        // the persisted cversion counts creates; clients see creates + deletes
        cversion: s.cversion * 2 - children,
        aversion: s.aversion, ephemeralOwner: hex(s.ephemeralOwner), dataLength: n.data?.length ?? 0,
        numChildren: children, pzxid: hex(s.pzxid),
      },
      acl: acl.map((a) => ({ perms: a.perms, scheme: a.id.scheme, id: a.id.id })),
    };
  });
  return out.map(maskDigestIds).sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** getACL shows digest ids as `user:x` to clients not authenticated as that user. */
export function maskDigestIds(n: ClientNode): ClientNode {
  return { ...n, acl: n.acl.map((a) => (a.scheme === 'digest' ? { ...a, id: a.id.replace(/:.*$/, ':x') } : a)) };
}

// ---------------------------------------------------------------------------------------------
// A model of the data tree, enough to replay logged txns onto a snapshot in tests

export interface ModelTree {
  nodes: Map<string, SnapshotNode>;
  acls: Map<bigint, ACL[]>;
}

export function modelFromSnapshot(nodes: SnapshotNode[], acls: Map<bigint, ACL[]>): ModelTree {
  const tree: ModelTree = { nodes: new Map(), acls: new Map(acls) };
  for (const n of nodes) tree.nodes.set(n.path, { ...n, stat: { ...n.stat } });
  return tree;
}

const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/'));
const sameAcl = (a: ACL[], b: ACL[]): boolean => JSON.stringify(a) === JSON.stringify(b);

function aclIndex(tree: ModelTree, acl: ACL[]): bigint {
  for (const [index, list] of tree.acls) if (sameAcl(list, acl)) return index;
  const next = [...tree.acls.keys()].reduce((m, k) => (k > m ? k : m), 0n) + 1n;
  tree.acls.set(next, acl);
  return next;
}

function applyOne(tree: ModelTree, h: LoggedTxn['header'], type: number, body: Buffer): void {
  switch (type) {
    case Op.create: {
      const t = CreateTxn.fromBytes(body);
      const parent = tree.nodes.get(parentOf(t.path))!;
      tree.nodes.set(t.path, {
        path: t.path,
        data: t.data,
        aclIndex: aclIndex(tree, t.acl),
        stat: { czxid: h.zxid, mzxid: h.zxid, ctime: h.time, mtime: h.time, version: 0, cversion: 0, aversion: 0, ephemeralOwner: t.ephemeral ? h.clientId : 0n, pzxid: h.zxid },
      });
      const parentCVersion = t.parentCVersion === -1 ? parent.stat.cversion + 1 : t.parentCVersion;
      if (parentCVersion > parent.stat.cversion) {
        parent.stat.cversion = parentCVersion;
        parent.stat.pzxid = h.zxid;
      }
      return;
    }
    case Op.delete: {
      const t = DeleteTxn.fromBytes(body);
      tree.nodes.delete(t.path);
      const parent = tree.nodes.get(parentOf(t.path))!;
      if (h.zxid > parent.stat.pzxid) parent.stat.pzxid = h.zxid;
      return;
    }
    case Op.setData: {
      const t = SetDataTxn.fromBytes(body);
      const n = tree.nodes.get(t.path)!;
      n.data = t.data;
      n.stat.version = t.version;
      n.stat.mzxid = h.zxid;
      n.stat.mtime = h.time;
      return;
    }
    case Op.closeSession:
      for (const path of CloseSessionTxn.fromBytes(body).paths2Delete) applyOne(tree, h, Op.delete, DeleteTxn.toBytes({ path }));
      return;
    case Op.setACL: {
      const t = SetACLTxn.fromBytes(body);
      const n = tree.nodes.get(t.path)!;
      n.aclIndex = aclIndex(tree, t.acl);
      n.stat.aversion = t.version;
      return;
    }
    case Op.multi: {
      const inner = MultiTxn.fromBytes(body).txns;
      // a multi that holds an error txn failed: it changes nothing (upstream DataTree.processTxn)
      if (inner.some((x) => x.type === Op.error)) return;
      for (const x of inner) applyOne(tree, h, x.type, x.data ?? Buffer.alloc(0));
      return;
    }
    case 13: // check, inside a multi
    case Op.createSession:
    case Op.error:
      return;
    default:
      throw new Error(`model cannot apply txn type ${type}`);
  }
}

export function applyToModel(tree: ModelTree, txn: LoggedTxn): void {
  applyOne(tree, txn.header, txn.header.type, txn.body);
}

/** Depth-first node list, children in name order, root "" first. */
export function modelNodes(tree: ModelTree): SnapshotNode[] {
  const out: SnapshotNode[] = [];
  const paths = [...tree.nodes.keys()].sort();
  for (const p of paths) out.push(tree.nodes.get(p)!);
  return out;
}

/** Upstream DigestCalculator (digest version 2): sum of CRC-32s of nodes outside /zookeeper/. */
export function treeDigest(tree: ModelTree): bigint {
  let sum = 0n;
  for (const n of tree.nodes.values()) {
    if (n.path.startsWith('/zookeeper/')) continue;
    const s = Buffer.alloc(60);
    s.writeBigInt64BE(n.stat.czxid, 0);
    s.writeBigInt64BE(n.stat.mzxid, 8);
    s.writeBigInt64BE(n.stat.pzxid, 16);
    s.writeBigInt64BE(n.stat.ctime, 24);
    s.writeBigInt64BE(n.stat.mtime, 32);
    s.writeInt32BE(n.stat.version, 40);
    s.writeInt32BE(n.stat.cversion, 44);
    s.writeInt32BE(n.stat.aversion, 48);
    s.writeBigInt64BE(n.stat.ephemeralOwner, 52);
    const bytes = Buffer.concat([Buffer.from(n.path === '/' ? '' : n.path), n.data ?? Buffer.alloc(0), s]);
    sum = BigInt.asUintN(64, sum + BigInt(crc32(bytes)));
  }
  return BigInt.asIntN(64, sum);
}
