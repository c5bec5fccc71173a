// Snapshots: `version-2/snapshot.<hex zxid>` files in Apache ZooKeeper 3.8's format (upstream
// FileSnap + SerializeUtils + DataTree.serialize), written fuzzily in chunks while the tree keeps
// changing, and read back whole with both checksums verified. Nothing here applies txns.
// The database (sessions to end path) is also a value of its own, the body of a quorum SNAP
// packet: encodeDatabase/decodeDatabase, and writeSnapshotData to file one that was shipped.
//
// File format (big-endian, jute encoding); `adler` is the Adler-32 of every byte of the file
// before it, carried in a long:
//   FileHeader   int magic 0x5A4B534E ("ZKSN"), int version 2, long dbid -1
//   --- database (upstream SerializeUtils.serializeSnapshot) ---
//   sessions     int count, then (long sessionId, int timeoutMs) per session
//   ACL cache    int count, then (long index, vector<ACL> acls) per entry; index -1 (the open ACL
//                of nodes created without one) is implied, never stored
//   nodes        depth-first from the root, whose path is "": (ustring path, buffer data,
//                long aclIndex, StatPersisted stat) per node, parents before children
//   end          ustring "/"
//   --- end of database ---
//   seal         long adler, ustring "/"
//   ZxidDigest   long zxid, int version 2, long digest (all zero when unknown: upstream's
//                "empty digest"); readers from before 3.6 stop at the first seal
//   seal         long adler, ustring "/"
// The file name carries the zxid of the last txn applied when writing began. The tree may change
// while nodes are written (a fuzzy snapshot): replaying the log from that zxid on makes it
// consistent, so the ZxidDigest names the zxid it was taken at, read once the nodes are written.
// A snapshot is written to `.snapshot.<hex>.tmp` (a name upstream ignores), fsynced, then renamed.

import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { adler32, assert, ByteReader, ByteWriter, CodecError, jute } from '../../../shared/src';
import { ACL, StatPersisted } from '../protocol/records/data';
import { FileHeader } from '../protocol/records/txn';
import {
  fileNameForZxid,
  PersistenceError,
  readWholeFile,
  Storage,
  StorageFile,
  versionDir,
  zxidFromFileName,
} from './storage';

export const SNAP_MAGIC = 0x5a4b534e;
export const SNAP_VERSION = 2;
export const SNAP_DBID = -1n;
export const SNAPSHOT_FILE_PREFIX = 'snapshot';
/** Upstream DigestCalculator.DIGEST_VERSION. */
export const DIGEST_VERSION = 2;
/** ACL index of nodes without a stored ACL list (upstream OPEN_UNSAFE_ACL_ID). */
export const OPEN_UNSAFE_ACL_INDEX = -1n;
/** The path that ends the node list and each seal. */
export const END_PATH = '/';
/**
 * Bytes serialized before they are written out and the event loop is given a turn: about half a
 * millisecond of serializing small nodes, so client requests wait no longer than that.
 */
export const SNAPSHOT_CHUNK_BYTES = 64 * 1024;
/** Longest the writer serializes before giving the event loop a turn, whatever the byte count. */
export const SNAPSHOT_SLICE_MS_MAX = 1;
/** Nodes serialized between two looks at the clock (reading it is not free). */
const SNAPSHOT_NODES_PER_CLOCK_CHECK = 32;
/** Upstream isValidSnapshot: a file shorter than this cannot be a snapshot. */
export const SNAPSHOT_BYTES_MIN = 10;
/** How many snapshots recovery tries, newest first (upstream reads at most 100). */
export const SNAPSHOT_CANDIDATES_MAX = 100;
const TEMP_PREFIX = '.snapshot.';
const TEMP_SUFFIX = '.tmp';

export interface SnapshotNode {
  /** "" for the root as upstream writes it, then "/zookeeper", ... depth-first. */
  path: string;
  data: Buffer | null;
  aclIndex: bigint;
  stat: StatPersisted;
}

export interface SnapshotSession {
  sessionId: bigint;
  timeoutMs: number;
}

