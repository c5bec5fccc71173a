// The file system shell of the storage layer: positional reads and writes that loop until done,
// fsync of files and directories, atomic replace (temp file, fsync, rename, fsync the directory),
// and FileWindow, a reusable buffer for scanning a file front to back. Every fs failure leaves here
// as a LogError KAFKA_STORAGE_ERROR with the original error as cause.

import fs from 'node:fs';
import path from 'node:path';
import { storageError } from './log-errors';
import { TEMP_FILE_SUFFIX } from './log-files';

export function openFile(filePath: string, flags: string): number {
  try {
    return fs.openSync(filePath, flags);
  } catch (err) {
    throw storageError(`open ${filePath}`, err);
  }
}

export function closeFile(fd: number, what: string): void {
  try {
    fs.closeSync(fd);
  } catch (err) {
    throw storageError(`close ${what}`, err);
  }
}

export function fileSize(fd: number, what: string): number {
  try {
    return fs.fstatSync(fd).size;
  } catch (err) {
    throw storageError(`stat ${what}`, err);
  }
}

/** Reads exactly `length` bytes at `position` into buf[at..]; returns fewer only at end of file. */
export function readAt(fd: number, buf: Buffer, at: number, length: number, position: number, what: string): number {
  let done = 0;
  try {
    while (done < length) {
      const n = fs.readSync(fd, buf, at + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
  } catch (err) {
    throw storageError(`read ${what}`, err);
  }
  return done;
}

export function writeAt(fd: number, buf: Buffer, at: number, length: number, position: number, what: string): void {
  let done = 0;
  try {
    while (done < length) done += fs.writeSync(fd, buf, at + done, length - done, position + done);
  } catch (err) {
    throw storageError(`write ${what}`, err);
  }
}

export function truncateFile(fd: number, length: number, what: string): void {
  try {
    fs.ftruncateSync(fd, length);
  } catch (err) {
    throw storageError(`truncate ${what}`, err);
  }
}

export function syncFile(fd: number, what: string): void {
  try {
    fs.fsyncSync(fd);
  } catch (err) {
    throw storageError(`fsync ${what}`, err);
  }
}

/** fsync of a directory, so that creates, renames and unlinks in it survive a crash. */
export function syncDirectory(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    throw storageError(`fsync directory ${dir}`, err);
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/** Replaces `filePath` with `data` so that a crash leaves either the old or the new content. */
export function writeFileAtomically(filePath: string, data: string): void {
  const temp = filePath + TEMP_FILE_SUFFIX;
  const fd = openFile(temp, 'w');
  try {
    const bytes = Buffer.from(data, 'utf8');
    writeAt(fd, bytes, 0, bytes.length, 0, temp);
    syncFile(fd, temp);
  } finally {
    closeFile(fd, temp);
  }
  try {
    fs.renameSync(temp, filePath);
  } catch (err) {
    throw storageError(`rename ${temp}`, err);
  }
  syncDirectory(path.dirname(filePath));
}

/** The file's text, or null when it does not exist. */
export function readTextIfExists(filePath: string): string | null {
  try {
    return fs.readFileSync(filePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw storageError(`read ${filePath}`, err);
  }
}

export function removeFileIfExists(filePath: string): void {
  try {
    fs.rmSync(filePath, { force: true });
  } catch (err) {
    throw storageError(`remove ${filePath}`, err);
  }
}

export function renameFile(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    throw storageError(`rename ${from}`, err);
  }
}

export function listDirectory(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw storageError(`list ${dir}`, err);
  }
}

export function makeDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw storageError(`create directory ${dir}`, err);
  }
}

/**
 * A window of a file held in a reusable buffer, for scanning front to back with few reads:
 * `ensure(position, length)` makes file bytes [position, position + length) available at
 * `buf[position - start]`, re-reading from `position` when they are not all there yet.
 */
export class FileWindow {
  buf: Buffer;
  /** File position of buf[0]. */
  start = 0;
  /** Valid bytes in buf. */
  length = 0;
  private fd = -1;
  private fileEnd = 0;
  private what = '';

  constructor(capacityBytes: number) {
    this.buf = Buffer.allocUnsafe(capacityBytes);
  }

  /** Points the window at a file whose readable bytes end at `fileEnd`. */
  reset(fd: number, fileEnd: number, what: string): void {
    this.fd = fd;
    this.fileEnd = fileEnd;
    this.what = what;
    this.start = 0;
    this.length = 0;
  }

  /** False when the file ends before position + length. Grows the buffer if length exceeds it. */
  ensure(position: number, length: number): boolean {
    if (position + length > this.fileEnd) return false;
    if (position >= this.start && position + length <= this.start + this.length) return true;
    if (length > this.buf.length) this.buf = Buffer.allocUnsafe(length);
    const want = Math.min(this.buf.length, this.fileEnd - position);
    const got = readAt(this.fd, this.buf, 0, want, position, this.what);
    this.start = position;
    this.length = got;
    return got >= length;
  }

  /** Offset in `buf` of file position `position` (valid after a successful ensure covering it). */
  at(position: number): number {
    return position - this.start;
  }
}

/**
 * fsync of files by path off the event loop (libuv threads), for segments that just rolled. A file
 * that is gone (retention or truncation removed it meanwhile) has nothing left to make durable.
 */
export async function syncPathsAsync(filePaths: readonly string[]): Promise<void> {
  for (const filePath of filePaths) {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(filePath, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw storageError(`open ${filePath}`, err);
    }
    try {
      await handle.sync();
    } catch (err) {
      throw storageError(`fsync ${filePath}`, err);
    } finally {
      await handle.close();
    }
  }
}
