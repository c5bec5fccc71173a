// The transaction log: `version-2/log.<hex zxid of its first txn>` files in Apache ZooKeeper 3.8's
// format (upstream FileTxnLog), written with group commit and read back for recovery. It never
// interprets a txn beyond finding where its body ends; applying txns is the data tree's business.
//
// File format (all integers big-endian, jute encoding):
//   FileHeader   int magic 0x5A4B4C47 ("ZKLG"), int version 2, long dbid 0
//   entry*       long checksum   Adler-32 of the txn bytes (upper 32 bits zero)
//                int  length     of the txn bytes, 1 .. TXN_ENTRY_BYTES_MAX
//                byte[length]    txn bytes = TxnHeader{long clientId, int cxid, long zxid, long time,
//                                int type} + the txn record for `type` (none for a legacy
//                                closeSession) + optional TxnDigest{int version, long treeDigest}
//                byte 0x42       end of record ('B')
//   zeros        the file is preallocated in preAllocSize steps (upstream FilePadding: when the
//                write position comes within 4 KiB of the known size, grow by one step), so a
//                length of 0 marks the end of the entries, as does the end of the file.
// Entries are in increasing zxid order. A log is never appended to after a restart: the first
// append of a run, and the first after rollLog() or truncate(), creates a new file (as upstream).
// Truncation (an ensemble member told to drop txns it logged but the quorum did not keep) cuts
// the file holding the new last txn and removes later files, newest first, so that a crash part
// way leaves a prefix of the log and never a log with a hole.
//
// Reading stops at the first entry that is not whole and valid (short read, length out of range,
// missing 0x42, checksum mismatch): a torn or corrupt tail. With `repair`, the file is cut there
// (a file left without entries is removed) so that nothing after the last valid entry can be
// mistaken for data; an entry with a valid checksum that does not decode is a format error and
// is never cut away.

import * as nodePath from 'node:path';
import { adler32, assert, ByteReader, ByteWriter, CodecError, Logger } from '../../../shared/src';
import { FileHeader, TxnDigest, TxnHeader } from '../protocol/records/txn';
import { Op } from '../protocol/op-codes';
import { txnRecordOf } from '../protocol/txn-codec';
import { JUTE_MAX_BUFFER_BYTES, PRE_ALLOC_SIZE_KB_DEFAULT } from '../limits';
import {
  fileNameForZxid,
  PersistenceError,
  Storage,
  StorageFile,
  zxidFromFileName,
  zxidHex as hex,
} from './storage';

/** A logged transaction, as the pipeline hands it over and as replay gives it back. */
export interface LoggedTxn {
  header: TxnHeader;
  /** The txn record bytes after the header (the record `header.type` names); empty for types without one. */
  body: Buffer;
  digest: TxnDigest | null;
}

export interface TxnLog {
  /** Buffers one txn; zxids must increase. */
  append(txn: LoggedTxn): void;
  /** Buffers one txn given as its bytes (TxnHeader + record + optional TxnDigest). */
  appendRaw(zxid: bigint, bytes: Buffer): void;
  /** Removes every txn above `zxid`, buffered or logged, in order with the appends around it. */
  truncate(zxid: bigint): Promise<void>;
  /** Writes every buffered txn and fsyncs once for all of them (if forceSync): group commit. */
  commit(): Promise<void>;
  /** The next append starts a new log.<zxid> file. */
  rollLog(): void;
  close(): Promise<void>;
}

export const TXNLOG_MAGIC = 0x5a4b4c47;
export const TXNLOG_VERSION = 2;
export const TXNLOG_DBID = 0n;
export const LOG_FILE_PREFIX = 'log';
export const END_OF_RECORD = 0x42;
export const FILE_HEADER_BYTES = 16;
/** checksum (8) + length (4) before the txn bytes, end-of-record byte (1) after. */
export const ENTRY_OVERHEAD_BYTES = 13;
export const TXN_HEADER_BYTES = 32;
export const TXN_DIGEST_BYTES = 12;
/** Largest txn a reader accepts: jute.maxbuffer plus upstream's extra allowance (as much again). */
export const TXN_ENTRY_BYTES_MAX = 2 * JUTE_MAX_BUFFER_BYTES;
/** Upstream grows the file when the write position comes this close to its known size. */
export const PREALLOC_MARGIN_BYTES = 4096;
/** Bytes read at a time while scanning a log file. */
export const LOG_READ_CHUNK_BYTES = 1 << 20;

