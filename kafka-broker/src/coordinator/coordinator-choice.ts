// Which broker coordinates a group: the one every broker computes alike from the group id and the
// live broker ids, so the others can answer NOT_COORDINATOR. Kafka sends a group to partition
// abs(groupId.hashCode()) % offsets.topic.num.partitions of __consumer_offsets and that partition's
// leader coordinates it; with the offsets in ZooKeeper there is no such topic, so the partition
// number (of Kafka's default 50, the same on every broker whatever its config says) is mapped onto
// the live brokers sorted by id. A group moves only when the set of live brokers changes. Pure.

/** offsets.topic.num.partitions default: the spread of groups, the same on every broker. */
export const OFFSETS_TOPIC_PARTITIONS = 50;

/** java.lang.String.hashCode over UTF-16 code units, as a signed 32-bit integer. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's GroupMetadataManager.partitionFor: Utils.abs is `& 0x7fffffff`. */
export function offsetsPartitionFor(groupId: string, offsetsTopicPartitions: number): number {
  return (javaStringHash(groupId) & 0x7fffffff) % offsetsTopicPartitions;
}

/** The coordinating broker among `liveBrokerIds` (any order), or null when none is live. */
export function coordinatorFor(
  groupId: string,
  liveBrokerIds: readonly number[],
  offsetsTopicPartitions = OFFSETS_TOPIC_PARTITIONS,
): number | null {
  if (liveBrokerIds.length === 0) return null;
  const sorted = [...liveBrokerIds].sort((a, b) => a - b);
  return sorted[offsetsPartitionFor(groupId, offsetsTopicPartitions) % sorted.length]!;
}
