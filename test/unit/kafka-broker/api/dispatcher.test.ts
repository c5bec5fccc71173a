// The dispatcher without sockets: ApiVersions of an unserved version answered in v0 with
// UNSUPPORTED_VERSION and our ranges, other unsupported versions, unknown keys and malformed frames
// closing the connection, and handler outcomes (response, silence, close, failure, waiting).

import { ByteWriter, silentLogger } from '../../../../shared/src';
import {
  BrokerContext,
  CloseConnection,
  HandlerTable,
  NO_RESPONSE,
} from '../../../../kafka-broker/src/api/context';
import { ConnectionInfo, DispatchOutcome, Dispatcher } from '../../../../kafka-broker/src/api/dispatcher';
import { HANDLERS } from '../../../../kafka-broker/src/api/handlers';
import {
  APIS,
  decodeResponseFrame,
  encodeRequestFrame,
  ErrorCode,
} from '../../../../kafka-broker/src/protocol';

const CONN: ConnectionInfo = { listenerName: 'PLAINTEXT', clientAddress: '127.0.0.1:5555' };
const NO_BROKER = {} as BrokerContext;

function dispatcher(overrides: Partial<HandlerTable> = {}): Dispatcher {
  return new Dispatcher({ ...HANDLERS, ...overrides } as HandlerTable, NO_BROKER, silentLogger());
}

/** A request frame without its size prefix, as the connection hands it over. */
function frameOf(bytes: Buffer): Buffer {
  return bytes.subarray(4);
}

/** Header of a version we may not serve (v2 header when flexible), then arbitrary body bytes. */
function rawRequest(
  apiKey: number,
  apiVersion: number,
  flexibleHeader: boolean,
  body: number[] = [],
): Buffer {
  const w = new ByteWriter(64);
  w.int16(apiKey).int16(apiVersion).int32(42).int16(4).utf8('test');
  if (flexibleHeader) w.uvarint(0);
  for (const b of body) w.uint8(b);
  return Buffer.from(w.view());
}

function respond(outcome: DispatchOutcome | Promise<DispatchOutcome>): Buffer {
  expect(outcome).not.toBeInstanceOf(Promise);
  const o = outcome as DispatchOutcome;
  if (o.kind !== 'respond') throw new Error(`expected a response, got ${JSON.stringify(o)}`);
  return o.frame.subarray(4);
}

describe('dispatcher', () => {
  test('ApiVersions of an unserved version gets v0 UNSUPPORTED_VERSION with every range', () => {
    const frame = respond(
      dispatcher().dispatch(rawRequest(18, 9, true, [0x05, 0x61, 0x62, 0x63, 0x64, 0x01, 0x00]), CONN),
    );
    const reply = decodeResponseFrame('ApiVersions', 0, frame);
    expect(reply.correlationId).toBe(42);
    expect(reply.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(reply.body.apiKeys).toContainEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
    expect(reply.body.apiKeys).toHaveLength(Object.keys(APIS).length);
  });

  test.each([
    ['Metadata v12', rawRequest(3, 12, true), /unsupported version 12 of Metadata/],
    ['Produce v8', rawRequest(0, 8, false), /unsupported version 8 of Produce/],
    ['an unknown key', rawRequest(999, 0, false), /unknown API key 999/],
    ['a frame shorter than a header', Buffer.from([0, 3, 0]), /malformed request/],
    ['a body that does not decode', rawRequest(3, 1, false, [0, 0, 0, 9]), /malformed request/],
    ['bytes left after the body', rawRequest(18, 0, false, [1]), /malformed request/],
  ])('%s closes the connection', (_what, frame, reason) => {
    const outcome = dispatcher().dispatch(frame, CONN) as DispatchOutcome;
    expect(outcome.kind).toBe('close');
    expect((outcome as { reason: string }).reason).toMatch(reason);
  });

  test.each([0, 1, 2, 3])('ApiVersions v%i answers with the registry ranges', (version) => {
    const body = version === 3 ? { clientSoftwareName: 'unit', clientSoftwareVersion: '1' } : {};
    const frame = respond(
      dispatcher().dispatch(frameOf(encodeRequestFrame('ApiVersions', version, 7, 'c', body)), CONN),
    );
    const reply = decodeResponseFrame('ApiVersions', version, frame);
    expect(reply.correlationId).toBe(7);
    expect(reply.body.errorCode).toBe(0);
    expect(reply.body.apiKeys).toContainEqual({ apiKey: 1, minVersion: 0, maxVersion: 11 });
  });

  const heartbeat = (v = 0) =>
    frameOf(encodeRequestFrame('Heartbeat', v, 9, 'c', { groupId: 'g', generationId: 1, memberId: 'm' }));

  test('a handler answering nothing leaves the connection silent', () => {
    expect(dispatcher({ Heartbeat: () => NO_RESPONSE }).dispatch(heartbeat(), CONN)).toEqual({
      kind: 'silent',
    });
  });

  test('a handler may ask for the connection to close', () => {
    const outcome = dispatcher({ Heartbeat: () => new CloseConnection('because') }).dispatch(
      heartbeat(),
      CONN,
    );
    expect(outcome).toEqual({ kind: 'close', reason: 'because' });
  });

  test('a handler that throws closes the connection', () => {
    const outcome = dispatcher({
      Heartbeat: () => {
        throw new Error('boom');
      },
    }).dispatch(heartbeat(), CONN) as DispatchOutcome;
    expect(outcome).toEqual({ kind: 'close', reason: 'Heartbeat failed: boom' });
  });

  test('a waiting handler resolves to its encoded response in the request version', async () => {
    const outcome = dispatcher({
      Heartbeat: async () => ({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS }),
    }).dispatch(heartbeat(2), CONN);
    expect(outcome).toBeInstanceOf(Promise);
    const o = await outcome;
    if (o.kind !== 'respond') throw new Error('expected a response');
    const reply = decodeResponseFrame('Heartbeat', 2, o.frame.subarray(4));
    expect(reply).toEqual({
      correlationId: 9,
      body: { throttleTimeMs: 0, errorCode: ErrorCode.REBALANCE_IN_PROGRESS },
    });
  });

  test('a rejected handler closes the connection', async () => {
    const o = await dispatcher({ Heartbeat: () => Promise.reject(new Error('later boom')) }).dispatch(
      heartbeat(),
      CONN,
    );
    expect(o).toEqual({ kind: 'close', reason: 'Heartbeat failed: later boom' });
  });
});
