// ListOffsets (key 2): per partition the offset for a timestamp: -2 earliest (log start offset),
// -1 latest (the high watermark, which is also the last stable offset since there are no
// transactions), otherwise the first offset whose record timestamp is at or after it (-1 when
// none). v0 answers a list (old_style_offsets) holding that one offset, or nothing when there is
// none or maxNumOffsets is 0; v1+ answer offset and timestamp. Only the leader answers.

import { ErrorCode, ListOffsetsResponseInput } from '../../protocol';
import { Handler } from '../context';
import { errorCodeFor, isUnexpected } from '../errors';

type TopicResult = NonNullable<ListOffsetsResponseInput['topics']>[number];
type PartitionResult = NonNullable<TopicResult['partitions']>[number];

const SINGLE_OFFSET_FIRST_VERSION = 1;
const LEADER_EPOCH_FIRST_VERSION = 4;

export const handleListOffsets: Handler<'ListOffsets'> = (request, rc, b) => {
  const topics: TopicResult[] = request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionResult => {
      try {
        const found = b.replicas.offsetForTimestamp(
          t.name,
          p.partitionIndex,
          p.timestamp,
          p.currentLeaderEpoch,
        );
        const leaderEpoch = b.replicas.leaderEpochOf(t.name, p.partitionIndex);
        if (rc.apiVersion < SINGLE_OFFSET_FIRST_VERSION) {
          const offsets = found === null || p.maxNumOffsets <= 0 ? [] : [found.offset];
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: offsets };
        }
        return {
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.NONE,
          timestamp: found?.timestampMs ?? -1n,
          offset: found?.offset ?? -1n,
          leaderEpoch: rc.apiVersion >= LEADER_EPOCH_FIRST_VERSION ? leaderEpoch : -1,
        };
      } catch (e) {
        if (isUnexpected(e))
          b.logger.error(
            `ListOffsets of ${t.name}-${p.partitionIndex} failed: ${(e as Error).stack ?? String(e)}`,
          );
        return {
          partitionIndex: p.partitionIndex,
          errorCode: errorCodeFor(e),
          oldStyleOffsets: [],
          timestamp: -1n,
          offset: -1n,
        };
      }
    }),
  }));
  return { throttleTimeMs: 0, topics };
};
