// The znode tree. applyTxn(header, txn) is its only mutator and is deterministic: time comes from the
// txn header, never from a clock, so every replica applying the same txns holds the same tree.
// It also reports the events the change causes, for the watch managers of whoever applies it.
// Applying a txn whose effect is already there (log replay over a fuzzy snapshot) reports the error
// upstream would and changes nothing, so replay is idempotent.

import { ACL, Stat } from '../protocol/records/data';
import { Code } from '../protocol/keeper-errors';
import { Op } from '../protocol/op-codes';
import { Txn } from '../protocol/txn-codec';
import { TxnHeader } from '../protocol/records/txn';
import { AclCache, OPEN_UNSAFE_ACL_INDEX } from './acl-cache';
import { READ_ACL_UNSAFE } from './acl';
import { CONTAINER_OWNER, DataNode, NodeKind, kindOfOwner, ttlOwner } from './data-node';
import { baseName, joinPath, parentOf } from './path';
import { EventType, TreeEvent } from './watch-events';

export const ZOOKEEPER_PATH = '/zookeeper';
export const QUOTA_PATH = '/zookeeper/quota';
export const CONFIG_PATH = '/zookeeper/config';

export interface TxnResult {
  type: number;
  err: number;
  path?: string;
  stat?: Stat;
  /** Per sub-txn results of a multi. */
  multi?: TxnResult[];
}

export interface ApplyOutcome {
  result: TxnResult;
  events: TreeEvent[];
}

export class DataTree {
  private readonly nodes = new Map<string, DataNode>();
  private readonly ephemerals = new Map<bigint, Set<string>>();
  readonly containers = new Set<string>();
  readonly ttls = new Set<string>();
  readonly acls = new AclCache();
  lastProcessedZxid = 0n;
  /** Sum of path lengths and data lengths (mntr's zk_approximate_data_size). */
  approximateDataSize = 0;
  /** creationSeq of the node that entered the tree last (see DataNode.creationSeq). */
  private creationSeqLast = 0;

  constructor() {
    const root = this.newNode(Buffer.alloc(0), OPEN_UNSAFE_ACL_INDEX, 0n, 0n, 0n);
    this.enter('/', root);
    this.addSystemNode(ZOOKEEPER_PATH);
    this.addSystemNode(QUOTA_PATH);
    const config = this.addSystemNode(CONFIG_PATH);
    config.aclIndex = this.acls.ref(READ_ACL_UNSAFE);
    config.aversion = -1;
  }

  private newNode(data: Buffer | null, aclIndex: bigint, zxid: bigint, time: bigint, owner: bigint): DataNode {
    return new DataNode(data, aclIndex, zxid, zxid, time, time, 0, 0, 0, owner, zxid);
  }

  private addSystemNode(path: string): DataNode {
    const node = this.newNode(Buffer.alloc(0), OPEN_UNSAFE_ACL_INDEX, 0n, 0n, 0n);
    this.enter(path, node);
    this.nodes.get(parentOf(path))!.setChild(baseName(path), node);
    this.approximateDataSize += path.length;
    return node;
  }

  private enter(path: string, node: DataNode): void {
    node.creationSeq = ++this.creationSeqLast;
    this.nodes.set(path, node);
  }

  /**
   * The creationSeq of the newest node: a child whose creationSeq is above the value read when its
   * parent was visited entered the tree after that visit.
   */
  get lastCreationSeq(): number {
    return this.creationSeqLast;
  }

  /** The node at `path`; "" is the root, as upstream keeps the root under both names. */
  getNode(path: string): DataNode | undefined {
    return this.nodes.get(path === '' ? '/' : path);
  }

  aclOf(node: DataNode): readonly ACL[] {
    return this.acls.get(node.aclIndex);
  }

  /** Node count as upstream reports it: the root is counted twice (as "" and "/"). */
  get nodeCount(): number {
    return this.nodes.size + 1;
  }

  ephemeralsOf(sessionId: bigint): ReadonlySet<string> {
    return this.ephemerals.get(sessionId) ?? new Set();
  }

  sessionsWithEphemerals(): ReadonlyMap<bigint, ReadonlySet<string>> {
    return this.ephemerals;
  }

  get ephemeralCount(): number {
    let n = 0;
    for (const paths of this.ephemerals.values()) n += paths.size;
    return n;
  }

  /** All paths, for snapshots, digests and tests (insertion order). */
  paths(): IterableIterator<string> {
    return this.nodes.keys();
  }

