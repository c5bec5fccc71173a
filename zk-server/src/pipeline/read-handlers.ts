// Reads (FinalRequestProcessor's read cases): served from the applied tree, never from pending
// changes, writing the response record straight into the reply. Watches are registered here.

import { ByteReader, ByteWriter } from '../../../shared/src';
import { Id } from '../protocol/records/data';
import * as P from '../protocol/records/proto';
import { Stat } from '../protocol/records/data';
import { Code, KeeperError } from '../protocol/keeper-errors';
import { Op } from '../protocol/op-codes';
import { AclContext, Perms, checkPermission, hasPermission, redactDigests } from '../data/acl';
import { DataTree } from '../data/data-tree';
import { DataNode } from '../data/data-node';
import { EventSink, Watches } from '../data/watches';
import { AddWatchMode, EventType } from '../data/watch-events';
import { decodeMultiOps } from './request';

/** The connection a read comes from: who it is, and where its watches and events go. */
export interface ReadClient extends EventSink {
  readonly sessionId: bigint;
  readonly authInfo: Id[];
}

export interface ReadContext {
  tree: DataTree;
  watches: Watches<any>;
  superDigest: string | null;
}

function aclContext(ctx: ReadContext, client: ReadClient): AclContext {
  return { authInfo: client.authInfo, superDigest: ctx.superDigest };
}

function nodeOrThrow(tree: DataTree, path: string): DataNode {
  const node = tree.getNode(path);
  if (node === undefined) throw new KeeperError(Code.NONODE, path);
  return node;
}

function readableNode(ctx: ReadContext, client: ReadClient, path: string): DataNode {
  const node = nodeOrThrow(ctx.tree, path);
  checkPermission(aclContext(ctx, client), ctx.tree.aclOf(node), Perms.READ, path);
  return node;
}

function childList(node: DataNode): string[] {
  return node.children === null ? [] : [...node.children];
}

/**
 * Serves read `type` into `w` (the response record only). Returns the error code; on error
 * nothing is written. Throws only for bytes that do not decode (the caller answers MarshallingError).
 */
export function executeRead(ctx: ReadContext, client: ReadClient, type: number, body: Buffer, w: ByteWriter): number {
  try {
    serveRead(ctx, client, type, new ByteReader(body), w);
    return Code.OK;
  } catch (e) {
    if (e instanceof KeeperError) return e.err;
    throw e;
  }
}

function serveRead(ctx: ReadContext, client: ReadClient, type: number, r: ByteReader, w: ByteWriter): void {
  const { tree, watches } = ctx;
  switch (type) {
    case Op.exists: {
      const req = P.ExistsRequest.decode(r);
      if (req.path.includes('\u0000')) throw new KeeperError(Code.BADARGUMENTS, req.path);
      if (req.watch) watches.data.add(req.path, client);
      P.ExistsResponse.encode(w, { stat: nodeOrThrow(tree, req.path).stat() });
      return;
    }
    case Op.getData: {
      const req = P.GetDataRequest.decode(r);
      const node = readableNode(ctx, client, req.path);
      if (req.watch) watches.data.add(req.path, client);
      P.GetDataResponse.encode(w, { data: node.data, stat: node.stat() });
      return;
    }
    case Op.getChildren: {
      const req = P.GetChildrenRequest.decode(r);
      const node = readableNode(ctx, client, req.path);
      if (req.watch) watches.child.add(req.path, client);
      w.bytes(node.encodedChildren());
      return;
    }
    case Op.getChildren2: {
      const req = P.GetChildren2Request.decode(r);
      const node = readableNode(ctx, client, req.path);
      if (req.watch) watches.child.add(req.path, client);
      // GetChildren2Response = the children vector, then the Stat
      w.bytes(node.encodedChildren());
      Stat.encode(w, node.stat());
      return;
    }
    case Op.getACL:
      return getAcl(ctx, client, P.GetACLRequest.decode(r).path, w);
    case Op.sync:
      P.SyncResponse.encode(w, { path: P.SyncRequest.decode(r).path });
      return;
    case Op.getAllChildrenNumber: {
      const path = P.GetAllChildrenNumberRequest.decode(r).path;
      readableNode(ctx, client, path);
      P.GetAllChildrenNumberResponse.encode(w, { totalNumber: tree.countDescendants(path) });
      return;
    }
    case Op.getEphemerals: {
      const prefix = P.GetEphemeralsRequest.decode(r).prefixPath;
      const all = [...tree.ephemeralsOf(client.sessionId)];
      const ephemerals = prefix === '/' || prefix === '' ? all : all.filter((p) => p.startsWith(prefix));
      P.GetEphemeralsResponse.encode(w, { ephemerals });
      return;
    }
    case Op.checkWatches: {
      const req = P.CheckWatchesRequest.decode(r);
      if (!watches.has(req.path, req.type, client)) throw new KeeperError(Code.NOWATCHER, req.path);
      return;
    }
    case Op.removeWatches: {
      const req = P.RemoveWatchesRequest.decode(r);
      if (!watches.remove(req.path, req.type, client)) throw new KeeperError(Code.NOWATCHER, req.path);
      return;
    }
    case Op.addWatch: {
      const req = P.AddWatchRequest.decode(r);
      if (req.mode !== AddWatchMode.Persistent && req.mode !== AddWatchMode.PersistentRecursive) {
        throw new KeeperError(Code.BADARGUMENTS, req.path);
      }
      watches.addPersistent(req.path, client, req.mode === AddWatchMode.PersistentRecursive);
      P.ErrorResponse.encode(w, { err: 0 });
      return;
    }
    case Op.whoAmI:
      // as upstream lists them: authenticated identities first, the connection's address last
      P.WhoAmIResponse.encode(w, {
        clientInfo: [...client.authInfo.filter((id) => id.scheme !== 'ip'), ...client.authInfo.filter((id) => id.scheme === 'ip')].map(clientInfoOf),
      });
      return;
    case Op.setWatches:
      return setWatches(ctx, client, { ...P.SetWatches.decode(r), persistentWatches: [], persistentRecursiveWatches: [] });
    case Op.setWatches2:
      return setWatches(ctx, client, P.SetWatches2.decode(r));
    case Op.multiRead:
      return multiRead(ctx, client, r.bytes(r.remaining), w);
    default:
      throw new KeeperError(Code.UNIMPLEMENTED);
  }
}

