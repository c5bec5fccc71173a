// FindCoordinator (key 10): which broker coordinates a group (key type 0) or a transactional id
// (1). v1 adds key type and error message, v3+ flexible, v4+ batches several keys.
// kafka-python/sarama send v0, librdkafka/kafkajs v2.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const FindCoordinatorRequest = message({
  apiKey: 10,
  type: 'request',
  name: 'FindCoordinatorRequest',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
    { name: 'coordinatorKeys', type: '[]string', versions: '4+' },
  ],
});
export type FindCoordinatorRequest = MessageValue<typeof FindCoordinatorRequest>;
export type FindCoordinatorRequestInput = MessageInput<typeof FindCoordinatorRequest>;

export const FindCoordinatorResponse = message({
  apiKey: 10,
  type: 'response',
  name: 'FindCoordinatorResponse',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3', ignorable: true },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
    { name: 'coordinators', type: '[]Coordinator', versions: '4+', fields: [
      { name: 'key', type: 'string', versions: '4+' },
      { name: 'nodeId', type: 'int32', versions: '4+' },
      { name: 'host', type: 'string', versions: '4+' },
      { name: 'port', type: 'int32', versions: '4+' },
      { name: 'errorCode', type: 'int16', versions: '4+' },
      { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+', ignorable: true },
    ] },
  ],
});
export type FindCoordinatorResponse = MessageValue<typeof FindCoordinatorResponse>;
export type FindCoordinatorResponseInput = MessageInput<typeof FindCoordinatorResponse>;
