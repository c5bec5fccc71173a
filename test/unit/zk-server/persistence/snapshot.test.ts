import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { AssertionFailure, CodecError } from '../../../../shared/src';
import { NodeStorage } from '../../../../zk-server/src/persistence/storage';
import {
  decodeDatabase,
  decodeSnapshot,
  decodeSnapshotData,
  encodeDatabase,
  hasSnapshotTail,
  listSnapshots,
  loadNewestValidSnapshot,
  readSnapshot,
  SnapshotNode,
  SnapshotSource,
  writeSnapshot,
  writeSnapshotData,
} from '../../../../zk-server/src/persistence/snapshot';
import { ACL } from '../../../../zk-server/src/protocol/records/data';
import {
  ClientNode,
  clientView,
  FaultyStorage,
  ioError,
  maskDigestIds,
  MemoryStorage,
  OPEN_ACL,
  removeDir,
  SESSION_ID,
  stat,
  tempDir,
} from './helpers';

const DATA = '/data';
const SNAP_DIR = '/data/version-2';
const FIXTURES = nodePath.join(__dirname, '../../../fixtures/zk-data/apache-3.8/version-2');

const DIGEST_ACL: ACL[] = [
  { perms: 31, id: { scheme: 'digest', id: 'admin:NbAYVOaC8p9dsJHhCXOIdGMfMgM=' } },
  { perms: 1, id: { scheme: 'world', id: 'anyone' } },
];

function sampleNodes(): SnapshotNode[] {
  return [
    { path: '', data: Buffer.alloc(0), aclIndex: -1n, stat: stat(0n, { cversion: 2, pzxid: 5n }) },
    { path: '/app', data: Buffer.from('hello'), aclIndex: 1n, stat: stat(2n, { cversion: 2, pzxid: 4n }) },
    { path: '/app/eph', data: Buffer.from('e'), aclIndex: 1n, stat: stat(3n, { ephemeralOwner: SESSION_ID }) },
    { path: '/app/null', data: null, aclIndex: 1n, stat: stat(4n) },
    { path: '/secure', data: Buffer.from([0, 1, 2, 255]), aclIndex: 2n, stat: stat(5n, { version: 3, aversion: 1 }) },
    { path: '/zookeeper', data: Buffer.alloc(0), aclIndex: -1n, stat: stat(0n) },
    { path: '/zookeeper/quota', data: Buffer.alloc(0), aclIndex: -1n, stat: stat(0n) },
  ];
}

function source(nodes: SnapshotNode[] = sampleNodes(), zxid = 5n): SnapshotSource {
  return {
    sessions: [
      { sessionId: SESSION_ID, timeoutMs: 30000 },
      { sessionId: SESSION_ID + 1n, timeoutMs: 4000 },
    ],
    acls: new Map([
      [1n, OPEN_ACL],
      [2n, DIGEST_ACL],
    ]),
    nodes: () => nodes,
    zxid,
    digest: 0x1234567890n,
  };
}

