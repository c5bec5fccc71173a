// For every declared Kafka message and every version it has: a value generated from the schema
// encodes, decodes back to an equal value, and the decoder consumes exactly the encoded bytes,
// which number exactly size(value). Every version the broker serves also round-trips as a whole
// request and response frame, which checks the choice of header version.

import fc from 'fast-check';
import { ByteReader } from '../../shared/src';
import { APIS, API_NAMES } from '../../kafka-broker/src/protocol/api-registry';
import { RequestHeader, ResponseHeader } from '../../kafka-broker/src/protocol/headers';
import {
  SaslAuthenticateRequest,
  SaslAuthenticateResponse,
} from '../../kafka-broker/src/protocol/messages/sasl-authenticate';
import {
  SaslHandshakeRequest,
  SaslHandshakeResponse,
} from '../../kafka-broker/src/protocol/messages/sasl-handshake';
import { AnyMessageSchema } from '../../kafka-broker/src/protocol/schema';
import { messageArbitrary, structArbitrary } from './kafka-schema-arbitrary';
import {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
} from '../../kafka-broker/src/protocol/frames';

const RUNS_PER_VERSION = 25;

const schemas: AnyMessageSchema[] = [
  RequestHeader,
  ResponseHeader,
  SaslHandshakeRequest,
  SaslHandshakeResponse,
  SaslAuthenticateRequest,
  SaslAuthenticateResponse,
  ...API_NAMES.flatMap((n): AnyMessageSchema[] => [APIS[n].request, APIS[n].response]),
];

const cases = schemas.flatMap((s) => {
  const out: [string, AnyMessageSchema, number][] = [];
  for (let v = s.validVersions.min; v <= s.validVersions.max; v++) out.push([`${s.name} v${v}`, s, v]);
  return out;
});

describe('every message version round-trips', () => {
  test.each(cases)('%s', (_label, schema, version) => {
    const codec = schema.at(version);
    fc.assert(
      fc.property(messageArbitrary(codec.plan), (value) => {
        const bytes = codec.encode(value);
        expect(bytes.length).toBe(codec.size(value));
        const r = new ByteReader(bytes);
        const decoded = codec.read(r);
        expect(r.offset).toBe(bytes.length);
        expect(decoded).toEqual(value);
      }),
      { numRuns: RUNS_PER_VERSION },
    );
  });
});

const FRAME_RUNS_PER_VERSION = 8;

const servedVersions = API_NAMES.flatMap((name) => {
  const out: [string, (typeof API_NAMES)[number], number][] = [];
  for (let v = APIS[name].minVersion; v <= APIS[name].maxVersion; v++) out.push([`${name} v${v}`, name, v]);
  return out;
});

describe('every served version round-trips as a whole frame (size prefix, header, body)', () => {
  test.each(servedVersions)('%s', (_label, name, version) => {
    const request = structArbitrary(APIS[name].request.at(version).plan);
    const response = structArbitrary(APIS[name].response.at(version).plan);
    const clientId = fc.option(fc.string({ maxLength: 10 }), { nil: null });
    const correlationId = fc.integer({ min: -0x80000000, max: 0x7fffffff });
    fc.assert(
      fc.property(request, response, clientId, correlationId, (req, res, client, corr) => {
        const reqFrame = encodeRequestFrame(name, version, corr, client, req as never);
        expect(reqFrame.readInt32BE(0)).toBe(reqFrame.length - 4);
        const decoded = decodeRequestFrame(reqFrame.subarray(4));
        expect(decoded).toEqual({
          kind: 'request',
          api: name,
          apiKey: APIS[name].apiKey,
          apiVersion: version,
          header: {
            requestApiKey: APIS[name].apiKey,
            requestApiVersion: version,
            correlationId: corr,
            clientId: client,
          },
          body: req,
        });
        const resFrame = encodeResponseFrame(name, version, corr, res as never);
        expect(decodeResponseFrame(name, version, resFrame.subarray(4))).toEqual({
          correlationId: corr,
          body: res,
        });
      }),
      { numRuns: FRAME_RUNS_PER_VERSION },
    );
  });
});
