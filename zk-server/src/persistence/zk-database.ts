// The bridge between the running server and its data directory: restoring the tree and sessions
// from the newest snapshot plus the log, the snapshot source that walks the live tree while it keeps
// changing (a fuzzy snapshot, made consistent by replaying the log over it), and directory sizes.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ByteReader, Logger } from '../../../shared/src';
import { decodeTxn } from '../protocol/txn-codec';
import { DataNode } from '../data/data-node';
import { DataTree } from '../data/data-tree';
import { joinPath } from '../data/path';
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

/** A snapshot of the live tree: depth-first, children listed when their parent is visited. */
export function snapshotSourceOf(zk: ZooKeeperServer): SnapshotSource {
  const sessions = [...zk.sessions.all()].map((s) => ({ sessionId: s.sessionId, timeoutMs: s.timeoutMs }));
  return { ...databaseSourceOf(zk.tree, sessions), zxid: zk.tree.lastProcessedZxid, digest: null };
}

/** The database of `tree` and `sessions`, walked as snapshotSourceOf describes. */
export function databaseSourceOf(tree: DataTree, sessions: SnapshotSession[]): DatabaseSource {
  return {
    sessions,
    acls: tree.acls.entries(),
    *nodes(): Iterable<SnapshotNode> {
      const stack = ['/'];
      while (stack.length > 0) {
        const path = stack.pop()!;
        const node = tree.getNode(path);
        if (node === undefined) continue;
        // copy now: the tree may change before the writer encodes the next node
        yield { path: path === '/' ? '' : path, data: node.data, aclIndex: node.aclIndex, stat: node.persisted() };
        const children = node.children === null ? [] : [...node.children];
        for (let i = children.length - 1; i >= 0; i--) stack.push(joinPath(path, children[i]!));
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
