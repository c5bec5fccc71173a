// What a consumer puts in JoinGroup (its Subscription) and reads from SyncGroup (its Assignment),
// in the shapes the client works with. The wire forms (Kafka's ConsumerProtocolSubscription and
// ConsumerProtocolAssignment, an int16 version then the struct) are declared once, in
// coordinator/consumer-protocol.ts; this file only adapts them.

import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment as decodeAssignmentBytes,
  decodeSubscription as decodeSubscriptionBytes,
  encodeAssignment as encodeAssignmentBytes,
  encodeSubscription as encodeSubscriptionBytes,
} from '../coordinator/consumer-protocol';

export { CONSUMER_PROTOCOL_TYPE };

/** Versions we write: the oldest, which every consumer and tool reads. */
const SUBSCRIPTION_WRITE_VERSION = 0;
const ASSIGNMENT_WRITE_VERSION = 0;

/** topic -> partitions, in the order given. */
export type PartitionsByTopic = ReadonlyMap<string, readonly number[]>;

export function encodeSubscription(topics: readonly string[]): Buffer {
  return encodeSubscriptionBytes(SUBSCRIPTION_WRITE_VERSION, { topics: [...topics], userData: null });
}

/** The topics a member subscribed to. */
export function decodeSubscription(bytes: Buffer): { topics: string[] } {
  return { topics: [...decodeSubscriptionBytes(bytes).value.topics] };
}

export function encodeAssignment(partitions: PartitionsByTopic): Buffer {
  return encodeAssignmentBytes(ASSIGNMENT_WRITE_VERSION, {
    assignedPartitions: [...partitions].map(([topic, ps]) => ({ topic, partitions: [...ps] })),
    userData: null,
  });
}

/** topic -> partitions of an assignment; empty bytes (a member given nothing) are no partitions. */
export function decodeAssignment(bytes: Buffer): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const a of decodeAssignmentBytes(bytes).value.assignedPartitions) {
    out.set(a.topic, [...(out.get(a.topic) ?? []), ...a.partitions]);
  }
  return out;
}