export interface ZxidDigest {
  zxid: bigint;
  version: number;
  digest: bigint;
}

export interface SnapshotSource {
  sessions: SnapshotSession[];
  acls: Map<bigint, ACL[]>;
  /**
   * The nodes, parents before children. The iterator is consumed across event-loop turns while
   * the tree keeps changing: each node it yields must be a copy consistent at that moment (its
   * data and stat are encoded at once), and it must tolerate changes between steps (list a
   * node's children when visiting it, skip nodes deleted since), as upstream's serializeNode.
   */
  nodes(): Iterable<SnapshotNode>;
  /** Last applied zxid when writing begins: the file name. */
  zxid: bigint;
  /** Tree digest at `zxid`, or null when not kept. */
  digest: bigint | null;
  /**
   * Called once the nodes are written: the last applied zxid and the tree digest at that moment
   * (upstream writes its lastProcessedZxidDigest there). Without it, { zxid, digest } is used,
   * which is right only when the tree did not change while writing.
   */
  digestAtEnd?(): { zxid: bigint; digest: bigint } | null;
}

/** What a database is made of; a SnapshotSource is one. */
export type DatabaseSource = Pick<SnapshotSource, 'sessions' | 'acls' | 'nodes'>;

/** A decoded database: what a snapshot file or a SNAP packet holds; its zxid travels beside it. */
export interface SnapshotDatabase {
  sessions: SnapshotSession[];
  acls: Map<bigint, ACL[]>;
  nodes: SnapshotNode[];
}

export interface LoadedSnapshot extends SnapshotDatabase {
  /** File name, e.g. `snapshot.1a`. */
  name: string;
  /** zxid from the file name: every txn up to it is (at least) in the snapshot. */
  zxid: bigint;
  dbid: bigint;
  /** The ZxidDigest, when present and not empty (zxid > 0). */
  zxidDigest: ZxidDigest | null;
}

/** A verified snapshot file's database left as bytes, as a SNAP packet carries it. */
export interface SnapshotData {
  name: string;
  zxid: bigint;
  /** From the session count to the end path "/", both included. */
  data: Buffer;
}

export interface WriteSnapshotOptions {
  /** fsync the file (and the directory after the rename). Default true. */
  fsync?: boolean;
  /** Serialized bytes per write between event-loop turns. Default SNAPSHOT_CHUNK_BYTES. */
  chunkBytes?: number;
  /** Most milliseconds of serializing between event-loop turns. Default SNAPSHOT_SLICE_MS_MAX. */
  sliceMs?: number;
}

/** First size of the buffer encodeDatabase grows from. */
const DATABASE_BUFFER_BYTES_INITIAL = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// The database: encoding

function checkNodePath(path: string, first: boolean): void {
  if (first) assert(path === '', `first snapshot node must be the root "", not "${path}"`);
  else assert(path.startsWith('/') && !path.endsWith('/'), `bad snapshot node path "${path}"`);
}

function writeSessionsAndAcls(w: ByteWriter, src: DatabaseSource): void {
  w.int32(src.sessions.length);
  for (const s of src.sessions) {
    assert(Number.isInteger(s.timeoutMs), 'session timeout');
    w.int64(s.sessionId).int32(s.timeoutMs);
  }
  w.int32(src.acls.size);
  for (const [index, acls] of src.acls) {
    assert(index !== OPEN_UNSAFE_ACL_INDEX, 'ACL index -1 is implied, never stored');
    w.int64(index);
    jute.vector(ACL).encode(w, acls);
  }
}

function writeNode(w: ByteWriter, node: SnapshotNode, first: boolean): void {
  checkNodePath(node.path, first);
  jute.ustring.encode(w, node.path);
  jute.buffer.encode(w, node.data);
  w.int64(node.aclIndex);
  StatPersisted.encode(w, node.stat);
}

function writeDatabaseEnd(w: ByteWriter, nodeCount: number): void {
  assert(nodeCount > 0, 'a database has at least the root node');
  jute.ustring.encode(w, END_PATH);
}

