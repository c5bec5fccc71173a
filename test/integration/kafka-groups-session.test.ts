// A lost ZooKeeper session under a Stable group: the broker reaches ZooKeeper through a proxy the
// test cuts until ZooKeeper expires the session (taking the group's ephemeral registrations and
// owners with it). Commits meanwhile fail with the retriable COORDINATOR_NOT_AVAILABLE; once the
// broker has a new session the group's members and owners are written again, the committed
// offsets are still there, and commits work again.

import { ZkClient } from '../../shared/src';
import { encodeAssignment, encodeSubscription } from '../../kafka-broker/src/coordinator/consumer-protocol';
import { ErrorCode } from '../../kafka-broker/src/protocol';
import { findOurServer } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { RawKafkaConnection } from '../support/kafka-test-clients';
import { cleanupAllZkServers, startZkServer, ZkServer } from '../support/process-launcher';
import { waitFor } from '../support/wait-for';
import { CuttableProxy, readGroupZnodes } from './kafka-groups-support';

jest.setTimeout(60_000);

const TOPIC = 'events';
const GROUP = 'survivors';
const SESSION_TIMEOUT_MS = 4000;

let zkServer: ZkServer;
let proxy: CuttableProxy;
let broker: KafkaBroker;
let zk: ZkClient;
let raw: RawKafkaConnection;

afterAll(async () => {
  raw?.close();
  zk?.close();
  await cleanupAllKafkaBrokers();
  await proxy?.close();
  await cleanupAllZkServers();
});

async function commit(memberId: string, generationId: number, offset: bigint): Promise<number> {
  const r = await raw.request('OffsetCommit', 2, {
    groupId: GROUP,
    generationIdOrMemberEpoch: generationId,
    memberId,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: offset, committedMetadata: null }] }],
  });
  return r.topics[0]!.partitions[0]!.errorCode;
}

const ours = findOurServer();
(ours.ok ? describe : describe.skip)('a group across a ZooKeeper session loss', () => {
  test('ephemerals come back in the new session, offsets stay, commits resume', async () => {
    zkServer = await startZkServer({ kind: 'ours' });
    proxy = new CuttableProxy(zkServer.port);
    await proxy.listen();
    broker = await startKafkaBroker({
      zookeeperConnect: `127.0.0.1:${proxy.port}`,
      properties: {
        'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS,
        'num.partitions': 2,
        'group.initial.rebalance.delay.ms': 0,
      },
    });
    zk = await ZkClient.connect(zkServer.connectString);
    raw = await RawKafkaConnection.connect(broker.bootstrap);
    await waitFor(async () => (await raw.request('Metadata', 1, { topics: [{ name: TOPIC }] })).topics[0]!.errorCode === 0, {
      description: 'the topic to be created with leaders',
    });

    const joined = await raw.request('JoinGroup', 2, {
      groupId: GROUP,
      sessionTimeoutMs: 45_000,
      rebalanceTimeoutMs: 45_000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: encodeSubscription(0, { topics: [TOPIC], userData: null }) }],
    });
    const member = joined.memberId;
    const assignment = encodeAssignment(0, { assignedPartitions: [{ topic: TOPIC, partitions: [0, 1] }] });
    await raw.request('SyncGroup', 1, { groupId: GROUP, generationId: joined.generationId, memberId: member, assignments: [{ memberId: member, assignment }] });
    expect(await commit(member, joined.generationId, 5n)).toBe(0);
    const before = await waitFor(async () => {
      const z = await readGroupZnodes(zk, GROUP, TOPIC);
      return z.owners.size === 2 ? z : undefined;
    }, { description: 'the owners in ZooKeeper' });
    expect(before.offsets.get(0)).toBe(5n);
    const ownerStat = (await zk.exists(`/consumers/${GROUP}/owners/${TOPIC}/0`))!;

    proxy.cut();
    await waitFor(async () => (await zk.exists('/brokers/ids/0')) === null, {
      description: 'ZooKeeper to expire the broker session',
      timeoutMs: 20_000,
    });
    const gone = await readGroupZnodes(zk, GROUP, TOPIC);
    expect(gone.ids.size + gone.owners.size).toBe(0);
    expect(gone.offsets.get(0)).toBe(5n);
    const during = commit(member, joined.generationId, 6n);
    proxy.heal();
    expect([ErrorCode.NONE, ErrorCode.COORDINATOR_NOT_AVAILABLE]).toContain(await during);

    const after = await waitFor(async () => {
      const z = await readGroupZnodes(zk, GROUP, TOPIC);
      return z.owners.size === 2 && z.ids.size === 1 ? z : undefined;
    }, { description: 'the members and owners to be written again', timeoutMs: 20_000 });
    expect([...after.owners.values()]).toEqual([member, member]);
    const newOwner = (await zk.exists(`/consumers/${GROUP}/owners/${TOPIC}/0`))!;
    expect(newOwner.ephemeralOwner).not.toBe(ownerStat.ephemeralOwner);

    const heartbeat = await raw.request('Heartbeat', 1, { groupId: GROUP, generationId: joined.generationId, memberId: member });
    expect(heartbeat.errorCode).toBe(0);
    await waitFor(async () => (await commit(member, joined.generationId, 9n)) === 0, { description: 'commits to work again' });
    expect((await readGroupZnodes(zk, GROUP, TOPIC)).offsets.get(0)).toBe(9n);
    const fetched = await raw.request('OffsetFetch', 1, { groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [0, 1] }] });
    expect(fetched.topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([9n, -1n]);
  });
});
