// A client request as it moves through the pipeline, and the multi-operation record both multi and
// multiRead carry: repeated MultiHeader + op record, ended by MultiHeader{-1, true, -1}.

import { ByteReader } from '../../../shared/src';
import { Id } from '../protocol/records/data';
import * as P from '../protocol/records/proto';
import { Op } from '../protocol/op-codes';
import { KeeperError, Code } from '../protocol/keeper-errors';
import { TxnHeader } from '../protocol/records/txn';
import { Txn } from '../protocol/txn-codec';

export interface Request {
  readonly sessionId: bigint;
  readonly cxid: number;
  readonly type: number;
  /** The request record's bytes (after the RequestHeader). */
  readonly body: Buffer;
  readonly authInfo: readonly Id[];
  /** Set for createSession: the negotiated timeout. */
  readonly sessionTimeoutMs?: number;
}

/** A request turned into a transaction by the prep step. */
export interface PreparedTxn {
  readonly header: TxnHeader;
  readonly txn: Txn;
}

export type MultiOp =
  | { type: Op.create | Op.createContainer | Op.createTTL; record: P.CreateTTLRequest }
  | { type: Op.delete; record: P.DeleteRequest }
  | { type: Op.setData; record: P.SetDataRequest }
  | { type: Op.check; record: P.CheckVersionRequest }
  | { type: Op.getData; record: { path: string; watch: boolean } }
  | { type: Op.getChildren; record: { path: string; watch: boolean } };

/** CreateMode flags that decide the sub-op type inside a multi (Op.create's constructor does the same). */
function createOpFor(flags: number): Op.create | Op.createContainer | Op.createTTL {
  if (flags === 4) return Op.createContainer;
  if (flags === 5 || flags === 6) return Op.createTTL;
  return Op.create;
}

/** Decodes a MultiOperationRecord; ops outside the multi vocabulary are a MarshallingError. */
export function decodeMultiOps(body: Buffer): MultiOp[] {
  const r = new ByteReader(body);
  const ops: MultiOp[] = [];
  for (;;) {
    const h = P.MultiHeader.decode(r);
    if (h.done) return ops;
    switch (h.type) {
      case Op.create:
      case Op.create2:
      case Op.createContainer: {
        const c = P.CreateRequest.decode(r);
        ops.push({ type: createOpFor(c.flags), record: { ...c, ttl: -1n } });
        break;
      }
      case Op.createTTL: {
        const c = P.CreateTTLRequest.decode(r);
        ops.push({ type: createOpFor(c.flags), record: c });
        break;
      }
      case Op.delete:
        ops.push({ type: Op.delete, record: P.DeleteRequest.decode(r) });
        break;
      case Op.setData:
        ops.push({ type: Op.setData, record: P.SetDataRequest.decode(r) });
        break;
      case Op.check:
        ops.push({ type: Op.check, record: P.CheckVersionRequest.decode(r) });
        break;
      case Op.getData:
        ops.push({ type: Op.getData, record: P.GetDataRequest.decode(r) });
        break;
      case Op.getChildren:
        ops.push({ type: Op.getChildren, record: P.GetChildrenRequest.decode(r) });
        break;
      default:
        throw new KeeperError(Code.MARSHALLINGERROR);
    }
  }
}
