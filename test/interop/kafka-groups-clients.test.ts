// Consumer groups and the idempotent producer with the Python clients Debian packages, run with
// Debian's python3: confluent-kafka (librdkafka 2.0.2: JoinGroup v5 with the MEMBER_ID_REQUIRED
// round trip, OffsetCommit v7, OffsetFetch v5) and kafka-python 2.0.2 (JoinGroup v2, OffsetCommit
// v2, OffsetFetch v1), each as three members of one group on a six-partition topic that lose one
// member; a group mixing kafkajs, confluent-kafka and kafka-python members; and a confluent-kafka
// producer with enable.idempotence=true whose connection is cut after the broker appended.
// ZooKeeper's /consumers/G is checked against the assignment and the commits at each stable point.

import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Admin, AssignerProtocol, Consumer, Kafka, logLevel, PartitionAssigners } from 'kafkajs';
import { ZkClient } from '../../shared/src';
import { describeWith, findConfluentKafkaPython, findKafkaPython, findOurServer } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { fetchWithKafkajs } from '../support/kafka-test-clients';
import { cleanupAllZkServers, freePort, startZkServer, ZkServer } from '../support/process-launcher';
import { waitFor } from '../support/wait-for';
import { describeGroup, expectZookeeperAgrees, groupLag, ProduceCuttingProxy } from '../integration/kafka-groups-support';

jest.setTimeout(60_000);

const PARTITIONS = 6;
const WAIT_MS = 25_000;

/** A consumer of either Python library: prints JSON lines, leaves the group when stdin closes. */
const CONSUMER_SCRIPT = `
import json, sys, threading
lib, bootstrap, topic, group = sys.argv[1:5]
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
def say(o): print(json.dumps(o), flush=True)
if lib == 'confluent':
    from confluent_kafka import Consumer
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                  'enable.auto.commit': True, 'auto.commit.interval.ms': 100, 'session.timeout.ms': 10000,
                  'heartbeat.interval.ms': 300, 'partition.assignment.strategy': 'roundrobin'})
    c.subscribe([topic])
    say({'ready': True})
    while not stop.is_set():
        m = c.poll(0.1)
        if m is None: continue
        if m.error(): say({'error': str(m.error())}); continue
        say({'value': m.value().decode(), 'partition': m.partition(), 'offset': m.offset()})
    c.close()
else:
    from kafka import KafkaConsumer
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest',
                      enable_auto_commit=True, auto_commit_interval_ms=100, session_timeout_ms=10000,
                      heartbeat_interval_ms=300, partition_assignment_strategy=[RoundRobinPartitionAssignor])
    say({'ready': True})
    while not stop.is_set():
        for tp, records in c.poll(timeout_ms=100).items():
            for m in records:
                say({'value': m.value.decode(), 'partition': m.partition, 'offset': m.offset})
    c.close()
say({'closed': True})
`;

const IDEMPOTENT_PRODUCER_SCRIPT = `
import json, sys
from confluent_kafka import Producer
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 5,
              'batch.num.messages': 20, 'retry.backoff.ms': 50})
failed, offsets = [], []
def report(err, msg):
    if err: failed.append(str(err))
    else: offsets.append(msg.offset())
for i in range(n):
    p.produce(topic, value=b'i%d' % i, partition=0, on_delivery=report)
    p.poll(0)
left = p.flush(30)
print(json.dumps({'left': left, 'failed': failed[:5], 'delivered': len(offsets)}))
`;

type Lib = 'confluent' | 'kafka-python';

let zkServer: ZkServer;
let broker: KafkaBroker;
let zk: ZkClient;
let kafka: Kafka;
let admin: Admin;
const running = new Set<ChildProcess>();
const kafkajsConsumers: Consumer[] = [];

/** One consumer process and what it has read so far. */
class PythonConsumer {
  readonly values: string[] = [];
  readonly errors: string[] = [];
  private out = '';
  private closedFlag = false;
  private readonly exited: Promise<number | null>;
  readonly child: ChildProcess;