/** Serializes a database at once (upstream SerializeUtils.serializeSnapshot): a SNAP's body. */
export function encodeDatabase(src: DatabaseSource): Buffer {
  const w = new ByteWriter(DATABASE_BUFFER_BYTES_INITIAL);
  writeSessionsAndAcls(w, src);
  let count = 0;
  for (const node of src.nodes()) writeNode(w, node, count++ === 0);
  writeDatabaseEnd(w, count);
  return w.toBuffer();
}

/** Whether `data` ends as a database does, with the end path (a cheap check before filing it). */
function endsWithEndPath(data: Buffer): boolean {
  const n = data.length;
  return n >= 5 && data.readInt32BE(n - 5) === 1 && data[n - 1] === END_PATH.charCodeAt(0);
}

// ---------------------------------------------------------------------------------------------
// Snapshot files: writing

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Serializes in chunks to a file, keeping the running Adler-32 of everything written, and gives
 * the event loop a turn after each chunk or time slice.
 */
class ChunkedSnapshotWriter {
  readonly w = new ByteWriter(SNAPSHOT_CHUNK_BYTES);
  private position = 0;
  private checksum = 1;
  private sliceStartMs = performance.now();
  private nodesSinceClockCheck = 0;

  constructor(
    private readonly file: StorageFile,
    private readonly chunkBytes: number,
    private readonly sliceMs: number,
  ) {}

  /** Whether a node just serialized ends a chunk or a slice; synchronous, so most nodes await nothing. */
  pauseDue(): boolean {
    if (this.w.offset >= this.chunkBytes) return true;
    if (++this.nodesSinceClockCheck < SNAPSHOT_NODES_PER_CLOCK_CHECK) return false;
    this.nodesSinceClockCheck = 0;
    return performance.now() - this.sliceStartMs >= this.sliceMs;
  }

  /** Writes out a full chunk, then lets the event loop run. */
  async pause(): Promise<void> {
    if (this.w.offset >= this.chunkBytes) await this.flush();
    await yieldToEventLoop();
    this.sliceStartMs = performance.now();
    this.nodesSinceClockCheck = 0;
  }

  async flush(): Promise<void> {
    const bytes = this.w.view();
    if (bytes.length === 0) return;
    await this.writeOut(bytes);
    this.w.offset = 0;
  }

  /** Writes bytes serialized elsewhere after those buffered, without copying them. */
  async raw(bytes: Buffer): Promise<void> {
    await this.flush();
    await this.writeOut(bytes);
  }

  private async writeOut(bytes: Buffer): Promise<void> {
    this.checksum = adler32(bytes, 0, bytes.length, this.checksum);
    await this.file.write(bytes, this.position);
    this.position += bytes.length;
  }

  /** Adler-32 of every byte serialized so far, flushed or not. */
  runningChecksum(): number {
    const bytes = this.w.view();
    return adler32(bytes, 0, bytes.length, this.checksum);
  }

  seal(): void {
    this.w.int64(BigInt(this.runningChecksum()));
    jute.ustring.encode(this.w, END_PATH);
  }
}

function digestAtEnd(src: SnapshotSource): { zxid: bigint; digest: bigint } | null {
  if (src.digestAtEnd) return src.digestAtEnd();
  return src.digest === null ? null : { zxid: src.zxid, digest: src.digest };
}

/** The database of a live source, flushed in chunks with event-loop turns between them. */
async function writeDatabaseChunked(out: ChunkedSnapshotWriter, src: DatabaseSource): Promise<void> {
  writeSessionsAndAcls(out.w, src);
  let count = 0;
  for (const node of src.nodes()) {
    writeNode(out.w, node, count++ === 0);
    if (out.pauseDue()) await out.pause();
  }
  writeDatabaseEnd(out.w, count);
}

/** Writes the database and returns the ZxidDigest's zxid and digest (null: empty digest). */
type DatabaseWriter = (out: ChunkedSnapshotWriter) => Promise<{ zxid: bigint; digest: bigint } | null>;

/**
 * Files a snapshot as `<dataDir>/version-2/snapshot.<hex zxid>`: header, database, seal,
 * ZxidDigest, seal, through a temp file renamed once whole. Returns the file's path.
 */
