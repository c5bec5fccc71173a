// InitProducerId (key 22): hands an idempotent (or transactional) producer its producer id and
// epoch. v2+ flexible, v3 lets a producer bump its epoch. sarama v0, kafkajs v1, librdkafka v1
// (v4 when advertised).

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const InitProducerIdRequest = message({
  apiKey: 22,
  type: 'request',
  name: 'InitProducerIdRequest',
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
});
export type InitProducerIdRequest = MessageValue<typeof InitProducerIdRequest>;
export type InitProducerIdRequestInput = MessageInput<typeof InitProducerIdRequest>;

export const InitProducerIdResponse = message({
  apiKey: 22,
  type: 'response',
  name: 'InitProducerIdResponse',
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+', ignorable: true },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
});
export type InitProducerIdResponse = MessageValue<typeof InitProducerIdResponse>;
export type InitProducerIdResponseInput = MessageInput<typeof InitProducerIdResponse>;
