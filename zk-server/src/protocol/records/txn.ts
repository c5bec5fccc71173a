// Records of zookeeper.jute's modules org.apache.zookeeper.txn and .server.persistence: what the
// transaction log, snapshots and quorum proposals carry.

import { jute } from '../../../../shared/src';
import { ACL } from './data';

const { record, int, long, boolean, buffer, ustring, vector } = jute;

export const FileHeader = record('FileHeader', [
  ['magic', int],
  ['version', int],
  ['dbid', long],
] as const);
export type FileHeader = jute.RecordOf<typeof FileHeader.fields>;

export const TxnDigest = record('TxnDigest', [
  ['version', int],
  ['treeDigest', long],
] as const);
export type TxnDigest = jute.RecordOf<typeof TxnDigest.fields>;

export const TxnHeader = record('TxnHeader', [
  ['clientId', long],
  ['cxid', int],
  ['zxid', long],
  ['time', long],
  ['type', int],
] as const);
export type TxnHeader = jute.RecordOf<typeof TxnHeader.fields>;

export const CreateTxn = record('CreateTxn', [
  ['path', ustring],
  ['data', buffer],
  ['acl', vector(ACL)],
  ['ephemeral', boolean],
  ['parentCVersion', int],
] as const);
export type CreateTxn = jute.RecordOf<typeof CreateTxn.fields>;

export const CreateTTLTxn = record('CreateTTLTxn', [
  ['path', ustring],
  ['data', buffer],
  ['acl', vector(ACL)],
  ['parentCVersion', int],
  ['ttl', long],
] as const);
export type CreateTTLTxn = jute.RecordOf<typeof CreateTTLTxn.fields>;

export const CreateContainerTxn = record('CreateContainerTxn', [
  ['path', ustring],
  ['data', buffer],
  ['acl', vector(ACL)],
  ['parentCVersion', int],
] as const);
export type CreateContainerTxn = jute.RecordOf<typeof CreateContainerTxn.fields>;

export const DeleteTxn = record('DeleteTxn', [['path', ustring]] as const);
export type DeleteTxn = jute.RecordOf<typeof DeleteTxn.fields>;

export const SetDataTxn = record('SetDataTxn', [
  ['path', ustring],
  ['data', buffer],
  ['version', int],
] as const);
export type SetDataTxn = jute.RecordOf<typeof SetDataTxn.fields>;

export const CheckVersionTxn = record('CheckVersionTxn', [
  ['path', ustring],
  ['version', int],
] as const);
export type CheckVersionTxn = jute.RecordOf<typeof CheckVersionTxn.fields>;

export const SetACLTxn = record('SetACLTxn', [
  ['path', ustring],
  ['acl', vector(ACL)],
  ['version', int],
] as const);
export type SetACLTxn = jute.RecordOf<typeof SetACLTxn.fields>;

export const CreateSessionTxn = record('CreateSessionTxn', [['timeOut', int]] as const);
export type CreateSessionTxn = jute.RecordOf<typeof CreateSessionTxn.fields>;

export const CloseSessionTxn = record('CloseSessionTxn', [['paths2Delete', vector(ustring)]] as const);
export type CloseSessionTxn = jute.RecordOf<typeof CloseSessionTxn.fields>;

export const ErrorTxn = record('ErrorTxn', [['err', int]] as const);
export type ErrorTxn = jute.RecordOf<typeof ErrorTxn.fields>;

export const Txn = record('Txn', [
  ['type', int],
  ['data', buffer],
] as const);
export type Txn = jute.RecordOf<typeof Txn.fields>;

export const MultiTxn = record('MultiTxn', [['txns', vector(Txn)]] as const);
export type MultiTxn = jute.RecordOf<typeof MultiTxn.fields>;
