// Golden files: a data directory written by a real Apache ZooKeeper 3.8.0 (see
// test/fixtures/zk-data/capture.js and PROVENANCE.md), decoded and restored by our code.

import { Op } from '../../../../zk-server/src/protocol/op-codes';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { adler32 } from '../../../../shared/src';
import { loadDatabase } from '../../../../zk-server/src/persistence/file-txn-snap-log';
import { decodeSnapshot } from '../../../../zk-server/src/persistence/snapshot';
import { NodeStorage } from '../../../../zk-server/src/persistence/storage';
import { encodeTxnEntry, FILE_HEADER_BYTES, LoggedTxn, scanLogFile } from '../../../../zk-server/src/persistence/txn-log';
import {
  CloseSessionTxn,
  CreateTxn,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetACLTxn,
  SetDataTxn,
} from '../../../../zk-server/src/protocol/records/txn';
import {
  applyToModel,
  captureLogger,
  ClientNode,
  clientView,
  maskDigestIds,
  modelFromSnapshot,
  modelNodes,
  removeDir,
  tempDir,
  treeDigest,
} from './helpers';

const FIXTURE_DIR = nodePath.join(__dirname, '../../../fixtures/zk-data/apache-3.8');
const VERSION_DIR = nodePath.join(FIXTURE_DIR, 'version-2');
const capture = JSON.parse(fs.readFileSync(nodePath.join(FIXTURE_DIR, 'capture.json'), 'utf8')) as {
  sessionA: string;
  sessionB: string;
  ops: Array<{ op: string; path?: string; session?: string }>;
};
const sessionA = BigInt('0x' + capture.sessionA);
const sessionB = BigInt('0x' + capture.sessionB);
const readJson = (name: string): ClientNode[] => JSON.parse(fs.readFileSync(nodePath.join(FIXTURE_DIR, name), 'utf8')) as ClientNode[];

/** Type and path(s) of a logged txn, decoded with the records for its type. */
function describeTxn(t: LoggedTxn): [number, string] {
  switch (t.header.type) {
    case Op.create:
      return [t.header.type, CreateTxn.fromBytes(t.body).path];
    case Op.delete:
      return [t.header.type, DeleteTxn.fromBytes(t.body).path];
    case Op.setData:
      return [t.header.type, SetDataTxn.fromBytes(t.body).path];
    case Op.setACL:
      return [t.header.type, SetACLTxn.fromBytes(t.body).path];
    case Op.closeSession:
      return [t.header.type, CloseSessionTxn.fromBytes(t.body).paths2Delete.join(',')];
    case Op.multi:
      return [t.header.type, MultiTxn.fromBytes(t.body).txns.map((x) => `${x.type}`).join(',')];
    default:
      return [t.header.type, ''];
  }
}

