// Request and response headers, declared with the same DSL as the bodies.
// Request header v0 = apiKey, apiVersion, correlationId (only ControlledShutdown v0 uses it);
// v1 adds the client id; v2 (every flexible request version) adds a tag section, but the client id
// keeps its int16 length even there, so any broker can read the header of any ApiVersions request.
// Response header v0 = correlationId; v1 adds a tag section and goes with flexible response
// versions, except ApiVersions, whose responses always use v0 (KIP-511).

import { ByteReader, CodecError } from '../../../shared/src';
import { message } from './schema';
import { MessageInput, MessageValue } from './types';

export const RequestHeader = message({
  type: 'header',
  name: 'RequestHeader',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'requestApiKey', type: 'int16', versions: '0+' },
    { name: 'requestApiVersion', type: 'int16', versions: '0+' },
    { name: 'correlationId', type: 'int32', versions: '0+' },
    {
      name: 'clientId',
      type: 'string',
      versions: '1+',
      nullableVersions: '1+',
      ignorable: true,
      flexibleVersions: 'none',
    },
  ],
});
export type RequestHeader = MessageValue<typeof RequestHeader>;
export type RequestHeaderInput = MessageInput<typeof RequestHeader>;

export const ResponseHeader = message({
  type: 'header',
  name: 'ResponseHeader',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [{ name: 'correlationId', type: 'int32', versions: '0+' }],
});
export type ResponseHeader = MessageValue<typeof ResponseHeader>;

const API_VERSIONS_KEY = 18;
const CONTROLLED_SHUTDOWN_KEY = 7;
/** apiKey int16 + apiVersion int16 + correlationId int32: readable whatever the header version. */
export const REQUEST_HEADER_PREFIX_BYTES = 8;

/** The request header version for a request whose body version is (or is not) flexible. */
export function requestHeaderVersion(apiKey: number, apiVersion: number, bodyFlexible: boolean): number {
  if (apiKey === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0;
  return bodyFlexible ? 2 : 1;
}

/** The response header version; ApiVersions always answers with v0. */
export function responseHeaderVersion(apiKey: number, bodyFlexible: boolean): number {
  if (apiKey === API_VERSIONS_KEY) return 0;
  return bodyFlexible ? 1 : 0;
}

export interface RequestHeaderPrefix {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

/** Reads the fixed first 8 bytes of a request frame (after its size) without choosing a header version. */
export function peekRequestHeader(frame: Buffer): RequestHeaderPrefix {
  if (frame.length < REQUEST_HEADER_PREFIX_BYTES) {
    throw new CodecError(
      `request header needs ${REQUEST_HEADER_PREFIX_BYTES} bytes, frame has ${frame.length}`,
      0,
    );
  }
  const r = new ByteReader(frame);
  return { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32() };
}
