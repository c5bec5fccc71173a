import * as nodePath from 'node:path';
import { Op } from '../../../../zk-server/src/protocol/op-codes';
import { AssertionFailure, CodecError } from '../../../../shared/src';
import { NodeStorage, PersistenceError } from '../../../../zk-server/src/persistence/storage';
import {
  decodeTxnBytes,
  encodeTxnBytes,
  encodeTxnEntry,
  FILE_HEADER_BYTES,
  FileTxnLog,
  listLogFiles,
  logFilesFrom,
  paddedFileSize,
  readTxnLogs,
  truncateLogFiles,
  UNREACHABLE_LOG_PREFIX,
} from '../../../../zk-server/src/persistence/txn-log';
import { CreateSessionTxn } from '../../../../zk-server/src/protocol/records/txn';
import {
  captureLogger,
  createRun,
  FaultyStorage,
  ioError,
  MemoryStorage,
  plainTxn,
  removeDir,
  tempDir,
  txns,
} from './helpers';

const DIR = '/data/version-2';
const QUIET = captureLogger().logger;
const quiet = () => QUIET;

async function writeLog(storage: MemoryStorage | FaultyStorage, batches: Array<ReturnType<typeof createRun>>, preAllocSizeKiB = 16) {
  const log = new FileTxnLog(storage, DIR, { preAllocSizeKiB, logger: quiet() });
  for (const batch of batches) {
    for (const t of batch) log.append(t);
    await log.commit();
  }
  await log.close();
  return log;
}

describe('txn log entry format', () => {
  test('encodes the entry upstream 3.8 wrote for a createSession, byte for byte', () => {
    // observed first entry of a real 3.8.0 log (docs/zookeeper.md section 5)
    const expected = Buffer.from(
      '00000000babe0a7d00000030' +
        '0100000538890000000000000000000000000001000001a1fc5028b7fffffff6' +
        '00007530' +
        '0000000200000000' + '51c6d660' +
        '42',
      'hex',
    );
    const entry = encodeTxnEntry({
      header: { clientId: 0x0100000538890000n, cxid: 0, zxid: 1n, time: 0x1a1fc5028b7n, type: Op.createSession },
      body: CreateSessionTxn.toBytes({ timeOut: 30000 }),
      digest: { version: 2, treeDigest: 0x51c6d660n },
    });
    expect(entry.toString('hex')).toBe(expected.toString('hex'));
  });

  test('decodes header, body and digest, and a txn without digest', () => {
    for (const t of [txns.create(5n, '/a', 'x'), txns.error(6n), txns.multi(7n, '/m'), txns.closeSession(8n, ['/e1', '/e2'])]) {
      const entry = encodeTxnEntry(t);
      const decoded = decodeTxnBytes(entry.subarray(12, entry.length - 1));
      expect(plainTxn(decoded)).toEqual(plainTxn(t));
    }
  });

  test('a closeSession without body (written before CloseSessionTxn existed) decodes with an empty body', () => {
    const t = { ...txns.closeSession(9n, []), body: Buffer.alloc(0), digest: null };
    const entry = encodeTxnEntry(t);
    expect(decodeTxnBytes(entry.subarray(12, entry.length - 1)).body.length).toBe(0);
  });
});