function clientInfoOf(id: Id): { authScheme: string; user: string } {
  const user = id.scheme === 'digest' ? id.id.split(':')[0]! : id.id;
  return { authScheme: id.scheme, user };
}

function getAcl(ctx: ReadContext, client: ReadClient, path: string, w: ByteWriter): void {
  const node = nodeOrThrow(ctx.tree, path);
  const acl = ctx.tree.aclOf(node);
  const actx = aclContext(ctx, client);
  checkPermission(actx, acl, Perms.READ | Perms.ADMIN, path);
  const visible = hasPermission(actx, acl, Perms.ADMIN) ? [...acl] : redactDigests(acl);
  P.GetACLResponse.encode(w, { acl: visible, stat: node.stat() });
}

/** Re-registers a reconnecting client's watches, telling it at once of what changed since relativeZxid. */
function setWatches(ctx: ReadContext, client: ReadClient, req: P.SetWatches2): void {
  const { tree, watches } = ctx;
  const rel = req.relativeZxid;
  for (const path of req.dataWatches) {
    const node = tree.getNode(path);
    if (node === undefined) client.sendWatchEvent(EventType.NodeDeleted, path);
    else if (node.mzxid > rel) client.sendWatchEvent(EventType.NodeDataChanged, path);
    else watches.data.add(path, client);
  }
  for (const path of req.existWatches) {
    if (tree.getNode(path) !== undefined) client.sendWatchEvent(EventType.NodeCreated, path);
    else watches.data.add(path, client);
  }
  for (const path of req.childWatches) {
    const node = tree.getNode(path);
    if (node === undefined) client.sendWatchEvent(EventType.NodeDeleted, path);
    else if (node.pzxid > rel) client.sendWatchEvent(EventType.NodeChildrenChanged, path);
    else watches.child.add(path, client);
  }
  for (const path of req.persistentWatches) watches.addPersistent(path, client, false);
  for (const path of req.persistentRecursiveWatches) watches.addPersistent(path, client, true);
}

/** multiRead: each op answered on its own; a failed op is an ErrorResult, the call itself succeeds. */
function multiRead(ctx: ReadContext, client: ReadClient, body: Buffer, w: ByteWriter): void {
  const ops = decodeMultiOps(body);
  for (const op of ops) {
    if (op.type !== Op.getData && op.type !== Op.getChildren) throw new KeeperError(Code.MARSHALLINGERROR);
  }
  for (const op of ops) {
    if (op.type !== Op.getData && op.type !== Op.getChildren) continue;
    const path = op.record.path;
    try {
      const node = readableNode(ctx, client, path);
      if (op.type === Op.getData) {
        if (op.record.watch) ctx.watches.data.add(path, client);
        P.MultiHeader.encode(w, { type: Op.getData, done: false, err: 0 });
        P.GetDataResponse.encode(w, { data: node.data, stat: node.stat() });
      } else {
        if (op.record.watch) ctx.watches.child.add(path, client);
        P.MultiHeader.encode(w, { type: Op.getChildren, done: false, err: 0 });
        P.GetChildrenResponse.encode(w, { children: childList(node) });
      }
    } catch (e) {
      if (!(e instanceof KeeperError)) throw e;
      P.MultiHeader.encode(w, { type: Op.error, done: false, err: e.err });
      P.ErrorResponse.encode(w, { err: e.err });
    }
  }
  P.MultiHeader.encode(w, { type: -1, done: true, err: -1 });
}
