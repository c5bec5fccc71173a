// SaslAuthenticate (key 36): carries SASL tokens after SaslHandshake v1. v1 adds the session
// lifetime, v2+ flexible. Declared for a SASL listener; the broker does not advertise it.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const SaslAuthenticateRequest = message({
  apiKey: 36,
  type: 'request',
  name: 'SaslAuthenticateRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'authBytes', type: 'bytes', versions: '0+' },
  ],
});
export type SaslAuthenticateRequest = MessageValue<typeof SaslAuthenticateRequest>;
export type SaslAuthenticateRequestInput = MessageInput<typeof SaslAuthenticateRequest>;

export const SaslAuthenticateResponse = message({
  apiKey: 36,
  type: 'response',
  name: 'SaslAuthenticateResponse',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'authBytes', type: 'bytes', versions: '0+' },
    { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0n, ignorable: true },
  ],
});
export type SaslAuthenticateResponse = MessageValue<typeof SaslAuthenticateResponse>;
export type SaslAuthenticateResponseInput = MessageInput<typeof SaslAuthenticateResponse>;
