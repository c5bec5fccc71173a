// Heartbeat (key 12): keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to re-join.
// v3+ carries the group instance id.

import { ErrorCode } from '../../protocol';
import { Handler } from '../context';

const STATIC_MEMBERSHIP_FIRST_VERSION = 3;

export const handleHeartbeat: Handler<'Heartbeat'> = (request, rc, b) => {
  const error = b.groups.coordinatorError(request.groupId);
  if (error !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: error };
  const groupInstanceId = rc.apiVersion >= STATIC_MEMBERSHIP_FIRST_VERSION ? request.groupInstanceId : null;
  const errorCode = b.groups.heartbeat(
    request.groupId,
    { memberId: request.memberId, groupInstanceId },
    request.generationId,
  );
  return { throttleTimeMs: 0, errorCode };
};
