// The public surface of the Kafka wire-protocol layer: frames in and out, the API registry, the
// message schemas and their types, errors, record batches, legacy message sets and compression.
// Pure codecs only: nothing here touches sockets, files or clocks.

export * from './api-registry';
export * from './frames';
export * from './headers';
export * from './error-codes';
export * from './record-batch';
export * from './legacy-message-set';
export * from './compression';
export { message, FieldCodecError, MessageCodecError } from './schema';
export type { AnyMessageSchema, MessageCodec, MessageSchema, StructPlan, FieldPlan } from './schema';
export { ZERO_UUID, uuidFromBytes, uuidToBytes } from './types';
export type { MessageInput, MessageValue, MessageSpec, FieldSpec, RawTaggedField } from './types';
export * from './messages/api-versions';
export * from './messages/metadata';
export * from './messages/produce';
export * from './messages/fetch';
export * from './messages/list-offsets';
export * from './messages/create-topics';
export * from './messages/delete-topics';
export * from './messages/create-partitions';
export * from './messages/describe-configs';
export * from './messages/find-coordinator';
export * from './messages/join-group';
export * from './messages/sync-group';
export * from './messages/heartbeat';
export * from './messages/leave-group';
export * from './messages/offset-commit';
export * from './messages/offset-fetch';
export * from './messages/describe-groups';
export * from './messages/list-groups';
export * from './messages/delete-groups';
export * from './messages/init-producer-id';
export * from './messages/sasl-handshake';
export * from './messages/sasl-authenticate';