describe('FileTxnLog', () => {
  test('round trips every txn type through a log file', async () => {
    const storage = new MemoryStorage();
    const written = [
      txns.createSession(1n),
      txns.create(2n, '/a', 'hello'),
      txns.create(3n, '/a/null', null),
      txns.setData(4n, '/a', 'hello2'),
      txns.multi(5n, '/a/m'),
      txns.error(6n),
      txns.delete(7n, '/a/null'),
      txns.closeSession(8n, ['/a/eph']),
    ];
    await writeLog(storage, [written.slice(0, 3), written.slice(3)]);
    expect(await storage.list(DIR)).toEqual(['log.1']);
    const read = await readTxnLogs(storage, DIR, 0n, quiet());
    expect(read.txns.map(plainTxn)).toEqual(written.map(plainTxn));
    expect(read.lastZxid).toBe(8n);
  });

  test('writes the upstream file header and preallocates in preAllocSize steps', async () => {
    const storage = new MemoryStorage();
    await writeLog(storage, [createRun(1n, 3n)], 16);
    const bytes = storage.bytes(`${DIR}/log.1`);
    expect(bytes.subarray(0, FILE_HEADER_BYTES).toString('hex')).toBe('5a4b4c47000000020000000000000000');
    expect(bytes.length).toBe(16 + 16 * 1024); // as upstream: header, then one step
    expect(bytes.subarray(bytes.length - 100).every((b) => b === 0)).toBe(true);
  });

  test('grows the file by one step when writes come within 4 KiB of its end', async () => {
    const storage = new MemoryStorage();
    const step = 16 * 1024;
    const written = [createRun(1n, 200n), createRun(201n, 400n)];
    await writeLog(storage, written, 16);
    const dataEnd = 16 + written.flat().reduce((n, t) => n + encodeTxnEntry(t).length, 0);
    const size = storage.bytes(`${DIR}/log.1`).length;
    expect(dataEnd).toBeGreaterThan(2 * step); // several steps were needed
    expect((size - 16) % step).toBe(0); // grown in whole steps from the 16-byte header
    expect(size).toBeGreaterThan(dataEnd);
    expect(size - step).toBeLessThanOrEqual(dataEnd + 4096); // and no step more than upstream would
    const read = await readTxnLogs(storage, DIR, 0n, quiet());
    expect(read.txns.length).toBe(400);
  });

  test('padding follows upstream FilePadding.calculateFileSizeWithPadding', () => {
    const step = 65536 * 1024;
    expect(paddedFileSize(16, 16, step)).toBe(16 + step);
    expect(paddedFileSize(1000, 16 + step, step)).toBe(16 + step);
    expect(paddedFileSize(step - 4000, 16 + step, step)).toBe(16 + 2 * step);
    expect(paddedFileSize(3 * step + 5, 16 + step, step)).toBe(4 * step);
    expect(paddedFileSize(100, 16, 0)).toBe(16);
  });

  test('a preallocated zero tail ends the log without a warning', async () => {
    const storage = new MemoryStorage();
    await writeLog(storage, [createRun(1n, 5n)]);
    const { logger, lines } = captureLogger();
    const read = await readTxnLogs(storage, DIR, 0n, logger, { repair: true });
    expect(read.txns.length).toBe(5);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
    expect(storage.bytes(`${DIR}/log.1`).length).toBe(16 + 16 * 1024); // clean files are left as they are
  });

  test('group commit: many appends, one commit, one fsync', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    const log = new FileTxnLog(storage, DIR, { logger: quiet(), preAllocSizeKiB: 16 });
    log.append(txns.createSession(1n));
    await log.commit(); // creates log.1: one file fsync and one directory fsync
    expect(storage.counts.fsync).toBe(1);
    expect(storage.counts.fsyncDir).toBe(1);
    for (const t of createRun(2n, 101n)) log.append(t);
    await log.commit();
    expect(storage.counts.fsync).toBe(2);
    expect(storage.counts.write).toBe(2); // the header goes out with the first entry
    expect(storage.counts.fsyncDir).toBe(1);
    await log.commit(); // nothing buffered: no I/O
    expect(storage.counts.fsync).toBe(2);
    await log.close();
  });

  test('forceSync=no writes without fsync', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    const log = new FileTxnLog(storage, DIR, { logger: quiet(), forceSync: false, preAllocSizeKiB: 16 });
    for (const t of createRun(1n, 10n)) log.append(t);
    await log.commit();
    await log.close();
    expect(storage.counts.fsync).toBe(0);
    expect(storage.counts.write).toBeGreaterThan(0);
  });

  test('commits called while one is in flight wait for it and take the entries appended since', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    const log = new FileTxnLog(storage, DIR, { logger: quiet(), preAllocSizeKiB: 16 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    storage.beforeFsync = () => held;
    log.append(txns.create(1n, '/a'));
    const first = log.commit();
    await new Promise((r) => setImmediate(r)); // the first commit is now waiting in fsync
    log.append(txns.create(2n, '/b'));
    log.append(txns.create(3n, '/c'));
    const second = log.commit();
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await new Promise((r) => setImmediate(r));
    expect(secondDone).toBe(false);
    release();
    storage.beforeFsync = null;
    await Promise.all([first, second]);
    expect(storage.counts.fsync).toBe(2);
    await log.close();
  });

  test('only committed entries survive a crash', async () => {
    const mem = new MemoryStorage();
    const log = new FileTxnLog(mem, DIR, { logger: quiet(), preAllocSizeKiB: 16 });
    for (const t of createRun(1n, 5n)) log.append(t);
    await log.commit();
    for (const t of createRun(6n, 8n)) log.append(t); // never committed
    mem.crash();
    const read = await readTxnLogs(mem, DIR, 0n, quiet(), { repair: true });
    expect(read.txns.map((t) => t.header.zxid)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  test('rollLog starts a new log.<zxid> file at the next append', async () => {
    const storage = new MemoryStorage();
    const log = new FileTxnLog(storage, DIR, { logger: quiet(), preAllocSizeKiB: 0 });
    for (const t of createRun(1n, 3n)) log.append(t);
    log.rollLog();
    for (const t of createRun(4n, 6n)) log.append(t);
    await log.commit(); // one commit spanning the roll
    log.rollLog();
    log.append(txns.create(0x1an, '/z'));
    await log.commit();
    await log.close();
    expect((await listLogFiles(storage, DIR)).map((f) => f.name)).toEqual(['log.1', 'log.4', 'log.1a']);
    const read = await readTxnLogs(storage, DIR, 0n, quiet());
    expect(read.txns.map((t) => t.header.zxid)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 0x1an]);
  });

  test('a new run appends to a new file after the last valid entry', async () => {
    const storage = new MemoryStorage();
    await writeLog(storage, [createRun(1n, 4n)]);
    const log = new FileTxnLog(storage, DIR, { logger: quiet(), lastZxid: 4n, preAllocSizeKiB: 16 });
    log.append(txns.create(5n, '/five'));
    await log.commit();
    await log.close();
    expect((await listLogFiles(storage, DIR)).map((f) => f.name)).toEqual(['log.1', 'log.5']);
  });

  test('appends must have increasing zxids and a known type with its record', () => {
    const log = new FileTxnLog(new MemoryStorage(), DIR, { logger: quiet(), lastZxid: 10n });
    expect(() => log.append(txns.create(10n, '/a'))).toThrow(AssertionFailure);
    const unknownType = { ...txns.create(11n, '/a'), header: { ...txns.create(11n, '/a').header, type: 99 } };
    expect(() => log.append(unknownType)).toThrow(AssertionFailure);
    const noRecord = { ...txns.create(11n, '/a'), body: Buffer.alloc(0) };
    expect(() => log.append(noRecord)).toThrow(AssertionFailure);
    log.append(txns.create(11n, '/a'));
  });

  test('a body that is not the record its type names is refused from a peer', () => {
    const log = new FileTxnLog(new MemoryStorage(), DIR, { logger: quiet(), lastZxid: 10n });
    const wrongBody = { ...txns.create(11n, '/a'), header: { ...txns.create(11n, '/a').header, type: Op.delete } };
    expect(() => log.appendRaw(11n, encodeTxnBytes(wrongBody))).toThrow(CodecError);
  });

  test('logFilesFrom picks the newest file starting at or before the zxid, and all later ones', () => {
    const files = [1n, 0x10n, 0x20n, 0x30n].map((z) => ({ name: `log.${z.toString(16)}`, startZxid: z }));
    expect(logFilesFrom(files, 0x25n).map((f) => f.name)).toEqual(['log.20', 'log.30']);
    expect(logFilesFrom(files, 0x20n).map((f) => f.name)).toEqual(['log.20', 'log.30']);
    expect(logFilesFrom(files, 0n).map((f) => f.name)).toEqual(['log.1', 'log.10', 'log.20', 'log.30']);
  });
});

describe('disk errors', () => {
  test.each(['EIO', 'ENOSPC'] as const)('%s on fsync makes commit reject, and every later commit too', async (code) => {
    const storage = new FaultyStorage(new MemoryStorage());
    const { logger, lines } = captureLogger();
    const log = new FileTxnLog(storage, DIR, { logger, preAllocSizeKiB: 16 });
    log.append(txns.create(1n, '/a'));
    await log.commit();
    storage.faults.set('fsync', ioError(code));
    log.append(txns.create(2n, '/b'));
    await expect(log.commit()).rejects.toBeInstanceOf(PersistenceError);
    storage.faults.clear(); // the disk recovers, but acknowledged writes must not resume
    log.append(txns.create(3n, '/c'));
    await expect(log.commit()).rejects.toThrow(/no further write is acknowledged/);
    await expect(log.commit()).rejects.toBeInstanceOf(PersistenceError);
    expect(log.failed?.cause).toMatchObject({ code });
    expect(lines.some((l) => l.level === 'error')).toBe(true);
    await log.close();
  });

  test('ENOSPC on write (or preallocation) rejects the commit', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    const log = new FileTxnLog(storage, DIR, { logger: quiet(), preAllocSizeKiB: 16 });
    storage.faults.set('truncate', ioError('ENOSPC'));
    log.append(txns.create(1n, '/a'));
    await expect(log.commit()).rejects.toBeInstanceOf(PersistenceError);
    storage.faults.clear();
    await expect(log.commit()).rejects.toBeInstanceOf(PersistenceError);
    await log.close();
  });
});

