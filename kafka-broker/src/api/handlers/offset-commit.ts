// OffsetCommit (key 8): stores the next offset to consume per partition in ZooKeeper
// (/consumers/G/offsets/T/P, coordinator/offset-store.ts) once the committing member checks out
// against its group (generation -1 with no member id commits into a group without members: v0,
// and consumers that assign partitions themselves). Partitions of unknown topics get
// UNKNOWN_TOPIC_OR_PARTITION and metadata beyond offset.metadata.max.bytes
// OFFSET_METADATA_TOO_LARGE; the others share the outcome of the group check and the write.

import { OFFSET_METADATA_BYTES_MAX, OffsetCommitEntry } from '../../coordinator/offset-store';
import { ErrorCode, OffsetCommitRequest } from '../../protocol';
import { Handler } from '../context';
import { errorCodeFor, isUnexpected } from '../errors';

const MEMBER_FIRST_VERSION = 1;
const STATIC_MEMBERSHIP_FIRST_VERSION = 7;

export const handleOffsetCommit: Handler<'OffsetCommit'> = async (request, rc, b) => {
  const error = b.groups.coordinatorError(request.groupId);
  if (error !== ErrorCode.NONE) return answer(request, () => error);
  const codes = new Map<string, number>();
  const entries: OffsetCommitEntry[] = [];
  for (const t of request.topics) {
    const partitions = b.cache.partitionCount(t.name);
    for (const p of t.partitions) {
      const metadata = p.committedMetadata ?? '';
      if (p.partitionIndex < 0 || p.partitionIndex >= partitions) {
        codes.set(key(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      } else if (Buffer.byteLength(metadata) > OFFSET_METADATA_BYTES_MAX) {
        codes.set(key(t.name, p.partitionIndex), ErrorCode.OFFSET_METADATA_TOO_LARGE);
      } else {
        entries.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata });
      }
    }
  }
  let outcome: number;
  try {
    const member = {
      memberId: rc.apiVersion >= MEMBER_FIRST_VERSION ? request.memberId : '',
      groupInstanceId: rc.apiVersion >= STATIC_MEMBERSHIP_FIRST_VERSION ? request.groupInstanceId : null,
    };
    const generation = rc.apiVersion >= MEMBER_FIRST_VERSION ? request.generationIdOrMemberEpoch : -1;
    outcome = await b.groups.commitOffsets(request.groupId, member, generation, entries);
  } catch (e) {
    if (isUnexpected(e)) {
      b.logger.error(`OffsetCommit of group ${request.groupId} failed: ${(e as Error).stack ?? String(e)}`);
    }
    outcome = errorCodeFor(e);
  }
  return answer(request, (topic, partition) => codes.get(key(topic, partition)) ?? outcome);
};

function key(topic: string, partition: number): string {
  return `${partition}\u0000${topic}`;
}

function answer(request: OffsetCommitRequest, codeOf: (topic: string, partition: number) => number) {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: codeOf(t.name, p.partitionIndex),
      })),
    })),
  };
}
