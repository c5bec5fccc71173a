// Heartbeat (key 12): keeps a member alive; REBALANCE_IN_PROGRESS tells it to re-join.
// v3 adds group instance id, v4+ flexible. sarama v0, kafka-python v1, librdkafka/kafkajs v3.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const HeartbeatRequest = message({
  apiKey: 12,
  type: 'request',
  name: 'HeartbeatRequest',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
});
export type HeartbeatRequest = MessageValue<typeof HeartbeatRequest>;
export type HeartbeatRequestInput = MessageInput<typeof HeartbeatRequest>;

export const HeartbeatResponse = message({
  apiKey: 12,
  type: 'response',
  name: 'HeartbeatResponse',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
});
export type HeartbeatResponse = MessageValue<typeof HeartbeatResponse>;
export type HeartbeatResponseInput = MessageInput<typeof HeartbeatResponse>;
