// The replicated state of a simulated member: a real DataTree that applies the real txns it is
// given, with snapshots in the SNAP stream's format (SerializeUtils.serializeSnapshot: sessions,
// ACL cache, nodes parent-first, end path "/"), and a digest for comparing replicas.

import { ByteReader, ByteWriter, crc32, jute } from '../../shared/src';
import { ACL, StatPersisted } from '../../zk-server/src/protocol/records/data';
import { TxnHeader } from '../../zk-server/src/protocol/records/txn';
import { decodeTxn } from '../../zk-server/src/protocol/txn-codec';
import { DataNode } from '../../zk-server/src/data/data-node';
import { DataTree } from '../../zk-server/src/data/data-tree';
import { joinPath } from '../../zk-server/src/data/path';
import { LoggedTxn } from '../../zk-server/src/quorum/core/history';
import { StateSnapshot } from '../../zk-server/src/quorum/core/ready';
import { StateMachine } from '../../zk-server/src/quorum/runtime/peer-runtime';

export interface StateMachineObserver {
  restored(zxid: bigint): void;
  applied(txn: LoggedTxn): void;
}

export class SimStateMachine implements StateMachine {
  tree = new DataTree();
  appliedZxid = 0n;

  constructor(private readonly observer: StateMachineObserver | null = null) {}

  restore(snapshot: StateSnapshot | null): void {
    this.tree = snapshot === null ? new DataTree() : decodeDatabase(snapshot.data);
    this.appliedZxid = snapshot?.zxid ?? 0n;
    this.tree.lastProcessedZxid = this.appliedZxid;
    this.observer?.restored(this.appliedZxid);
  }

  apply(txn: LoggedTxn): void {
    const r = new ByteReader(txn.bytes);
    const header = TxnHeader.decode(r);
    if (header.zxid !== txn.zxid) throw new Error(`txn header zxid ${header.zxid} under ${txn.zxid}`);
    if (txn.zxid <= this.appliedZxid) throw new Error(`apply ${txn.zxid} after ${this.appliedZxid}`);
    this.tree.applyTxn(header, decodeTxn(header.type, r));
    this.appliedZxid = txn.zxid;
    this.observer?.applied(txn);
  }

  snapshot(): StateSnapshot {
    return { zxid: this.appliedZxid, data: encodeDatabase(this.tree) };
  }

  digest(): number {
    return treeDigest(this.tree);
  }
}

/** Paths parent-first, children in name order. */
function walk(tree: DataTree): string[] {
  const out: string[] = [];
  const stack = ['/'];
  while (stack.length > 0) {
    const path = stack.pop()!;
    out.push(path);
    const children = [...(tree.getNode(path)?.children ?? [])].sort().reverse();
    for (const child of children) stack.push(joinPath(path, child));
  }
  return out;
}

export function encodeDatabase(tree: DataTree): Buffer {
  const w = new ByteWriter(1024);
  w.int32(0); // sessions: this simulation opens none
  const acls = tree.acls.entries();
  w.int32(acls.size);
  for (const [index, list] of acls) {
    w.int64(index);
    jute.vector(ACL).encode(w, list);
  }
  for (const path of walk(tree)) {
    const node = tree.getNode(path)!;
    jute.ustring.encode(w, path === '/' ? '' : path);
    jute.buffer.encode(w, node.data);
    w.int64(node.aclIndex);
    StatPersisted.encode(w, node.persisted());
  }
  jute.ustring.encode(w, '/');
  return w.toBuffer();
}

export function decodeDatabase(bytes: Buffer): DataTree {
  const r = new ByteReader(bytes);
  const tree = new DataTree();
  tree.clearForLoad();
  const sessions = r.int32();
  r.bytes(sessions * 12);
  const aclCount = r.int32();
  for (let i = 0; i < aclCount; i++) {
    const index = r.int64();
    tree.acls.load(index, jute.vector(ACL).decode(r));
  }
  for (;;) {
    const path = jute.ustring.decode(r);
    if (path === '/') break;
    const data = jute.buffer.decode(r);
    const aclIndex = r.int64();
    const stat = StatPersisted.decode(r);
    tree.loadSnapshotNode(path, DataNode.fromPersisted(data === null ? null : Buffer.from(data), aclIndex, stat));
  }
  tree.acls.purgeUnused();
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes after the serialized database`);
  return tree;
}

/** CRC-32 over every node in path order: path, data, ACL and persisted stat. */
export function treeDigest(tree: DataTree): number {
  const w = new ByteWriter(4096);
  for (const path of [...tree.paths()].sort()) {
    const node = tree.getNode(path)!;
    jute.ustring.encode(w, path);
    jute.buffer.encode(w, node.data);
    jute.vector(ACL).encode(w, [...tree.aclOf(node)]);
    StatPersisted.encode(w, node.persisted());
  }
  return crc32(w.view());
}
