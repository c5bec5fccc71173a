// CreateTopics (key 19): validated and written to ZooKeeper by the topic manager, then (unless
// timeoutMs <= 0 or validateOnly) the answer waits until the metadata cache knows a live leader
// for every partition of the created topics, else REQUEST_TIMED_OUT for the late ones. In
// ZooKeeper mode only the controller takes the request (NOT_CONTROLLER elsewhere).

import { CreateTopicsRequest, ErrorCode } from '../../protocol';
import { BrokerContext, Handler } from '../context';
import { errorCodeFor, errorMessageOf, isUnexpected } from '../errors';

type TopicResult = { name: string; errorCode: number; errorMessage?: string | null };
type CreatableTopic = CreateTopicsRequest['topics'][number];

export const handleCreateTopics: Handler<'CreateTopics'> = async (request, _rc, b) => {
  if (!b.controller.isActive) {
    const notController = (name: string): TopicResult => ({
      name,
      errorCode: ErrorCode.NOT_CONTROLLER,
      errorMessage: 'This is not the correct controller for this cluster.',
    });
    return { throttleTimeMs: 0, topics: request.topics.map((t) => notController(t.name)) };
  }
  const counts = new Map<string, number>();
  for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const results: TopicResult[] = [];
  const created: string[] = [];
  for (const t of request.topics) {
    if (counts.get(t.name)! > 1) {
      results.push({
        name: t.name,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'Create topics request from client contains multiple entries for the topic.',
      });
      continue;
    }
    results.push(await createOne(b, t, request.validateOnly));
    if (results[results.length - 1]!.errorCode === ErrorCode.NONE && !request.validateOnly)
      created.push(t.name);
  }
  if (created.length > 0 && request.timeoutMs > 0)
    await waitForLeaders(b, results, created, request.timeoutMs);
  return { throttleTimeMs: 0, topics: results };
};

async function createOne(b: BrokerContext, t: CreatableTopic, validateOnly: boolean): Promise<TopicResult> {
  const fail = (errorCode: number, errorMessage: string): TopicResult => ({
    name: t.name,
    errorCode,
    errorMessage,
  });
  if (t.assignments.length > 0 && (t.numPartitions !== -1 || t.replicationFactor !== -1)) {
    return fail(
      ErrorCode.INVALID_REQUEST,
      'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
    );
  }
  const configs: Record<string, string> = {};
  for (const c of t.configs) {
    if (c.value === null)
      return fail(ErrorCode.INVALID_REQUEST, `Null value not supported for topic configs: ${c.name}`);
    configs[c.name] = c.value;
  }
  const assignment = explicitAssignment(t);
  if (assignment === null)
    return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions of the replica assignment must be 0..n-1');
  try {
    const spec = {
      name: t.name,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignment,
      configs,
    };
    await b.topics.createTopic(spec, validateOnly);
    return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (e) {
    if (isUnexpected(e))
      b.logger.error(`creating topic ${t.name} failed: ${(e as Error).stack ?? String(e)}`);
    return fail(errorCodeFor(e), errorMessageOf(e));
  }
}

/** Replicas by partition index 0..n-1, [] when none given, null when the indexes are not contiguous. */
function explicitAssignment(t: CreatableTopic): number[][] | null {
  if (t.assignments.length === 0) return [];
  const out: number[][] = [];
  for (const a of t.assignments) {
    if (
      a.partitionIndex < 0 ||
      a.partitionIndex >= t.assignments.length ||
      out[a.partitionIndex] !== undefined
    )
      return null;
    out[a.partitionIndex] = [...a.brokerIds];
  }
  return out;
}

async function waitForLeaders(
  b: BrokerContext,
  results: TopicResult[],
  created: string[],
  timeoutMs: number,
): Promise<void> {
  if (await b.cache.waitUntil(() => b.cache.leadersKnown(created), timeoutMs)) return;
  for (const r of results) {
    if (created.includes(r.name) && !b.cache.leadersKnown([r.name])) {
      r.errorCode = ErrorCode.REQUEST_TIMED_OUT;
      r.errorMessage = `Leaders of ${r.name} were not elected within ${timeoutMs} ms; the topic is being created.`;
    }
  }
}
