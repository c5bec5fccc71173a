// Golden request frames captured from real clients (kcat/librdkafka 2.0.2, confluent-kafka 1.7.0,
// kafka-python 2.0.2, kafkajs 2.2.4): each decodes with our schemas and re-encodes to the same bytes;
// the record sets inside Produce requests decode too; a few fields are checked by value.

import { ByteWriter } from '../../../../shared/src';
import { decodeRequestFrame } from '../../../../kafka-broker/src/protocol/frames';
import { isVersionSupported } from '../../../../kafka-broker/src/protocol/api-registry';
import { isBatchCrcValid } from '../../../../kafka-broker/src/protocol/batch-header';
import { CompressionType } from '../../../../kafka-broker/src/protocol/compression';
import {
  decodeMessageSet,
  encodeMessageSet,
  magicAt,
  readMessages,
  upConvertMessageSet,
} from '../../../../kafka-broker/src/protocol/legacy-message-set';
import {
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
} from '../../../../kafka-broker/src/protocol/record-batch';
import {
  decodeAnyRequest,
  produceRecords,
  readHex,
  requestFixtureNames,
  scenarioRecordSets,
} from './fixtures';

const names = requestFixtureNames();
const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));
const COMPRESSED_LINES = Array.from(
  { length: 40 },
  () => 'hello kafka compression payload hello kafka compression payload',
);

test('the fixture folder holds captures of every client', () => {
  for (const prefix of ['kcat-', 'ckp-', 'kafka-python-', 'kafkajs-']) {
    expect(names.filter((n) => n.startsWith(prefix)).length).toBeGreaterThan(5);
  }
});

describe.each(names)('%s', (name) => {
  const frame = readHex(name);

  test('decodes and re-encodes to the same bytes', () => {
    const req = decodeAnyRequest(frame);
    const w = new ByteWriter(frame.length);
    req.headerCodec.write(w, req.header);
    req.bodyCodec.write(w, req.body);
    expect(w.view().toString('hex')).toBe(frame.toString('hex'));
    expect(req.headerCodec.size(req.header) + req.bodyCodec.size(req.body)).toBe(frame.length);
  });

  test('is classified by the broker as a served request when its version is advertised', () => {
    const req = decodeAnyRequest(frame);
    const classified = decodeRequestFrame(frame);
    expect(classified.kind).toBe(
      isVersionSupported(req.api, req.version) ? 'request' : 'unsupported-version',
    );
    if (classified.kind === 'request') expect(classified.body).toEqual(req.body);
  });
});

