// The Python clients Debian packages, run with Debian's own python3, against the broker:
// confluent-kafka (librdkafka) and kafka-python (ApiVersions v0 probe, pipelined Metadata v0, then
// Produce v7 / Fetch v4 on the versions it infers), each producing keyed records with acks=all and
// reading them back with assigned partitions (no consumer group: the broker has no coordinator yet).

import { spawnSync } from 'node:child_process';
import {
  describeWith,
  findConfluentKafkaPython,
  findKafkaPython,
  findOurServer,
} from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { cleanupAllZkServers, startZkServer, ZkServer } from '../support/process-launcher';

jest.setTimeout(60_000);

const PYTHON_TIMEOUT_MS = 45_000;
const RECORDS = 300;

const CONFLUENT_SCRIPT = `
import json, sys
from confluent_kafka import Producer, Consumer, TopicPartition, OFFSET_BEGINNING
b, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({'bootstrap.servers': b, 'acks': 'all', 'compression.type': 'lz4'})
failed = []
for i in range(n):
    p.produce(topic, value=b'm%d' % i, key=b'k%d' % i, partition=i % 2,
              on_delivery=lambda err, msg: err and failed.append(str(err)))
    p.poll(0)
assert p.flush(30) == 0 and not failed, failed
c = Consumer({'bootstrap.servers': b, 'group.id': 'unused', 'enable.auto.commit': False,
              'enable.partition.eof': True})
c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING), TopicPartition(topic, 1, OFFSET_BEGINNING)])
got, eof = [], set()
while len(eof) < 2:
    m = c.poll(10)
    if m is None: raise SystemExit('timed out after %d records' % len(got))
    if m.error():
        if m.error().code() == -191: eof.add(m.partition()); continue
        raise SystemExit(str(m.error()))
    got.append([m.partition(), m.offset(), m.key().decode(), m.value().decode()])
c.close()
print(json.dumps(got))
`;

const KAFKA_PYTHON_SCRIPT = `
import json, sys
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
b, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = KafkaProducer(bootstrap_servers=b, acks='all', compression_type='gzip')
futures = [p.send(topic, value=b'm%d' % i, key=b'k%d' % i, partition=i % 2) for i in range(n)]
p.flush()
offsets = [f.get(timeout=10).offset for f in futures]
p.close()
c = KafkaConsumer(bootstrap_servers=b, group_id=None, enable_auto_commit=False, consumer_timeout_ms=5000)
c.assign([TopicPartition(topic, 0), TopicPartition(topic, 1)])
c.seek_to_beginning()
got = []
for m in c:
    got.append([m.partition, m.offset, m.key.decode(), m.value.decode()])
    if len(got) >= n: break
c.close()
print(json.dumps({'offsets': offsets, 'got': got}))
`;

let zkServer: ZkServer;
let broker: KafkaBroker;

function python(interpreter: string, script: string, topic: string): unknown {
  const r = spawnSync(interpreter, ['-c', script, broker.bootstrap, topic, String(RECORDS)], {
    encoding: 'utf8',
    timeout: PYTHON_TIMEOUT_MS,
  });
  if (r.status !== 0)
    throw new Error(`python exited ${r.status} ${r.signal ?? ''}:\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** What each client should read back: partition i % 2, offsets 0.. per partition, in order. */
function expected(): [number, number, string, string][] {
  const out: [number, number, string, string][] = [];
  for (const partition of [0, 1]) {
    let offset = 0;
    for (let i = partition; i < RECORDS; i += 2) out.push([partition, offset++, `k${i}`, `m${i}`]);
  }
  return out;
}

function byPartitionThenOffset(rows: [number, number, string, string][]): [number, number, string, string][] {
  return [...rows].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

const confluent = findConfluentKafkaPython();
const kafkaPython = findKafkaPython();

describe('Python clients against the broker', () => {
  beforeAll(async () => {
    if (!findOurServer().ok || (!confluent.ok && !kafkaPython.ok)) return;
    zkServer = await startZkServer({ kind: 'ours' });
    broker = await startKafkaBroker({
      zookeeperConnect: zkServer.connectString,
      properties: { 'num.partitions': 2 },
    });
  });

  afterAll(async () => {
    await cleanupAllKafkaBrokers();
    await cleanupAllZkServers();
  });

  describeWith('confluent-kafka', [findOurServer(), confluent], () => {
    test('produces with acks=all and consumes assigned partitions', () => {
      const got = python(confluent.ok ? confluent.path : '', CONFLUENT_SCRIPT, 'py-confluent') as [
        number,
        number,
        string,
        string,
      ][];
      expect(byPartitionThenOffset(got)).toEqual(expected());
    });
  });

  describeWith('kafka-python', [findOurServer(), kafkaPython], () => {
    test('produces with acks=all and consumes assigned partitions', () => {
      const r = python(kafkaPython.ok ? kafkaPython.path : '', KAFKA_PYTHON_SCRIPT, 'py-kafka-python') as {
        offsets: number[];
        got: [number, number, string, string][];
      };
      expect(r.offsets).toEqual(Array.from({ length: RECORDS }, (_, i) => Math.floor(i / 2)));
      expect(byPartitionThenOffset(r.got)).toEqual(expected());
    });
  });
});
