// Request header v0-v2 and response header v0-v1, and which version goes with which request.

import { CodecError } from '../../../../shared/src';
import {
  RequestHeader,
  ResponseHeader,
  peekRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../../../kafka-broker/src/protocol/headers';

const hex = (b: Buffer): string => b.toString('hex');
const header = { requestApiKey: 3, requestApiVersion: 4, correlationId: 7, clientId: 'ab' };

test('v0 has no client id (ControlledShutdown v0 only)', () => {
  expect(hex(RequestHeader.at(0).encode(header))).toBe('0003' + '0004' + '00000007');
});

test('v1 adds the client id as an int16-length nullable string', () => {
  expect(hex(RequestHeader.at(1).encode(header))).toBe('0003000400000007' + '0002' + '6162');
  expect(hex(RequestHeader.at(1).encode({ ...header, clientId: null }))).toBe('0003000400000007' + 'ffff');
});

test('v2 keeps the int16-length client id and adds a tag section', () => {
  expect(hex(RequestHeader.at(2).encode(header))).toBe('0003000400000007' + '0002' + '6162' + '00');
  expect(
    RequestHeader.at(2).decode(Buffer.from('0012000300000001' + '0007' + '72646b61666b61' + '00', 'hex')),
  ).toEqual({
    requestApiKey: 18,
    requestApiVersion: 3,
    correlationId: 1,
    clientId: 'rdkafka',
  });
});

test('response header v1 adds a tag section to the correlation id', () => {
  expect(hex(ResponseHeader.at(0).encode({ correlationId: 9 }))).toBe('00000009');
  expect(hex(ResponseHeader.at(1).encode({ correlationId: 9 }))).toBe('00000009' + '00');
});

test('header versions follow the body version, except ApiVersions responses (always v0)', () => {
  expect(requestHeaderVersion(3, 4, false)).toBe(1);
  expect(requestHeaderVersion(18, 3, true)).toBe(2);
  expect(requestHeaderVersion(7, 0, false)).toBe(0);
  expect(responseHeaderVersion(3, false)).toBe(0);
  expect(responseHeaderVersion(9, true)).toBe(1);
  expect(responseHeaderVersion(18, true)).toBe(0);
});

test('the first 8 bytes can be read before the header version is known', () => {
  expect(peekRequestHeader(Buffer.from('0012000400000005ffff00', 'hex'))).toEqual({
    apiKey: 18,
    apiVersion: 4,
    correlationId: 5,
  });
  expect(() => peekRequestHeader(Buffer.from('00120004', 'hex'))).toThrow(CodecError);
});
