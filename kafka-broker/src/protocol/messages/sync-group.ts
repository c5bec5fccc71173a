// SyncGroup (key 14): the leader hands out assignments; every member receives its own.
// v3 adds group instance id, v4+ flexible. sarama v0, kafka-python v1, librdkafka/kafkajs v3.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const SyncGroupRequest = message({
  apiKey: 14,
  type: 'request',
  name: 'SyncGroupRequest',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
    { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
    { name: 'assignments', type: '[]SyncGroupRequestAssignment', versions: '0+', fields: [
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'assignment', type: 'bytes', versions: '0+' },
    ] },
  ],
});
export type SyncGroupRequest = MessageValue<typeof SyncGroupRequest>;
export type SyncGroupRequestInput = MessageInput<typeof SyncGroupRequest>;

export const SyncGroupResponse = message({
  apiKey: 14,
  type: 'response',
  name: 'SyncGroupResponse',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
    { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
    { name: 'assignment', type: 'bytes', versions: '0+' },
  ],
});
export type SyncGroupResponse = MessageValue<typeof SyncGroupResponse>;
export type SyncGroupResponseInput = MessageInput<typeof SyncGroupResponse>;