  constructor(interpreter: string, lib: Lib, topic: string, group: string) {
    this.child = spawn(interpreter, ['-c', CONSUMER_SCRIPT, lib, broker.bootstrap, topic, group], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.add(this.child);
    this.child.stdout!.on('data', (chunk: Buffer) => this.onOutput(chunk.toString('utf8')));
    let stderr = '';
    this.child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        running.delete(this.child);
        if (code !== 0) this.errors.push(`exit ${code}: ${stderr}`);
        resolve(code);
      }),
    );
  }

  private onOutput(text: string): void {
    this.out += text;
    for (let nl = this.out.indexOf('\n'); nl >= 0; nl = this.out.indexOf('\n')) {
      const line = JSON.parse(this.out.slice(0, nl)) as { value?: string; error?: string; closed?: boolean };
      this.out = this.out.slice(nl + 1);
      if (line.value !== undefined) this.values.push(line.value);
      if (line.error !== undefined) this.errors.push(line.error);
      if (line.closed) this.closedFlag = true;
    }
  }

  /** Leaves the group (close() commits and sends LeaveGroup) and exits. */
  async stop(): Promise<void> {
    this.child.stdin!.end();
    const code = await this.exited;
    expect(this.closedFlag).toBe(true);
    expect(code).toBe(0);
  }
}

function kafkajs(): Kafka {
  return new Kafka({
    clientId: 'interop-groups',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

async function createTopic(topic: string): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
}

async function produce(topic: string, from: number, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    const messages = Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `${topic}-${from + i}` }));
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