/** Length of the txn record of `type` starting at `r.offset`; CodecError if it does not decode. */
function bodyLength(type: number, r: ByteReader): number {
  const codec = txnRecordOf(type);
  if (codec === undefined) throw new CodecError(`unsupported txn type ${type}`, r.offset);
  const start = r.offset;
  // a closeSession written before CloseSessionTxn existed (or with it disabled) has no body
  if (type === Op.closeSession && r.remaining === 0) return 0;
  codec.decode(r);
  return r.offset - start;
}

/**
 * What a local append can check without decoding its body again: the server encoded that body
 * from the record of the type its header names a moment ago (appendRaw decodes bytes from a peer).
 */
function checkLocalTxn(txn: LoggedTxn): void {
  const type = txn.header.type;
  if (txnRecordOf(type) === undefined) assert(false, `unsupported txn type ${type}`);
  if (type !== Op.closeSession && txn.body.length === 0) assert(false, `txn type ${type} without its record`);
}

/** TxnHeader + body + digest: the bytes the checksum covers. */
export function encodeTxnBytes(txn: LoggedTxn): Buffer {
  const size = TXN_HEADER_BYTES + txn.body.length + (txn.digest === null ? 0 : TXN_DIGEST_BYTES);
  const w = new ByteWriter(size);
  TxnHeader.encode(w, txn.header);
  w.bytes(txn.body);
  if (txn.digest !== null) TxnDigest.encode(w, txn.digest);
  assert(w.offset === size, 'txn bytes size');
  return w.view();
}

/** Splits txn bytes into header, body and digest; CodecError if they do not decode. */
export function decodeTxnBytes(bytes: Buffer): LoggedTxn {
  const r = new ByteReader(bytes);
  const header = TxnHeader.decode(r);
  const bodyStart = r.offset;
  const length = bodyLength(header.type, r);
  const body = bytes.subarray(bodyStart, bodyStart + length);
  let digest: TxnDigest | null = null;
  if (r.remaining > 0) digest = TxnDigest.decode(r);
  if (r.remaining !== 0) throw new CodecError(`${r.remaining} bytes after the txn digest`, r.offset);
  return { header, body, digest };
}

/** One whole log entry: checksum, length, txn bytes, 0x42. */
export function encodeTxnEntry(txn: LoggedTxn): Buffer {
  return encodeTxnEntryInto(new EntryArena(logEntryBytes(txn)), txn);
}

/**
 * Log entries are encoded one after another into large buffers, so that the entries of a commit
 * usually lie back to back in memory and go to the file in one write without being copied again.
 * A buffer is never reused: entries waiting for their commit keep views of it.
 */
class EntryArena {
  private chunk: Buffer = Buffer.alloc(0);
  private used = 0;

  constructor(private readonly chunkBytes: number) {}

  /** A view of `size` fresh bytes, right after the previous one when they fit. */
  take(size: number): Buffer {
    if (this.chunk.length - this.used < size) {
      this.chunk = Buffer.allocUnsafe(Math.max(size, this.chunkBytes));
      this.used = 0;
    }
    const view = this.chunk.subarray(this.used, this.used + size);
    this.used += size;
    return view;
  }
}

/** First bytes of the arena buffers of a log writer; an entry larger than this gets its own. */
const ENTRY_ARENA_CHUNK_BYTES = 256 * 1024;

/** Sets the checksum and length before txn bytes already in place, and the end-of-record byte after. */
function sealEntry(entry: Buffer): Buffer {
  const length = entry.length - ENTRY_OVERHEAD_BYTES;
  // the checksum is a long whose upper half is zero: two ints spare a BigInt per entry
  entry.writeUInt32BE(0, 0);
  entry.writeUInt32BE(adler32(entry, 12, 12 + length), 4);
  entry.writeInt32BE(length, 8);
  entry[entry.length - 1] = END_OF_RECORD;
  return entry;
}