describe('snapshot files', () => {
  test('round trip: sessions, ACL cache, nodes (null and empty data), ZxidDigest', async () => {
    const storage = new MemoryStorage();
    const path = await writeSnapshot(storage, DATA, source());
    expect(path).toBe(`${SNAP_DIR}/snapshot.5`);
    expect(await storage.list(SNAP_DIR)).toEqual(['snapshot.5']); // no temp file left
    const loaded = await readSnapshot(storage, SNAP_DIR, 'snapshot.5');
    expect(loaded.zxid).toBe(5n);
    expect(loaded.dbid).toBe(-1n);
    expect(loaded.sessions).toEqual(source().sessions);
    expect(loaded.acls).toEqual(source().acls);
    expect(loaded.nodes).toEqual(sampleNodes());
    expect(loaded.zxidDigest).toEqual({ zxid: 5n, version: 2, digest: 0x1234567890n });
    expect(await hasSnapshotTail(storage, path)).toBe(true);
  });

  test('without a digest it writes upstream\'s empty ZxidDigest, which reads back as none', async () => {
    const storage = new MemoryStorage();
    await writeSnapshot(storage, DATA, { ...source(), digest: null });
    expect((await readSnapshot(storage, SNAP_DIR, 'snapshot.5')).zxidDigest).toBeNull();
  });

  test('a fuzzy snapshot takes its ZxidDigest once the nodes are written', async () => {
    const storage = new MemoryStorage();
    let written = 0;
    const nodes = sampleNodes();
    const src: SnapshotSource = {
      ...source(nodes),
      nodes: function* () {
        for (const n of nodes) {
          written++;
          yield n;
        }
      },
      digestAtEnd: () => ({ zxid: 5n + BigInt(written), digest: 42n }),
    };
    await writeSnapshot(storage, DATA, src);
    expect((await readSnapshot(storage, SNAP_DIR, 'snapshot.5')).zxidDigest).toEqual({ zxid: 5n + 7n, version: 2, digest: 42n });
  });

  test('serializes in chunks and lets the event loop run while the tree changes', async () => {
    const storage = new MemoryStorage();
    const live = new Map<string, SnapshotNode>();
    live.set('', { path: '', data: Buffer.alloc(0), aclIndex: -1n, stat: stat(0n) });
    for (let i = 0; i < 2000; i++) live.set(`/n${i}`, { path: `/n${i}`, data: Buffer.alloc(100, i), aclIndex: 1n, stat: stat(BigInt(i + 1)) });
    let ticks = 0;
    let stop = false;
    const ticker = (): void => {
      ticks++;
      // the tree keeps changing: delete nodes not yet visited, as a client would
      live.delete(`/n${2000 - ticks}`);
      if (!stop) setImmediate(ticker);
    };
    setImmediate(ticker);
    const src: SnapshotSource = {
      ...source(),
      zxid: 2000n,
      nodes: function* () {
        for (const path of [...live.keys()]) {
          const n = live.get(path);
          if (n !== undefined) yield { ...n, stat: { ...n.stat } }; // skip nodes deleted since
        }
      },
    };
    await writeSnapshot(storage, DATA, src, { chunkBytes: 4096 });
    stop = true;
    expect(ticks).toBeGreaterThan(20);
    const loaded = await readSnapshot(storage, SNAP_DIR, 'snapshot.7d0');
    expect(loaded.nodes.length).toBeLessThan(2001);
    expect(loaded.nodes.length).toBeGreaterThan(1000);
  });

  test('refuses nodes out of order and the implied ACL index -1 in the cache', async () => {
    const storage = new MemoryStorage();
    await expect(writeSnapshot(storage, DATA, source(sampleNodes().slice(1)))).rejects.toBeInstanceOf(AssertionFailure);
    const bad = source();
    bad.acls.set(-1n, OPEN_ACL);
    await expect(writeSnapshot(storage, DATA, bad)).rejects.toBeInstanceOf(AssertionFailure);
    expect(await storage.list(SNAP_DIR)).toEqual([]); // the temp file is removed
  });

  test('a disk error while writing leaves no snapshot behind', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    storage.faults.set('fsync', ioError('EIO'));
    await expect(writeSnapshot(storage, DATA, source())).rejects.toMatchObject({ code: 'EIO' });
    expect(await storage.list(SNAP_DIR)).toEqual([]);
  });

  test('a flipped byte or a cut anywhere makes the snapshot invalid', async () => {
    const storage = new MemoryStorage();
    await writeSnapshot(storage, DATA, source());
    const bytes = storage.bytes(`${SNAP_DIR}/snapshot.5`);
    // a file that ends at the first seal is a whole pre-3.6 snapshot (no ZxidDigest)
    const firstSealEnd = bytes.length - 20 - 13;
    expect(decodeSnapshot(bytes.subarray(0, firstSealEnd), 'snapshot.5').zxidDigest).toBeNull();
    for (let i = 0; i < bytes.length; i++) {
      const flipped = Buffer.from(bytes);
      flipped[i] ^= 0x20;
      expect(() => decodeSnapshot(flipped, 'snapshot.5')).toThrow(CodecError);
      if (i !== firstSealEnd) expect(() => decodeSnapshot(bytes.subarray(0, i), 'snapshot.5')).toThrow(CodecError);
    }
  });

  test('a child before its parent is refused on reading', async () => {
    const storage = new MemoryStorage();
    // write a tree whose child comes first by naming the parent after it
    const nodes = sampleNodes();
    [nodes[1], nodes[2]] = [nodes[2]!, nodes[1]!];
    await writeSnapshot(storage, DATA, source(nodes));
    expect(() => decodeSnapshot(storage.bytes(`${SNAP_DIR}/snapshot.5`), 'snapshot.5')).toThrow(/does not follow its parent/);
  });

  test('the newest valid snapshot wins; corrupt newer ones are reported and skipped', async () => {
    const storage = new MemoryStorage();
    await writeSnapshot(storage, DATA, source(sampleNodes(), 5n));
    await writeSnapshot(storage, DATA, source(sampleNodes(), 9n));
    await writeSnapshot(storage, DATA, source(sampleNodes(), 0x10n));
    const newest = `${SNAP_DIR}/snapshot.10`;
    const corrupt = Buffer.from(storage.bytes(newest));
    corrupt[40] ^= 1;
    storage.setBytes(newest, corrupt);
    storage.setBytes(`${SNAP_DIR}/snapshot.9`, storage.bytes(`${SNAP_DIR}/snapshot.9`).subarray(0, 100));
    expect((await listSnapshots(storage, SNAP_DIR)).map((s) => s.name)).toEqual(['snapshot.10', 'snapshot.9', 'snapshot.5']);
    const found = await loadNewestValidSnapshot(storage, SNAP_DIR);
    expect(found.snapshot?.name).toBe('snapshot.5');
    expect(found.rejected.map((r) => r.name)).toEqual(['snapshot.10', 'snapshot.9']);
    expect(found.rejected[0]!.reason).toMatch(/checksum/);
  });
});

