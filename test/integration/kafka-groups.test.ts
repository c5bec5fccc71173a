// Consumer groups with kafkajs against our broker and our ZooKeeper-compatible server: three
// consumers of one group share a six-partition topic two partitions each; one leaves and the other
// two take its partitions over; every record is consumed once; at each stable point ZooKeeper's
// /consumers/G/{ids,owners,offsets} agree with the assignment DescribeGroups shows and the commits
// OffsetFetch shows. Then the lag an admin tool computes, a broker restart after which a new
// consumer resumes at the committed offsets, ListGroups and DeleteGroups.

import { Admin, Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { ZkClient } from '../../shared/src';
import { findOurServer } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { cleanupAllZkServers, startZkServer, ZkServer } from '../support/process-launcher';
import { waitFor } from '../support/wait-for';
import { describeGroup, expectZookeeperAgrees, groupLag, readGroupZnodes } from './kafka-groups-support';

jest.setTimeout(60_000);

const TOPIC = 'orders';
const GROUP = 'billing';
const PARTITIONS = 6;
const WAIT_MS = 20_000;

let zkServer: ZkServer;
let broker: KafkaBroker;
let zk: ZkClient;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];
/** value -> times consumed, over every consumer of the group. */
const consumed = new Map<string, number>();
let produced = 0;

function client(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'groups-test',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

async function startConsumer(k: Kafka): Promise<Consumer> {
  const c = k.consumer({
    groupId: GROUP,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 200,
  });
  await c.connect();
  await c.subscribe({ topic: TOPIC, fromBeginning: true });
  await c.run({
    eachMessage: async ({ message }) => {
      const v = message.value!.toString();
      consumed.set(v, (consumed.get(v) ?? 0) + 1);
    },
  });
  consumers.push(c);
  return c;
}

async function produce(count: number): Promise<void> {
  const messages = Array.from({ length: count }, (_, i) => ({ key: `k${produced + i}`, value: `m${produced + i}` }));
  produced += count;
  await producer.send({ topic: TOPIC, acks: -1, messages });
}

/** Waits for a Stable group of `members` members holding `perMember` partitions each. */
async function stableWith(members: number, perMember: number): Promise<Map<string, number[]>> {
  const d = await waitFor(
    async () => {
      const g = await describeGroup(admin, GROUP, TOPIC);
      const ok = g.state === 'Stable' && g.members.size === members && [...g.members.values()].every((p) => p.length === perMember);
      return ok ? g : undefined;
    },
    { description: `a Stable group of ${members} members with ${perMember} partitions each`, timeoutMs: WAIT_MS, intervalMs: 100 },
  );
  expect(d.protocol).toBe('RoundRobinAssigner');
  return d.members;
}

/** Waits until every produced record was consumed and every partition's commit reached the log end. */
async function allConsumedAndCommitted(): Promise<void> {
  await waitFor(
    async () => {
      if (consumed.size < produced) return undefined;
      const lag = await groupLag(admin, GROUP, TOPIC);
      return lag.every((p) => p.lag === 0n) ? true : undefined;
    },
    { description: `all ${produced} records consumed and committed`, timeoutMs: WAIT_MS, intervalMs: 100 },
  );
}

async function zookeeperAgrees(assignment: Map<string, number[]>): Promise<void> {
  await expectZookeeperAgrees(zk, admin, GROUP, TOPIC, PARTITIONS, assignment);
}

beforeAll(async () => {
  if (!findOurServer().ok) return;
  zkServer = await startZkServer({ kind: 'ours' });
  broker = await startKafkaBroker({
    zookeeperConnect: zkServer.connectString,
    properties: { 'group.initial.rebalance.delay.ms': 500, 'group.min.session.timeout.ms': 1000 },
  });
  zk = await ZkClient.connect(zkServer.connectString);
  kafka = client(broker.bootstrap);
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true });
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await Promise.allSettled(consumers.map((c) => c.disconnect()));
  await producer?.disconnect().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
  zk?.close();
  await cleanupAllKafkaBrokers();
  await cleanupAllZkServers();
});

