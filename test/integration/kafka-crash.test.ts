// kill -9 of the broker in the middle of a kafkajs produce load (acks=1 and acks=all at once): after
// a restart on the same log dir every acknowledged record is there exactly once and in the order
// it was acknowledged. The restarted broker first waits for ZooKeeper to expire the registration
// of the killed one (zookeeper.session.timeout.ms, 6 s in the launcher).

import { Producer } from 'kafkajs';
import { findOurServer } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { fetchWithKafkajs, kafkajsClient } from '../support/kafka-test-clients';
import { cleanupAllZkServers, startZkServer, ZkServer } from '../support/process-launcher';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const BATCH_RECORDS = 50;
const ACKED_BEFORE_KILL_MIN = 40;

let zkServer: ZkServer;
let broker: KafkaBroker;

afterAll(async () => {
  await cleanupAllKafkaBrokers();
  await cleanupAllZkServers();
});

const ours = findOurServer();
(ours.ok ? describe : describe.skip)('kill -9 during a produce load', () => {
  test('every acknowledged record survives, once and in order', async () => {
    zkServer = await startZkServer({ kind: 'ours' });
    broker = await startKafkaBroker({ zookeeperConnect: zkServer.connectString });
    const admin = kafkajsClient(broker.bootstrap).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 'crash-acks-1' }, { topic: 'crash-acks-all' }],
      waitForLeaders: true,
    });
    await admin.disconnect();

    const producer = kafkajsClient(broker.bootstrap).producer({
      retry: { retries: 0 },
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const acked = { 'crash-acks-1': [] as string[], 'crash-acks-all': [] as string[] };
    const loads = [
      load(producer, 'crash-acks-1', 1, acked['crash-acks-1']),
      load(producer, 'crash-acks-all', -1, acked['crash-acks-all']),
    ];
    await waitFor(
      () =>
        acked['crash-acks-1'].length >= ACKED_BEFORE_KILL_MIN * BATCH_RECORDS &&
        acked['crash-acks-all'].length >= ACKED_BEFORE_KILL_MIN * BATCH_RECORDS,
      {
        description: 'the load to get going',
        timeoutMs: 20_000,
      },
    );
    await broker.kill9();
    await Promise.all(loads);
    await producer.disconnect().catch(() => undefined);

    broker = await broker.restart();
    for (const [topic, values] of Object.entries(acked)) {
      const hw = await highWatermark(broker.bootstrap, topic);
      expect(hw).toBeGreaterThanOrEqual(values.length);
      const stored = (await fetchWithKafkajs(broker.bootstrap, topic, 0, hw)).map((m) => m.value!.toString());
      expect(new Set(stored).size).toBe(stored.length);
      const position = new Map(stored.map((v, i) => [v, i]));
      const missing = values.filter((v) => !position.has(v));
      expect(missing).toEqual([]);
      const positions = values.map((v) => position.get(v)!);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });
});

/** Sends batches one after another until a send fails (the broker died); records what was acked. */
async function load(producer: Producer, topic: string, acks: number, acked: string[]): Promise<void> {
  for (let batch = 0; ; batch++) {
    const values = Array.from({ length: BATCH_RECORDS }, (_, i) => `${topic}-${batch}-${i}`);
    try {
      await producer.send({ topic, acks, messages: values.map((value) => ({ value })) });
    } catch {
      return;
    }
    acked.push(...values);
  }
}

async function highWatermark(bootstrap: string, topic: string): Promise<number> {
  const admin = kafkajsClient(bootstrap).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return Number(offsets[0]!.high);
  } finally {
    await admin.disconnect();
  }
}