describe('txn logs written by Apache ZooKeeper 3.8', () => {
  const storage = new NodeStorage();

  test('log.1: every entry decodes, checksums hold, zxids run 1..0xc, types and paths are those the client caused', async () => {
    const scanned = await scanLogFile(storage, VERSION_DIR, { name: 'log.1', startZxid: 1n });
    expect(scanned.end).toEqual({ kind: 'clean' }); // the rest is preallocated zeros
    expect(scanned.fileSize).toBe(16 + 16 * 1024); // preAllocSize=16 KiB
    expect(scanned.txns.map((t) => t.header.zxid)).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
    expect(scanned.txns.every((t) => t.header.clientId === sessionA)).toBe(true);
    expect(scanned.txns.map(describeTxn)).toEqual([
      [Op.createSession, ''],
      [Op.create, '/app'],
      [Op.create, '/app/cfg'],
      [Op.setData, '/app/cfg'],
      [Op.create, '/app/eph'],
      [Op.create, '/app/seq-0000000002'],
      [Op.create, '/app/seq-0000000003'],
      [Op.delete, '/app/seq-0000000002'],
      [Op.create, '/secure'],
      [Op.setACL, '/app/cfg'],
      [Op.multi, `${Op.create},${Op.setData},13`],
      // a failed multi is logged with its error: the create before it stays a CreateTxn, and
      // replay must apply none of it (upstream DataTree.processTxn turns it into errors)
      [Op.multi, `${Op.create},${Op.error}`],
    ]);
    const failed = MultiTxn.fromBytes(scanned.txns[11]!.body).txns[1]!;
    expect(ErrorTxn.fromBytes(failed.data!).err).toBe(-103); // BadVersion
    expect(scanned.txns.every((t) => t.digest?.version === 2)).toBe(true);
  });

  test('log.d: the second run, with both closeSessions (one by expiry, deleting the ephemeral)', async () => {
    const scanned = await scanLogFile(storage, VERSION_DIR, { name: 'log.d', startZxid: 0xdn });
    expect(scanned.end).toEqual({ kind: 'clean' });
    expect(scanned.txns.map((t) => [t.header.zxid, t.header.clientId, ...describeTxn(t)])).toEqual([
      [0xdn, sessionB, Op.createSession, ''],
      [0xen, sessionB, Op.create, '/b'],
      [0xfn, sessionB, Op.create, '/b/eph'],
      [0x10n, sessionB, Op.setData, '/b'],
      [0x11n, sessionA, Op.closeSession, '/app/eph'],
      [0x12n, sessionB, Op.closeSession, '/b/eph'],
    ]);
  });

  test('re-encoding every entry gives the bytes upstream wrote', async () => {
    for (const name of ['log.1', 'log.d']) {
      const bytes = fs.readFileSync(nodePath.join(VERSION_DIR, name));
      const scanned = await scanLogFile(storage, VERSION_DIR, { name, startZxid: 0n });
      let at = FILE_HEADER_BYTES;
      for (const t of scanned.txns) {
        const entry = encodeTxnEntry(t);
        expect(entry.toString('hex')).toBe(bytes.subarray(at, at + entry.length).toString('hex'));
        expect(bytes.readBigUInt64BE(at)).toBe(BigInt(adler32(entry, 12, entry.length - 1)));
        at += entry.length;
      }
      expect(bytes.subarray(at).every((b) => b === 0)).toBe(true);
    }
  });

  test('replaying the logs onto snapshot.0 reproduces snapshot.c, the tree digests logged, and what the client saw', async () => {
    const snap0 = decodeSnapshot(fs.readFileSync(nodePath.join(VERSION_DIR, 'snapshot.0')), 'snapshot.0');
    const tree = modelFromSnapshot(snap0.nodes, snap0.acls);
    for (const name of ['log.1', 'log.d']) {
      const scanned = await scanLogFile(storage, VERSION_DIR, { name, startZxid: 0n });
      for (const t of scanned.txns) {
        applyToModel(tree, t);
        expect([t.header.zxid, treeDigest(tree)]).toEqual([t.header.zxid, t.digest!.treeDigest]);
        if (t.header.zxid === 0xcn) {
          const snapC = decodeSnapshot(fs.readFileSync(nodePath.join(VERSION_DIR, 'snapshot.c')), 'snapshot.c');
          expect(clientView(modelNodes(tree), tree.acls)).toEqual(clientView(snapC.nodes, snapC.acls));
          expect(snapC.zxidDigest?.digest).toBe(treeDigest(tree));
        }
        if (t.header.zxid === 0x11n) {
          // the client read the tree after A's session expired, before B closed its own
          expect(clientView(modelNodes(tree), tree.acls)).toEqual(readJson('tree-phase2.json').map(maskDigestIds));
        }
      }
    }
    expect(tree.nodes.has('/b/eph')).toBe(false);
  });
});

describe('loadDatabase on a data directory written by Apache ZooKeeper 3.8', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('zk-datadir');
    fs.cpSync(VERSION_DIR, nodePath.join(dir, 'version-2'), { recursive: true });
  });
  afterEach(() => removeDir(dir));

  test('restores snapshot.c and the txns of log.d after it', async () => {
    const { logger, lines } = captureLogger();
    const restored = await loadDatabase(new NodeStorage(), dir, null, logger);
    expect(restored.snapshot?.name).toBe('snapshot.c');
    expect([...restored.txns].map((t) => t.header.zxid)).toEqual([0xdn, 0xen, 0xfn, 0x10n, 0x11n, 0x12n]);
    expect(restored.lastZxid).toBe(0x12n);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
    // nothing was changed on disk
    for (const f of fs.readdirSync(VERSION_DIR)) {
      expect(fs.readFileSync(nodePath.join(dir, 'version-2', f)).equals(fs.readFileSync(nodePath.join(VERSION_DIR, f)))).toBe(true);
    }
  });

  test('with snapshot.c corrupt, falls back to snapshot.0 and replays both logs', async () => {
    const path = nodePath.join(dir, 'version-2', 'snapshot.c');
    const bytes = fs.readFileSync(path);
    bytes[200] ^= 0x01;
    fs.writeFileSync(path, bytes);
    const { logger, lines } = captureLogger();
    const restored = await loadDatabase(new NodeStorage(), dir, null, logger);
    expect(restored.snapshot?.name).toBe('snapshot.0');
    expect([...restored.txns].map((t) => t.header.zxid)).toEqual(Array.from({ length: 0x12 }, (_, i) => BigInt(i + 1)));
    expect(lines.some((l) => l.level === 'warn' && l.name === 'snapshot.c')).toBe(true);
  });
});
