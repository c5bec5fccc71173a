// LeaveGroup (key 13): members leave a group. v0-v2 name one member; v3+ a batch of members
// (with group instance ids). v4+ flexible. sarama v0, kafka-python/librdkafka v1, kafkajs v3.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const LeaveGroupRequest = message({
  apiKey: 13,
  type: 'request',
  name: 'LeaveGroupRequest',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    { name: 'members', type: '[]MemberIdentity', versions: '3+', fields: [
      { name: 'memberId', type: 'string', versions: '3+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      { name: 'reason', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
    ] },
  ],
});
export type LeaveGroupRequest = MessageValue<typeof LeaveGroupRequest>;
export type LeaveGroupRequestInput = MessageInput<typeof LeaveGroupRequest>;

export const LeaveGroupResponse = message({
  apiKey: 13,
  type: 'response',
  name: 'LeaveGroupResponse',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'members', type: '[]MemberResponse', versions: '3+', fields: [
      { name: 'memberId', type: 'string', versions: '3+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
      { name: 'errorCode', type: 'int16', versions: '3+' },
    ] },
  ],
});
export type LeaveGroupResponse = MessageValue<typeof LeaveGroupResponse>;
export type LeaveGroupResponseInput = MessageInput<typeof LeaveGroupResponse>;
