// DeleteGroups (key 42): removes groups without members, with everything ZooKeeper keeps of them
// (/consumers/G). A group with members gets NON_EMPTY_GROUP, one never seen GROUP_ID_NOT_FOUND.

import { ErrorCode } from '../../protocol';
import { BrokerContext, Handler } from '../context';
import { errorCodeFor, isUnexpected } from '../errors';

export const handleDeleteGroups: Handler<'DeleteGroups'> = async (request, _rc, b) => {
  const results: { groupId: string; errorCode: number }[] = [];
  for (const groupId of request.groupsNames) results.push({ groupId, errorCode: await deleteOne(b, groupId) });
  return { throttleTimeMs: 0, results };
};

async function deleteOne(b: BrokerContext, groupId: string): Promise<number> {
  const error = b.groups.coordinatorError(groupId);
  if (error !== ErrorCode.NONE) return error;
  try {
    return await b.groups.deleteGroup(groupId);
  } catch (e) {
    if (isUnexpected(e)) b.logger.error(`DeleteGroups of ${groupId} failed: ${(e as Error).stack ?? String(e)}`);
    return errorCodeFor(e);
  }
}