function encodeTxnEntryInto(arena: EntryArena, txn: LoggedTxn): Buffer {
  const size = logEntryBytes(txn);
  assert(size - ENTRY_OVERHEAD_BYTES <= TXN_ENTRY_BYTES_MAX, `txn of ${size - ENTRY_OVERHEAD_BYTES} bytes > TXN_ENTRY_BYTES_MAX`);
  const entry = arena.take(size);
  const w = new ByteWriter(0);
  w.buf = entry;
  w.offset = 12;
  TxnHeader.encode(w, txn.header);
  w.bytes(txn.body);
  if (txn.digest !== null) TxnDigest.encode(w, txn.digest);
  // a writer that outgrew the entry moved to a buffer of its own
  if (w.buf !== entry || w.offset !== size - 1) assert(false, 'txn entry size');
  return sealEntry(entry);
}

function encodeLogEntryInto(arena: EntryArena, bytes: Buffer): Buffer {
  assert(bytes.length <= TXN_ENTRY_BYTES_MAX, `txn of ${bytes.length} bytes > TXN_ENTRY_BYTES_MAX`);
  const entry = arena.take(bytes.length + ENTRY_OVERHEAD_BYTES);
  bytes.copy(entry, 12);
  return sealEntry(entry);
}

/** Bytes an entry takes in the log. */
export function logEntryBytes(txn: LoggedTxn): number {
  const digestBytes = txn.digest === null ? 0 : TXN_DIGEST_BYTES;
  return ENTRY_OVERHEAD_BYTES + TXN_HEADER_BYTES + txn.body.length + digestBytes;
}

/** The log entry around txn bytes already encoded. */
export function encodeLogEntry(bytes: Buffer): Buffer {
  return encodeLogEntryInto(new EntryArena(bytes.length + ENTRY_OVERHEAD_BYTES), bytes);
}

export function encodeLogFileHeader(): Buffer {
  return FileHeader.toBytes({ magic: TXNLOG_MAGIC, version: TXNLOG_VERSION, dbid: TXNLOG_DBID });
}

/** Never modified: written as it is, or copied in front of the first entry of a file. */
const LOG_FILE_HEADER = encodeLogFileHeader();

/**
 * Upstream FilePadding.calculateFileSizeWithPadding: the size a log file must be preallocated to
 * before writing at `position`, given its known size.
 */
export function paddedFileSize(position: number, fileSize: number, preAllocBytes: number): number {
  if (preAllocBytes <= 0 || position + PREALLOC_MARGIN_BYTES < fileSize) return fileSize;
  if (position > fileSize) {
    const size = position + preAllocBytes;
    return size - (size % preAllocBytes);
  }
  return fileSize + preAllocBytes;
}

export interface FileTxnLogOptions {
  /** preAllocSize in KiB; 0 turns preallocation off. Default 65536 (64 MiB). */
  preAllocSizeKiB?: number;
  /** fsync on commit (zoo.cfg forceSync=yes). Default true. */
  forceSync?: boolean;
  /** The last zxid already in the logs or snapshots; appends must be above it. */
  lastZxid?: bigint;
  logger: Logger;
}

interface PendingEntry {
  zxid: bigint;
  bytes: Buffer;
  /** The entry goes to a new file (first append of the run, or first after rollLog). */
  startsFile: boolean;
  /** When it starts a file: that file's header, just before the entry in memory. */
  fileHeader: Buffer | null;
}

interface OpenLog {
  name: string;
  file: StorageFile;
  /** Where the next entry goes. */
  position: number;
  /** Size the file has been preallocated to. */
  sizeBytes: number;
}

