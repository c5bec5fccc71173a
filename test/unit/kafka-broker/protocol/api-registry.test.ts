// The served API table, the ApiVersions answers derived from it (including the v0 fallback for an
// ApiVersions version we do not serve), and whole-frame encoding and decoding.

import {
  APIS,
  API_NAMES,
  ApiKey,
  apiNameOf,
  apiVersionsBody,
  isVersionSupported,
} from '../../../../kafka-broker/src/protocol/api-registry';
import { ErrorCode } from '../../../../kafka-broker/src/protocol/error-codes';
import {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  encodeUnsupportedApiVersionsResponse,
} from '../../../../kafka-broker/src/protocol/frames';
import {
  ApiVersionsResponse,
  CLIENT_SOFTWARE_PATTERN,
} from '../../../../kafka-broker/src/protocol/messages/api-versions';

/** kafka.md table 2.3 ("implement"), plus CreatePartitions 0..1 for kafkajs' admin. */
const EXPECTED_RANGES: Record<number, [number, number]> = {
  0: [0, 7],
  1: [0, 11],
  2: [0, 3],
  3: [0, 6],
  8: [0, 7],
  9: [0, 5],
  10: [0, 2],
  11: [0, 5],
  12: [0, 3],
  13: [0, 3],
  14: [0, 3],
  15: [0, 4],
  16: [0, 2],
  18: [0, 3],
  19: [0, 4],
  20: [0, 3],
  22: [0, 1],
  32: [0, 2],
  37: [0, 1],
  42: [0, 1],
};

const withoutSize = (frame: Buffer): Buffer => {
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  return frame.subarray(4);
};

describe('the registry', () => {
  test('advertises the ranges the installed clients need', () => {
    const body = apiVersionsBody();
    expect(Object.fromEntries(body.apiKeys!.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]))).toEqual(
      EXPECTED_RANGES,
    );
    expect(body.apiKeys!.map((k) => k.apiKey)).toEqual(Object.keys(EXPECTED_RANGES).map(Number));
    expect(body.errorCode).toBe(0);
  });

  test("every advertised range stays below Kafka's flexible threshold except ApiVersions v3", () => {
    for (const name of API_NAMES) {
      const spec = APIS[name];
      const flexibleAtMax = spec.request.isFlexible(spec.maxVersion);
      expect([name, flexibleAtMax]).toEqual([name, name === 'ApiVersions']);
    }
  });

  test('keys and names agree', () => {
    expect(ApiKey.Produce).toBe(0);
    expect(ApiKey.ApiVersions).toBe(18);
    expect(apiNameOf(1)).toBe('Fetch');
    expect(apiNameOf(7)).toBeUndefined();
    expect(isVersionSupported('Fetch', 11)).toBe(true);
    expect(isVersionSupported('Fetch', 12)).toBe(false);
  });
});

describe('ApiVersions', () => {
  test('v3 responses carry response header v0 (no tag byte) and a flexible body', () => {
    const frame = withoutSize(encodeResponseFrame('ApiVersions', 3, 42, apiVersionsBody()));
    expect(frame.readInt32BE(0)).toBe(42);
    expect(frame.readInt16BE(4)).toBe(0);
    expect(frame[6]).toBe(API_NAMES.length + 1);
    expect(decodeResponseFrame('ApiVersions', 3, frame).body.apiKeys).toHaveLength(API_NAMES.length);
  });

  test('an unsupported version (v4, header v2) is answered in v0 with UNSUPPORTED_VERSION and our key list', () => {
    const request = Buffer.from(
      '0012' + '0004' + '0000000b' + '0007' + '72646b61666b61' + '00' + '0b6c6962726461666b6100',
      'hex',
    );
    const classified = decodeRequestFrame(request);
    expect(classified).toMatchObject({ kind: 'unsupported-version', api: 'ApiVersions', apiVersion: 4 });
    if (classified.kind !== 'unsupported-version') throw new Error('classified');
    expect(classified.header.clientId).toBe('rdkafka');

    const frame = withoutSize(encodeUnsupportedApiVersionsResponse(11));
    const decoded = decodeResponseFrame('ApiVersions', 0, frame);
    expect(decoded.correlationId).toBe(11);
    expect(decoded.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(decoded.body.apiKeys).toContainEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
    expect(frame.subarray(0, 10).toString('hex')).toBe('0000000b' + '0023' + '00000014');
    expect(ApiVersionsResponse.at(0).decode(frame.subarray(4)).apiKeys).toHaveLength(20);
  });
});

describe('frames', () => {
  test('a request encoded by the client side is decoded by the broker side', () => {
    const frame = encodeRequestFrame('Metadata', 6, 5, 'cli', {
      topics: [{ name: 't' }],
      allowAutoTopicCreation: false,
    });
    const decoded = decodeRequestFrame(withoutSize(frame));
    expect(decoded.kind).toBe('request');
    if (decoded.kind !== 'request' || decoded.api !== 'Metadata') throw new Error('not metadata');
    expect(decoded.header).toEqual({
      requestApiKey: 3,
      requestApiVersion: 6,
      correlationId: 5,
      clientId: 'cli',
    });
    expect(decoded.body.topics).toEqual([{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 't' }]);
    expect(decoded.body.allowAutoTopicCreation).toBe(false);
  });

  test('a flexible response gets response header v1', () => {
    const frame = withoutSize(encodeResponseFrame('Metadata', 9, 3, { brokers: [] }));
    expect(frame.subarray(0, 5).toString('hex')).toBe('00000003' + '00');
    expect(decodeResponseFrame('Metadata', 9, frame).correlationId).toBe(3);
  });

  test('unknown keys and unsupported versions are classified, not decoded', () => {
    expect(decodeRequestFrame(Buffer.from('0007000000000001', 'hex'))).toEqual({
      kind: 'unknown-api',
      apiKey: 7,
      apiVersion: 0,
      correlationId: 1,
    });
    const fetch12 = withoutSize(encodeRequestFrame('Fetch', 12, 2, 'c', {}));
    expect(decodeRequestFrame(fetch12)).toMatchObject({
      kind: 'unsupported-version',
      api: 'Fetch',
      apiVersion: 12,
    });
  });

  test('bytes after the body are an error', () => {
    const frame = Buffer.concat([
      withoutSize(encodeRequestFrame('Heartbeat', 0, 1, 'c', { groupId: 'g' })),
      Buffer.from([0]),
    ]);
    expect(() => decodeRequestFrame(frame)).toThrow(/1 bytes left after HeartbeatRequest v0/);
  });
});

test('client software names and versions the broker accepts in ApiVersions v3', () => {
  for (const ok of ['librdkafka', '2.0.2', 'confluent-kafka-python', '1.7.0-rdkafka-2.0.2'])
    expect(CLIENT_SOFTWARE_PATTERN.test(ok)).toBe(true);
  for (const bad of ['', 'has space', '-lead', 'trail.', 'ünï'])
    expect(CLIENT_SOFTWARE_PATTERN.test(bad)).toBe(false);
});
