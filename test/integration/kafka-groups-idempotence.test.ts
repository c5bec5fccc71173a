// The idempotent producer against our broker registered in the real Apache ZooKeeper 3.8 (our own
// server where Debian's is absent): producer ids in blocks of 1000 from /latest_producer_id_block,
// sequence checks on the wire (a retried batch gets its original offset, a gap
// OUT_OF_ORDER_SEQUENCE_NUMBER, an old epoch INVALID_PRODUCER_EPOCH, producer id -1 unchecked),
// the producer state found again in the log after a restart, and a kafkajs idempotent producer
// whose connection is cut after the broker appended and before the answer arrives: every record
// ends up in the log exactly once.

import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ZkClient } from '../../shared/src';
import { buildRecordBatch, encodeRecordBatch, ErrorCode } from '../../kafka-broker/src/protocol';
import { findApacheZooKeeper, findOurServer } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { fetchWithKafkajs, RawKafkaConnection, readZnodeJson } from '../support/kafka-test-clients';
import { cleanupAllZkServers, freePort, startZkServer, ZkServer } from '../support/process-launcher';
import { ProduceCuttingProxy } from './kafka-groups-support';

jest.setTimeout(60_000);

const TOPIC = 'payments';
const zkKind = findApacheZooKeeper().ok ? 'apache' : 'ours';

let zkServer: ZkServer;
let broker: KafkaBroker;
let brokerPort: number;
let logDir: string;
let proxy: ProduceCuttingProxy;
let zk: ZkClient;
let raw: RawKafkaConnection;

async function startBroker(): Promise<KafkaBroker> {
  return startKafkaBroker({
    zookeeperConnect: zkServer.connectString,
    port: brokerPort,
    logDir,
    properties: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`, 'num.partitions': 1 },
  });
}

function batch(producerId: bigint, producerEpoch: number, baseSequence: number, values: string[]): Buffer {
  return encodeRecordBatch(
    buildRecordBatch(values.map((v) => ({ value: Buffer.from(v) })), {
      baseTimestamp: BigInt(Date.now()),
      producerId,
      producerEpoch,
      baseSequence,
    }),
  );
}

async function produce(records: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> {
  const r = await raw.request('Produce', 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }],
  });
  const p = r.responses[0]!.partitionResponses[0]!;
  return { errorCode: p.errorCode, baseOffset: p.baseOffset };
}

async function logEnd(): Promise<bigint> {
  const r = await raw.request('ListOffsets', 1, {
    replicaId: -1,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  return r.topics[0]!.partitions[0]!.offset;
}

async function initProducerId(version: number, transactionalId: string | null = null) {
  return raw.request('InitProducerId', version, { transactionalId, transactionTimeoutMs: 60_000 });
}

beforeAll(async () => {
  if (!findOurServer().ok) return;
  zkServer = await startZkServer({ kind: zkKind });
  logDir = mkdtempSync(path.join(os.tmpdir(), 'kafka-idempotence-'));
  brokerPort = await freePort();
  proxy = new ProduceCuttingProxy(brokerPort);
  await proxy.listen();
  broker = await startBroker();
  zk = await ZkClient.connect(zkServer.connectString);
  raw = await RawKafkaConnection.connect(broker.bootstrap);
  const created = await raw.request('CreateTopics', 3, {
    topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
});

afterAll(async () => {
  raw?.close();
  zk?.close();
  await proxy?.close();
  await cleanupAllKafkaBrokers();
  await cleanupAllZkServers();
  if (logDir !== undefined) rmSync(logDir, { recursive: true, force: true });
});

describe(`the idempotent producer (ZooKeeper: ${zkKind})`, () => {
  let pid: bigint;

  test('InitProducerId hands out ids from a block of 1000 claimed in /latest_producer_id_block', async () => {
    const a = await initProducerId(0);
    const b = await initProducerId(1);
    expect(a).toMatchObject({ errorCode: 0, producerId: 0n, producerEpoch: 0 });
    expect(b).toMatchObject({ errorCode: 0, producerId: 1n, producerEpoch: 0 });
    expect(await readZnodeJson(zk, '/latest_producer_id_block')).toEqual({
      version: 1,
      broker: broker.brokerId,
      block_start: '0',
      block_end: '999',
    });
    expect((await initProducerId(1, 'txn')).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    pid = b.producerId;
  });

  test('a retried batch gets its original offset and is not written twice; a gap is out of order', async () => {
    expect(await produce(batch(pid, 0, 0, ['a0', 'a1', 'a2']))).toEqual({ errorCode: 0, baseOffset: 0n });
    expect(await produce(batch(pid, 0, 0, ['a0', 'a1', 'a2']))).toEqual({ errorCode: 0, baseOffset: 0n });
    expect(await produce(batch(pid, 0, 3, ['a3', 'a4']))).toEqual({ errorCode: 0, baseOffset: 3n });
    expect(await produce(batch(pid, 0, 3, ['a3', 'a4']))).toEqual({ errorCode: 0, baseOffset: 3n });
    expect((await produce(batch(pid, 0, 7, ['gap']))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await produce(batch(99n, 0, 4, ['unknown']))).errorCode).toBe(ErrorCode.UNKNOWN_PRODUCER_ID);
    expect(await logEnd()).toBe(5n);
  });

  test('a new epoch starts at sequence 0 and fences the old one', async () => {
    expect((await produce(batch(pid, 1, 5, ['e1']))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce(batch(pid, 1, 0, ['e1-0']))).toEqual({ errorCode: 0, baseOffset: 5n });
    expect((await produce(batch(pid, 0, 5, ['e0-5']))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  test('batches without a producer id are appended every time', async () => {
    const anonymous = batch(-1n, 0, 0, ['kafkajs-style']);
    expect(await produce(anonymous)).toEqual({ errorCode: 0, baseOffset: 6n });
    expect(await produce(batch(-1n, 0, 0, ['kafkajs-style']))).toEqual({ errorCode: 0, baseOffset: 7n });
    expect(await logEnd()).toBe(8n);
  });

  test('after a restart the producer state is found in the log and a new id block is claimed', async () => {
    raw.close();
    await broker.stop();
    broker = await startBroker();
    raw = await RawKafkaConnection.connect(broker.bootstrap);
    expect(await produce(batch(pid, 1, 0, ['e1-0']))).toEqual({ errorCode: 0, baseOffset: 5n });
    expect((await produce(batch(pid, 0, 5, ['e0-5']))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await produce(batch(pid, 1, 1, ['e1-1']))).toEqual({ errorCode: 0, baseOffset: 8n });
    expect(await initProducerId(1)).toMatchObject({ errorCode: 0, producerId: 1000n });
    expect(await readZnodeJson(zk, '/latest_producer_id_block')).toMatchObject({ block_start: '1000', block_end: '1999' });
  });

  test('kafkajs retries batches whose answers were cut off, and the log holds each record once', async () => {
    const start = await logEnd();
    const kafka = new Kafka({
      clientId: 'idempotent-kafkajs',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 500 },
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const count = 40;
    try {
      proxy.cutsLeft = 3;
      for (let i = 0; i < count; i++) {
        await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `k${i}` }] });
      }
    } finally {
      await producer.disconnect();
    }
    expect(proxy.cuts).toBe(3);
    expect(await logEnd()).toBe(start + BigInt(count));
    const read = await fetchWithKafkajs(broker.bootstrap, TOPIC, 0, count, start);
    expect(read.map((m) => m.value!.toString())).toEqual(Array.from({ length: count }, (_, i) => `k${i}`));
  });
});