/** The txn log writer over `logDir` (the `version-2` folder). */
export class FileTxnLog implements TxnLog {
  private readonly preAllocBytes: number;
  private readonly forceSync: boolean;
  private readonly log: Logger;
  private pending: PendingEntry[] = [];
  private readonly arena = new EntryArena(ENTRY_ARENA_CHUNK_BYTES);
  private rollRequested = true;
  private lastAppendedZxid: bigint;
  private current: OpenLog | null = null;
  private failure: Error | null = null;
  private closed = false;
  /** Commits run one after another: each takes the entries appended before it was called. */
  private commitChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly logDir: string,
    options: FileTxnLogOptions,
  ) {
    const preAllocSizeKiB = options.preAllocSizeKiB ?? PRE_ALLOC_SIZE_KB_DEFAULT;
    assert(Number.isInteger(preAllocSizeKiB) && preAllocSizeKiB >= 0, 'preAllocSizeKiB');
    this.preAllocBytes = preAllocSizeKiB * 1024;
    this.forceSync = options.forceSync ?? true;
    this.lastAppendedZxid = options.lastZxid ?? 0n;
    this.log = options.logger;
  }

  /** The error that stopped the log, if any: once set, every commit rejects with it. */
  get failed(): Error | null {
    return this.failure;
  }

  get lastZxid(): bigint {
    return this.lastAppendedZxid;
  }

  /** Name of the file being written, if one is open. */
  get currentFileName(): string | null {
    return this.current?.name ?? null;
  }

  append(txn: LoggedTxn): void {
    const zxid = txn.header.zxid;
    this.checkAppend(zxid);
    checkLocalTxn(txn);
    this.buffer(zxid, () => encodeTxnEntryInto(this.arena, txn));
  }

  /**
   * Buffers txn bytes to be logged verbatim, as an ensemble member logs a leader's PROPOSAL.
   * CodecError (and nothing buffered) when they are not one whole txn whose header has `zxid`.
   */
  appendRaw(zxid: bigint, bytes: Buffer): void {
    this.checkAppend(zxid);
    const header = decodeTxnBytes(bytes).header;
    if (header.zxid !== zxid) {
      throw new CodecError(`txn header holds zxid ${hex(header.zxid)}, not ${hex(zxid)}`, 12);
    }
    this.buffer(zxid, () => encodeLogEntryInto(this.arena, bytes));
  }

  private checkAppend(zxid: bigint): void {
    assert(!this.closed, 'append after close');
    // the message only when it fails: formatting two zxids costs more than the append
    if (zxid <= this.lastAppendedZxid) {
      assert(false, `zxid ${hex(zxid)} <= last appended ${hex(this.lastAppendedZxid)}`);
    }
  }

  private buffer(zxid: bigint, entry: () => Buffer): void {
    this.lastAppendedZxid = zxid;
    if (this.failure !== null) return; // nothing will be acknowledged again; keep no memory
    const startsFile = this.rollRequested;
    let fileHeader: Buffer | null = null;
    if (startsFile) {
      fileHeader = this.arena.take(FILE_HEADER_BYTES);
      LOG_FILE_HEADER.copy(fileHeader);
    }
    this.pending.push({ zxid, bytes: entry(), startsFile, fileHeader });
    this.rollRequested = false;
  }

  rollLog(): void {
    this.rollRequested = true;
  }

  /**
   * Removes every txn above `zxid`. Buffered ones go at once; logged ones once the commits
   * before this call are done, by truncateLogFiles (fsynced if forceSync). Appends after this
   * call start a new file; zxid 0 removes every log file.
   */
  truncate(zxid: bigint): Promise<void> {
    assert(!this.closed, 'truncate after close');
    const kept = this.pending.filter((e) => e.zxid <= zxid);
    this.pending = [];
    if (zxid < this.lastAppendedZxid) this.lastAppendedZxid = zxid;
    this.rollRequested = true;
    const run = this.commitChain.then(async () => {
      await this.writeBatch(kept);
      await this.stopOnError(() => this.cutAfter(zxid));
    });
    this.commitChain = run.catch(() => undefined);
    return run;
  }

  commit(): Promise<void> {
    const run = this.commitChain.then(() => this.writePending());
    this.commitChain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.failure === null && this.pending.length > 0) await this.commit();
      await this.commitChain;
    } finally {
      this.closed = true;
      const current = this.current;
      this.current = null;
      if (current !== null) await current.file.close();
    }
  }

  private async writePending(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    const batch = this.pending;
    this.pending = [];
    await this.writeBatch(batch);
  }

  private async writeBatch(batch: PendingEntry[]): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (batch.length === 0) return;
    await this.stopOnError(async () => {
      let start = 0;
      while (start < batch.length) {
        let end = start + 1;
        while (end < batch.length && !batch[end]!.startsFile) end++;
        await this.writeRun(batch.slice(start, end));
        start = end;
      }
    });
  }

  /** Runs `work`; if it fails, the log stops and this and every later commit reject. */
  private async stopOnError(work: () => Promise<void>): Promise<void> {
    if (this.failure !== null) throw this.failure;
    try {
      await work();
    } catch (err) {
      const message = 'txn log write failed; no further write is acknowledged';
      this.failure = new PersistenceError(message, { cause: err });
      this.log.error('txn log write failed; the log is stopped', { error: String(err) });
      throw this.failure;
    }
  }

  private async cutAfter(zxid: bigint): Promise<void> {
    // the file being written may be cut or removed; the next append opens a new one anyway
    const current = this.current;
    this.current = null;
    if (current !== null) await current.file.close();
    await truncateLogFiles(this.storage, this.logDir, zxid, this.log, { fsync: this.forceSync });
  }

  /** Writes entries that go to one file (a new one if the first starts a file), then fsyncs it. */
  private async writeRun(run: PendingEntry[]): Promise<void> {
    const created = run[0]!.startsFile || this.current === null;
    if (created) await this.openNewFile(run[0]!.zxid);
    const log = this.current!;
    const start = created ? FILE_HEADER_BYTES : log.position;
    // pad before each entry, as upstream does, so files grow exactly as upstream's
    let size = log.sizeBytes;
    let at = start;
    for (const e of run) {
      size = paddedFileSize(at, size, this.preAllocBytes);
      at += e.bytes.length;
    }
    if (size !== log.sizeBytes) await log.file.truncate(size);
    const buffers = run.map((e) => e.bytes);
    if (created) buffers.unshift(run[0]!.fileHeader ?? LOG_FILE_HEADER);
    await writeBackToBack(log.file, buffers, created ? 0 : start);
    log.position = at;
    log.sizeBytes = Math.max(size, log.position);
    if (this.forceSync) {
      await log.file.fsync();
      if (created) await this.storage.fsyncDir(this.logDir);
    }
  }

  private async openNewFile(firstZxid: bigint): Promise<void> {
    const previous = this.current;
    this.current = null;
    if (previous !== null) await previous.file.close();
    const name = fileNameForZxid(LOG_FILE_PREFIX, firstZxid);
    this.log.info('creating new txn log file', { file: name });
    await this.storage.mkdirs(this.logDir);
    const file = await this.storage.open(nodePath.join(this.logDir, name), 'create');
    // the header goes out with the first entries; upstream counts it in the known size
    this.current = { name, file, position: 0, sizeBytes: FILE_HEADER_BYTES };
  }
}

