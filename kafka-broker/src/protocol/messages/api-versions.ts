// ApiVersions (key 18): the version handshake. v0-v2 requests have an empty body; v3 (flexible)
// names the client software. The response lists [apiKey, minVersion, maxVersion]; its header is
// always response header v0, even for v3, so a client can read the error of a version we refuse.
// kafka-python sends v0, kafkajs v2 (falling back to 1, 0), librdkafka v3.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const ApiVersionsRequest = message({
  apiKey: 18,
  type: 'request',
  name: 'ApiVersionsRequest',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'clientSoftwareName', type: 'string', versions: '3+', ignorable: true },
    { name: 'clientSoftwareVersion', type: 'string', versions: '3+', ignorable: true },
  ],
});
export type ApiVersionsRequest = MessageValue<typeof ApiVersionsRequest>;
export type ApiVersionsRequestInput = MessageInput<typeof ApiVersionsRequest>;

export const ApiVersionsResponse = message({
  apiKey: 18,
  type: 'response',
  name: 'ApiVersionsResponse',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'apiKeys', type: '[]ApiVersion', versions: '0+', fields: [
      { name: 'apiKey', type: 'int16', versions: '0+' },
      { name: 'minVersion', type: 'int16', versions: '0+' },
      { name: 'maxVersion', type: 'int16', versions: '0+' },
    ] },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'supportedFeatures', type: '[]SupportedFeatureKey', versions: '3+', taggedVersions: '3+', tag: 0, ignorable: true, fields: [
      { name: 'name', type: 'string', versions: '3+' },
      { name: 'minVersion', type: 'int16', versions: '3+' },
      { name: 'maxVersion', type: 'int16', versions: '3+' },
    ] },
    { name: 'finalizedFeaturesEpoch', type: 'int64', versions: '3+', taggedVersions: '3+', tag: 1, default: -1n, ignorable: true },
    { name: 'finalizedFeatures', type: '[]FinalizedFeatureKey', versions: '3+', taggedVersions: '3+', tag: 2, ignorable: true, fields: [
      { name: 'name', type: 'string', versions: '3+' },
      { name: 'maxVersionLevel', type: 'int16', versions: '3+' },
      { name: 'minVersionLevel', type: 'int16', versions: '3+' },
    ] },
    { name: 'zkMigrationReady', type: 'bool', versions: '3+', taggedVersions: '3+', tag: 3, default: false, ignorable: true },
  ],
});
export type ApiVersionsResponse = MessageValue<typeof ApiVersionsResponse>;
export type ApiVersionsResponseInput = MessageInput<typeof ApiVersionsResponse>;

/** What the broker accepts as ClientSoftwareName/Version in v3+ (else INVALID_REQUEST 42). */
export const CLIENT_SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;
