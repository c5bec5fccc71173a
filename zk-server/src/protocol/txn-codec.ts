// Transactions by type: which txn record follows a TxnHeader of each type, as one table, and the
// decoded form the data tree applies. The same bytes go to the log, to snapshots' replay and to peers.

import { ByteReader, ByteWriter, CodecError, jute } from '../../../shared/src';
import { Op } from './op-codes';
import * as T from './records/txn';

export type Txn =
  | { type: Op.create | Op.create2; record: T.CreateTxn }
  | { type: Op.createContainer; record: T.CreateContainerTxn }
  | { type: Op.createTTL; record: T.CreateTTLTxn }
  | { type: Op.delete | Op.deleteContainer; record: T.DeleteTxn }
  | { type: Op.setData | Op.reconfig; record: T.SetDataTxn }
  | { type: Op.setACL; record: T.SetACLTxn }
  | { type: Op.check; record: T.CheckVersionTxn }
  | { type: Op.createSession; record: T.CreateSessionTxn }
  | { type: Op.closeSession; record: T.CloseSessionTxn }
  | { type: Op.error; record: T.ErrorTxn }
  | { type: Op.multi; record: { txns: Txn[] } };

const RECORD_BY_TYPE = new Map<number, jute.RecordCodec<any>>([
  [Op.create, T.CreateTxn],
  [Op.create2, T.CreateTxn],
  [Op.createContainer, T.CreateContainerTxn],
  [Op.createTTL, T.CreateTTLTxn],
  [Op.delete, T.DeleteTxn],
  [Op.deleteContainer, T.DeleteTxn],
  [Op.setData, T.SetDataTxn],
  // a reconfig is logged as the setData of /zookeeper/config
  [Op.reconfig, T.SetDataTxn],
  [Op.setACL, T.SetACLTxn],
  [Op.check, T.CheckVersionTxn],
  [Op.createSession, T.CreateSessionTxn],
  [Op.closeSession, T.CloseSessionTxn],
  [Op.error, T.ErrorTxn],
]);

/** The record a txn of `type` carries after its TxnHeader (multi included), or undefined. */
export function txnRecordOf(type: number): jute.Codec<unknown> | undefined {
  return type === Op.multi ? T.MultiTxn : RECORD_BY_TYPE.get(type);
}

export function encodeTxn(w: ByteWriter, txn: Txn): void {
  if (txn.type === Op.multi) {
    const parts = txn.record.txns.map((sub) => {
      const sw = new ByteWriter(64);
      encodeTxn(sw, sub);
      return { type: sub.type, data: sw.toBuffer() };
    });
    T.MultiTxn.encode(w, { txns: parts });
    return;
  }
  const codec = RECORD_BY_TYPE.get(txn.type);
  if (codec === undefined) throw new CodecError(`no txn record for type ${txn.type}`, 0);
  codec.encode(w, txn.record);
}

export function txnToBytes(txn: Txn): Buffer {
  const codec = txn.type === Op.multi ? undefined : RECORD_BY_TYPE.get(txn.type);
  if (codec === undefined) {
    const w = new ByteWriter(128);
    encodeTxn(w, txn);
    return w.toBuffer();
  }
  // sized first, so the bytes are written once into a buffer of their exact length
  const w = new ByteWriter(codec.sizeOf(txn.record));
  codec.encode(w, txn.record);
  return w.view();
}

/**
 * Decodes the txn record of `type` from `r`. A closeSession txn may have no body (logs written
 * before CloseSessionTxn existed); it decodes with an empty path list, meaning "all ephemerals".
 */
export function decodeTxn(type: number, r: ByteReader): Txn {
  if (type === Op.multi) {
    const multi = T.MultiTxn.decode(r);
    const txns = multi.txns.map((part) => decodeTxn(part.type, new ByteReader(part.data ?? Buffer.alloc(0))));
    return { type: Op.multi, record: { txns } };
  }
  if (type === Op.closeSession && r.remaining === 0) {
    return { type: Op.closeSession, record: { paths2Delete: [] } };
  }
  const codec = RECORD_BY_TYPE.get(type);
  if (codec === undefined) throw new CodecError(`unknown txn type ${type}`, r.offset);
  return { type, record: codec.decode(r) } as Txn;
}