async function writeSnapshotFile(
  storage: Storage,
  dataDir: string,
  zxid: bigint,
  writeDatabase: DatabaseWriter,
  options: WriteSnapshotOptions,
): Promise<string> {
  const dir = versionDir(dataDir);
  await storage.mkdirs(dir);
  const name = fileNameForZxid(SNAPSHOT_FILE_PREFIX, zxid);
  const finalPath = nodePath.join(dir, name);
  const zxidPart = name.slice(SNAPSHOT_FILE_PREFIX.length + 1);
  const tempPath = nodePath.join(dir, `${TEMP_PREFIX}${zxidPart}${TEMP_SUFFIX}`);
  const fsync = options.fsync ?? true;
  await storage.remove(tempPath);
  const file = await storage.open(tempPath, 'create');
  try {
    const chunkBytes = options.chunkBytes ?? SNAPSHOT_CHUNK_BYTES;
    const out = new ChunkedSnapshotWriter(file, chunkBytes, options.sliceMs ?? SNAPSHOT_SLICE_MS_MAX);
    FileHeader.encode(out.w, { magic: SNAP_MAGIC, version: SNAP_VERSION, dbid: SNAP_DBID });
    const end = await writeDatabase(out);
    out.seal();
    out.w.int64(end?.zxid ?? 0n).int32(DIGEST_VERSION).int64(end?.digest ?? 0n);
    out.seal();
    await out.flush();
    if (fsync) await file.fsync();
  } catch (err) {
    // the write failed: that is the error to report, not a close or remove failing after it
    await file.close().catch(() => undefined);
    await storage.remove(tempPath).catch(() => undefined);
    throw err;
  }
  await file.close();
  await storage.rename(tempPath, finalPath);
  if (fsync) await storage.fsyncDir(dir);
  return finalPath;
}

/**
 * Writes `src` as `<dataDir>/version-2/snapshot.<hex src.zxid>` and returns that file's path.
 * Serializes in chunks of `chunkBytes`, yielding to the event loop between chunks.
 */
export async function writeSnapshot(
  storage: Storage,
  dataDir: string,
  src: SnapshotSource,
  options: WriteSnapshotOptions = {},
): Promise<string> {
  return writeSnapshotFile(storage, dataDir, src.zxid, async (out) => {
    await writeDatabaseChunked(out, src);
    return digestAtEnd(src);
  }, options);
}

/**
 * Files a database already serialized (encodeDatabase, or a SNAP from the leader) as
 * `<dataDir>/version-2/snapshot.<hex zxid>`, with an empty ZxidDigest, and returns the path.
 */
export async function writeSnapshotData(
  storage: Storage,
  dataDir: string,
  snapshot: { zxid: bigint; data: Buffer },
  options: WriteSnapshotOptions = {},
): Promise<string> {
  assert(endsWithEndPath(snapshot.data), 'a serialized database ends with the end path "/"');
  return writeSnapshotFile(storage, dataDir, snapshot.zxid, async (out) => {
    await out.raw(snapshot.data);
    return null;
  }, options);
}

// ---------------------------------------------------------------------------------------------
// The database: decoding

function readSessions(r: ByteReader): SnapshotSession[] {
  const at = r.offset;
  const count = r.int32();
  if (count < 0 || count * 12 > r.remaining) throw new CodecError(`session count ${count}`, at);
  const sessions: SnapshotSession[] = [];
  for (let i = 0; i < count; i++) sessions.push({ sessionId: r.int64(), timeoutMs: r.int32() });
  return sessions;
}

function readAcls(r: ByteReader): Map<bigint, ACL[]> {
  const at = r.offset;
  const count = r.int32();
  if (count < 0 || count * 12 > r.remaining) throw new CodecError(`ACL cache count ${count}`, at);
  const acls = new Map<bigint, ACL[]>();
  for (let i = 0; i < count; i++) {
    const index = r.int64();
    acls.set(index, jute.vector(ACL).decode(r));
  }
  return acls;
}

