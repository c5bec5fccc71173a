// A lost ZooKeeper session: the broker reaches ZooKeeper through a loopback proxy that the test cuts
// for longer than the session timeout, so ZooKeeper expires the session and drops the broker's
// ephemeral znodes. When the proxy heals, the broker opens a new session, registers again, wins
// the controller election again and keeps serving (a topic created afterwards gets its leader).

import * as net from 'node:net';
import { ZkClient } from '../../shared/src';
import { findOurServer } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { fetchWithKafkajs, kafkajsClient, readZnodeJson } from '../support/kafka-test-clients';
import { cleanupAllZkServers, startZkServer, ZkServer } from '../support/process-launcher';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const SESSION_TIMEOUT_MS = 4000;

/** Forwards TCP to a target until cut(); while cut, every connection is dropped at once. */
class CuttableProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private cutOff = false;
  port = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  listen(): Promise<void> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve();
      }),
    );
  }

  private accept(client: net.Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: this.host, port: this.targetPort });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
  }

  heal(): void {
    this.cutOff = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let zkServer: ZkServer;
let proxy: CuttableProxy;
let broker: KafkaBroker;
let zk: ZkClient;

afterAll(async () => {
  zk?.close();
  await cleanupAllKafkaBrokers();
  await proxy?.close();
  await cleanupAllZkServers();
});

const ours = findOurServer();
(ours.ok ? describe : describe.skip)('ZooKeeper session loss', () => {
  test('the broker registers again in a new session and keeps working', async () => {
    zkServer = await startZkServer({ kind: 'ours' });
    proxy = new CuttableProxy(zkServer.host, zkServer.port);
    await proxy.listen();
    broker = await startKafkaBroker({
      zookeeperConnect: `127.0.0.1:${proxy.port}`,
      properties: { 'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS },
    });
    zk = await ZkClient.connect(zkServer.connectString);
    const first = (await zk.exists('/brokers/ids/0'))!;
    expect(first).not.toBeNull();

    proxy.cut();
    await waitFor(async () => (await zk.exists('/brokers/ids/0')) === null, {
      description: 'ZooKeeper to expire the broker session',
      timeoutMs: 20_000,
    });
    proxy.heal();
    const second = await waitFor(async () => (await zk.exists('/brokers/ids/0')) ?? undefined, {
      description: 'the broker to register again',
      timeoutMs: 20_000,
    });
    expect(second.ephemeralOwner).not.toBe(first.ephemeralOwner);
    await waitFor(
      async () => (await readZnodeJson<{ brokerid: number }>(zk, '/controller'))?.brokerid === 0,
      {
        description: 'the broker to be the controller again',
      },
    );
    expect(broker.output()).toMatch(/ZooKeeper session expired/);

    const admin = kafkajsClient(broker.bootstrap).admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'after-expiry' }], waitForLeaders: true })).toBe(
      true,
    );
    await admin.disconnect();
    const producer = kafkajsClient(broker.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic: 'after-expiry', messages: [{ value: 'still here' }] });
    await producer.disconnect();
    expect((await fetchWithKafkajs(broker.bootstrap, 'after-expiry', 0, 1))[0]!.value!.toString()).toBe(
      'still here',
    );
  });
});
