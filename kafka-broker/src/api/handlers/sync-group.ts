// SyncGroup (key 14): the leader hands out the assignments of the generation; every member waits
// for its own (group-coordinator.ts). v3+ carries the group instance id. Assignment bytes are
// copied out of the request frame, since the group keeps them for the whole generation.

import { ErrorCode } from '../../protocol';
import { Handler } from '../context';

const STATIC_MEMBERSHIP_FIRST_VERSION = 3;

export const handleSyncGroup: Handler<'SyncGroup'> = async (request, rc, b) => {
  const error = b.groups.coordinatorError(request.groupId);
  if (error !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: error, assignment: Buffer.alloc(0) };
  const reply = await b.groups.sync({
    groupId: request.groupId,
    memberId: request.memberId,
    groupInstanceId: rc.apiVersion >= STATIC_MEMBERSHIP_FIRST_VERSION ? request.groupInstanceId : null,
    generationId: request.generationId,
    assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) })),
  });
  return {
    throttleTimeMs: 0,
    errorCode: reply.errorCode,
    protocolType: reply.protocolType,
    protocolName: reply.protocolName,
    assignment: reply.assignment,
  };
};
