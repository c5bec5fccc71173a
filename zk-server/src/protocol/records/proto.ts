// Records of zookeeper.jute's module org.apache.zookeeper.proto, in its order and names, plus the two
// 3.6+ records (ClientInfo, WhoAmIResponse) and ConnectRequest/Response's trailing readOnly byte,
// which the Java code writes by hand: it is optional here, and a reply carries it only when the
// request did.

import { jute } from '../../../../shared/src';
import { ACL, Stat } from './data';

const { record, int, long, boolean, buffer, ustring, vector } = jute;
const optional = { optional: true } as const;

export const ConnectRequest = record('ConnectRequest', [
  ['protocolVersion', int],
  ['lastZxidSeen', long],
  ['timeOut', int],
  ['sessionId', long],
  ['passwd', buffer],
  ['readOnly', boolean, optional],
] as const);
export type ConnectRequest = jute.Infer<typeof ConnectRequest>;

export const ConnectResponse = record('ConnectResponse', [
  ['protocolVersion', int],
  ['timeOut', int],
  ['sessionId', long],
  ['passwd', buffer],
  ['readOnly', boolean, optional],
] as const);
export type ConnectResponse = jute.Infer<typeof ConnectResponse>;

export const SetWatches = record('SetWatches', [
  ['relativeZxid', long],
  ['dataWatches', vector(ustring)],
  ['existWatches', vector(ustring)],
  ['childWatches', vector(ustring)],
] as const);
export type SetWatches = jute.Infer<typeof SetWatches>;

export const SetWatches2 = record('SetWatches2', [
  ['relativeZxid', long],
  ['dataWatches', vector(ustring)],
  ['existWatches', vector(ustring)],
  ['childWatches', vector(ustring)],
  ['persistentWatches', vector(ustring)],
  ['persistentRecursiveWatches', vector(ustring)],
] as const);
export type SetWatches2 = jute.Infer<typeof SetWatches2>;

export const RequestHeader = record('RequestHeader', [
  ['xid', int],
  ['type', int],
] as const);
export type RequestHeader = jute.Infer<typeof RequestHeader>;

export const MultiHeader = record('MultiHeader', [
  ['type', int],
  ['done', boolean],
  ['err', int],
] as const);
export type MultiHeader = jute.Infer<typeof MultiHeader>;

export const AuthPacket = record('AuthPacket', [
  ['type', int],
  ['scheme', ustring],
  ['auth', buffer],
] as const);
export type AuthPacket = jute.Infer<typeof AuthPacket>;

export const ReplyHeader = record('ReplyHeader', [
  ['xid', int],
  ['zxid', long],
  ['err', int],
] as const);
export type ReplyHeader = jute.Infer<typeof ReplyHeader>;

export const GetDataRequest = record('GetDataRequest', [
  ['path', ustring],
  ['watch', boolean],
] as const);
export type GetDataRequest = jute.Infer<typeof GetDataRequest>;

export const SetDataRequest = record('SetDataRequest', [
  ['path', ustring],
  ['data', buffer],
  ['version', int],
] as const);
export type SetDataRequest = jute.Infer<typeof SetDataRequest>;

export const ReconfigRequest = record('ReconfigRequest', [
  ['joiningServers', ustring],
  ['leavingServers', ustring],
  ['newMembers', ustring],
  ['curConfigId', long],
] as const);
export type ReconfigRequest = jute.Infer<typeof ReconfigRequest>;

export const SetDataResponse = record('SetDataResponse', [['stat', Stat]] as const);
export type SetDataResponse = jute.Infer<typeof SetDataResponse>;

export const GetSASLRequest = record('GetSASLRequest', [['token', buffer]] as const);
export const SetSASLResponse = record('SetSASLResponse', [['token', buffer]] as const);

export const CreateRequest = record('CreateRequest', [
  ['path', ustring],
  ['data', buffer],
  ['acl', vector(ACL)],
  ['flags', int],
] as const);
export type CreateRequest = jute.Infer<typeof CreateRequest>;

