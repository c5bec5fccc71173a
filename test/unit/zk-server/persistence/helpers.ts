// Test helpers for the persistence tests: an in-memory Storage that loses unsynced writes on a
// simulated crash, a wrapper that counts calls and injects disk errors, a logger that keeps what
// it logged, temp directories, and txn builders.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { Logger } from '../../../../shared/src';
import { ACL, StatPersisted } from '../../../../zk-server/src/protocol/records/data';
import {
  CloseSessionTxn,
  CreateSessionTxn,
  CreateTxn,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetDataTxn,
  TxnDigest,
} from '../../../../zk-server/src/protocol/records/txn';
import { OpenMode, Storage, StorageFile } from '../../../../zk-server/src/persistence/storage';
import { LoggedTxn, TxnType } from '../../../../zk-server/src/persistence/txn-log';

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
  createSession: (zxid: bigint, timeOut = 30000) => txn(zxid, TxnType.createSession, CreateSessionTxn.toBytes({ timeOut })),
  create: (zxid: bigint, path: string, data: string | null = 'data', ephemeral = false) =>
    txn(zxid, TxnType.create, CreateTxn.toBytes({ path, data: data === null ? null : Buffer.from(data), acl: OPEN_ACL, ephemeral, parentCVersion: 1 })),
  setData: (zxid: bigint, path: string, data: string, version = 1) =>
    txn(zxid, TxnType.setData, SetDataTxn.toBytes({ path, data: Buffer.from(data), version })),
  delete: (zxid: bigint, path: string) => txn(zxid, TxnType.delete, DeleteTxn.toBytes({ path })),
  error: (zxid: bigint, err = -101) => txn(zxid, TxnType.error, ErrorTxn.toBytes({ err }), null),
  closeSession: (zxid: bigint, paths: string[]) => txn(zxid, TxnType.closeSession, CloseSessionTxn.toBytes({ paths2Delete: paths })),
  multi: (zxid: bigint, path: string) =>
    txn(
      zxid,
      TxnType.multi,
      MultiTxn.toBytes({
        txns: [
          { type: TxnType.create, data: CreateTxn.toBytes({ path, data: Buffer.from('m'), acl: OPEN_ACL, ephemeral: false, parentCVersion: 2 }) },
          { type: TxnType.setData, data: SetDataTxn.toBytes({ path, data: Buffer.from('n'), version: 0 }) },
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