describe('the database as a value (the body of a SNAP)', () => {
  test('encodeDatabase and decodeDatabase round trip sessions, ACL cache and nodes', () => {
    const src = source();
    expect(decodeDatabase(encodeDatabase(src))).toEqual({ sessions: src.sessions, acls: src.acls, nodes: sampleNodes() });
  });

  test('it is what a snapshot file holds between its header and its first seal', async () => {
    const storage = new MemoryStorage();
    await writeSnapshot(storage, DATA, source());
    const file = storage.bytes(`${SNAP_DIR}/snapshot.5`);
    const data = encodeDatabase(source());
    expect(file.subarray(16, 16 + data.length).equals(data)).toBe(true);
    const read = decodeSnapshotData(file, 'snapshot.5');
    expect(read).toEqual({ name: 'snapshot.5', zxid: 5n, data });
  });

  test('writeSnapshotData files it exactly as writeSnapshot files the same tree', async () => {
    const fromTree = new MemoryStorage();
    await writeSnapshot(fromTree, DATA, { ...source(), digest: null });
    const fromData = new MemoryStorage();
    const path = await writeSnapshotData(fromData, DATA, { zxid: 5n, data: encodeDatabase(source()) });
    expect(path).toBe(`${SNAP_DIR}/snapshot.5`);
    expect(await fromData.list(SNAP_DIR)).toEqual(['snapshot.5']);
    expect(fromData.bytes(path).equals(fromTree.bytes(path))).toBe(true);
  });

  test('an upstream snapshot refiled from its database keeps every byte before the digest', async () => {
    const upstream = fs.readFileSync(nodePath.join(FIXTURES, 'snapshot.c'));
    const { data } = decodeSnapshotData(upstream, 'snapshot.c');
    expect(decodeDatabase(data).nodes).toEqual(decodeSnapshot(upstream, 'snapshot.c').nodes);
    const storage = new MemoryStorage();
    const path = await writeSnapshotData(storage, DATA, { zxid: 0xcn, data });
    const sealEnd = 16 + data.length + 13;
    expect(storage.bytes(path).subarray(0, sealEnd).equals(upstream.subarray(0, sealEnd))).toBe(true);
    expect(decodeSnapshot(storage.bytes(path), 'snapshot.c').zxidDigest).toBeNull();
  });

  test('bytes missing or left over are a CodecError', () => {
    const data = encodeDatabase(source());
    expect(() => decodeDatabase(data.subarray(0, data.length - 1))).toThrow(CodecError);
    expect(() => decodeDatabase(Buffer.concat([data, Buffer.from([0])]))).toThrow(CodecError);
  });

  test('bytes that do not end as a database are not filed', async () => {
    const data = encodeDatabase(source());
    await expect(writeSnapshotData(new MemoryStorage(), DATA, { zxid: 5n, data: data.subarray(0, 20) })).rejects.toThrow(AssertionFailure);
  });
});

