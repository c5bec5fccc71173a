// The replicated state of a simulated member: a real DataTree that applies the real txns it is
// given, with snapshots in the SNAP stream's format (SerializeUtils.serializeSnapshot: sessions,
// ACL cache, nodes parent-first, end path "/"), and a digest for comparing replicas.

import { ByteReader, ByteWriter, crc32, jute } from '../../shared/src';
import { ACL, StatPersisted } from '../../zk-server/src/protocol/records/data';
import { TxnHeader } from '../../zk-server/src/protocol/records/txn';
import { decodeTxn } from '../../zk-server/src/protocol/txn-codec';
import { DataTree } from '../../zk-server/src/data/data-tree';
import { decodeDatabase, encodeDatabase } from '../../zk-server/src/persistence/snapshot';
import { databaseSourceOf, loadDatabaseInto } from '../../zk-server/src/persistence/zk-database';
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
    this.tree = snapshot === null ? new DataTree() : decodeTreeDatabase(snapshot.data);
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
    return { zxid: this.appliedZxid, data: encodeTreeDatabase(this.tree) };
  }

  digest(): number {
    return treeDigest(this.tree);
  }
}

export function encodeTreeDatabase(tree: DataTree): Buffer {
  // this simulation opens no sessions
  return encodeDatabase(databaseSourceOf(tree, []));
}

export function decodeTreeDatabase(bytes: Buffer): DataTree {
  const tree = new DataTree();
  loadDatabaseInto(tree, decodeDatabase(bytes));
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
