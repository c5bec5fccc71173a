// PURE: Kafka's RangeAssignor ("range"), which a group's leader runs to split partitions among
// members: per topic, the members subscribed to it in member-id order each take a contiguous range,
// the first (partitions % members) of them one partition more. The result is the same as a Java
// consumer's, so members of either kind can share a group.

export const RANGE_ASSIGNOR_NAME = 'range';

export interface MemberSubscription {
  readonly memberId: string;
  readonly topics: readonly string[];
}

/** memberId -> topic -> partitions. `partitionCounts` lacks topics that do not exist. */
export function rangeAssign(
  members: readonly MemberSubscription[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>(members.map((m) => [m.memberId, new Map()]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort(compareStrings);
  for (const topic of topics) {
    const count = partitionCounts.get(topic);
    if (count === undefined) continue;
    const consumers = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort(compareStrings);
    const perConsumer = Math.floor(count / consumers.length);
    const extra = count % consumers.length;
    consumers.forEach((memberId, i) => {
      const start = perConsumer * i + Math.min(i, extra);
      const length = perConsumer + (i + 1 > extra ? 0 : 1);
      if (length === 0) return;
      const partitions = Array.from({ length }, (_, k) => start + k);
      out.get(memberId)!.set(topic, partitions);
    });
  }
  return out;
}

/** Java's String.compareTo (UTF-16 code units), which orders the members. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
