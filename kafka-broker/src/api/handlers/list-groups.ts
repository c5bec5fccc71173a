// ListGroups (key 16): the groups this broker coordinates, with their protocol type: those with
// members in memory and those ZooKeeper keeps under /consumers (Empty, protocol type ""). v4+
// (not advertised) filters by state.

import { ErrorCode } from '../../protocol';
import { Handler } from '../context';
import { errorCodeFor, isUnexpected } from '../errors';

const STATES_FILTER_FIRST_VERSION = 4;

export const handleListGroups: Handler<'ListGroups'> = async (request, rc, b) => {
  try {
    const states = rc.apiVersion >= STATES_FILTER_FIRST_VERSION ? new Set(request.statesFilter) : new Set<string>();
    const groups = (await b.groups.list()).filter((g) => states.size === 0 || states.has(g.state));
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })),
    };
  } catch (e) {
    if (isUnexpected(e)) b.logger.error(`ListGroups failed: ${(e as Error).stack ?? String(e)}`);
    return { throttleTimeMs: 0, errorCode: errorCodeFor(e), groups: [] };
  }
};