/**
 * Writes buffers one after another from `position`: each stretch of them that lies back to back
 * in one arena buffer in a single write, without copying it.
 */
async function writeBackToBack(file: StorageFile, buffers: readonly Buffer[], position: number): Promise<void> {
  let at = position;
  let i = 0;
  while (i < buffers.length) {
    const first = buffers[i]!;
    let end = first.byteOffset + first.length;
    let j = i + 1;
    for (; j < buffers.length; j++) {
      const next = buffers[j]!;
      if (next.buffer !== first.buffer || next.byteOffset !== end) break;
      end += next.length;
    }
    const span = Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
    await file.write(span, at);
    at += span.length;
    i = j;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface LogFileInfo {
  name: string;
  /** zxid of the first txn, from the name. */
  startZxid: bigint;
}

/** The log files in `logDir`, oldest first. */
export async function listLogFiles(storage: Storage, logDir: string): Promise<LogFileInfo[]> {
  const files: LogFileInfo[] = [];
  for (const name of await storage.list(logDir)) {
    const startZxid = zxidFromFileName(name, LOG_FILE_PREFIX);
    if (startZxid !== null) files.push({ name, startZxid });
  }
  return files.sort((a, b) => (a.startZxid < b.startZxid ? -1 : a.startZxid > b.startZxid ? 1 : 0));
}

/**
 * The files that can hold txns after `zxid`: the newest one starting at or before it, and every
 * later one (upstream FileTxnLog.getLogFiles).
 */
export function logFilesFrom(files: readonly LogFileInfo[], zxid: bigint): LogFileInfo[] {
  let from = 0n;
  for (const f of files) {
    if (f.startZxid > zxid) break;
    if (f.startZxid > from) from = f.startZxid;
  }
  return files.filter((f) => f.startZxid >= from);
}

/** Why reading a log file stopped. */
export type LogFileEnd =
  | { kind: 'clean' } // end of file, or zeros where the next entry would start
  | { kind: 'torn'; reason: string }; // an entry (or the header) that is not whole or not valid

export interface ScannedLogFile {
  name: string;
  startZxid: bigint;
  /** Whole, valid entries, in file order. */
  txns: LoggedTxn[];
  /** Offset just past the last valid entry (16 when there is none, 0 when the header is torn). */
  validEnd: number;
  fileSize: number;
  end: LogFileEnd;
}

/** A forward cursor over a file that reads ahead in chunks and hands out views. */
class ChunkedReader {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly file: StorageFile,
    private readonly fileSize: number,
  ) {}

  /** `length` bytes at `position`, or fewer at the end of the file. */
  async get(position: number, length: number): Promise<Buffer> {
    const offset = position - this.windowStart;
    if (offset >= 0 && offset + length <= this.window.length) {
      return this.window.subarray(offset, offset + length);
    }
    const left = Math.max(0, this.fileSize - position);
    const want = Math.min(Math.max(length, LOG_READ_CHUNK_BYTES), left);
    this.window = want > 0 ? await this.file.read(position, want) : Buffer.alloc(0);
    this.windowStart = position;
    return this.window.subarray(0, Math.min(length, this.window.length));
  }
}

function isAllZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * null for a good header, a reason for a torn one (short, or zeros: a crash right after the file
 * was created); PersistenceError for a header that is whole but not a version-2 txn log.
 */
function checkLogHeader(header: Buffer, name: string): string | null {
  if (header.length < FILE_HEADER_BYTES) return `file header is ${header.length} bytes`;
  if (isAllZero(header)) return 'file header is zeros';
  const h = FileHeader.fromBytes(header);
  if (h.magic !== TXNLOG_MAGIC || h.version !== TXNLOG_VERSION) {
    const magic = (h.magic >>> 0).toString(16);
    throw new PersistenceError(`${name} is not a version-2 txn log (magic 0x${magic}, version ${h.version})`);
  }
  return null;
}

/**
 * Reads one log file up to its first invalid entry; PersistenceError if an entry with a valid
 * checksum does not decode.
 */
export async function scanLogFile(
  storage: Storage,
  logDir: string,
  info: LogFileInfo,
): Promise<ScannedLogFile> {
  const file = await storage.open(nodePath.join(logDir, info.name), 'read');
  try {
    const fileSize = await file.size();
    const reader = new ChunkedReader(file, fileSize);
    const result: ScannedLogFile = {
      ...info,
      txns: [],
      validEnd: FILE_HEADER_BYTES,
      fileSize,
      end: { kind: 'clean' },
    };
    const tornHeader = checkLogHeader(await reader.get(0, FILE_HEADER_BYTES), info.name);
    if (tornHeader !== null) {
      result.validEnd = 0;
      result.end = { kind: 'torn', reason: tornHeader };
      return result;
    }
    let position = FILE_HEADER_BYTES;
    for (;;) {
      const step = await readEntry(reader, position, info.name);
      if (step.kind === 'end') {
        result.end = step.end;
        break;
      }
      result.txns.push(step.txn);
      position += step.bytes;
      result.validEnd = position;
    }
    return result;
  } finally {
    await file.close();
  }
}

type EntryStep = { kind: 'entry'; txn: LoggedTxn; bytes: number } | { kind: 'end'; end: LogFileEnd };
const CLEAN_END: EntryStep = { kind: 'end', end: { kind: 'clean' } };

async function readEntry(reader: ChunkedReader, position: number, name: string): Promise<EntryStep> {
  const torn = (reason: string): EntryStep => ({ kind: 'end', end: { kind: 'torn', reason } });
  const prefix = await reader.get(position, 12);
  if (prefix.length === 0 || (prefix.length < 12 && isAllZero(prefix))) return CLEAN_END;
  if (prefix.length < 12) return torn(`partial entry prefix at byte ${position}`);
  const checksum = prefix.readBigUInt64BE(0);
  const length = prefix.readInt32BE(8);
  if (length === 0) {
    return checksum === 0n ? CLEAN_END : torn(`checksum without an entry at byte ${position}`);
  }
  if (length < 0 || length > TXN_ENTRY_BYTES_MAX) return torn(`entry length ${length} at byte ${position}`);
  const rest = await reader.get(position + 12, length + 1);
  if (rest.length < length + 1) {
    return torn(`partial entry at byte ${position} (${rest.length} of ${length + 1} bytes)`);
  }
  if (rest[length] !== END_OF_RECORD) return torn(`entry at byte ${position} lacks its end-of-record byte`);
  const bytes = rest.subarray(0, length);
  if (checksum !== BigInt(adler32(bytes))) return torn(`checksum mismatch in entry at byte ${position}`);
  let txn: LoggedTxn;
  try {
    txn = decodeTxnBytes(bytes);
  } catch (err) {
    const message = `${name}: entry at byte ${position} has a valid checksum but does not decode`;
    throw new PersistenceError(message, { cause: err });
  }
  return { kind: 'entry', txn, bytes: length + ENTRY_OVERHEAD_BYTES };
}

export interface ReadLogsOptions {
  /** Cut torn tails, remove files without entries and set aside files past a gap. Default false. */
  repair?: boolean;
}

export interface ReadLogsResult {
  /** Txns with zxid > afterZxid, in increasing zxid order. */
  txns: LoggedTxn[];
  /** zxid of the last txn returned, or null if none. */
  lastZxid: bigint | null;
  /** Whether any log file had a valid entry (at any zxid). */
  anyEntries: boolean;
}

const epochOf = (zxid: bigint): bigint => zxid >> 32n;

/**
 * Reads every txn with zxid > `afterZxid` from the log files in `logDir` that can hold one.
 * Replay ends at the first torn or corrupt entry (with a warning); it continues into the next file
 * only if that file takes up where the valid entries stopped (the next zxid, or a later epoch),
 * as happens when a server restarted after a torn write.
 */
export async function readTxnLogs(
  storage: Storage,
  logDir: string,
  afterZxid: bigint,
  logger: Logger,
  options: ReadLogsOptions = {},
): Promise<ReadLogsResult> {
  const files = logFilesFrom(await listLogFiles(storage, logDir), afterZxid);
  const out: ReadLogsResult = { txns: [], lastZxid: null, anyEntries: false };
  let reached = afterZxid;
  let brokenAt: bigint | null = null;
  for (let i = 0; i < files.length; i++) {
    const info = files[i]!;
    if (brokenAt !== null) {
      const continues = info.startZxid <= brokenAt + 1n || epochOf(info.startZxid) > epochOf(brokenAt);
      if (!continues) {
        const rest = files.slice(i);
        await setAsideUnreachable(storage, logDir, rest, brokenAt, logger, options.repair === true);
        break;
      }
      brokenAt = null;
    }
    const scanned = await scanLogFile(storage, logDir, info);
    out.anyEntries ||= scanned.txns.length > 0;
    for (const txn of scanned.txns) {
      const zxid = txn.header.zxid;
      if (zxid <= reached) {
        if (zxid > afterZxid) {
          logger.warn('txn log entry out of zxid order skipped', { file: info.name, zxid: hex(zxid) });
        }
        continue;
      }
      out.txns.push(txn);
      reached = zxid;
      out.lastZxid = zxid;
    }
    if (scanned.end.kind !== 'clean') {
      logger.warn('txn log ends early: torn or corrupt tail', {
        file: info.name,
        reason: scanned.end.reason,
        lastValidZxid: hex(reached),
        discardedBytes: scanned.fileSize - scanned.validEnd,
      });
      brokenAt = reached;
    }
    if (options.repair === true) await repairFile(storage, logDir, scanned, logger);
  }
  return out;
}

async function repairFile(
  storage: Storage,
  logDir: string,
  scanned: ScannedLogFile,
  logger: Logger,
): Promise<void> {
  const path = nodePath.join(logDir, scanned.name);
  if (scanned.txns.length === 0) {
    logger.info('removing txn log file without entries', { file: scanned.name });
    await storage.remove(path);
    await storage.fsyncDir(logDir);
    return;
  }
  if (scanned.end.kind === 'clean') return;
  const file = await storage.open(path, 'write');
  try {
    await file.truncate(scanned.validEnd);
    await file.fsync();
  } finally {
    await file.close();
  }
  logger.warn('txn log file cut after its last valid entry', {
    file: scanned.name,
    lengthBytes: scanned.validEnd,
  });
}

/** Prefix for log files past a gap left by a corrupt entry: kept for inspection, ignored by readers. */
export const UNREACHABLE_LOG_PREFIX = 'unreachable';

async function setAsideUnreachable(
  storage: Storage,
  logDir: string,
  files: LogFileInfo[],
  brokenAt: bigint,
  logger: Logger,
  repair: boolean,
): Promise<void> {
  logger.warn('txn log files after a corrupt entry cannot be replayed', {
    afterZxid: hex(brokenAt),
    files: files.map((f) => f.name),
    setAside: repair,
  });
  if (!repair) return;
  for (const f of files) {
    const setAside = `${UNREACHABLE_LOG_PREFIX}.${f.name}`;
    await storage.rename(nodePath.join(logDir, f.name), nodePath.join(logDir, setAside));
  }
  await storage.fsyncDir(logDir);
}

// ---------------------------------------------------------------------------------------------
// Truncation

export interface TruncateLogOptions {
  /** fsync what changed (the directory after removals, the file after a cut). Default true. */
  fsync?: boolean;
}

/**
 * Removes every logged txn above `zxid` from the log files in `logDir` (upstream
 * FileTxnLog.truncate): later files go first, newest first, and their removal is made durable
 * before the file holding `zxid` is cut after its last entry at or below it (its preallocated
 * tail and any torn tail go too), so that a crash part way leaves a prefix of the log. A file
 * left without entries is removed. Never call it while a FileTxnLog writes to `logDir`: use
 * FileTxnLog.truncate, which orders it with the appends.
 */
export async function truncateLogFiles(
  storage: Storage,
  logDir: string,
  zxid: bigint,
  logger: Logger,
  options: TruncateLogOptions = {},
): Promise<void> {
  const fsync = options.fsync ?? true;
  const files = await listLogFiles(storage, logDir);
  const later = files.filter((f) => f.startZxid > zxid).reverse();
  for (const f of later) {
    logger.info('removing txn log file: all its txns are truncated', {
      file: f.name,
      afterZxid: hex(zxid),
    });
    await storage.remove(nodePath.join(logDir, f.name));
  }
  if (fsync && later.length > 0) await storage.fsyncDir(logDir);
  const holder = files.filter((f) => f.startZxid <= zxid).pop();
  if (holder !== undefined) await cutLogFile(storage, logDir, holder, zxid, logger, fsync);
}

async function cutLogFile(
  storage: Storage,
  logDir: string,
  info: LogFileInfo,
  zxid: bigint,
  logger: Logger,
  fsync: boolean,
): Promise<void> {
  const scanned = await scanLogFile(storage, logDir, info);
  let kept = 0;
  let end = FILE_HEADER_BYTES;
  for (const txn of scanned.txns) {
    if (txn.header.zxid > zxid) break;
    kept++;
    end += logEntryBytes(txn);
  }
  const path = nodePath.join(logDir, info.name);
  if (kept === 0) {
    logger.info('removing txn log file: all its txns are truncated', {
      file: info.name,
      afterZxid: hex(zxid),
    });
    await storage.remove(path);
    if (fsync) await storage.fsyncDir(logDir);
    return;
  }
  if (end === scanned.fileSize) return;
  const file = await storage.open(path, 'write');
  try {
    await file.truncate(end);
    if (fsync) await file.fsync();
  } finally {
    await file.close();
  }
  logger.info('txn log file cut by truncation', {
    file: info.name,
    afterZxid: hex(zxid),
    txnsRemoved: scanned.txns.length - kept,
    lengthBytes: end,
  });
}
