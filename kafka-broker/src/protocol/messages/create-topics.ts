// CreateTopics (key 19): create topics with a partition count and replication factor (or an
// explicit assignment) and configs. v1 adds validate-only, v5+ flexible and returns the resulting
// configs. librdkafka sends v4, kafka-python and kafkajs v3.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const CreateTopicsRequest = message({
  apiKey: 19,
  type: 'request',
  name: 'CreateTopicsRequest',
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: [
    { name: 'topics', type: '[]CreatableTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'numPartitions', type: 'int32', versions: '0+' },
      { name: 'replicationFactor', type: 'int16', versions: '0+' },
      { name: 'assignments', type: '[]CreatableReplicaAssignment', versions: '0+', fields: [
        { name: 'partitionIndex', type: 'int32', versions: '0+' },
        { name: 'brokerIds', type: '[]int32', versions: '0+' },
      ] },
      { name: 'configs', type: '[]CreateableTopicConfig', versions: '0+', fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
      ] },
    ] },
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
  ],
});
export type CreateTopicsRequest = MessageValue<typeof CreateTopicsRequest>;
export type CreateTopicsRequestInput = MessageInput<typeof CreateTopicsRequest>;

export const CreateTopicsResponse = message({
  apiKey: 19,
  type: 'response',
  name: 'CreateTopicsResponse',
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
    { name: 'topics', type: '[]CreatableTopicResult', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'topicId', type: 'uuid', versions: '7+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+', ignorable: true },
      { name: 'topicConfigErrorCode', type: 'int16', versions: '5+', taggedVersions: '5+', tag: 0, ignorable: true },
      { name: 'numPartitions', type: 'int32', versions: '5+', default: -1, ignorable: true },
      { name: 'replicationFactor', type: 'int16', versions: '5+', default: -1, ignorable: true },
      { name: 'configs', type: '[]CreatableTopicConfigs', versions: '5+', nullableVersions: '5+', ignorable: true, fields: [
        { name: 'name', type: 'string', versions: '5+' },
        { name: 'value', type: 'string', versions: '5+', nullableVersions: '5+' },
        { name: 'readOnly', type: 'bool', versions: '5+' },
        { name: 'configSource', type: 'int8', versions: '5+', default: -1, ignorable: true },
        { name: 'isSensitive', type: 'bool', versions: '5+' },
      ] },
    ] },
  ],
});
export type CreateTopicsResponse = MessageValue<typeof CreateTopicsResponse>;
export type CreateTopicsResponseInput = MessageInput<typeof CreateTopicsResponse>;