async function stable(group: string, topic: string, members: number, perMember: number): Promise<Map<string, number[]>> {
  const d = await waitFor(
    async () => {
      const g = await describeGroup(admin, group, topic);
      const ok = g.state === 'Stable' && g.members.size === members && [...g.members.values()].every((p) => p.length === perMember);
      return ok ? g : undefined;
    },
    { description: `group ${group}: Stable, ${members} members with ${perMember} partitions each`, timeoutMs: WAIT_MS, intervalMs: 100 },
  );
  expect([...d.members.values()].flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
  return d.members;
}

async function consumedAndCommitted(group: string, topic: string, total: number, values: () => string[]): Promise<void> {
  await waitFor(
    async () => {
      if (values().length < total) return undefined;
      const lag = await groupLag(admin, group, topic);
      return lag.every((p) => p.lag === 0n) ? true : undefined;
    },
    { description: `${total} records of ${topic} consumed and committed by ${group}`, timeoutMs: WAIT_MS, intervalMs: 100 },
  );
}

function expectEachOnce(values: string[], topic: string, total: number): void {
  expect([...values].sort()).toEqual(Array.from({ length: total }, (_, i) => `${topic}-${i}`).sort());
}

/** Three consumers of one library; one leaves, the other two take over; each record read once. */
async function threeThenTwo(lib: Lib, interpreter: string): Promise<void> {
  const topic = `${lib}-topic`;
  const group = `${lib}-group`;
  await createTopic(topic);
  const members = [0, 1, 2].map(() => new PythonConsumer(interpreter, lib, topic, group));
  const all = (): string[] => members.flatMap((m) => m.values);
  try {
    const three = await stable(group, topic, 3, 2);
    await produce(topic, 0, 300);
    await consumedAndCommitted(group, topic, 300, all);
    await expectZookeeperAgrees(zk, admin, group, topic, PARTITIONS, three);

    await members[0]!.stop();
    const two = await stable(group, topic, 2, 3);
    await expectZookeeperAgrees(zk, admin, group, topic, PARTITIONS, two);
    await produce(topic, 300, 300);
    await consumedAndCommitted(group, topic, 600, all);
    await expectZookeeperAgrees(zk, admin, group, topic, PARTITIONS, two);
    expectEachOnce(all(), topic, 600);
  } finally {
    for (const m of members.slice(1)) await m.stop();
  }
  expect(members.flatMap((m) => m.errors)).toEqual([]);
}

const confluent = findConfluentKafkaPython();
const kafkaPython = findKafkaPython();

beforeAll(async () => {
  if (!findOurServer().ok || (!confluent.ok && !kafkaPython.ok)) return;
  zkServer = await startZkServer({ kind: 'ours' });
  broker = await startKafkaBroker({
    zookeeperConnect: zkServer.connectString,
    properties: { 'group.initial.rebalance.delay.ms': 500, 'group.min.session.timeout.ms': 1000 },
  });
  zk = await ZkClient.connect(zkServer.connectString);
  kafka = kafkajs();
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  for (const c of running) c.kill('SIGKILL');
  await Promise.allSettled(kafkajsConsumers.map((c) => c.disconnect()));
  await admin?.disconnect().catch(() => undefined);
  zk?.close();
  await cleanupAllKafkaBrokers();
  await cleanupAllZkServers();
});

describeWith('confluent-kafka consumers in a group', [findOurServer(), confluent], () => {
  test('three members get two partitions each; one leaves; every record is read once', async () => {
    await threeThenTwo('confluent', confluent.ok ? confluent.path : '');
  });
});

describeWith('kafka-python consumers in a group', [findOurServer(), kafkaPython], () => {
  test('three members get two partitions each; one leaves; every record is read once', async () => {
    await threeThenTwo('kafka-python', kafkaPython.ok ? kafkaPython.path : '');
  });
});

describeWith('one group of kafkajs, confluent-kafka and kafka-python members', [findOurServer(), confluent, kafkaPython], () => {
  test('the roundrobin protocol all three speak is chosen and each member gets two partitions', async () => {
    const topic = 'mixed-topic';
    const group = 'mixed-group';
    await createTopic(topic);
    // kafkajs' round robin under the name librdkafka and kafka-python use for theirs.
    const roundrobin: typeof PartitionAssigners.roundRobin = (config) => ({
      ...PartitionAssigners.roundRobin(config),
      name: 'roundrobin',
    });
    const jsValues: string[] = [];
    const consumer = kafka.consumer({ groupId: group, partitionAssigners: [roundrobin], heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    kafkajsConsumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void jsValues.push(message.value!.toString()) });
    const py = [
      new PythonConsumer(confluent.ok ? confluent.path : '', 'confluent', topic, group),
      new PythonConsumer(kafkaPython.ok ? kafkaPython.path : '', 'kafka-python', topic, group),
    ];
    const all = (): string[] => [...jsValues, ...py.flatMap((p) => p.values)];
    try {
      const three = await stable(group, topic, 3, 2);
      expect((await describeGroup(admin, group, topic)).protocol).toBe('roundrobin');
      const clientIds = (await admin.describeGroups([group])).groups[0]!.members.map((m) => m.clientId).sort();
      expect(clientIds).toEqual(['interop-groups', expect.stringMatching(/^kafka-python/), 'rdkafka']);
      await produce(topic, 0, 300);
      await consumedAndCommitted(group, topic, 300, all);
      await expectZookeeperAgrees(zk, admin, group, topic, PARTITIONS, three);
      expectEachOnce(all(), topic, 300);
      // Every member owns what it was assigned: check one assignment decodes the kafkajs way too.
      const { groups } = await admin.describeGroups([group]);
      const jsMember = groups[0]!.members.find((m) => m.clientId === 'interop-groups')!;
      expect(Object.values(AssignerProtocol.MemberAssignment.decode(jsMember.memberAssignment)!.assignment).flat()).toHaveLength(2);
    } finally {
      for (const p of py) await p.stop();
      await consumer.disconnect();
    }
  });
});

describeWith('the confluent-kafka idempotent producer', [findOurServer(), confluent], () => {
  let proxied: KafkaBroker;
  let proxy: ProduceCuttingProxy;
  let logDir: string;

  afterAll(async () => {
    await proxy?.close();
    await proxied?.stop();
    if (logDir !== undefined) rmSync(logDir, { recursive: true, force: true });
  });

  test('retries batches whose answers were cut off; the log holds every record once', async () => {
    const port = await freePort();
    proxy = new ProduceCuttingProxy(port);
    await proxy.listen();
    logDir = mkdtempSync(path.join(os.tmpdir(), 'kafka-idempotent-py-'));
    proxied = await startKafkaBroker({
      zookeeperConnect: `${zkServer.connectString}/idempotence`,
      port,
      logDir,
      name: 'proxied',
      properties: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` },
    });
    const count = 2000;
    proxy.cutsLeft = 3;
    // Not spawnSync: the proxy runs in this process and must keep forwarding meanwhile.
    const r = await runPython(confluent.ok ? confluent.path : '', [IDEMPOTENT_PRODUCER_SCRIPT, proxied.bootstrap, 'exactly-once', String(count)]);
    const report = JSON.parse(r.trim().split('\n').pop()!) as { left: number; failed: string[]; delivered: number };
    expect(report).toEqual({ left: 0, failed: [], delivered: count });
    expect(proxy.cuts).toBe(3);
    const read = await fetchWithKafkajs(proxied.bootstrap, 'exactly-once', 0, count);
    expect(read.map((m) => m.value!.toString())).toEqual(Array.from({ length: count }, (_, i) => `i${i}`));
    const end = await kafkajsEnd(proxied.bootstrap, 'exactly-once');
    expect(end).toBe(BigInt(count));
  });
});

/** Runs a Python script to its end; rejects on a non-zero exit. Output is stdout. */
function runPython(interpreter: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(interpreter, ['-c', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-4000)));
    child.on('exit', (code) => {
      running.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`python exited ${code}: ${err}`));
    });
  });
}

async function kafkajsEnd(bootstrap: string, topic: string): Promise<bigint> {
  const a = new Kafka({ clientId: 'end', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await a.connect();
  try {
    return BigInt((await a.fetchTopicOffsets(topic)).find((p) => p.partition === 0)!.high);
  } finally {
    await a.disconnect();
  }
}
