// OffsetCommit (key 8): commit the next offset to consume per partition. v0 is the variant Kafka
// stored in ZooKeeper; v1 adds generation/member and a per-partition timestamp, v2-v4 a retention
// time, v6 the leader epoch, v7 the group instance id, v8+ flexible. sarama v1, kafka-python v2,
// kafkajs v5, librdkafka v7.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const OffsetCommitRequest = message({
  apiKey: 8,
  type: 'request',
  name: 'OffsetCommitRequest',
  validVersions: '0-9',
  flexibleVersions: '8+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationIdOrMemberEpoch', type: 'int32', versions: '1+', default: -1, ignorable: true },
    { name: 'memberId', type: 'string', versions: '1+', ignorable: true },
    { name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1n, ignorable: true },
    { name: 'topics', type: '[]OffsetCommitRequestTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]OffsetCommitRequestPartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'committedOffset', type: 'int64', versions: '0+' },
        { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1, ignorable: true },
        { name: 'commitTimestamp', type: 'int64', versions: '1', default: -1n },
        { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
  ],
});
export type OffsetCommitRequest = MessageValue<typeof OffsetCommitRequest>;
export type OffsetCommitRequestInput = MessageInput<typeof OffsetCommitRequest>;

export const OffsetCommitResponse = message({
  apiKey: 8,
  type: 'response',
  name: 'OffsetCommitResponse',
  validVersions: '0-9',
  flexibleVersions: '8+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+', ignorable: true },
    { name: 'topics', type: '[]OffsetCommitResponseTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]OffsetCommitResponsePartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ] },
    ] },
  ],
});
export type OffsetCommitResponse = MessageValue<typeof OffsetCommitResponse>;
export type OffsetCommitResponseInput = MessageInput<typeof OffsetCommitResponse>;
