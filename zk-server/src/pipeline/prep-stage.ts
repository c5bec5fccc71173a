// The prep step (PrepRequestProcessor): validates a write against the tree plus the outstanding
// changes, checks ACLs and versions, and turns it into a transaction with the next zxid. A write that
// fails still becomes a transaction (an error txn) and consumes its zxid, as upstream.

import { ByteReader } from '../../../shared/src';
import { ACL } from '../protocol/records/data';
import * as P from '../protocol/records/proto';
import { Code, KeeperError } from '../protocol/keeper-errors';
import { Op } from '../protocol/op-codes';
import { Txn } from '../protocol/txn-codec';
import { AclContext, Perms, checkPermission, fixupAcl } from '../data/acl';
import { CONTAINER_OWNER, NodeKind, kindOfOwner, ttlOwner } from '../data/data-node';
import { CONFIG_PATH, QUOTA_PATH, ZOOKEEPER_PATH } from '../data/data-tree';
import { validatePath } from '../data/path';
import { TTL_MS_MAX } from '../limits';
import { SessionTracker } from '../session/session-tracker';
import {
  ChangeView,
  NodeRecord,
  OutstandingChanges,
  ScratchView,
  createdRecord,
  deletedRecord,
  withAcl,
  withChildren,
  withVersion,
} from './outstanding-changes';
import { MultiOp, PreparedTxn, Request, decodeMultiOps } from './request';

export interface PrepOptions {
  extendedTypesEnabled: boolean;
  reconfigEnabled: boolean;
  superDigest: string | null;
}

const SPECIAL_PATHS = new Set(['/', ZOOKEEPER_PATH, QUOTA_PATH, CONFIG_PATH]);

interface CreateArgs {
  path: string;
  data: Buffer | null;
  acl: ACL[];
  flags: number;
}

export class PrepStage {
  constructor(
    private readonly changes: OutstandingChanges,
    private readonly sessions: SessionTracker,
    private readonly options: PrepOptions,
  ) {}

  /** Turns `request` into the txn for `zxid`; never throws for client-caused problems. */
  prepare(request: Request, zxid: bigint, nowMs: number): PreparedTxn {
    const header = { clientId: request.sessionId, cxid: request.cxid, zxid, time: BigInt(nowMs), type: request.type };
    try {
      const txn = this.toTxn(request, zxid);
      return { header, txn };
    } catch (e) {
      const err = e instanceof KeeperError ? e.err : Code.MARSHALLINGERROR;
      return { header: { ...header, type: Op.error }, txn: { type: Op.error, record: { err } } };
    }
  }

  private ctx(request: Request): AclContext {
    return { authInfo: request.authInfo as AclContext['authInfo'], superDigest: this.options.superDigest };
  }

  private checkSession(request: Request): void {
    const session = this.sessions.get(request.sessionId);
    if (session === undefined || session.closing) throw new KeeperError(Code.SESSIONEXPIRED);
  }

  private toTxn(request: Request, zxid: bigint): Txn {
    const r = new ByteReader(request.body);
    switch (request.type) {
      case Op.create:
      case Op.create2:
      case Op.createContainer:
        return this.create(request.type, request, P.CreateRequest.decode(r), -1n, zxid, this.changes);
      case Op.createTTL: {
        const args = P.CreateTTLRequest.decode(r);
        return this.create(request.type, request, args, args.ttl, zxid, this.changes);
      }
      case Op.delete:
        return this.delete(request, P.DeleteRequest.decode(r), zxid, this.changes);
      case Op.deleteContainer:
        return this.deleteContainer(request.body.toString('utf8'), zxid, this.changes);
      case Op.setData:
        return this.setData(request, P.SetDataRequest.decode(r), zxid, this.changes);
      case Op.setACL:
        return this.setAcl(request, P.SetACLRequest.decode(r), zxid, this.changes);
      case Op.check:
        return this.check(request, P.CheckVersionRequest.decode(r), this.changes);
      case Op.multi:
        return this.multi(request, zxid);
      case Op.createSession:
        return { type: Op.createSession, record: { timeOut: request.sessionTimeoutMs ?? 0 } };
      case Op.closeSession:
        return this.closeSession(request, zxid);
      case Op.reconfig:
        if (!this.options.reconfigEnabled) throw new KeeperError(Code.RECONFIGDISABLED);
        throw new KeeperError(Code.UNIMPLEMENTED);
      default:
        throw new KeeperError(Code.UNIMPLEMENTED);
    }
  }