function readNodes(r: ByteReader): SnapshotNode[] {
  const nodes: SnapshotNode[] = [];
  // nodes come depth-first, so each one's parent is on the stack of the current branch
  const branch: string[] = [];
  for (;;) {
    const at = r.offset;
    const path = jute.ustring.decode(r);
    if (path === END_PATH) return nodes;
    const slash = path.lastIndexOf('/');
    if (nodes.length === 0) {
      if (path !== '') throw new CodecError(`snapshot starts with "${path}", not the root`, at);
    } else {
      const parent = slash <= 0 ? '' : path.slice(0, slash);
      if (slash < 0) throw new CodecError(`snapshot node "${path}" is not a path`, at);
      while (branch.length > 0 && branch[branch.length - 1] !== parent) branch.pop();
      if (branch.length === 0) throw new CodecError(`snapshot node "${path}" does not follow its parent`, at);
    }
    branch.push(path);
    const data = jute.buffer.decode(r);
    const aclIndex = r.int64();
    nodes.push({ path, data, aclIndex, stat: StatPersisted.decode(r) });
  }
}

function readDatabase(r: ByteReader): SnapshotDatabase {
  const sessions = readSessions(r);
  const acls = readAcls(r);
  const nodes = readNodes(r);
  return { sessions, acls, nodes };
}

/**
 * Decodes a serialized database (encodeDatabase's output, a SNAP's body) that `data` holds
 * exactly; its zxid is the caller's to know (a file name, a packet). CodecError when malformed.
 */
export function decodeDatabase(data: Buffer): SnapshotDatabase {
  const r = new ByteReader(data);
  const database = readDatabase(r);
  if (r.remaining !== 0) throw new CodecError(`${r.remaining} bytes after the database`, r.offset);
  return database;
}

// ---------------------------------------------------------------------------------------------
// Snapshot files: reading

function readSeal(r: ByteReader, bytes: Buffer, what: string): void {
  const expected = BigInt(adler32(bytes, 0, r.offset));
  const at = r.offset;
  const stored = r.int64();
  if (stored !== expected) throw new CodecError(`${what} checksum mismatch`, at);
  const at2 = r.offset;
  if (jute.ustring.decode(r) !== END_PATH) throw new CodecError(`${what} is not followed by "/"`, at2);
}

interface ParsedSnapshotFile {
  zxid: bigint;
  dbid: bigint;
  database: SnapshotDatabase;
  /** Where the database lies in the file. */
  databaseStart: number;
  databaseEnd: number;
  zxidDigest: ZxidDigest | null;
}

function parseSnapshotFile(bytes: Buffer, name: string): ParsedSnapshotFile {
  const zxid = zxidFromFileName(name, SNAPSHOT_FILE_PREFIX);
  if (zxid === null) throw new CodecError(`${name} is not a snapshot file name`, 0);
  const r = new ByteReader(bytes);
  const header = FileHeader.decode(r);
  if (header.magic !== SNAP_MAGIC) {
    throw new CodecError(`bad snapshot magic 0x${(header.magic >>> 0).toString(16)}`, 0);
  }
  if (header.version !== SNAP_VERSION) {
    throw new CodecError(`unsupported snapshot version ${header.version}`, 4);
  }
  const databaseStart = r.offset;
  const database = readDatabase(r);
  const databaseEnd = r.offset;
  readSeal(r, bytes, 'snapshot');
  let zxidDigest: ZxidDigest | null = null;
  if (r.remaining > 0) {
    const digest = { zxid: r.int64(), version: r.int32(), digest: r.int64() };
    readSeal(r, bytes, 'snapshot digest');
    if (digest.zxid > 0n) zxidDigest = digest;
  }
  if (r.remaining !== 0) throw new CodecError(`${r.remaining} bytes after the snapshot`, r.offset);
  return { zxid, dbid: header.dbid, database, databaseStart, databaseEnd, zxidDigest };
}

/** Decodes a whole snapshot file and verifies its checksums; CodecError when it is corrupt. */
export function decodeSnapshot(bytes: Buffer, name: string): LoadedSnapshot {
  const parsed = parseSnapshotFile(bytes, name);
  return { name, zxid: parsed.zxid, ...parsed.database, dbid: parsed.dbid, zxidDigest: parsed.zxidDigest };
}

