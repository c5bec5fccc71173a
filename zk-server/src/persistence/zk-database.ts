// The bridge between the running server and its data directory: restoring the tree and sessions
// from the newest snapshot plus the log, the snapshot source that walks the live tree while it keeps
// changing (a fuzzy snapshot, made consistent by replaying the log over it), and directory sizes.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ByteReader, Logger } from '../../../shared/src';
import { decodeTxn } from '../protocol/txn-codec';
import { DataNode } from '../data/data-node';
import { DataTree } from '../data/data-tree';
import { ZooKeeperServer } from '../zookeeper-server';
import { RestoredDatabase } from './file-txn-snap-log';
import { DatabaseSource, SnapshotDatabase, SnapshotNode, SnapshotSession, SnapshotSource } from './snapshot';
import { versionDir } from './storage';

/** Replaces the content of `tree` with the nodes and ACL cache of `db` (its sessions are the caller's). */
export function loadDatabaseInto(tree: DataTree, db: SnapshotDatabase): void {
  tree.clearForLoad();
  for (const [index, acl] of db.acls) tree.acls.load(index, acl);
  for (const n of db.nodes) tree.loadSnapshotNode(n.path, DataNode.fromPersisted(n.data, n.aclIndex, n.stat));
  tree.acls.purgeUnused();
}

/** Loads a restored snapshot and replays the logged txns after it into `zk`. Returns txns replayed. */
export function restoreInto(zk: ZooKeeperServer, restored: RestoredDatabase, logger: Logger): number {
  const { tree } = zk;
  const snapshot = restored.snapshot;
  if (snapshot !== null) {
    loadDatabaseInto(tree, snapshot);
    tree.lastProcessedZxid = snapshot.zxid;
    for (const s of snapshot.sessions) zk.sessions.add(s.sessionId, s.timeoutMs, Date.now());
    logger.info(`loaded ${snapshot.name}: ${tree.nodeCount} nodes, ${snapshot.sessions.length} sessions`);
  }
  let replayed = 0;
  for (const logged of restored.txns) {
    zk.replay(logged.header, decodeTxn(logged.header.type, new ByteReader(logged.body)));
    replayed++;
  }
  if (replayed > 0) logger.info(`replayed ${replayed} transactions from the log, last zxid 0x${tree.lastProcessedZxid.toString(16)}`);
  return replayed;
}

/**
 * A snapshot of the live tree: depth-first, parents first, each node copied when it is reached and
 * its children those it had when it was visited (see SnapshotSource.nodes).
 */
export function snapshotSourceOf(zk: ZooKeeperServer): SnapshotSource {
  const sessions = [...zk.sessions.all()].map((s) => ({ sessionId: s.sessionId, timeoutMs: s.timeoutMs }));
  return { ...databaseSourceOf(zk.tree, sessions), zxid: zk.tree.lastProcessedZxid, digest: null };
}

/** A node being walked: its path and where the walk is in its children. */
interface WalkFrame {
  path: string;
  children: Iterator<[string, DataNode]>;
  /** tree.lastCreationSeq when the node was visited. */
  listedAtSeq: number;
}

const NO_CHILDREN: ReadonlyMap<string, DataNode> = new Map();

function copyForSnapshot(path: string, node: DataNode): SnapshotNode {
  return { path, data: node.data, aclIndex: node.aclIndex, stat: node.persisted() };
}

/** The database of `tree` and `sessions`, walked as snapshotSourceOf describes. */
export function databaseSourceOf(tree: DataTree, sessions: SnapshotSession[]): DatabaseSource {
  return {
    sessions,
    acls: tree.acls.entries(),
    *nodes(): Iterable<SnapshotNode> {
      const frameOf = (path: string, node: DataNode): WalkFrame => ({
        path,
        // live iteration: no copy of a large child set, and children removed since are skipped
        children: (node.childNodes ?? NO_CHILDREN).entries(),
        listedAtSeq: tree.lastCreationSeq,
      });
      const root = tree.getNode('/')!;
      // the copy is taken now: the tree may change before the writer asks for the next node
      yield copyForSnapshot('', root);
      const stack: WalkFrame[] = [frameOf('', root)];
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const next = top.children.next();
        if (next.done === true) {
          stack.pop();
          continue;
        }
        const [name, node] = next.value;
        // added after its parent was listed: replaying the log from the snapshot's zxid creates it
        if (node.creationSeq > top.listedAtSeq) continue;
        const path = `${top.path}/${name}`;
        yield copyForSnapshot(path, node);
        // a leaf needs no frame: children added to it later would be left out anyway
        if (node.numChildren > 0) stack.push(frameOf(path, node));
      }
    },
  };
}

function directoryBytes(dir: string): number {
  let total = 0;
  try {
    for (const name of readdirSync(dir)) total += statSync(join(dir, name)).size;
  } catch {
    return 0;
  }
  return total;
}

/** Sizes of the snapshot and log directories, as `dirs` and `mntr` report them. */
export function dataDirSizes(dataDir: string, dataLogDir: string): { datadir: number; logdir: number } {
  return { datadir: directoryBytes(versionDir(dataDir)), logdir: directoryBytes(versionDir(dataLogDir)) };
}