describe('a consumer group of kafkajs consumers', () => {
  test('three consumers share six partitions; one leaves and the other two take over; nothing is read twice', async () => {
    for (let i = 0; i < 3; i++) await startConsumer(kafka);
    const three = await stableWith(3, 2);
    expect([...three.values()].flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await produce(600);
    await allConsumedAndCommitted();
    await zookeeperAgrees(three);

    const leaving = consumers.shift()!;
    await leaving.disconnect();
    const two = await stableWith(2, 3);
    expect([...two.values()].flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await zookeeperAgrees(two);
    await produce(300);
    await allConsumedAndCommitted();
    await zookeeperAgrees(two);

    expect(consumed.size).toBe(900);
    expect([...consumed.values()].every((n) => n === 1)).toBe(true);
  });

  test('an admin sees the group and its lag through DescribeGroups, OffsetFetch and ListOffsets', async () => {
    const listed = await admin.listGroups();
    expect(listed.groups).toContainEqual({ groupId: GROUP, protocolType: 'consumer' });
    for (const c of consumers.splice(0)) await c.disconnect();
    await waitFor(async () => (await describeGroup(admin, GROUP, TOPIC)).state === 'Empty', {
      description: 'the group to be Empty',
    });
    await produce(60);
    const lag = await groupLag(admin, GROUP, TOPIC);
    expect(lag.reduce((sum, p) => sum + p.lag, 0n)).toBe(60n);
    for (const p of lag) expect(p.committed).toBe(p.end - p.lag);
    // Owners and registrations go with the members (written after the answers); the offsets stay.
    const z = await waitFor(
      async () => {
        const z = await readGroupZnodes(zk, GROUP, TOPIC);
        return z.ids.size === 0 && z.owners.size === 0 ? z : undefined;
      },
      { description: 'the registrations and owners to leave ZooKeeper' },
    );
    expect(z.offsets.size).toBe(PARTITIONS);
  });

  test('after a broker restart a new consumer resumes at the committed offsets', async () => {
    const before = await groupLag(admin, GROUP, TOPIC);
    await producer.disconnect();
    await admin.disconnect();
    await broker.stop();
    broker = await broker.restart();
    kafka = client(broker.bootstrap);
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
    expect(await groupLag(admin, GROUP, TOPIC)).toEqual(before);

    const firstOffsets = new Map<number, bigint>();
    const resumed = kafka.consumer({ groupId: GROUP, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    consumers.push(resumed);
    await resumed.connect();
    await resumed.subscribe({ topic: TOPIC, fromBeginning: true });
    await resumed.run({
      eachMessage: async ({ partition, message }) => {
        if (!firstOffsets.has(partition)) firstOffsets.set(partition, BigInt(message.offset));
        const v = message.value!.toString();
        consumed.set(v, (consumed.get(v) ?? 0) + 1);
      },
    });
    await allConsumedAndCommitted();
    for (const p of before.filter((b) => b.lag > 0n)) expect(firstOffsets.get(p.partition)).toBe(p.committed);
    expect(consumed.size).toBe(produced);
    expect([...consumed.values()].every((n) => n === 1)).toBe(true);
  });

  test('DeleteGroups refuses a group with members and removes an empty one from ZooKeeper', async () => {
    await expect(admin.deleteGroups([GROUP])).rejects.toThrow();
    for (const c of consumers.splice(0)) await c.disconnect();
    await waitFor(async () => (await describeGroup(admin, GROUP, TOPIC)).state === 'Empty', {
      description: 'the group to be Empty',
    });
    expect(await admin.deleteGroups([GROUP])).toEqual([{ groupId: GROUP, errorCode: 0 }]);
    expect(await zk.exists(`/consumers/${GROUP}`)).toBeNull();
    const [offsets] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    expect(offsets!.partitions.every((p) => p.offset === '-1')).toBe(true);
    expect((await describeGroup(admin, GROUP, TOPIC)).state).toBe('Dead');
  });
});
