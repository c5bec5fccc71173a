import { DataTree } from '../../../../zk-server/src/data/data-tree';
import { Op } from '../../../../zk-server/src/protocol/op-codes';
import { decodeDatabase, encodeDatabase, SnapshotNode } from '../../../../zk-server/src/persistence/snapshot';
import { databaseSourceOf, loadDatabaseInto } from '../../../../zk-server/src/persistence/zk-database';
import { OPEN_ACL } from './helpers';

function header(zxid: bigint, type: number): { clientId: bigint; cxid: number; zxid: bigint; time: bigint; type: number } {
  return { clientId: 1n, cxid: 0, zxid, time: 1000n + zxid, type };
}

class TreeDriver {
  readonly tree = new DataTree();
  private zxid = 0n;

  create(path: string, data = path): void {
    const zxid = ++this.zxid;
    const record = { path, data: Buffer.from(data), acl: OPEN_ACL, ephemeral: false, parentCVersion: -1 };
    expect(this.tree.applyTxn(header(zxid, Op.create), { type: Op.create, record }).result.err).toBe(0);
  }

  remove(path: string): void {
    const zxid = ++this.zxid;
    expect(this.tree.applyTxn(header(zxid, Op.delete), { type: Op.delete, record: { path } }).result.err).toBe(0);
  }

  setData(path: string, data: string): void {
    const zxid = ++this.zxid;
    const record = { path, data: Buffer.from(data), version: 1 };
    expect(this.tree.applyTxn(header(zxid, Op.setData), { type: Op.setData, record }).result.err).toBe(0);
  }
}

const paths = (nodes: Iterable<SnapshotNode>): string[] => [...nodes].map((n) => n.path);

describe('databaseSourceOf', () => {
  test('walks depth-first, parents first, children in creation order', () => {
    const d = new TreeDriver();
    for (const p of ['/b', '/a', '/b/y', '/b/x', '/a/z', '/b/y/deep']) d.create(p);
    expect(paths(databaseSourceOf(d.tree, []).nodes())).toEqual([
      '', '/zookeeper', '/zookeeper/quota', '/zookeeper/config',
      '/b', '/b/y', '/b/y/deep', '/b/x', '/a', '/a/z',
    ]);
  });

  test('a walk across tree changes: children as listed at their parent\'s visit, deleted ones skipped', () => {
    const d = new TreeDriver();
    for (const p of ['/a', '/a/1', '/a/2', '/a/3', '/b']) d.create(p);
    const walk = databaseSourceOf(d.tree, []).nodes()[Symbol.iterator]();
    const seen: SnapshotNode[] = [];
    const step = (): void => {
      seen.push(walk.next().value as SnapshotNode);
    };
    for (let i = 0; i < 6; i++) step(); // "", /zookeeper..., /a, /a/1
    expect(seen.map((n) => n.path).slice(-2)).toEqual(['/a', '/a/1']);
    d.remove('/a/2'); // not yet visited: left out
    d.create('/a/4'); // added after /a was listed: left out (replay creates it)
    d.remove('/a/3');
    d.create('/a/3', 'again'); // recreated after the listing: left out too
    d.setData('/b', 'changed'); // visited later: its state then
    d.create('/b/new'); // /b not listed yet: in
    for (let r = walk.next(); r.done !== true; r = walk.next()) seen.push(r.value);
    expect(seen.map((n) => n.path).slice(4)).toEqual(['/a', '/a/1', '/b', '/b/new']);
    expect(seen.find((n) => n.path === '/b')!.data!.toString()).toBe('changed');
  });

  test('each node is a copy: later changes do not reach one already yielded', () => {
    const d = new TreeDriver();
    d.create('/a', 'before');
    const nodes = [...databaseSourceOf(d.tree, []).nodes()];
    d.setData('/a', 'after');
    const a = nodes.find((n) => n.path === '/a')!;
    expect(a.data!.toString()).toBe('before');
    expect(a.stat.version).toBe(0);
  });

  test('a tree loaded back from its database walks to the same bytes', () => {
    const d = new TreeDriver();
    for (let i = 0; i < 50; i++) d.create(`/n${i}`);
    for (let i = 0; i < 50; i += 7) d.create(`/n${i}/c`);
    const bytes = encodeDatabase(databaseSourceOf(d.tree, []));
    const again = new DataTree();
    loadDatabaseInto(again, decodeDatabase(bytes));
    expect(encodeDatabase(databaseSourceOf(again, []))).toEqual(bytes);
  });
});
