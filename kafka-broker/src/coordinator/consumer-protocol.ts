// The consumer's embedded protocol (protocol type "consumer"): the Subscription a member sends in
// JoinGroup's protocol metadata and the Assignment the leader hands out in SyncGroup, declared with
// the message DSL as Kafka declares ConsumerProtocolSubscription/Assignment.json (v0-v3). On the
// wire each is an int16 version followed by the body of that version; a version newer than ours is
// read with our newest layout and its extra trailing fields are ignored, as Kafka's
// ConsumerProtocol does. The broker only relays these bytes; it decodes them to keep
// /consumers/<group>/ids and /owners in ZooKeeper. Pure codecs.

import { ByteReader, ByteWriter, CodecError } from '../../../shared/src';
import { message, MessageInput, MessageValue } from '../protocol';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
const VERSION_BYTES = 2;

export const ConsumerProtocolSubscription = message({
  type: 'data',
  name: 'ConsumerProtocolSubscription',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'topics', type: '[]string', versions: '0+' },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'ownedPartitions', type: '[]TopicPartition', versions: '1+', ignorable: true, fields: [
      { name: 'topic', type: 'string', versions: '1+' },
      { name: 'partitions', type: '[]int32', versions: '1+' },
    ] },
    { name: 'generationId', type: 'int32', versions: '2+', default: -1, ignorable: true },
    { name: 'rackId', type: 'string', versions: '3+', nullableVersions: '3+', default: null, ignorable: true },
  ],
});
export type ConsumerProtocolSubscription = MessageValue<typeof ConsumerProtocolSubscription>;
export type ConsumerProtocolSubscriptionInput = MessageInput<typeof ConsumerProtocolSubscription>;

export const ConsumerProtocolAssignment = message({
  type: 'data',
  name: 'ConsumerProtocolAssignment',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'assignedPartitions', type: '[]TopicPartition', versions: '0+', fields: [
      { name: 'topic', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]int32', versions: '0+' },
    ] },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
  ],
});
export type ConsumerProtocolAssignment = MessageValue<typeof ConsumerProtocolAssignment>;
export type ConsumerProtocolAssignmentInput = MessageInput<typeof ConsumerProtocolAssignment>;

type Schema = typeof ConsumerProtocolSubscription | typeof ConsumerProtocolAssignment;

function decodeVersioned<T>(schema: Schema, bytes: Buffer): { version: number; value: T } {
  const r = new ByteReader(bytes);
  const version = r.int16();
  if (version < 0) throw new CodecError(`${schema.name} version ${version}`, 0);
  const layout = Math.min(version, schema.validVersions.max);
  // Trailing bytes of a newer version are the fields it added: ignored.
  return { version, value: schema.at(layout).read(r) as T };
}

function encodeVersioned(schema: Schema, version: number, value: object): Buffer {
  const codec = schema.at(version) as { size(v: object): number; write(w: ByteWriter, v: object): void };
  const w = new ByteWriter(VERSION_BYTES + codec.size(value));
  w.int16(version);
  codec.write(w, value);
  return w.view();
}

/** A member's subscription from its JoinGroup protocol metadata; throws CodecError when malformed. */
export function decodeSubscription(bytes: Buffer): { version: number; value: ConsumerProtocolSubscription } {
  return decodeVersioned(ConsumerProtocolSubscription, bytes);
}

export function encodeSubscription(version: number, value: ConsumerProtocolSubscriptionInput): Buffer {
  return encodeVersioned(ConsumerProtocolSubscription, version, value);
}

/**
 * A member's assignment from the leader's SyncGroup; empty bytes (what a coordinator hands a member
 * the leader left out) mean no partitions. Throws CodecError when malformed.
 */
export function decodeAssignment(bytes: Buffer): { version: number; value: ConsumerProtocolAssignment } {
  if (bytes.length === 0) return { version: 0, value: { assignedPartitions: [], userData: null } };
  return decodeVersioned(ConsumerProtocolAssignment, bytes);
}

export function encodeAssignment(version: number, value: ConsumerProtocolAssignmentInput): Buffer {
  return encodeVersioned(ConsumerProtocolAssignment, version, value);
}