describe('snapshots written by Apache ZooKeeper 3.8 (golden files)', () => {
  const fixture = (name: string): Buffer => fs.readFileSync(nodePath.join(FIXTURES, name));

  test('snapshot.0 of a brand-new server: root, /zookeeper, /zookeeper/config (READ ACL), /zookeeper/quota', () => {
    const s = decodeSnapshot(fixture('snapshot.0'), 'snapshot.0');
    expect(s.sessions).toEqual([]);
    expect(s.acls).toEqual(new Map([[1n, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]]]));
    expect(s.nodes.map((n) => [n.path, n.aclIndex])).toEqual([
      ['', -1n],
      ['/zookeeper', -1n],
      ['/zookeeper/config', 1n],
      ['/zookeeper/quota', -1n],
    ]);
    expect(s.nodes.every((n) => n.data !== null && n.data.length === 0)).toBe(true);
    expect(s.nodes[2]!.stat).toEqual({ ...stat(0n), ctime: 0n, mtime: 0n, aversion: -1 });
    expect(s.zxidDigest).toBeNull(); // upstream writes an empty ZxidDigest (zxid 0)
  });

  test('our writer reproduces upstream snapshot.0 and snapshot.c byte for byte', async () => {
    for (const name of ['snapshot.0', 'snapshot.c']) {
      const upstream = decodeSnapshot(fixture(name), name);
      const storage = new MemoryStorage();
      await writeSnapshot(storage, DATA, {
        sessions: upstream.sessions,
        acls: upstream.acls,
        nodes: () => upstream.nodes,
        zxid: upstream.zxid,
        digest: upstream.zxidDigest?.digest ?? null,
      });
      expect(storage.bytes(`${SNAP_DIR}/${name}`).toString('hex')).toBe(fixture(name).toString('hex'));
    }
  });

  test('snapshot.c matches the tree a client read just before it was taken', () => {
    const s = decodeSnapshot(fixture('snapshot.c'), 'snapshot.c');
    const capture = JSON.parse(fs.readFileSync(nodePath.join(FIXTURES, '../capture.json'), 'utf8')) as { sessionA: string };
    expect(s.sessions).toEqual([{ sessionId: BigInt('0x' + capture.sessionA), timeoutMs: 2000 }]);
    expect(s.zxidDigest).toEqual({ zxid: 0xcn, version: 2, digest: expect.any(BigInt) });
    const seen = JSON.parse(fs.readFileSync(nodePath.join(FIXTURES, '../tree-phase1.json'), 'utf8')) as ClientNode[];
    expect(clientView(s.nodes, s.acls)).toEqual(seen.map(maskDigestIds));
  });
});

describe('on a real file system', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('snapshot')));
  afterEach(() => removeDir(dir));

  test('write, rename into place and read back through NodeStorage', async () => {
    const storage = new NodeStorage();
    const path = await writeSnapshot(storage, dir, source());
    expect(fs.readdirSync(nodePath.join(dir, 'version-2'))).toEqual(['snapshot.5']);
    expect((await readSnapshot(storage, nodePath.dirname(path), 'snapshot.5')).nodes).toEqual(sampleNodes());
  });
});