export const CreateTTLRequest = record('CreateTTLRequest', [
  ['path', ustring],
  ['data', buffer],
  ['acl', vector(ACL)],
  ['flags', int],
  ['ttl', long],
] as const);
export type CreateTTLRequest = jute.Infer<typeof CreateTTLRequest>;

export const DeleteRequest = record('DeleteRequest', [
  ['path', ustring],
  ['version', int],
] as const);
export type DeleteRequest = jute.Infer<typeof DeleteRequest>;

export const GetChildrenRequest = record('GetChildrenRequest', [
  ['path', ustring],
  ['watch', boolean],
] as const);
export type GetChildrenRequest = jute.Infer<typeof GetChildrenRequest>;

export const GetAllChildrenNumberRequest = record('GetAllChildrenNumberRequest', [['path', ustring]] as const);

export const GetChildren2Request = record('GetChildren2Request', [
  ['path', ustring],
  ['watch', boolean],
] as const);

export const CheckVersionRequest = record('CheckVersionRequest', [
  ['path', ustring],
  ['version', int],
] as const);
export type CheckVersionRequest = jute.Infer<typeof CheckVersionRequest>;

export const SyncRequest = record('SyncRequest', [['path', ustring]] as const);
export const SyncResponse = record('SyncResponse', [['path', ustring]] as const);

export const GetACLRequest = record('GetACLRequest', [['path', ustring]] as const);

export const SetACLRequest = record('SetACLRequest', [
  ['path', ustring],
  ['acl', vector(ACL)],
  ['version', int],
] as const);
export type SetACLRequest = jute.Infer<typeof SetACLRequest>;

export const SetACLResponse = record('SetACLResponse', [['stat', Stat]] as const);

export const AddWatchRequest = record('AddWatchRequest', [
  ['path', ustring],
  ['mode', int],
] as const);

export const WatcherEvent = record('WatcherEvent', [
  ['type', int],
  ['state', int],
  ['path', ustring],
] as const);
export type WatcherEvent = jute.Infer<typeof WatcherEvent>;

export const ErrorResponse = record('ErrorResponse', [['err', int]] as const);

export const CreateResponse = record('CreateResponse', [['path', ustring]] as const);

export const Create2Response = record('Create2Response', [
  ['path', ustring],
  ['stat', Stat],
] as const);

export const ExistsRequest = record('ExistsRequest', [
  ['path', ustring],
  ['watch', boolean],
] as const);

export const ExistsResponse = record('ExistsResponse', [['stat', Stat]] as const);

export const GetDataResponse = record('GetDataResponse', [
  ['data', buffer],
  ['stat', Stat],
] as const);

export const GetChildrenResponse = record('GetChildrenResponse', [['children', vector(ustring)]] as const);

export const GetAllChildrenNumberResponse = record('GetAllChildrenNumberResponse', [
  ['totalNumber', int],
] as const);

export const GetChildren2Response = record('GetChildren2Response', [
  ['children', vector(ustring)],
  ['stat', Stat],
] as const);

export const GetACLResponse = record('GetACLResponse', [
  ['acl', vector(ACL)],
  ['stat', Stat],
] as const);

export const CheckWatchesRequest = record('CheckWatchesRequest', [
  ['path', ustring],
  ['type', int],
] as const);

export const RemoveWatchesRequest = record('RemoveWatchesRequest', [
  ['path', ustring],
  ['type', int],
] as const);

export const GetEphemeralsRequest = record('GetEphemeralsRequest', [['prefixPath', ustring]] as const);

export const GetEphemeralsResponse = record('GetEphemeralsResponse', [['ephemerals', vector(ustring)]] as const);

export const ClientInfo = record('ClientInfo', [
  ['authScheme', ustring],
  ['user', ustring],
] as const);

export const WhoAmIResponse = record('WhoAmIResponse', [['clientInfo', vector(ClientInfo)]] as const);
