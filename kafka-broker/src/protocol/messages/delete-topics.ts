// DeleteTopics (key 20): delete topics by name (v6+ also by topic id). v4+ flexible.
// sarama/librdkafka/kafkajs send v1, kafka-python v3.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const DeleteTopicsRequest = message({
  apiKey: 20,
  type: 'request',
  name: 'DeleteTopicsRequest',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    { name: 'topics', type: '[]DeleteTopicState', versions: '6+', fields: [
      { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
      { name: 'topicId', type: 'uuid', versions: '6+' },
    ] },
    { name: 'topicNames', type: '[]string', versions: '0-5', ignorable: true },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
});
export type DeleteTopicsRequest = MessageValue<typeof DeleteTopicsRequest>;
export type DeleteTopicsRequestInput = MessageInput<typeof DeleteTopicsRequest>;

export const DeleteTopicsResponse = message({
  apiKey: 20,
  type: 'response',
  name: 'DeleteTopicsResponse',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'responses', type: '[]DeletableTopicResult', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
      { name: 'topicId', type: 'uuid', versions: '6+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
    ] },
  ],
});
export type DeleteTopicsResponse = MessageValue<typeof DeleteTopicsResponse>;
export type DeleteTopicsResponseInput = MessageInput<typeof DeleteTopicsResponse>;
