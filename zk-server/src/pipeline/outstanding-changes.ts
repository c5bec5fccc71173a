// The outstanding-changes overlay: the state of each path as accepted-but-not-yet-applied writes
// leave it, so that a request is validated against every write accepted before it (a version check
// on a node an earlier, still unapplied request changes). Records are dropped once their txn is applied.

import { ACL } from '../protocol/records/data';
import { DataTree } from '../data/data-tree';

/** What validation needs to know of a path. `exists: false` records a pending delete. */
export interface NodeRecord {
  readonly path: string;
  readonly zxid: bigint;
  readonly exists: boolean;
  version: number;
  /** Stored cversion (child creations). */
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  childCount: number;
  acl: readonly ACL[];
}

/** A view of the tree with pending changes on top; prep reads and writes through it. */
export interface ChangeView {
  get(path: string): NodeRecord | undefined;
  put(record: NodeRecord): void;
  /** Pending paths whose record says `owner` owns them (or no longer exists), for closeSession. */
  pendingOwnedBy(owner: bigint): { created: string[]; deleted: string[] };
}

// Every record is built by nodeRecord, as one literal: records of one shape keep the accesses of
// prep monomorphic, where copying records with spreads made each change a slow generic clone.
function nodeRecord(
  path: string,
  zxid: bigint,
  exists: boolean,
  version: number,
  cversion: number,
  aversion: number,
  ephemeralOwner: bigint,
  childCount: number,
  acl: readonly ACL[],
): NodeRecord {
  return { path, zxid, exists, version, cversion, aversion, ephemeralOwner, childCount, acl };
}

/** A node about to be created. */
export function createdRecord(path: string, zxid: bigint, ephemeralOwner: bigint, acl: readonly ACL[]): NodeRecord {
  return nodeRecord(path, zxid, true, 0, 0, 0, ephemeralOwner, 0, acl);
}

/** `r` (at `path`) after a child is created or deleted. */
export function withChildren(
  r: NodeRecord,
  path: string,
  zxid: bigint,
  cversion: number,
  childCount: number,
): NodeRecord {
  return nodeRecord(path, zxid, r.exists, r.version, cversion, r.aversion, r.ephemeralOwner, childCount, r.acl);
}

/** `r` deleted. */
export function deletedRecord(r: NodeRecord, zxid: bigint): NodeRecord {
  return nodeRecord(r.path, zxid, false, r.version, r.cversion, r.aversion, r.ephemeralOwner, r.childCount, r.acl);
}

/** `r` after its data changed. */
export function withVersion(r: NodeRecord, zxid: bigint, version: number): NodeRecord {
  return nodeRecord(r.path, zxid, r.exists, version, r.cversion, r.aversion, r.ephemeralOwner, r.childCount, r.acl);
}

/** `r` after its ACL changed. */
export function withAcl(r: NodeRecord, zxid: bigint, aversion: number, acl: readonly ACL[]): NodeRecord {
  return nodeRecord(r.path, zxid, r.exists, r.version, r.cversion, aversion, r.ephemeralOwner, r.childCount, acl);
}

export function recordFromTree(tree: DataTree, path: string, zxid: bigint): NodeRecord | undefined {
  const node = tree.getNode(path === '' ? '/' : path);
  if (node === undefined) return undefined;
  const { version, cversion, aversion, ephemeralOwner, numChildren } = node;
  return nodeRecord(path, zxid, true, version, cversion, aversion, ephemeralOwner, numChildren, tree.aclOf(node));
}

export class OutstandingChanges implements ChangeView {
  private readonly byPath = new Map<string, NodeRecord>();
  private readonly inOrder: NodeRecord[] = [];
  private head = 0;

  constructor(private readonly tree: DataTree) {}

  get(path: string): NodeRecord | undefined {
    const key = path === '' ? '/' : path;
    const pending = this.byPath.get(key);
    if (pending !== undefined) return pending.exists ? pending : undefined;
    return recordFromTree(this.tree, key, this.tree.lastProcessedZxid);
  }

  put(record: NodeRecord): void {
    const key = record.path === '' ? '/' : record.path;
    this.byPath.set(key, record);
    this.inOrder.push(record);
  }

  pendingOwnedBy(owner: bigint): { created: string[]; deleted: string[] } {
    const created: string[] = [];
    const deleted: string[] = [];
    for (const record of this.byPath.values()) {
      if (!record.exists) deleted.push(record.path);
      else if (record.ephemeralOwner === owner) created.push(record.path);
    }
    return { created, deleted };
  }

  /** Forgets records of txns up to and including `zxid`, now visible in the tree. */
  applied(zxid: bigint): void {
    while (this.head < this.inOrder.length && this.inOrder[this.head]!.zxid <= zxid) {
      const record = this.inOrder[this.head++]!;
      const key = record.path === '' ? '/' : record.path;
      if (this.byPath.get(key) === record) this.byPath.delete(key);
    }
    if (this.head > 1024 && this.head * 2 > this.inOrder.length) {
      this.inOrder.splice(0, this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.byPath.size;
  }

  /** Forgets every pending record: the txns they belong to will never be applied (a leader stepped down). */
  clear(): void {
    this.byPath.clear();
    this.inOrder.length = 0;
    this.head = 0;
  }
}

/** A scratch layer over a view: a multi validates into it and commits only if every op passes. */
export class ScratchView implements ChangeView {
  private readonly layer = new Map<string, NodeRecord>();
  private readonly order: NodeRecord[] = [];

  constructor(private readonly base: ChangeView) {}

  get(path: string): NodeRecord | undefined {
    const key = path === '' ? '/' : path;
    const mine = this.layer.get(key);
    if (mine !== undefined) return mine.exists ? mine : undefined;
    return this.base.get(key);
  }

  put(record: NodeRecord): void {
    this.layer.set(record.path === '' ? '/' : record.path, record);
    this.order.push(record);
  }

  pendingOwnedBy(owner: bigint): { created: string[]; deleted: string[] } {
    return this.base.pendingOwnedBy(owner);
  }

  commit(): void {
    for (const record of this.order) this.base.put(record);
  }
}
