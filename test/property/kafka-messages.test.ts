// For every declared Kafka message and every version it has: a value generated from the schema
// encodes, decodes back to an equal value, and the decoder consumes exactly the encoded bytes,
// which number exactly size(value).

import fc from 'fast-check';
import { ByteReader } from '../../shared/src';
import { APIS, API_NAMES } from '../../kafka-broker/src/protocol/api-registry';
import { RequestHeader, ResponseHeader } from '../../kafka-broker/src/protocol/headers';
import { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../../kafka-broker/src/protocol/messages/sasl-authenticate';
import { SaslHandshakeRequest, SaslHandshakeResponse } from '../../kafka-broker/src/protocol/messages/sasl-handshake';
import { MessageSchema } from '../../kafka-broker/src/protocol/schema';
import { MessageSpec } from '../../kafka-broker/src/protocol/types';
import { messageArbitrary } from './kafka-schema-arbitrary';

const RUNS_PER_VERSION = 25;

const schemas: MessageSchema<MessageSpec>[] = [
  RequestHeader,
  ResponseHeader,
  SaslHandshakeRequest,
  SaslHandshakeResponse,
  SaslAuthenticateRequest,
  SaslAuthenticateResponse,
  ...API_NAMES.flatMap((n) => [APIS[n].request, APIS[n].response] as MessageSchema<MessageSpec>[]),
];

const cases = schemas.flatMap((s) => {
  const out: [string, MessageSchema<MessageSpec>, number][] = [];
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
