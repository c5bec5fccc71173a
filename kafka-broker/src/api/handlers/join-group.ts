// JoinGroup (key 11): a member joins (or re-joins) its group's rebalance; the answer waits until
// the join phase ends (group-coordinator.ts). v0 has no rebalance timeout (the session timeout
// serves), v4+ gets the MEMBER_ID_REQUIRED round trip for a member without an id, v5+ carries the
// group instance id of static members. The protocol metadata is copied out of the request frame,
// since the group keeps it for as long as the member stays.

import { ErrorCode } from '../../protocol';
import { Handler } from '../context';

const REBALANCE_TIMEOUT_FIRST_VERSION = 1;
const MEMBER_ID_REQUIRED_FIRST_VERSION = 4;
const STATIC_MEMBERSHIP_FIRST_VERSION = 5;
const NULLABLE_PROTOCOL_NAME_FIRST_VERSION = 7;

export const handleJoinGroup: Handler<'JoinGroup'> = async (request, rc, b) => {
  const noName = rc.apiVersion >= NULLABLE_PROTOCOL_NAME_FIRST_VERSION ? null : '';
  const error = b.groups.coordinatorError(request.groupId);
  if (error !== ErrorCode.NONE) {
    return {
      throttleTimeMs: 0,
      errorCode: error,
      generationId: -1,
      protocolName: noName,
      leader: '',
      memberId: request.memberId,
      members: [],
    };
  }
  const reply = await b.groups.join({
    groupId: request.groupId,
    memberId: request.memberId,
    groupInstanceId: rc.apiVersion >= STATIC_MEMBERSHIP_FIRST_VERSION ? request.groupInstanceId : null,
    clientId: rc.header.clientId ?? '',
    clientHost: clientHostOf(rc.clientAddress),
    sessionTimeoutMs: request.sessionTimeoutMs,
    rebalanceTimeoutMs: rc.apiVersion >= REBALANCE_TIMEOUT_FIRST_VERSION ? request.rebalanceTimeoutMs : -1,
    protocolType: request.protocolType,
    protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
    requireKnownMemberId: rc.apiVersion >= MEMBER_ID_REQUIRED_FIRST_VERSION,
  });
  return {
    throttleTimeMs: 0,
    errorCode: reply.errorCode,
    generationId: reply.generationId,
    protocolType: reply.protocolType,
    protocolName: reply.protocolName ?? noName,
    leader: reply.leader,
    memberId: reply.memberId,
    members: reply.members.map((m) => ({ ...m })),
  };
};

/** Kafka shows a member's host as InetAddress.toString() does: "/127.0.0.1". */
export function clientHostOf(clientAddress: string): string {
  const colon = clientAddress.lastIndexOf(':');
  return `/${colon < 0 ? clientAddress : clientAddress.slice(0, colon)}`;
}
