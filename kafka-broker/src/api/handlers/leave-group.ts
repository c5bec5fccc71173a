// LeaveGroup (key 13): members leave their group, which rebalances at once. v0-v2 name one member
// and answer with one error; v3+ name several (static members by instance id) and answer per
// member, the top-level error being for the group as a whole (e.g. NOT_COORDINATOR).

import { ErrorCode } from '../../protocol';
import { Handler } from '../context';

const BATCHED_MEMBERS_FIRST_VERSION = 3;

export const handleLeaveGroup: Handler<'LeaveGroup'> = (request, rc, b) => {
  const batched = rc.apiVersion >= BATCHED_MEMBERS_FIRST_VERSION;
  const error = b.groups.coordinatorError(request.groupId);
  if (error !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: error, members: [] };
  if (!batched) {
    const [errorCode] = b.groups.leave(request.groupId, [{ memberId: request.memberId, groupInstanceId: null }]);
    return { throttleTimeMs: 0, errorCode: errorCode!, members: [] };
  }
  const codes = b.groups.leave(
    request.groupId,
    request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId })),
  );
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    members: request.members.map((m, i) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      errorCode: codes[i]!,
    })),
  };
};