describe('record sets inside captured Produce requests', () => {
  const produce = names.filter((n) => /-produce-v\d+/.test(n));

  test.each(produce)('%s decodes with valid checksums', (name) => {
    const { body } = decodeAnyRequest(readHex(name));
    for (const records of produceRecords(body)) {
      if (magicAt(records) === 2) {
        expect(isBatchCrcValid(records)).toBe(true);
        const batches = decodeRecordBatches(records);
        expect(batches.length).toBeGreaterThan(0);
        for (const b of batches) {
          if ((b.attributes & 7) === CompressionType.None)
            expect(encodeRecordBatch(b).equals(records)).toBe(true);
        }
      } else {
        expect(encodeMessageSet(decodeMessageSet(records)).equals(records)).toBe(true);
        const messages = readMessages(records);
        const { batch } = decodeRecordBatch(upConvertMessageSet(records));
        expect(batch.records.map((r) => text(r.value))).toEqual(messages.map((m) => text(m.value)));
      }
    }
  });

  test('kcat: ApiVersions v3 names the client software', () => {
    const { header, body } = decodeAnyRequest(readHex('kcat-produce-api-versions-v3.hex'));
    expect(header.clientId).toBe('rdkafka');
    expect(body).toEqual({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
  });

  test('kcat: Produce v7 carries uncompressed batches with the keyed lines', () => {
    expect(decodeAnyRequest(readHex('kcat-produce-produce-v7.hex')).body['acks']).toBe(-1);
    const batches = scenarioRecordSets('kcat-produce').flatMap((set) => decodeRecordBatches(set));
    expect(batches.every((b) => b.producerId === -1n && (b.attributes & 7) === CompressionType.None)).toBe(
      true,
    );
    expect(batches.flatMap((b) => b.records.map((r) => [text(r.key), text(r.value)]))).toEqual([
      ['key1', 'm1'],
      ['key1', 'm2'],
      ['key1', 'm3'],
    ]);
  });

  test('kcat: record headers', () => {
    const { body } = decodeAnyRequest(readHex('kcat-produce-headers-produce-v7.hex'));
    const { batch } = decodeRecordBatch(produceRecords(body)[0]!);
    expect(batch.records[0]!.headers.map((h) => [h.key, text(h.value)])).toEqual([
      ['h1', 'v1'],
      ['h2', 'v2'],
    ]);
  });

  test.each([
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ])('kcat: a %s batch decompresses to the produced lines', (codec, type) => {
    const batches = scenarioRecordSets(`kcat-produce-${codec}`).flatMap((set) => decodeRecordBatches(set));
    expect(batches.every((b) => (b.attributes & 7) === type)).toBe(true);
    expect(batches.flatMap((b) => b.records.map((r) => text(r.value)))).toEqual(COMPRESSED_LINES);
  });

  test('confluent-kafka idempotent producer: pid 1000, epoch 0, sequence 0 (as InitProducerId answered)', () => {
    const { body } = decodeAnyRequest(readHex('ckp-idempotent-produce-v7.hex'));
    const { batch } = decodeRecordBatch(produceRecords(body)[0]!);
    expect([batch.producerId, batch.producerEpoch, batch.baseSequence]).toEqual([1000n, 0, 0]);
  });

  test('kafka-python with api_version 0.8.2 sends magic-0 messages in Produce v0', () => {
    expect(decodeAnyRequest(readHex('kafka-python-magic0-produce-v0.hex')).version).toBe(0);
    const sets = scenarioRecordSets('kafka-python-magic0');
    expect(sets.every((set) => magicAt(set) === 0)).toBe(true);
    expect(
      sets.flatMap((set) => readMessages(set)).map((m) => [m.magic, text(m.key), text(m.value), m.timestamp]),
    ).toEqual([
      [0, 'k0', 'm0', -1n],
      [0, 'k1', 'm1', -1n],
      [0, 'k2', 'm2', -1n],
    ]);
  });

  test('kafka-python gzip magic 0 and 1: wrappers holding every message', () => {
    for (const [scenario, magic] of [
      ['kafka-python-magic0-gzip', 0],
      ['kafka-python-magic1-gzip', 1],
    ] as const) {
      for (const records of scenarioRecordSets(scenario)) {
        const entries = decodeMessageSet(records);
        expect(entries.every((e) => e.magic === magic && (e.attributes & 7) === CompressionType.Gzip)).toBe(
          true,
        );
        const messages = readMessages(records);
        expect(messages.length).toBeGreaterThanOrEqual(entries.length);
        expect(
          messages.every((m) => m.magic === magic && /^hello kafka compression \d$/.test(text(m.value)!)),
        ).toBe(true);
        if (magic === 1) expect(messages.every((m) => m.timestamp > 0n)).toBe(true);
        const { batch } = decodeRecordBatch(upConvertMessageSet(records));
        expect(batch.attributes & 7).toBe(CompressionType.Gzip);
        expect(batch.records.map((r) => text(r.value))).toEqual(messages.map((m) => text(m.value)));
      }
    }
  });

  test('kafka-python with api_version 0.10.1 sends magic-1 messages with timestamps in Produce v2', () => {
    const sent = scenarioRecordSets('kafka-python-magic1').flatMap((set) => readMessages(set));
    expect(sent.map((m) => [m.magic, text(m.key), text(m.value)])).toEqual([
      [1, 'k0', 'm0'],
      [1, 'k1', 'm1'],
      [1, 'k2', 'm2'],
    ]);
    expect(sent.every((m) => m.timestamp > 0n)).toBe(true);
  });
});

describe('flexible versions sent by real clients', () => {
  test('librdkafka OffsetFetch v7 (flexible, request header v2)', () => {
    const { header, body, bodyCodec, headerCodec } = decodeAnyRequest(
      readHex('kcat-group-flexible-offset-fetch-v7.hex'),
    );
    expect([bodyCodec.flexible, headerCodec.version]).toEqual([true, 2]);
    expect(header.clientId).toBe('rdkafka');
    expect(body).toMatchObject({
      groupId: 'g1',
      topics: [{ name: 't', partitionIndexes: [0] }],
      requireStable: true,
    });
  });

  test('librdkafka InitProducerId v4 (flexible)', () => {
    const { body, bodyCodec } = decodeAnyRequest(readHex('ckp-idempotent-flexible-init-producer-id-v4.hex'));
    expect(bodyCodec.flexible).toBe(true);
    expect(body).toEqual({
      transactionalId: null,
      transactionTimeoutMs: -1,
      producerId: -1n,
      producerEpoch: -1,
    });
  });

  test('kafkajs re-joins with the member id MEMBER_ID_REQUIRED gave it', () => {
    const first = decodeAnyRequest(readHex('kafkajs-consumer-join-group-v5.hex')).body;
    const second = decodeAnyRequest(readHex('kafkajs-consumer-join-group-v5-2.hex')).body;
    expect(first['memberId']).toBe('');
    expect(second['memberId']).toMatch(/^member-\d+$/);
    expect(second['protocols']).toEqual([expect.objectContaining({ name: 'RoundRobinAssigner' })]);
  });
});
