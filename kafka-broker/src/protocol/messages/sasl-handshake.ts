// SaslHandshake (key 17): picks a SASL mechanism. v0 is followed by raw length-prefixed SASL
// tokens (kafka-python, sarama < 1.0); v1 by SaslAuthenticate requests. Declared for a SASL
// listener; the broker does not advertise it.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const SaslHandshakeRequest = message({
  apiKey: 17,
  type: 'request',
  name: 'SaslHandshakeRequest',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'mechanism', type: 'string', versions: '0+' },
  ],
});
export type SaslHandshakeRequest = MessageValue<typeof SaslHandshakeRequest>;
export type SaslHandshakeRequestInput = MessageInput<typeof SaslHandshakeRequest>;

export const SaslHandshakeResponse = message({
  apiKey: 17,
  type: 'response',
  name: 'SaslHandshakeResponse',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: '[]string', versions: '0+' },
  ],
});
export type SaslHandshakeResponse = MessageValue<typeof SaslHandshakeResponse>;
export type SaslHandshakeResponseInput = MessageInput<typeof SaslHandshakeResponse>;
