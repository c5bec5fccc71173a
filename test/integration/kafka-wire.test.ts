// The broker process on the wire, through a raw connection on our own codecs: the error codes each
// API answers (unknown topic or partition, invalid topic, record too large, corrupt batch, invalid
// acks, offset out of range, topic admin errors), what closes a connection (unknown key,
// unsupported version, oversized or malformed request, a failed acks=0 produce), ApiVersions'
// UNSUPPORTED_VERSION reply, pipelined requests answered in order, long-polling fetches, old
// producers' magic 0/1 message sets and old fetchers' down-conversion, zstd version rules,
// ListOffsets, CreatePartitions and DescribeConfigs.

import { ByteWriter } from '../../shared/src';
import {
  buildRecordBatch,
  CompressionType,
  decodeMessageSet,
  decodeRecordBatches,
  decodeResponseFrame,
  encodeMessageSet,
  encodeRecordBatch,
  ErrorCode,
  loadZstdCompressor,
  magicAt,
  ProducerRecord,
} from '../../kafka-broker/src/protocol';
import { findOurServer } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { RawKafkaConnection } from '../support/kafka-test-clients';
import { cleanupAllZkServers, startZkServer, ZkServer } from '../support/process-launcher';
import { waitFor } from '../support/wait-for';

jest.setTimeout(30_000);

const MESSAGE_MAX_BYTES = 20_000;
const REQUEST_MAX_BYTES = 1_048_576;

let zkServer: ZkServer;
let broker: KafkaBroker;
let conn: RawKafkaConnection;