  /**
   * getAllChildrenNumber: the descendants of `path`, excluding it. Upstream counts map keys by
   * prefix, and for the root's other name "" that prefix also takes in the "/" key itself.
   */
  countDescendants(path: string): number {
    const start = path === '' ? '/' : path;
    if (!this.nodes.has(start)) return 0;
    let count = path === '' ? 1 : 0;
    const stack: string[] = [start];
    while (stack.length > 0) {
      const at = stack.pop()!;
      const n = this.nodes.get(at);
      if (n?.children == null) continue;
      for (const child of n.children) {
        count++;
        stack.push(joinPath(at, child));
      }
    }
    return count;
  }

  applyTxn(header: TxnHeader, txn: Txn): ApplyOutcome {
    const events: TreeEvent[] = [];
    const result = this.applyOne(header, txn, events);
    if (header.zxid > this.lastProcessedZxid) this.lastProcessedZxid = header.zxid;
    return { result, events };
  }

  private applyOne(header: TxnHeader, txn: Txn, events: TreeEvent[]): TxnResult {
    const result: TxnResult = { type: txn.type, err: Code.OK };
    const { zxid, time, clientId } = header;
    switch (txn.type) {
      case Op.create:
      case Op.create2: {
        const r = txn.record;
        result.path = r.path;
        this.createNode(result, r.path, r.data, r.acl, r.ephemeral ? clientId : 0n, r.parentCVersion, zxid, time, events);
        return result;
      }
      case Op.createContainer: {
        const r = txn.record;
        result.path = r.path;
        this.createNode(result, r.path, r.data, r.acl, CONTAINER_OWNER, r.parentCVersion, zxid, time, events);
        return result;
      }
      case Op.createTTL: {
        const r = txn.record;
        result.path = r.path;
        this.createNode(result, r.path, r.data, r.acl, ttlOwner(r.ttl), r.parentCVersion, zxid, time, events);
        return result;
      }
      case Op.delete:
      case Op.deleteContainer:
        result.path = txn.record.path;
        result.err = this.deleteNode(txn.record.path, zxid, events);
        break;
      case Op.setData:
        result.path = txn.record.path;
        this.setData(result, txn.record.path, txn.record.data, txn.record.version, zxid, time, events);
        return result;
      case Op.setACL:
        result.path = txn.record.path;
        result.err = this.setAcl(txn.record.path, txn.record.acl, txn.record.version);
        break;
      case Op.check:
        result.path = txn.record.path;
        break;
      case Op.createSession:
        break;
      case Op.closeSession:
        this.killSession(clientId, txn.record.paths2Delete, zxid, events);
        break;
      case Op.error:
        result.err = txn.record.err;
        break;
      case Op.multi:
        this.applyMulti(header, txn.record.txns, result, events);
        break;
    }
    if (result.err === Code.OK && result.path !== undefined && txn.type !== Op.delete && txn.type !== Op.deleteContainer) {
      const node = this.nodes.get(result.path);
      if (node !== undefined) result.stat = node.stat();
    }
    return result;
  }

  /** DataTree.processTxn for multi: if any sub-txn is an error, every sub-txn becomes one. */
  private applyMulti(header: TxnHeader, txns: Txn[], result: TxnResult, events: TreeEvent[]): void {
    const failed = txns.some((t) => t.type === Op.error);
    let postFailed = false;
    result.multi = [];
    for (let sub of txns) {
      if (sub.type === Op.error) postFailed = true;
      else if (failed) sub = { type: Op.error, record: { err: postFailed ? Code.RUNTIMEINCONSISTENCY : Code.OK } };
      const subResult = this.applyOne({ ...header, type: sub.type }, sub, events);
      result.multi.push(subResult);
      if (subResult.err !== Code.OK && result.err === Code.OK) result.err = subResult.err;
    }
  }