describe('torn and corrupt tails', () => {
  const whole = createRun(1n, 6n);

  async function logBytes(): Promise<{ bytes: Buffer; entryStarts: number[] }> {
    const storage = new MemoryStorage();
    await writeLog(storage, [whole], 0);
    const entryStarts: number[] = [];
    let at = FILE_HEADER_BYTES;
    for (const t of whole) {
      entryStarts.push(at);
      at += encodeTxnEntry(t).length;
    }
    entryStarts.push(at);
    return { bytes: storage.bytes(`${DIR}/log.1`), entryStarts };
  }

  test.each([
    ['cut short', false],
    ['zeroed from the cut on (a torn write into preallocated space)', true],
  ])('a log %s at every byte of its last entries recovers exactly the whole entries before that byte', async (_name, zeroed) => {
    const { bytes, entryStarts } = await logBytes();
    const from = entryStarts[3]!;
    for (let cut = from; cut <= bytes.length; cut++) {
      const storage = new MemoryStorage();
      const damaged = zeroed ? Buffer.concat([bytes.subarray(0, cut), Buffer.alloc(bytes.length - cut + 4096)]) : bytes.subarray(0, cut);
      storage.setBytes(`${DIR}/log.1`, damaged);
      const wholeBefore = entryStarts.filter((s, i) => i > 0 && s <= cut).length;
      const read = await readTxnLogs(storage, DIR, 0n, quiet(), { repair: true });
      expect(read.txns.map(plainTxn)).toEqual(whole.slice(0, wholeBefore).map(plainTxn));
      const size = storage.bytes(`${DIR}/log.1`).length;
      if (cut - entryStarts[wholeBefore]! >= 5) {
        // a partial entry was there: the file is cut back to the last whole entry
        expect(size).toBe(entryStarts[wholeBefore]);
      }
      // new appends follow the last valid entry, and a later read sees both
      const next = BigInt(wholeBefore + 1);
      const log = new FileTxnLog(storage, DIR, { logger: quiet(), lastZxid: next - 1n, preAllocSizeKiB: 0 });
      log.append(txns.create(next, '/after'));
      await log.commit();
      await log.close();
      const again = await readTxnLogs(storage, DIR, 0n, quiet(), { repair: true });
      expect(again.txns.map((t) => t.header.zxid)).toEqual([...whole.slice(0, wholeBefore).map((t) => t.header.zxid), next]);
    }
  });

  test.each([
    ['a flipped bit in the txn bytes (checksum mismatch)', (b: Buffer, at: number) => (b[at + 40] ^= 0x01), /checksum mismatch/],
    ['a missing end-of-record byte', (b: Buffer, at: number, len: number) => (b[at + len - 1] = 0x41), /end-of-record/],
    ['an entry whose txn bytes are zeros', (b: Buffer, at: number, len: number) => b.fill(0, at + 12, at + len - 1), /checksum mismatch/],
    ['an absurd length', (b: Buffer, at: number) => b.writeInt32BE(0x7fffffff, at + 8), /entry length/],
  ])('%s ends replay before that entry, with a warning, and the file is cut there', async (_name, corrupt, reason) => {
    const { bytes, entryStarts } = await logBytes();
    const damaged = Buffer.from(bytes);
    corrupt(damaged, entryStarts[4]!, entryStarts[5]! - entryStarts[4]!);
    const storage = new MemoryStorage();
    storage.setBytes(`${DIR}/log.1`, damaged);
    const { logger, lines } = captureLogger();
    const read = await readTxnLogs(storage, DIR, 0n, logger, { repair: true });
    expect(read.txns.map((t) => t.header.zxid)).toEqual([1n, 2n, 3n, 4n]);
    const warning = lines.find((l) => l.level === 'warn' && /torn or corrupt/.test(l.message));
    expect(warning?.reason).toMatch(reason);
    expect(storage.bytes(`${DIR}/log.1`).length).toBe(entryStarts[4]);
  });

  test('a valid checksum over bytes that do not decode is a format error, not a tail to cut', async () => {
    const bad = { ...txns.create(1n, '/a'), header: { ...txns.create(1n, '/a').header, type: 99 } };
    const storage = new MemoryStorage();
    const entry = encodeTxnEntry(bad);
    storage.setBytes(`${DIR}/log.1`, Buffer.concat([Buffer.from('5a4b4c47000000020000000000000000', 'hex'), entry]));
    await expect(readTxnLogs(storage, DIR, 0n, quiet(), { repair: true })).rejects.toBeInstanceOf(PersistenceError);
    expect(storage.bytes(`${DIR}/log.1`).length).toBe(16 + entry.length);
  });

  test('after a torn tail, a next file that continues at the next zxid is replayed (a restart of upstream)', async () => {
    const { bytes, entryStarts } = await logBytes();
    const storage = new MemoryStorage();
    storage.setBytes(`${DIR}/log.1`, bytes.subarray(0, entryStarts[4]! + 7)); // torn inside zxid 5
    const log = new FileTxnLog(storage, DIR, { logger: quiet(), lastZxid: 4n, preAllocSizeKiB: 0 });
    log.append(txns.create(5n, '/five-again'));
    await log.commit();
    await log.close();
    const read = await readTxnLogs(storage, DIR, 0n, quiet(), { repair: true });
    expect(read.txns.map((t) => t.header.zxid)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(read.txns[4]!.body.includes(Buffer.from('/five-again'))).toBe(true);
  });

  test('files past a gap left by a corrupt entry are set aside, not replayed', async () => {
    const { bytes, entryStarts } = await logBytes();
    const damaged = Buffer.from(bytes);
    damaged[entryStarts[2]! + 30] ^= 0xff; // zxid 3 corrupt; 4..6 lost with it
    const storage = new MemoryStorage();
    storage.setBytes(`${DIR}/log.1`, damaged);
    const log = new FileTxnLog(storage, DIR, { logger: quiet(), lastZxid: 6n, preAllocSizeKiB: 0 });
    for (const t of createRun(7n, 9n)) log.append(t);
    await log.commit();
    await log.close();
    const { logger, lines } = captureLogger();
    const read = await readTxnLogs(storage, DIR, 0n, logger, { repair: true });
    expect(read.txns.map((t) => t.header.zxid)).toEqual([1n, 2n]);
    expect((await storage.list(DIR)).sort()).toEqual(['log.1', `${UNREACHABLE_LOG_PREFIX}.log.7`]);
    expect(lines.some((l) => /cannot be replayed/.test(l.message))).toBe(true);
  });

  test('a log file whose header never reached the disk is removed', async () => {
    const storage = new MemoryStorage();
    await writeLog(storage, [createRun(1n, 3n)]);
    storage.setBytes(`${DIR}/log.4`, Buffer.alloc(9));
    const read = await readTxnLogs(storage, DIR, 0n, quiet(), { repair: true });
    expect(read.lastZxid).toBe(3n);
    expect(await storage.list(DIR)).toEqual(['log.1']);
  });

  test('a header that is whole but not a txn log is refused', async () => {
    const storage = new MemoryStorage();
    storage.setBytes(`${DIR}/log.1`, Buffer.from('5a4b534e000000020000000000000000', 'hex'));
    await expect(readTxnLogs(storage, DIR, 0n, quiet(), { repair: true })).rejects.toThrow(/not a version-2 txn log/);
  });
});

describe('raw appends', () => {
  test('txn bytes appended raw make the same file as the txns appended decoded', async () => {
    const decoded = new MemoryStorage();
    await writeLog(decoded, [createRun(1n, 5n)]);
    const raw = new MemoryStorage();
    const log = new FileTxnLog(raw, DIR, { preAllocSizeKiB: 16, logger: quiet() });
    for (const t of createRun(1n, 5n)) log.appendRaw(t.header.zxid, encodeTxnBytes(t));
    await log.commit();
    await log.close();
    expect(raw.bytes(`${DIR}/log.1`).equals(decoded.bytes(`${DIR}/log.1`))).toBe(true);
  });

  test('bytes that are not one txn, or whose header names another zxid, are refused unbuffered', async () => {
    const storage = new MemoryStorage();
    const log = new FileTxnLog(storage, DIR, { preAllocSizeKiB: 16, logger: quiet() });
    const bytes = encodeTxnBytes(txns.create(1n, '/a'));
    expect(() => log.appendRaw(1n, bytes.subarray(0, bytes.length - 3))).toThrow(CodecError);
    expect(() => log.appendRaw(2n, bytes)).toThrow(/header holds zxid 0x1, not 0x2/);
    log.appendRaw(1n, bytes);
    await log.commit();
    await log.close();
    const read = await readTxnLogs(storage, DIR, 0n, quiet());
    expect(read.txns.map((t) => t.header.zxid)).toEqual([1n]);
  });
});

describe('truncation', () => {
  const zxidsOf = async (storage: MemoryStorage | FaultyStorage) =>
    (await readTxnLogs(storage, DIR, 0n, quiet())).txns.map((t) => t.header.zxid);
  const namesOf = async (storage: MemoryStorage) => (await listLogFiles(storage, DIR)).map((f) => f.name);

  test('cuts the file holding the zxid after its entry; later appends go to a new file', async () => {
    const storage = new MemoryStorage();
    const log = new FileTxnLog(storage, DIR, { preAllocSizeKiB: 16, logger: quiet() });
    for (const t of createRun(1n, 10n)) log.append(t);
    await log.commit();
    await log.truncate(6n);
    expect(storage.bytes(`${DIR}/log.1`).length).toBe(16 + createRun(1n, 6n).reduce((n, t) => n + encodeTxnEntry(t).length, 0));
    for (const t of createRun(7n, 8n, '/other')) log.append(t);
    await log.commit();
    await log.close();
    expect(await namesOf(storage)).toEqual(['log.1', 'log.7']);
    const read = await readTxnLogs(storage, DIR, 0n, quiet());
    expect(read.txns.map(plainTxn)).toEqual([...createRun(1n, 6n), ...createRun(7n, 8n, '/other')].map(plainTxn));
  });

  test('removes the files after the one holding the zxid', async () => {
    const storage = new MemoryStorage();
    for (const run of [createRun(1n, 3n), createRun(4n, 6n), createRun(7n, 9n)]) await writeLog(storage, [run]);
    expect(await namesOf(storage)).toEqual(['log.1', 'log.4', 'log.7']);
    const log = new FileTxnLog(storage, DIR, { preAllocSizeKiB: 16, logger: quiet(), lastZxid: 9n });
    await log.truncate(5n);
    await log.close();
    expect(await namesOf(storage)).toEqual(['log.1', 'log.4']);
    expect(await zxidsOf(storage)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  test('buffered entries above the zxid are dropped, those below kept, appends after it follow', async () => {
    const storage = new MemoryStorage();
    const log = new FileTxnLog(storage, DIR, { preAllocSizeKiB: 16, logger: quiet() });
    for (const t of createRun(1n, 5n)) log.append(t);
    await log.commit();
    for (const t of createRun(6n, 9n)) log.append(t);
    const truncated = log.truncate(7n);
    expect(log.lastZxid).toBe(7n);
    for (const t of createRun(8n, 9n, '/other')) log.append(t);
    await truncated;
    await log.commit();
    await log.close();
    const read = await readTxnLogs(storage, DIR, 0n, quiet());
    expect(read.txns.map(plainTxn)).toEqual([...createRun(1n, 7n), ...createRun(8n, 9n, '/other')].map(plainTxn));
    expect(await namesOf(storage)).toEqual(['log.1', 'log.8']);
  });

  test('zxid 0 removes every log file', async () => {
    const storage = new MemoryStorage();
    await writeLog(storage, [createRun(1n, 3n)]);
    await writeLog(storage, [createRun(4n, 6n)]);
    await truncateLogFiles(storage, DIR, 0n, quiet());
    expect(await namesOf(storage)).toEqual([]);
  });

  test('a failed cut leaves a prefix: later files are already gone, the holder whole', async () => {
    const memory = new MemoryStorage();
    await writeLog(memory, [createRun(1n, 3n)]);
    await writeLog(memory, [createRun(4n, 6n)]);
    await writeLog(memory, [createRun(7n, 9n)]);
    const storage = new FaultyStorage(memory);
    storage.faults.set('truncate', ioError('EIO'));
    await expect(truncateLogFiles(storage, DIR, 5n, quiet())).rejects.toThrow(/EIO/);
    expect(await namesOf(memory)).toEqual(['log.1', 'log.4']);
    expect(await zxidsOf(memory)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(storage.counts.fsyncDir).toBe(1); // the removal was durable before the cut began
  });

  test('a failed truncation stops the log like a failed write', async () => {
    const memory = new MemoryStorage();
    const storage = new FaultyStorage(memory);
    const log = new FileTxnLog(storage, DIR, { preAllocSizeKiB: 16, logger: quiet() });
    for (const t of createRun(1n, 4n)) log.append(t);
    await log.commit();
    storage.faults.set('truncate', ioError('EIO'));
    await expect(log.truncate(2n)).rejects.toThrow(PersistenceError);
    storage.faults.clear();
    log.append(txns.create(3n, '/x'));
    await expect(log.commit()).rejects.toThrow(PersistenceError);
  });
});

describe('on a real file system', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('txn-log')));
  afterEach(() => removeDir(dir));

  test('writes, fsyncs and reads back through NodeStorage', async () => {
    const storage = new NodeStorage();
    const logDir = nodePath.join(dir, 'version-2');
    await storage.mkdirs(logDir);
    const log = new FileTxnLog(storage, logDir, { logger: quiet(), preAllocSizeKiB: 64 });
    for (const t of createRun(1n, 50n)) log.append(t);
    await log.commit();
    await log.close();
    expect(await storage.size(nodePath.join(logDir, 'log.1'))).toBe(16 + 64 * 1024);
    const read = await readTxnLogs(storage, logDir, 10n, quiet());
    expect(read.txns.map((t) => t.header.zxid)).toEqual(createRun(11n, 50n).map((t) => t.header.zxid));
  });
});
