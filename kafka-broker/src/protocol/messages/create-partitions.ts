// CreatePartitions (key 37): raise the partition count of existing topics, optionally with an
// assignment of the new partitions. v2+ flexible. kafkajs' admin uses it.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const CreatePartitionsRequest = message({
  apiKey: 37,
  type: 'request',
  name: 'CreatePartitionsRequest',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'topics', type: '[]CreatePartitionsTopic', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'count', type: 'int32', versions: '0+' },
      { name: 'assignments', type: '[]CreatePartitionsAssignment', versions: '0+', nullableVersions: '0+', fields: [
        { name: 'brokerIds', type: '[]int32', versions: '0+' },
      ] },
    ] },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
});
export type CreatePartitionsRequest = MessageValue<typeof CreatePartitionsRequest>;
export type CreatePartitionsRequestInput = MessageInput<typeof CreatePartitionsRequest>;

export const CreatePartitionsResponse = message({
  apiKey: 37,
  type: 'response',
  name: 'CreatePartitionsResponse',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'results', type: '[]CreatePartitionsTopicResult', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    ] },
  ],
});
export type CreatePartitionsResponse = MessageValue<typeof CreatePartitionsResponse>;
export type CreatePartitionsResponseInput = MessageInput<typeof CreatePartitionsResponse>;
