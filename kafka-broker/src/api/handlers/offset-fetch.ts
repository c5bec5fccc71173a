// OffsetFetch (key 9): committed offsets of a group, read from ZooKeeper
// (/consumers/G/offsets/T/P, coordinator/offset-store.ts): -1 with metadata "" where none was
// committed. Topics null (v2+) asks for every committed partition. v2+ carries a group-level
// error; below it a group failure is repeated on every requested partition.

import { CommittedOffset } from '../../coordinator/offset-store';
import { ErrorCode, OffsetFetchRequest, OffsetFetchResponseInput } from '../../protocol';
import { Handler } from '../context';
import { errorCodeFor, isUnexpected } from '../errors';

type TopicResult = NonNullable<OffsetFetchResponseInput['topics']>[number];

const NO_OFFSET = -1n;

export const handleOffsetFetch: Handler<'OffsetFetch'> = async (request, _rc, b) => {
  const error = b.groups.coordinatorError(request.groupId);
  if (error !== ErrorCode.NONE) return failed(request, error);
  let committed: CommittedOffset[];
  try {
    const topics = request.topics?.map((t) => ({ name: t.name, partitions: t.partitionIndexes })) ?? null;
    committed = await b.groups.fetchOffsets(request.groupId, topics);
  } catch (e) {
    if (isUnexpected(e)) {
      b.logger.error(`OffsetFetch of group ${request.groupId} failed: ${(e as Error).stack ?? String(e)}`);
    }
    return failed(request, errorCodeFor(e));
  }
  const found = new Map(committed.map((c) => [`${c.partition}\u0000${c.topic}`, c]));
  const wanted =
    request.topics?.map((t) => ({ name: t.name, partitions: t.partitionIndexes })) ?? committedTopics(committed);
  const topics: TopicResult[] = wanted.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((partitionIndex) => {
      const c = found.get(`${partitionIndex}\u0000${t.name}`);
      return {
        partitionIndex,
        committedOffset: c?.offset ?? NO_OFFSET,
        committedLeaderEpoch: -1,
        metadata: c?.metadata ?? '',
        errorCode: ErrorCode.NONE,
      };
    }),
  }));
  return { throttleTimeMs: 0, topics, errorCode: ErrorCode.NONE };
};

function committedTopics(committed: readonly CommittedOffset[]): { name: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const c of committed) {
    let list = byTopic.get(c.topic);
    if (list === undefined) byTopic.set(c.topic, (list = []));
    list.push(c.partition);
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((x, y) => x - y) }));
}

function failed(request: OffsetFetchRequest, errorCode: number): OffsetFetchResponseInput {
  return {
    throttleTimeMs: 0,
    errorCode,
    topics: (request.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: NO_OFFSET,
        metadata: '',
        errorCode,
      })),
    })),
  };
}
