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
export type FileHeader = jute.Infer<typeof FileHeader>;

export const TxnDigest = record('TxnDigest', [
  ['version', int],
  ['treeDigest', long],
] as const);
export type TxnDigest = jute.Infer<typeof TxnDigest>;

export const TxnHeader = record('TxnHeader', [
  ['clientId', long],
  ['cxid', int],
  ['zxid', long],
  ['time', long],
  ['type', int],
] as const);
export type TxnHeader = jute.Infer<typeof TxnHeader>;

export const CreateTxn = record('CreateTxn', [
  ['path', ustring],
  ['data', buffer],
  ['acl', vector(ACL)],
  ['ephemeral', boolean],
  ['parentCVersion', int],
] as const);
export type CreateTxn = jute.Infer<typeof CreateTxn>;

export const CreateTTLTxn = record('CreateTTLTxn', [
  ['path', ustring],
  ['data', buffer],
  ['acl', vector(ACL)],
  ['parentCVersion', int],
  ['ttl', long],
] as const);
export type CreateTTLTxn = jute.Infer<typeof CreateTTLTxn>;

export const CreateContainerTxn = record('CreateContainerTxn', [
  ['path', ustring],
  ['data', buffer],
  ['acl', vector(ACL)],
  ['parentCVersion', int],
] as const);
export type CreateContainerTxn = jute.Infer<typeof CreateContainerTxn>;

export const DeleteTxn = record('DeleteTxn', [['path', ustring]] as const);
export type DeleteTxn = jute.Infer<typeof DeleteTxn>;

export const SetDataTxn = record('SetDataTxn', [
  ['path', ustring],
  ['data', buffer],
  ['version', int],
] as const);
export type SetDataTxn = jute.Infer<typeof SetDataTxn>;

export const CheckVersionTxn = record('CheckVersionTxn', [
  ['path', ustring],
  ['version', int],
] as const);
export type CheckVersionTxn = jute.Infer<typeof CheckVersionTxn>;

export const SetACLTxn = record('SetACLTxn', [
  ['path', ustring],
  ['acl', vector(ACL)],
  ['version', int],
] as const);
export type SetACLTxn = jute.Infer<typeof SetACLTxn>;

export const CreateSessionTxn = record('CreateSessionTxn', [['timeOut', int]] as const);
export type CreateSessionTxn = jute.Infer<typeof CreateSessionTxn>;

export const CloseSessionTxn = record('CloseSessionTxn', [['paths2Delete', vector(ustring)]] as const);
export type CloseSessionTxn = jute.Infer<typeof CloseSessionTxn>;

export const ErrorTxn = record('ErrorTxn', [['err', int]] as const);
export type ErrorTxn = jute.Infer<typeof ErrorTxn>;

export const Txn = record('Txn', [
  ['type', int],
  ['data', buffer],
] as const);
export type Txn = jute.Infer<typeof Txn>;

export const MultiTxn = record('MultiTxn', [['txns', vector(Txn)]] as const);
export type MultiTxn = jute.Infer<typeof MultiTxn>;
