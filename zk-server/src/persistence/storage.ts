// Storage: the narrow file interface the txn log and snapshots use, and its node:fs implementation.
// Every byte the persistence layer reads or writes goes through here, so tests can count fsyncs,
// inject disk errors (ENOSPC, EIO) and simulate crashes (lost unsynced writes, torn tails).
// No format knowledge lives here, and nothing here decides what is durable: callers fsync.

import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import { BaseError } from '../../../shared/src';

/**
 * An open file. Writes are positioned, not appends: the txn log preallocates, so where its entries
 * end is not the file size.
 */
export interface StorageFile {
  readonly path: string;
  /** Writes all of `data` at `position`; the file grows as needed. */
  write(data: Buffer, position: number): Promise<void>;
  /** Reads up to `length` bytes at `position`: fewer, or none, past the end of the file. */
  read(position: number, length: number): Promise<Buffer>;
  /** Makes the written data (and the size) durable: fdatasync. */
  fsync(): Promise<void>;
  /** Sets the length: cuts the file, or extends it with zeros (preallocation). */
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/**
 * How to open: `read` an existing file; `write` an existing file for reading and writing;
 * `create` a new file for reading and writing, failing if it already exists.
 */
export type OpenMode = 'read' | 'write' | 'create';

export interface Storage {
  open(path: string, mode: OpenMode): Promise<StorageFile>;
  /** Entry names in a directory (unsorted); empty when the directory does not exist. */
  list(dir: string): Promise<string[]>;
  /** Creates a directory and its missing parents. */
  mkdirs(dir: string): Promise<void>;
  /** Atomically replaces `to` (if present) by `from`. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; a missing file is not an error. */
  remove(path: string): Promise<void>;
  /** Size of a file in bytes, or null when it does not exist. */
  size(path: string): Promise<number | null>;
  /** Makes the directory's entries (files created, renamed, removed) durable. */
  fsyncDir(dir: string): Promise<void>;
}

/** A data directory cannot be read or written as it must be; `cause` holds the underlying error. */
export class PersistenceError extends BaseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PERSISTENCE', message, options);
  }
}

const READ_FLAGS: Record<OpenMode, string> = { read: 'r', write: 'r+', create: 'wx+' };

class NodeFile implements StorageFile {
  constructor(
    readonly path: string,
    private readonly handle: fsp.FileHandle,
  ) {}

  /**
   * A synchronous write: it only copies into the page cache, which costs less than a round trip
   * through the thread pool; the fsync that makes it durable stays asynchronous.
   */
  async write(data: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < data.length) {
      done += fs.writeSync(this.handle.fd, data, done, data.length - done, position + done);
    }
  }

  async read(position: number, length: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(out, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === length ? out : out.subarray(0, done);
  }

  fsync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** Storage over node:fs. */
export class NodeStorage implements Storage {
  async open(path: string, mode: OpenMode): Promise<StorageFile> {
    return new NodeFile(path, await fsp.open(path, READ_FLAGS[mode]));
  }

  async list(dir: string): Promise<string[]> {
    try {
      return await fsp.readdir(dir);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  async mkdirs(dir: string): Promise<void> {
    await fsp.mkdir(dir, { recursive: true });
  }

  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  }

  async remove(path: string): Promise<void> {
    await fsp.rm(path, { force: true });
  }

  async size(path: string): Promise<number | null> {
    try {
      return (await fsp.stat(path)).size;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async fsyncDir(dir: string): Promise<void> {
    const handle = await fsp.open(dir, fs.constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** Reads a whole file (snapshots are read in one piece). */
export async function readWholeFile(storage: Storage, path: string): Promise<Buffer> {
  const file = await storage.open(path, 'read');
  try {
    const size = await file.size();
    const bytes = await file.read(0, size);
    if (bytes.length !== size) {
      throw new PersistenceError(`${path}: read ${bytes.length} of ${size} bytes`);
    }
    return bytes;
  } finally {
    await file.close();
  }
}

/** The folder ZooKeeper keeps logs and snapshots in, under dataDir or dataLogDir. */
export const VERSION_DIR_NAME = 'version-2';

export function versionDir(dir: string): string {
  return nodePath.join(dir, VERSION_DIR_NAME);
}

/**
 * The zxid in a `<prefix>.<hex zxid>[.suffix]` file name, or null; as upstream's
 * Util.getZxidFromName, so `snapshot.1f.gz` is snapshot 0x1f and `.snapshot.1f.tmp` is nothing.
 */
export function zxidFromFileName(name: string, prefix: string): bigint | null {
  const parts = name.split('.');
  if (parts.length < 2 || parts[0] !== prefix) return null;
  const hex = parts[1]!;
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) return null;
  return BigInt.asIntN(64, BigInt('0x' + hex));
}

/** A zxid as operators read it: `0x` and lower-case hex of the unsigned value. */
export function zxidHex(zxid: bigint): string {
  return '0x' + BigInt.asUintN(64, zxid).toString(16);
}

/** `<prefix>.<hex zxid>`, lower-case hex without leading zeros, as upstream's Util.makeLogName. */
export function fileNameForZxid(prefix: string, zxid: bigint): string {
  return `${prefix}.${BigInt.asUintN(64, zxid).toString(16)}`;
}