  private create(type: number, request: Request, args: CreateArgs, ttl: bigint, zxid: bigint, view: ChangeView): Txn {
    const flags = args.flags;
    if (flags < 0 || flags > 6) throw new KeeperError(Code.BADARGUMENTS, args.path);
    const isTtl = flags === 5 || flags === 6;
    const isSequential = flags === 2 || flags === 3 || flags === 6;
    const isEphemeral = flags === 1 || flags === 3;
    const isContainer = flags === 4;
    if (isTtl && !this.options.extendedTypesEnabled) throw new KeeperError(Code.UNIMPLEMENTED, args.path);
    if (isTtl ? ttl <= 0n || ttl > TTL_MS_MAX : ttl >= 0n) throw new KeeperError(Code.BADARGUMENTS, args.path);
    this.checkSession(request);
    let path = args.path;
    const lastSlash = path.lastIndexOf('/');
    if (lastSlash === -1 || path.includes('\u0000')) throw new KeeperError(Code.BADARGUMENTS, path);
    const ctx = this.ctx(request);
    const acl = fixupAcl(path, ctx, args.acl);
    const parentPath = path.slice(0, lastSlash);
    const parent = view.get(parentPath);
    if (parent === undefined) throw new KeeperError(Code.NONODE, parentPath);
    checkPermission(ctx, parent.acl, Perms.CREATE, path);
    if (isSequential) path = path + String(parent.cversion).padStart(10, '0');
    validatePath(path);
    if (view.get(path) !== undefined) throw new KeeperError(Code.NODEEXISTS, path);
    if (kindOfOwner(parent.ephemeralOwner) === NodeKind.Ephemeral) {
      throw new KeeperError(Code.NOCHILDRENFOREPHEMERALS, path);
    }
    const parentCVersion = parent.cversion + 1;
    const owner = isContainer ? CONTAINER_OWNER : isTtl ? ttlOwner(ttl) : isEphemeral ? request.sessionId : 0n;
    view.put(withChildren(parent, parentPath, zxid, parentCVersion, parent.childCount + 1));
    view.put(createdRecord(path, zxid, owner, acl));
    const data = args.data;
    if (type === Op.createContainer) {
      return { type: Op.createContainer, record: { path, data, acl, parentCVersion } };
    }
    if (type === Op.createTTL) return { type: Op.createTTL, record: { path, data, acl, parentCVersion, ttl } };
    return { type: type as Op.create | Op.create2, record: { path, data, acl, ephemeral: isEphemeral, parentCVersion } };
  }

  private parentForDelete(path: string): string {
    const lastSlash = path.lastIndexOf('/');
    if (lastSlash === -1 || path.includes('\u0000') || SPECIAL_PATHS.has(path)) {
      throw new KeeperError(Code.BADARGUMENTS, path);
    }
    return path.slice(0, lastSlash);
  }

  private removeNode(view: ChangeView, parent: NodeRecord, parentPath: string, node: NodeRecord, zxid: bigint): void {
    view.put(withChildren(parent, parentPath, zxid, parent.cversion, parent.childCount - 1));
    view.put(deletedRecord(node, zxid));
  }

  private delete(request: Request, req: P.DeleteRequest, zxid: bigint, view: ChangeView): Txn {
    this.checkSession(request);
    const path = req.path;
    const parentPath = this.parentForDelete(path);
    const parent = view.get(parentPath);
    if (parent === undefined) throw new KeeperError(Code.NONODE, parentPath);
    checkPermission(this.ctx(request), parent.acl, Perms.DELETE, path);
    const node = view.get(path);
    if (node === undefined) throw new KeeperError(Code.NONODE, path);
    checkVersion(node.version, req.version, path);
    if (node.childCount > 0) throw new KeeperError(Code.NOTEMPTY, path);
    this.removeNode(view, parent, parentPath, node, zxid);
    return { type: Op.delete, record: { path } };
  }

  private deleteContainer(path: string, zxid: bigint, view: ChangeView): Txn {
    const parentPath = this.parentForDelete(path);
    const node = view.get(path);
    if (node === undefined) throw new KeeperError(Code.NONODE, path);
    if (node.childCount > 0) throw new KeeperError(Code.NOTEMPTY, path);
    const kind = kindOfOwner(node.ephemeralOwner);
    if (kind !== NodeKind.Container && kind !== NodeKind.Ttl) throw new KeeperError(Code.BADVERSION, path);
    const parent = view.get(parentPath);
    if (parent === undefined) throw new KeeperError(Code.NONODE, parentPath);
    this.removeNode(view, parent, parentPath, node, zxid);
    return { type: Op.deleteContainer, record: { path } };
  }

