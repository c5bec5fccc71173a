// The broker as a real process against a real ZooKeeper (ours, then Apache ZooKeeper 3.8), driven
// by kafkajs: topics created through the admin API and directly in ZooKeeper (as
// `kafka-topics --zookeeper` does), records with keys, headers and gzip produced and read back,
// the znode layout of kafka.md section 5, a clean restart that keeps every record, and deletion
// removing data and znodes.

import { existsSync, readdirSync } from 'node:fs';
import { CompressionTypes } from 'kafkajs';
import { ZkClient } from '../../shared/src';
import { findApacheZooKeeper, findOurServer, Found } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import {
  fetchWithKafkajs,
  kafkajsClient,
  KafkajsMessage,
  readZnodeJson,
} from '../support/kafka-test-clients';
import { cleanupAllZkServers, startZkServer, ZkServer, ZkServerKind } from '../support/process-launcher';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const KINDS: [ZkServerKind, Found<object>][] = [
  ['ours', findOurServer()],
  ['apache', findApacheZooKeeper()],
];

afterAll(async () => {
  await cleanupAllKafkaBrokers();
  await cleanupAllZkServers();
});

for (const [kind, found] of KINDS) {
  const title = `broker against ${kind} ZooKeeper`;
  (found.ok ? describe : describe.skip)(title, () => {
    if (!found.ok) {
      test.skip(`skipped: ${found.reason}`, () => undefined);
      return;
    }
    let zkServer: ZkServer;
    let broker: KafkaBroker;
    let zk: ZkClient;

    beforeAll(async () => {
      zkServer = await startZkServer({ kind });
      broker = await startKafkaBroker({ zookeeperConnect: zkServer.connectString });
      zk = await ZkClient.connect(zkServer.connectString, { sessionTimeoutMs: 10_000 });
    });

    afterAll(async () => {
      zk?.close();
      await broker?.cleanup();
      await zkServer?.cleanup();
    });

    test('registers the broker, the controller and the cluster id in ZooKeeper', async () => {
      const registration = await readZnodeJson<Record<string, unknown>>(zk, '/brokers/ids/0');
      expect(registration).toMatchObject({
        version: 4,
        host: '127.0.0.1',
        port: broker.port,
        jmx_port: -1,
        endpoints: [`PLAINTEXT://127.0.0.1:${broker.port}`],
        listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
      });
      expect(await readZnodeJson(zk, '/controller')).toMatchObject({ version: 1, brokerid: 0 });
      expect(Number((await zk.getData('/controller_epoch')).data!.toString())).toBeGreaterThanOrEqual(1);
      expect(await readZnodeJson(zk, '/cluster/id')).toMatchObject({
        version: '1',
        id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      });
      for (const p of [
        '/consumers',
        '/brokers/topics',
        '/brokers/seqid',
        '/config/topics',
        '/admin/delete_topics',
        '/isr_change_notification',
      ]) {
        expect(await zk.exists(p)).not.toBeNull();
      }
    });

    test('creates topics through the admin API with their znodes', async () => {
      const admin = kafkajsClient(broker.bootstrap).admin();
      await admin.connect();
      try {
        const created = await admin.createTopics({
          topics: [
            {
              topic: 'orders',
              numPartitions: 3,
              configEntries: [{ name: 'retention.ms', value: '86400000' }],
            },
          ],
          waitForLeaders: true,
        });
        expect(created).toBe(true);
        const metadata = await admin.fetchTopicMetadata({ topics: ['orders'] });
        expect(metadata.topics[0]!.partitions.map((p) => p.leader).sort()).toEqual([0, 0, 0]);
      } finally {
        await admin.disconnect();
      }
      expect(await readZnodeJson(zk, '/brokers/topics/orders')).toMatchObject({
        version: 2,
        partitions: { '0': [0], '1': [0], '2': [0] },
      });
      expect(await readZnodeJson(zk, '/config/topics/orders')).toEqual({
        version: 1,
        config: { 'retention.ms': '86400000' },
      });
      for (const p of [0, 1, 2]) {
        const state = await readZnodeJson(zk, `/brokers/topics/orders/partitions/${p}/state`);
        expect(state).toMatchObject({
          version: 1,
          leader: 0,
          leader_epoch: 0,
          isr: [0],
          controller_epoch: expect.any(Number),
        });
      }
    });

    test('produces keys, headers and gzip batches and reads them back', async () => {
      const producer = kafkajsClient(broker.bootstrap).producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const sent = Array.from({ length: 300 }, (_, i) => ({
        key: `k${i}`,
        value: `value-${i}-${'x'.repeat(i % 50)}`,
        headers: { 'h-index': String(i), 'h-kind': i % 2 === 0 ? 'even' : 'odd' },
        partition: i % 3,
      }));
      try {
        await producer.send({
          topic: 'orders',
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages: sent.slice(0, 150),
        });
        await producer.send({ topic: 'orders', acks: 1, messages: sent.slice(150) });
      } finally {
        await producer.disconnect();
      }
      for (const partition of [0, 1, 2]) {
        const expected = sent.filter((m) => m.partition === partition);
        const got = await fetchWithKafkajs(broker.bootstrap, 'orders', partition, expected.length);
        expect(got.map(summary)).toEqual(
          expected.map((m, i) => ({ offset: String(i), key: m.key, value: m.value, headers: m.headers })),
        );
      }
    });

    test('picks up a topic written directly to ZooKeeper', async () => {
      await zk.create('/config/topics/direct', Buffer.from(JSON.stringify({ version: 1, config: {} })));
      await zk.create(
        '/brokers/topics/direct',
        Buffer.from(JSON.stringify({ version: 1, partitions: { '0': [0], '1': [0] } })),
      );
      const state = await waitFor(
        () => readZnodeJson(zk, '/brokers/topics/direct/partitions/1/state').then((s) => s ?? undefined),
        {
          description: 'the controller to create the state of direct-1',
        },
      );
      expect(state).toMatchObject({ leader: 0, isr: [0], leader_epoch: 0 });
      const producer = kafkajsClient(broker.bootstrap).producer();
      await producer.connect();
      await producer.send({ topic: 'direct', messages: [{ value: 'written', partition: 1 }] });
      await producer.disconnect();
      const got = await fetchWithKafkajs(broker.bootstrap, 'direct', 1, 1);
      expect(got[0]!.value!.toString()).toBe('written');
    });

    test('a clean restart deregisters, comes back and serves every record again', async () => {
      const before = await fetchWithKafkajs(broker.bootstrap, 'orders', 0, 100);
      const exit = await broker.stop();
      expect(exit.code).toBe(0);
      expect(await zk.exists('/brokers/ids/0')).toBeNull();
      expect(existsSync(`${broker.logDir}/.kafka_cleanshutdown`)).toBe(true);
      broker = await broker.restart();
      expect(await zk.exists('/brokers/ids/0')).not.toBeNull();
      const after = await fetchWithKafkajs(broker.bootstrap, 'orders', 0, 100);
      expect(after.map(summary)).toEqual(before.map(summary));
      const producer = kafkajsClient(broker.bootstrap).producer();
      await producer.connect();
      const [meta] = await producer.send({
        topic: 'orders',
        messages: [{ value: 'after restart', partition: 0 }],
      });
      await producer.disconnect();
      expect(meta!.baseOffset).toBe('100');
    });

    test('deleting a topic removes its data and its znodes', async () => {
      const admin = kafkajsClient(broker.bootstrap).admin();
      await admin.connect();
      try {
        await admin.deleteTopics({ topics: ['direct'], timeout: 10_000 });
        expect(await admin.listTopics()).not.toContain('direct');
      } finally {
        await admin.disconnect();
      }
      expect(await zk.exists('/brokers/topics/direct')).toBeNull();
      // as Kafka's controller, ours answers once the topic is gone from the metadata and removes
      // its config and the deletion request right after
      for (const path of ['/config/topics/direct', '/admin/delete_topics/direct']) {
        await waitFor(async () => (await zk.exists(path)) === null, { description: `${path} to be removed` });
      }
      await waitFor(() => !readdirSync(broker.logDir).some((d) => d.startsWith('direct-')), {
        description: 'the partition directories of "direct" to be removed',
      });
      expect(
        readdirSync(broker.logDir)
          .filter((d) => d.startsWith('orders-'))
          .sort(),
      ).toEqual(['orders-0', 'orders-1', 'orders-2']);
    });
  });
}

function summary(m: KafkajsMessage): {
  offset: string;
  key: string | undefined;
  value: string | undefined;
  headers: Record<string, string>;
} {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers)) headers[k] = String(v);
  return { offset: m.offset, key: m.key?.toString(), value: m.value?.toString(), headers };
}
