// DeleteTopics (key 20): marks each topic for deletion (/admin/delete_topics/T); the controller
// removes its znodes and every broker its logs. The answer waits (timeoutMs) until the topics are
// gone from the metadata cache, else REQUEST_TIMED_OUT. Only the controller takes the request.

import { ErrorCode } from '../../protocol';
import { Handler } from '../context';
import { errorCodeFor, errorMessageOf, isUnexpected } from '../errors';

type TopicResult = { name: string; errorCode: number; errorMessage?: string | null };

export const handleDeleteTopics: Handler<'DeleteTopics'> = async (request, _rc, b) => {
  const names = [...new Set(request.topicNames)];
  if (!b.controller.isActive) {
    return {
      throttleTimeMs: 0,
      responses: names.map((name) => ({ name, errorCode: ErrorCode.NOT_CONTROLLER })),
    };
  }
  const results: TopicResult[] = [];
  const marked: string[] = [];
  for (const name of names) {
    try {
      await b.topics.deleteTopic(name);
      marked.push(name);
      results.push({ name, errorCode: ErrorCode.NONE });
    } catch (e) {
      if (isUnexpected(e))
        b.logger.error(`deleting topic ${name} failed: ${(e as Error).stack ?? String(e)}`);
      results.push({ name, errorCode: errorCodeFor(e), errorMessage: errorMessageOf(e) });
    }
  }
  const gone = (): boolean => marked.every((t) => !b.cache.hasTopic(t));
  if (marked.length > 0 && request.timeoutMs > 0 && !(await b.cache.waitUntil(gone, request.timeoutMs))) {
    for (const r of results)
      if (marked.includes(r.name) && b.cache.hasTopic(r.name)) r.errorCode = ErrorCode.REQUEST_TIMED_OUT;
  }
  return { throttleTimeMs: 0, responses: results };
};