  private setData(request: Request, req: P.SetDataRequest, zxid: bigint, view: ChangeView): Txn {
    this.checkSession(request);
    validatePath(req.path);
    const node = view.get(req.path);
    if (node === undefined) throw new KeeperError(Code.NONODE, req.path);
    checkPermission(this.ctx(request), node.acl, Perms.WRITE, req.path);
    const version = checkVersion(node.version, req.version, req.path);
    view.put(withVersion(node, zxid, version));
    return { type: Op.setData, record: { path: req.path, data: req.data, version } };
  }

  private setAcl(request: Request, req: P.SetACLRequest, zxid: bigint, view: ChangeView): Txn {
    this.checkSession(request);
    validatePath(req.path);
    const acl = fixupAcl(req.path, this.ctx(request), req.acl);
    const node = view.get(req.path);
    if (node === undefined) throw new KeeperError(Code.NONODE, req.path);
    checkPermission(this.ctx(request), node.acl, Perms.ADMIN, req.path);
    const version = checkVersion(node.aversion, req.version, req.path);
    view.put(withAcl(node, zxid, version, acl));
    return { type: Op.setACL, record: { path: req.path, acl, version } };
  }

  private check(request: Request, req: P.CheckVersionRequest, view: ChangeView): Txn {
    this.checkSession(request);
    validatePath(req.path);
    const node = view.get(req.path);
    if (node === undefined) throw new KeeperError(Code.NONODE, req.path);
    checkPermission(this.ctx(request), node.acl, Perms.READ, req.path);
    return { type: Op.check, record: { path: req.path, version: checkVersion(node.version, req.version, req.path) } };
  }

  private multi(request: Request, zxid: bigint): Txn {
    const ops = decodeMultiOps(request.body);
    // a read inside a write multi fails the whole request, as upstream's MultiOperationRecord
    if (ops.some((op) => op.type === Op.getData || op.type === Op.getChildren)) throw new KeeperError(Code.MARSHALLINGERROR);
    const scratch = new ScratchView(this.changes);
    const txns: Txn[] = [];
    let failed = false;
    for (const op of ops) {
      if (failed) {
        txns.push({ type: Op.error, record: { err: Code.RUNTIMEINCONSISTENCY } });
        continue;
      }
      try {
        txns.push(this.multiOp(request, op, zxid, scratch));
      } catch (e) {
        if (!(e instanceof KeeperError)) throw e;
        failed = true;
        txns.push({ type: Op.error, record: { err: e.err } });
      }
    }
    if (!failed) scratch.commit();
    return { type: Op.multi, record: { txns } };
  }

  private multiOp(request: Request, op: MultiOp, zxid: bigint, view: ChangeView): Txn {
    switch (op.type) {
      case Op.create:
      case Op.createContainer:
      case Op.createTTL:
        return this.create(op.type, request, op.record, op.record.ttl, zxid, view);
      case Op.delete:
        return this.delete(request, op.record, zxid, view);
      case Op.setData:
        return this.setData(request, op.record, zxid, view);
      case Op.check:
        return this.check(request, op.record, view);
      default:
        throw new KeeperError(Code.MARSHALLINGERROR);
    }
  }

  private closeSession(request: Request, zxid: bigint): Txn {
    const paths = new Set(this.ephemeralsInTree(request.sessionId));
    const pending = this.changes.pendingOwnedBy(request.sessionId);
    for (const p of pending.deleted) paths.delete(p);
    for (const p of pending.created) paths.add(p);
    for (const path of paths) {
      const node = this.changes.get(path);
      if (node !== undefined) this.changes.put(deletedRecord(node, zxid));
      const parentPath = path.slice(0, path.lastIndexOf('/'));
      const parent = this.changes.get(parentPath);
      if (parent !== undefined) {
        this.changes.put(withChildren(parent, parentPath, zxid, parent.cversion, parent.childCount - 1));
      }
    }
    this.sessions.setClosing(request.sessionId);
    return { type: Op.closeSession, record: { paths2Delete: [...paths] } };
  }

  ephemeralsInTree: (sessionId: bigint) => Iterable<string> = () => [];
}

/** checkAndIncVersion: -1 matches any version; returns the version after the change. */
function checkVersion(current: number, expected: number, path: string): number {
  if (expected !== -1 && expected !== current) throw new KeeperError(Code.BADVERSION, path);
  return (current + 1) | 0;
}