  /** Sets `result.err`, and `result.stat` on success (from the new node: no second lookup). */
  private createNode(
    result: TxnResult,
    path: string,
    data: Buffer | null,
    acl: readonly ACL[],
    owner: bigint,
    parentCVersionIn: number,
    zxid: bigint,
    time: bigint,
    events: TreeEvent[],
  ): void {
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath);
    if (parent === undefined) {
      result.err = Code.NONODE;
      return;
    }
    const name = baseName(path);
    if (parent.hasChild(name)) {
      result.err = Code.NODEEXISTS;
      return;
    }
    let parentCVersion = parentCVersionIn;
    if (parentCVersion === -1) parentCVersion = parent.cversion + 1;
    // a replayed create of a node that the fuzzy snapshot saw created and deleted leaves cversion alone
    if (parentCVersion > parent.cversion) {
      parent.cversion = parentCVersion;
      parent.pzxid = zxid;
    }
    const node = this.newNode(data === null ? null : Buffer.from(data), this.acls.ref(acl), zxid, time, owner);
    this.enter(path, node);
    parent.setChild(name, node);
    this.approximateDataSize += path.length + node.dataLength;
    this.trackOwner(path, owner);
    events.push(
      { type: EventType.NodeCreated, path, acl: this.aclOf(node) },
      { type: EventType.NodeChildrenChanged, path: parentPath, acl: this.aclOf(parent) },
    );
    result.stat = node.stat();
  }

  private trackOwner(path: string, owner: bigint): void {
    switch (kindOfOwner(owner)) {
      case NodeKind.Persistent:
        return;
      case NodeKind.Container:
        this.containers.add(path);
        return;
      case NodeKind.Ttl:
        this.ttls.add(path);
        return;
      case NodeKind.Ephemeral: {
        let paths = this.ephemerals.get(owner);
        if (paths === undefined) {
          paths = new Set();
          this.ephemerals.set(owner, paths);
        }
        paths.add(path);
      }
    }
  }

  private untrackOwner(path: string, owner: bigint): void {
    this.containers.delete(path);
    this.ttls.delete(path);
    if (kindOfOwner(owner) !== NodeKind.Ephemeral) return;
    const paths = this.ephemerals.get(owner);
    paths?.delete(path);
    if (paths !== undefined && paths.size === 0) this.ephemerals.delete(owner);
  }

  private deleteNode(path: string, zxid: bigint, events: TreeEvent[]): number {
    const node = this.nodes.get(path);
    if (node === undefined || path === '/') return Code.NONODE;
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath);
    if (parent === undefined) return Code.NONODE;
    const acl = this.aclOf(node);
    this.nodes.delete(path);
    this.acls.unref(node.aclIndex);
    this.approximateDataSize -= path.length + node.dataLength;
    this.untrackOwner(path, node.ephemeralOwner);
    parent.removeChild(baseName(path));
    // never move pzxid backwards: a higher one may come from a create replayed before this delete
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    events.push(
      { type: EventType.NodeDeleted, path, acl },
      { type: EventType.NodeChildrenChanged, path: parentPath, acl: this.aclOf(parent) },
    );
    return Code.OK;
  }

  /** Sets `result.err`, and `result.stat` on success. */
  private setData(
    result: TxnResult,
    path: string,
    data: Buffer | null,
    version: number,
    zxid: bigint,
    time: bigint,
    events: TreeEvent[],
  ): void {
    const node = this.nodes.get(path);
    if (node === undefined) {
      result.err = Code.NONODE;
      return;
    }
    this.approximateDataSize += (data === null ? 0 : data.length) - node.dataLength;
    node.data = data === null ? null : Buffer.from(data);
    node.version = version;
    node.mzxid = zxid;
    node.mtime = time;
    events.push({ type: EventType.NodeDataChanged, path, acl: this.aclOf(node) });
    result.stat = node.stat();
  }

  private setAcl(path: string, acl: readonly ACL[], version: number): number {
    const node = this.nodes.get(path);
    if (node === undefined) return Code.NONODE;
    this.acls.unref(node.aclIndex);
    node.aclIndex = this.acls.ref(acl);
    node.aversion = version;
    return Code.OK;
  }

  private killSession(sessionId: bigint, listed: readonly string[], zxid: bigint, events: TreeEvent[]): void {
    const paths = listed.length > 0 ? listed : [...this.ephemeralsOf(sessionId)];
    for (const path of paths) this.deleteNode(path, zxid, events);
  }

  // ---- restore from a snapshot ----

  /** Replaces the tree with nodes from a snapshot, given parent-before-child. */
  loadSnapshotNode(path: string, node: DataNode): void {
    const key = path === '' ? '/' : path;
    const old = this.nodes.get(key);
    if (old !== undefined) {
      node.adoptChildrenOf(old);
      this.approximateDataSize -= key.length + old.dataLength;
    }
    this.enter(key, node);
    this.acls.addRef(node.aclIndex);
    this.approximateDataSize += key.length + node.dataLength;
    if (key !== '/') this.nodes.get(parentOf(key))?.setChild(baseName(key), node);
    this.trackOwner(key, node.ephemeralOwner);
  }

  /** Empties the tree before a snapshot is loaded into it. */
  clearForLoad(): void {
    this.nodes.clear();
    this.ephemerals.clear();
    this.containers.clear();
    this.ttls.clear();
    this.approximateDataSize = 0;
  }
}
