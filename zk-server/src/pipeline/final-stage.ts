// The final step: applies durable txns to the tree in zxid order (the tree's only mutator), fires
// watches, then builds each reply. Watch events therefore leave before the reply of the write that
// caused them. Replies are encoded here from the txn result, by request type.

import { ByteWriter } from '../../../shared/src';
import * as P from '../protocol/records/proto';
import { Code } from '../protocol/keeper-errors';
import { Op } from '../protocol/op-codes';
import { TxnResult } from '../data/data-tree';

/** Writes the response record of a successful write of `type` (nothing for delete/check/session ops). */
export function encodeWriteReply(type: number, result: TxnResult, w: ByteWriter): void {
  switch (type) {
    case Op.create:
      P.CreateResponse.encode(w, { path: result.path! });
      return;
    case Op.create2:
    case Op.createContainer:
    case Op.createTTL:
      P.Create2Response.encode(w, { path: result.path!, stat: result.stat! });
      return;
    case Op.setData:
      P.SetDataResponse.encode(w, { stat: result.stat! });
      return;
    case Op.setACL:
      P.SetACLResponse.encode(w, { stat: result.stat! });
      return;
    case Op.multi:
      encodeMultiReply(result, w);
      return;
    default:
      return;
  }
}

/** MultiResponse: a MultiHeader + result per op, then the terminator. A failed multi is all ErrorResults. */
function encodeMultiReply(result: TxnResult, w: ByteWriter): void {
  for (const sub of result.multi ?? []) {
    if (sub.type === Op.error) {
      P.MultiHeader.encode(w, { type: Op.error, done: false, err: sub.err });
      P.ErrorResponse.encode(w, { err: sub.err });
      continue;
    }
    P.MultiHeader.encode(w, { type: sub.type === Op.create2 ? Op.create : sub.type, done: false, err: 0 });
    switch (sub.type) {
      case Op.create:
      case Op.create2:
        P.CreateResponse.encode(w, { path: sub.path! });
        break;
      case Op.createContainer:
      case Op.createTTL:
        P.Create2Response.encode(w, { path: sub.path!, stat: sub.stat! });
        break;
      case Op.setData:
        P.SetDataResponse.encode(w, { stat: sub.stat! });
        break;
      default:
        break;
    }
  }
  P.MultiHeader.encode(w, { type: -1, done: true, err: -1 });
}

/** The error a write's reply header carries: a multi's failure is reported inside its body. */
export function replyErrorOf(type: number, result: TxnResult): number {
  if (type === Op.multi && result.type === Op.multi) return Code.OK;
  return result.err;
}