/**
 * Verifies a whole snapshot file as decodeSnapshot does and returns its database as bytes (a
 * view into `bytes`); CodecError when it is corrupt.
 */
export function decodeSnapshotData(bytes: Buffer, name: string): SnapshotData {
  const parsed = parseSnapshotFile(bytes, name);
  const data = bytes.subarray(parsed.databaseStart, parsed.databaseEnd);
  return { name, zxid: parsed.zxid, data };
}

export async function readSnapshot(
  storage: Storage,
  snapDir: string,
  name: string,
): Promise<LoadedSnapshot> {
  return decodeSnapshot(await readWholeFile(storage, nodePath.join(snapDir, name)), name);
}

export interface SnapshotFileInfo {
  name: string;
  zxid: bigint;
}

/** Snapshot files in `snapDir` (the `version-2` folder), newest first. */
export async function listSnapshots(
  storage: Storage,
  snapDir: string,
): Promise<SnapshotFileInfo[]> {
  const files: SnapshotFileInfo[] = [];
  for (const name of await storage.list(snapDir)) {
    const zxid = zxidFromFileName(name, SNAPSHOT_FILE_PREFIX);
    if (zxid !== null) files.push({ name, zxid });
  }
  return files.sort((a, b) => (a.zxid > b.zxid ? -1 : a.zxid < b.zxid ? 1 : 0));
}

/** Upstream's cheap validity check: long enough, and ending with the seal's ustring "/". */
export async function hasSnapshotTail(storage: Storage, path: string): Promise<boolean> {
  const file = await storage.open(path, 'read');
  try {
    const size = await file.size();
    if (size < SNAPSHOT_BYTES_MIN) return false;
    const tail = await file.read(size - 5, 5);
    return tail.length === 5 && tail.readInt32BE(0) === 1 && tail[4] === END_PATH.charCodeAt(0);
  } finally {
    await file.close();
  }
}

/** Removes snapshot temp files a crash left behind; never call it while a snapshot is being written. */
export async function removeSnapshotTempFiles(
  storage: Storage,
  snapDir: string,
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await storage.list(snapDir)) {
    if (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)) {
      await storage.remove(nodePath.join(snapDir, name));
      removed.push(name);
    }
  }
  return removed;
}

/** The outcome of looking for the newest valid snapshot. */
export interface SnapshotSearch<S = LoadedSnapshot> {
  snapshot: S | null;
  /** How many snapshot files were tried or could have been. */
  candidates: number;
  /** The newer ones that did not decode, with why. */
  rejected: Array<{ name: string; reason: string }>;
}

/**
 * The newest snapshot that `decode` accepts (it throws CodecError for a corrupt one), trying at
 * most SNAPSHOT_CANDIDATES_MAX files.
 */
export async function findNewestValidSnapshot<S>(
  storage: Storage,
  snapDir: string,
  decode: (bytes: Buffer, name: string) => S,
): Promise<SnapshotSearch<S>> {
  const candidates = (await listSnapshots(storage, snapDir)).slice(0, SNAPSHOT_CANDIDATES_MAX);
  const rejected: Array<{ name: string; reason: string }> = [];
  for (const c of candidates) {
    try {
      const bytes = await readWholeFile(storage, nodePath.join(snapDir, c.name));
      return { snapshot: decode(bytes, c.name), candidates: candidates.length, rejected };
    } catch (err) {
      if (!(err instanceof CodecError)) {
        throw new PersistenceError(`cannot read ${c.name}`, { cause: err });
      }
      rejected.push({ name: c.name, reason: err.message });
    }
  }
  return { snapshot: null, candidates: candidates.length, rejected };
}

/** The newest snapshot that decodes with valid checksums. */
export function loadNewestValidSnapshot(storage: Storage, snapDir: string): Promise<SnapshotSearch> {
  return findNewestValidSnapshot(storage, snapDir, decodeSnapshot);
}
