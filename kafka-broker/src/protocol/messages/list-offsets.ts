// ListOffsets (key 2): offsets by timestamp (-1 latest, -2 earliest). v0 answers a list of
// offsets (old_style_offsets), v1+ one offset and its timestamp, v2 adds isolation level, v6+
// flexible. sarama default v0, kafka-python/sarama v1, librdkafka v2, kafkajs v3.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const ListOffsetsRequest = message({
  apiKey: 2,
  type: 'request',
  name: 'ListOffsetsRequest',
  validVersions: '0-8',
  flexibleVersions: '6+',
  fields: [
    { name: 'replicaId', type: 'int32', versions: '0+' },
    { name: 'isolationLevel', type: 'int8', versions: '2+' },
    { name: 'topics', type: '[]ListOffsetsTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]ListOffsetsPartition', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1, ignorable: true },
        { name: 'timestamp', type: 'int64', versions: '0+' },
        { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1 },
      ] },
    ] },
  ],
});
export type ListOffsetsRequest = MessageValue<typeof ListOffsetsRequest>;
export type ListOffsetsRequestInput = MessageInput<typeof ListOffsetsRequest>;

export const ListOffsetsResponse = message({
  apiKey: 2,
  type: 'response',
  name: 'ListOffsetsResponse',
  validVersions: '0-8',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
    { name: 'topics', type: '[]ListOffsetsTopicResponse', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'partitions', type: '[]ListOffsetsPartitionResponse', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'oldStyleOffsets', type: '[]int64', versions: '0' },
        { name: 'timestamp', type: 'int64', versions: '1+', default: -1n },
        { name: 'offset', type: 'int64', versions: '1+', default: -1n },
        { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
      ] },
    ] },
  ],
});
export type ListOffsetsResponse = MessageValue<typeof ListOffsetsResponse>;
export type ListOffsetsResponseInput = MessageInput<typeof ListOffsetsResponse>;
