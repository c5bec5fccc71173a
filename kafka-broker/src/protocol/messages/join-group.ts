// JoinGroup (key 11): a member joins (or re-joins) a group's rebalance with the protocols it
// supports. v1 adds the rebalance timeout, v4 the MEMBER_ID_REQUIRED round trip, v5 static
// membership (group instance id), v6+ flexible. sarama v1, kafka-python v2, librdkafka/kafkajs v5.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const JoinGroupRequest = message({
  apiKey: 11,
  type: 'request',
  name: 'JoinGroupRequest',
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'sessionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1, ignorable: true },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolType', type: 'string', versions: '0+' },
    { name: 'protocols', type: '[]JoinGroupRequestProtocol', versions: '0+', fields: [
      { name: 'name', type: 'string', versions: '0+' },
      { name: 'metadata', type: 'bytes', versions: '0+' },
    ] },
    { name: 'reason', type: 'string', versions: '8+', nullableVersions: '8+', default: null, ignorable: true },
  ],
});
export type JoinGroupRequest = MessageValue<typeof JoinGroupRequest>;
export type JoinGroupRequestInput = MessageInput<typeof JoinGroupRequest>;

export const JoinGroupResponse = message({
  apiKey: 11,
  type: 'response',
  name: 'JoinGroupResponse',
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+', default: -1 },
    { name: 'protocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: null, ignorable: true },
    { name: 'protocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
    { name: 'leader', type: 'string', versions: '0+' },
    { name: 'skipAssignment', type: 'bool', versions: '9+', default: false },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'members', type: '[]JoinGroupResponseMember', versions: '0+', fields: [
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
      { name: 'metadata', type: 'bytes', versions: '0+' },
    ] },
  ],
});
export type JoinGroupResponse = MessageValue<typeof JoinGroupResponse>;
export type JoinGroupResponseInput = MessageInput<typeof JoinGroupResponse>;