const ours = findOurServer();
(ours.ok ? describe : describe.skip)('broker on the wire', () => {
  beforeAll(async () => {
    zkServer = await startZkServer({ kind: 'ours' });
    broker = await startKafkaBroker({
      zookeeperConnect: `${zkServer.connectString}/kafka-wire`,
      properties: {
        'message.max.bytes': MESSAGE_MAX_BYTES,
        'socket.request.max.bytes': REQUEST_MAX_BYTES,
        'auto.create.topics.enable': false,
      },
    });
    conn = await RawKafkaConnection.connect(broker.bootstrap);
    const created = await conn.request('CreateTopics', 3, {
      topics: [
        { name: 'wire', numPartitions: 2, replicationFactor: 1 },
        { name: 'legacy', numPartitions: 1, replicationFactor: 1 },
      ],
      timeoutMs: 10_000,
    });
    expect(created.topics.map((t) => t.errorCode)).toEqual([0, 0]);
  });

  afterAll(async () => {
    conn?.close();
    await cleanupAllKafkaBrokers();
    await cleanupAllZkServers();
  });

  const batch = (records: ProducerRecord[], compression: number = CompressionType.None): Buffer =>
    encodeRecordBatch(buildRecordBatch(records, { baseTimestamp: BigInt(Date.now()), compression }));
  const values = (...v: string[]): ProducerRecord[] => v.map((s) => ({ value: Buffer.from(s) }));

  async function produce(
    topic: string,
    partition: number,
    records: Buffer,
    acks = -1,
    version = 7,
  ): Promise<{ errorCode: number; baseOffset: bigint }> {
    const r = await conn.request('Produce', version, {
      acks,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    });
    return r.responses[0]!.partitionResponses[0]!;
  }

  async function fetch(topic: string, partition: number, fetchOffset: bigint, version = 11, maxWaitMs = 0) {
    const r = await conn.request('Fetch', version, {
      replicaId: -1,
      maxWaitMs,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: 1 << 20 }] }],
    });
    return r.responses[0]!.partitions[0]!;
  }

  describe('connection rules', () => {
    test('ApiVersions of an unknown version gets the v0 UNSUPPORTED_VERSION reply with our ranges', async () => {
      const w = new ByteWriter(64);
      const at = w.reserve(4);
      w.int16(18).int16(9).int32(77).int16(4).utf8('test').uvarint(0).uvarint(0);
      w.patchInt32(at, w.offset - 4);
      const frame = await conn.requestFrame(Buffer.from(w.view()));
      const reply = decodeResponseFrame('ApiVersions', 0, frame);
      expect(reply.correlationId).toBe(77);
      expect(reply.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect(reply.body.apiKeys.find((k) => k.apiKey === 18)).toEqual({
        apiKey: 18,
        minVersion: 0,
        maxVersion: 3,
      });
    });

    test('ApiVersions v3 lists every served API', async () => {
      const reply = await conn.request('ApiVersions', 3, {
        clientSoftwareName: 'raw-test',
        clientSoftwareVersion: '1.0',
      });
      expect(reply.errorCode).toBe(0);
      expect(reply.apiKeys.find((k) => k.apiKey === 0)).toEqual({ apiKey: 0, minVersion: 0, maxVersion: 7 });
      const bad = await conn.request('ApiVersions', 3, {
        clientSoftwareName: '-bad-',
        clientSoftwareVersion: '1.0',
      });
      expect(bad.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    });

    test.each([
      ['an unsupported Metadata version', () => headerOnly(3, 12)],
      ['an unknown API key', () => headerOnly(999, 0)],
      ['a malformed body', () => framed(Buffer.from([0, 3, 0, 1, 0, 0, 0, 5, 0xff, 0xff, 0x01]))],
      ['a request above socket.request.max.bytes', () => Buffer.from([0x40, 0, 0, 0, 0, 1, 2, 3])],
    ])('%s closes that connection only', async (_what, bytes) => {
      const victim = await RawKafkaConnection.connect(broker.bootstrap);
      victim.writeRaw(bytes());
      await victim.waitClosed();
      const md = await conn.request('Metadata', 1, { topics: null });
      expect(md.brokers).toHaveLength(1);
    });

    test('pipelined requests are answered in order', async () => {
      const replies = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2 === 0
            ? conn.request('Metadata', 1, { topics: [{ name: 'wire' }] })
            : conn.request('ListOffsets', 1, {
                replicaId: -1,
                topics: [{ name: 'wire', partitions: [{ partitionIndex: 0, timestamp: -2n }] }],
              }),
        ),
      );
      replies.forEach((r, i) => expect('brokers' in r).toBe(i % 2 === 0));
    });

    test('acks=0 gets no response; a failed one closes the connection', async () => {
      const c = await RawKafkaConnection.connect(broker.bootstrap);
      c.sendOnly('Produce', 7, {
        acks: 0,
        timeoutMs: 1000,
        topicData: [
          { name: 'wire', partitionData: [{ index: 1, records: batch(values('fire and forget')) }] },
        ],
      });
      const md = await c.request('Metadata', 1, { topics: [{ name: 'wire' }] });
      expect(md.topics[0]!.name).toBe('wire');
      const p = await fetch('wire', 1, 0n);
      expect(
        decodeRecordBatches(p.records!).flatMap((b) => b.records.map((r) => r.value!.toString())),
      ).toContain('fire and forget');
      c.sendOnly('Produce', 7, {
        acks: 0,
        timeoutMs: 1000,
        topicData: [{ name: 'no-such-topic', partitionData: [{ index: 0, records: batch(values('x')) }] }],
      });
      await c.waitClosed();
    });
  });

  describe('error codes', () => {
    test('Produce: unknown topic or partition, invalid acks, record too large, corrupt batch', async () => {
      expect((await produce('no-such-topic', 0, batch(values('a')))).errorCode).toBe(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
      expect((await produce('wire', 7, batch(values('a')))).errorCode).toBe(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
      expect((await produce('wire', 0, batch(values('a')), 2)).errorCode).toBe(
        ErrorCode.INVALID_REQUIRED_ACKS,
      );
      const big = batch([{ value: Buffer.alloc(MESSAGE_MAX_BYTES + 1, 1) }]);
      expect((await produce('wire', 0, big)).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
      const corrupt = batch(values('will be damaged'));
      corrupt[corrupt.length - 3] ^= 0xff;
      expect((await produce('wire', 0, corrupt)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
      expect((await fetch('wire', 0, 0n)).highWatermark).toBe(0n);
    });

    test('Fetch: offset out of range, unknown partition', async () => {
      expect((await produce('wire', 0, batch(values('one', 'two')))).errorCode).toBe(0);
      expect((await fetch('wire', 0, 99n)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
      expect((await fetch('wire', 5, 0n)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });

    test('Metadata: invalid and unknown topics (auto-creation disabled)', async () => {
      const md = await conn.request('Metadata', 4, {
        topics: [{ name: 'bad name!' }, { name: 'missing' }],
        allowAutoTopicCreation: true,
      });
      expect(md.topics.map((t) => [t.name, t.errorCode])).toEqual([
        ['bad name!', ErrorCode.INVALID_TOPIC_EXCEPTION],
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
    });

    test('CreateTopics: exists, bad name, partitions, replication factor, config', async () => {
      const r = await conn.request('CreateTopics', 3, {
        topics: [
          { name: 'wire', numPartitions: 1, replicationFactor: 1 },
          { name: 'bad/name', numPartitions: 1, replicationFactor: 1 },
          { name: 'zero', numPartitions: 0, replicationFactor: 1 },
          { name: 'rf3', numPartitions: 1, replicationFactor: 3 },
          {
            name: 'cfg',
            numPartitions: 1,
            replicationFactor: 1,
            configs: [{ name: 'no.such.config', value: '1' }],
          },
        ],
        timeoutMs: 5000,
      });
      expect(r.topics.map((t) => t.errorCode)).toEqual([
        ErrorCode.TOPIC_ALREADY_EXISTS,
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        ErrorCode.INVALID_PARTITIONS,
        ErrorCode.INVALID_REPLICATION_FACTOR,
        ErrorCode.INVALID_CONFIG,
      ]);
    });

    test('DeleteTopics of an unknown topic', async () => {
      const r = await conn.request('DeleteTopics', 1, { topicNames: ['nope'], timeoutMs: 1000 });
      expect(r.responses[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });
  });

  describe('record formats', () => {
    test('magic 0 and 1 message sets are stored as v2 and served back to old fetchers', async () => {
      const m1 = encodeMessageSet([
        {
          offset: 0n,
          magic: 1,
          attributes: 0,
          timestamp: 1_700_000_000_000n,
          key: Buffer.from('k1'),
          value: Buffer.from('v1'),
        },
        {
          offset: 1n,
          magic: 1,
          attributes: 0,
          timestamp: 1_700_000_000_001n,
          key: null,
          value: Buffer.from('v2'),
        },
      ]);
      const m0 = encodeMessageSet([
        {
          offset: 0n,
          magic: 0,
          attributes: 0,
          timestamp: -1n,
          key: Buffer.from('k0'),
          value: Buffer.from('v0'),
        },
      ]);
      expect(await produce('legacy', 0, m1, 1, 2)).toMatchObject({ errorCode: 0, baseOffset: 0n });
      expect(await produce('legacy', 0, m0, 1, 0)).toMatchObject({ errorCode: 0, baseOffset: 2n });
      const v11 = await fetch('legacy', 0, 0n, 11);
      expect(magicAt(v11.records!)).toBe(2);
      expect(
        decodeRecordBatches(v11.records!).flatMap((b) => b.records.map((r) => r.value!.toString())),
      ).toEqual(['v1', 'v2', 'v0']);
      const v3 = await fetch('legacy', 0, 0n, 3);
      expect(
        decodeMessageSet(v3.records!).map((m) => [
          m.magic,
          m.offset,
          m.key?.toString() ?? null,
          m.value!.toString(),
        ]),
      ).toEqual([
        [1, 0n, 'k1', 'v1'],
        [1, 1n, null, 'v2'],
        [1, 2n, 'k0', 'v0'],
      ]);
      const v0 = await fetch('legacy', 0, 1n, 0);
      expect(decodeMessageSet(v0.records!).map((m) => [m.magic, m.offset])).toEqual([
        [0, 0n],
        [0, 1n],
        [0, 2n],
      ]);
    });

    test('zstd needs Produce v7 and Fetch v10', async () => {
      const zstd = await loadZstdCompressor();
      const z = encodeRecordBatch(
        buildRecordBatch(values('z1', 'z2'), { baseTimestamp: 0n, compression: CompressionType.Zstd }),
        { zstd },
      );
      expect((await produce('wire', 1, z, -1, 3)).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
      const at = await produce('wire', 1, z, -1, 7);
      expect(at.errorCode).toBe(0);
      expect((await fetch('wire', 1, at.baseOffset, 9)).errorCode).toBe(
        ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      );
      const v10 = await fetch('wire', 1, at.baseOffset, 10);
      expect(
        decodeRecordBatches(v10.records!).flatMap((b) => b.records.map((r) => r.value!.toString())),
      ).toEqual(['z1', 'z2']);
    });
  });

  describe('fetch, offsets and admin', () => {
    test('a long-polling fetch returns as soon as a record arrives', async () => {
      const end = (await fetch('wire', 0, 0n)).highWatermark;
      const poller = await RawKafkaConnection.connect(broker.bootstrap);
      const started = Date.now();
      const polled = poller.request('Fetch', 11, {
        replicaId: -1,
        maxWaitMs: 10_000,
        minBytes: 1,
        maxBytes: 1 << 20,
        topics: [
          { topic: 'wire', partitions: [{ partition: 0, fetchOffset: end, partitionMaxBytes: 1 << 20 }] },
        ],
      });
      await produce('wire', 0, batch(values('wake up')));
      const r = await polled;
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(
        decodeRecordBatches(r.responses[0]!.partitions[0]!.records!)[0]!.records[0]!.value!.toString(),
      ).toBe('wake up');
      const emptyStart = Date.now();
      const idle = await fetch('wire', 0, end + 1n, 11, 300);
      expect(Date.now() - emptyStart).toBeGreaterThanOrEqual(250);
      expect(idle.records!.length).toBe(0);
      poller.close();
    });

    test('ListOffsets: earliest, latest, by timestamp, and v0', async () => {
      await produce(
        'wire',
        1,
        encodeRecordBatch(
          buildRecordBatch([{ value: Buffer.from('t'), timestamp: 4_000_000_000_000n }], {
            baseTimestamp: 4_000_000_000_000n,
          }),
        ),
      );
      const hw = (await fetch('wire', 1, 0n)).highWatermark;
      const list = async (timestamp: bigint) =>
        (
          await conn.request('ListOffsets', 2, {
            replicaId: -1,
            isolationLevel: 1,
            topics: [{ name: 'wire', partitions: [{ partitionIndex: 1, timestamp }] }],
          })
        ).topics[0]!.partitions[0]!;
      expect((await list(-2n)).offset).toBe(0n);
      expect((await list(-1n)).offset).toBe(hw);
      expect(await list(4_000_000_000_000n)).toMatchObject({
        offset: hw - 1n,
        timestamp: 4_000_000_000_000n,
      });
      expect((await list(5_000_000_000_000n)).offset).toBe(-1n);
      const v0 = await conn.request('ListOffsets', 0, {
        replicaId: -1,
        topics: [{ name: 'wire', partitions: [{ partitionIndex: 1, timestamp: -1n, maxNumOffsets: 1 }] }],
      });
      expect(v0.topics[0]!.partitions[0]!.oldStyleOffsets).toEqual([hw]);
    });

    test('CreatePartitions adds partitions that get leaders', async () => {
      const r = await conn.request('CreatePartitions', 1, {
        topics: [{ name: 'wire', count: 4, assignments: null }],
        timeoutMs: 10_000,
        validateOnly: false,
      });
      expect(r.results[0]!.errorCode).toBe(0);
      const md = await conn.request('Metadata', 1, { topics: [{ name: 'wire' }] });
      expect(md.topics[0]!.partitions.map((p) => [p.partitionIndex, p.leaderId])).toEqual([
        [0, 0],
        [1, 0],
        [2, 0],
        [3, 0],
      ]);
      const again = await conn.request('CreatePartitions', 1, {
        topics: [{ name: 'wire', count: 2, assignments: null }],
        timeoutMs: 1000,
        validateOnly: false,
      });
      expect(again.results[0]!.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    });

    test('DescribeConfigs of a topic and of the broker', async () => {
      await conn.request('CreateTopics', 3, {
        topics: [
          {
            name: 'configured',
            numPartitions: 1,
            replicationFactor: 1,
            configs: [{ name: 'retention.ms', value: '1000' }],
          },
        ],
        timeoutMs: 5000,
      });
      const r = await conn.request('DescribeConfigs', 1, {
        resources: [
          {
            resourceType: 2,
            resourceName: 'configured',
            configurationKeys: ['retention.ms', 'max.message.bytes'],
          },
          { resourceType: 4, resourceName: '0', configurationKeys: ['message.max.bytes'] },
          { resourceType: 2, resourceName: 'nope', configurationKeys: null },
        ],
        includeSynonyms: false,
      });
      expect(r.results[0]!.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
        ['max.message.bytes', String(MESSAGE_MAX_BYTES), 4],
        ['retention.ms', '1000', 1],
      ]);
      expect(r.results[1]!.configs.map((c) => [c.name, c.value])).toEqual([
        ['message.max.bytes', String(MESSAGE_MAX_BYTES)],
      ]);
      expect(r.results[2]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });

    test('the chroot of zookeeper.connect holds the cluster', async () => {
      const { ZkClient } = await import('../../shared/src');
      const zk = await ZkClient.connect(zkServer.connectString);
      try {
        await waitFor(() => zk.exists('/kafka-wire/brokers/topics/wire').then((s) => s !== null), {
          description: 'chrooted topic znode',
        });
        expect(await zk.exists('/brokers')).toBeNull();
      } finally {
        zk.close();
      }
    });
  });
});

/** A request header (v1, client id "t") with no body. */
function headerOnly(apiKey: number, apiVersion: number): Buffer {
  const w = new ByteWriter(32);
  w.int16(apiKey).int16(apiVersion).int32(5).int16(1).utf8('t');
  return framed(Buffer.from(w.view()));
}

function framed(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}
