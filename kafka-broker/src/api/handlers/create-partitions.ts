// CreatePartitions (key 37): raises partition counts through a new assignment in ZooKeeper (the
// controller then creates the new partitions' states); waits up to timeoutMs for their leaders.
// Only the controller takes the request.

import { ErrorCode } from '../../protocol';
import { Handler } from '../context';
import { errorCodeFor, errorMessageOf, isUnexpected } from '../errors';

type TopicResult = { name: string; errorCode: number; errorMessage?: string | null };

export const handleCreatePartitions: Handler<'CreatePartitions'> = async (request, _rc, b) => {
  if (!b.controller.isActive) {
    return {
      throttleTimeMs: 0,
      results: request.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NOT_CONTROLLER })),
    };
  }
  const results: TopicResult[] = [];
  const grown: { name: string; count: number }[] = [];
  for (const t of request.topics) {
    try {
      const assignment = t.assignments === null ? null : t.assignments.map((a) => a.brokerIds);
      await b.topics.createPartitions(t.name, t.count, assignment, request.validateOnly);
      results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      if (!request.validateOnly) grown.push({ name: t.name, count: t.count });
    } catch (e) {
      if (isUnexpected(e))
        b.logger.error(`adding partitions to ${t.name} failed: ${(e as Error).stack ?? String(e)}`);
      results.push({ name: t.name, errorCode: errorCodeFor(e), errorMessage: errorMessageOf(e) });
    }
  }
  const ready = (): boolean =>
    grown.every((g) => b.cache.partitionCount(g.name) >= g.count && b.cache.leadersKnown([g.name]));
  if (grown.length > 0 && request.timeoutMs > 0 && !(await b.cache.waitUntil(ready, request.timeoutMs))) {
    for (const r of results) {
      if (grown.some((g) => g.name === r.name) && !b.cache.leadersKnown([r.name]))
        r.errorCode = ErrorCode.REQUEST_TIMED_OUT;
    }
  }
  return { throttleTimeMs: 0, results };
};
