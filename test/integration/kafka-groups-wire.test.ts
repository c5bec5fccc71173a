// Group APIs on the wire (our own codecs, old and new versions) against our broker and our
// ZooKeeper-compatible server: FindCoordinator and NOT_COORDINATOR once another broker shares the
// groups, the MEMBER_ID_REQUIRED round trip, session expiry, static members, and the ZooKeeper
// layout of commits: plain decimal offsets contiguous from partition 0 for Burrow, metadata beside
// them, percent-encoded group ids, OffsetFetch of all topics.

import { ZkClient } from '../../shared/src';
import { encodeAssignment, encodeSubscription } from '../../kafka-broker/src/coordinator/consumer-protocol';
import { coordinatorFor } from '../../kafka-broker/src/coordinator/coordinator-choice';
import { ErrorCode } from '../../kafka-broker/src/protocol';
import { findOurServer } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { RawKafkaConnection } from '../support/kafka-test-clients';
import { cleanupAllZkServers, startZkServer, ZkServer } from '../support/process-launcher';
import { waitFor } from '../support/wait-for';
import { readGroupZnodes } from './kafka-groups-support';

jest.setTimeout(60_000);

const TOPIC = 'ledger';
const PARTITIONS = 6;
const OTHER_BROKER = 7;

let zkServer: ZkServer;
let broker: KafkaBroker;
let zk: ZkClient;
let raw: RawKafkaConnection;

const subscription = encodeSubscription(0, { topics: [TOPIC], userData: null });

function joinBody(groupId: string, memberId: string, sessionTimeoutMs = 10_000, groupInstanceId: string | null = null) {
  return {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs: 5000,
    memberId,
    groupInstanceId,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription }],
  };
}

async function commit(version: number, groupId: string, partitions: { partitionIndex: number; committedOffset: bigint; committedMetadata: string | null }[], topic = TOPIC) {
  const r = await raw.request('OffsetCommit', version, {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    topics: [{ name: topic, partitions }],
  });
  return r.topics[0]!.partitions.map((p) => p.errorCode);
}

async function znode(path: string): Promise<string | null> {
  const node = await zk.getDataIfExists(path);
  return node === null ? null : (node.data?.toString('utf8') ?? '');
}

beforeAll(async () => {
  if (!findOurServer().ok) return;
  zkServer = await startZkServer({ kind: 'ours' });
  broker = await startKafkaBroker({
    zookeeperConnect: zkServer.connectString,
    properties: { 'num.partitions': PARTITIONS, 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 },
  });
  zk = await ZkClient.connect(zkServer.connectString);
  raw = await RawKafkaConnection.connect(broker.bootstrap);
  const m = await raw.request('Metadata', 1, { topics: [{ name: TOPIC }] });
  expect(m.topics[0]!.errorCode).toBe(ErrorCode.LEADER_NOT_AVAILABLE); // auto-created
  await waitFor(async () => (await raw.request('Metadata', 1, { topics: [{ name: TOPIC }] })).topics[0]!.errorCode === 0, {
    description: 'the topic to get leaders',
  });
});

afterAll(async () => {
  raw?.close();
  zk?.close();
  await cleanupAllKafkaBrokers();
  await cleanupAllZkServers();
});

describe('finding the coordinator', () => {
  test('FindCoordinator v0 and v2 name this broker; transactional ids have no coordinator', async () => {
    const v0 = await raw.request('FindCoordinator', 0, { key: 'any-group' });
    expect(v0).toMatchObject({ errorCode: 0, nodeId: broker.brokerId, host: '127.0.0.1', port: broker.port });
    const v2 = await raw.request('FindCoordinator', 2, { key: 'any-group', keyType: 0 });
    expect(v2).toMatchObject({ errorCode: 0, nodeId: broker.brokerId, port: broker.port });
    const txn = await raw.request('FindCoordinator', 1, { key: 'my-txn', keyType: 1 });
    expect(txn.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  test('with a second live broker, its groups get NOT_COORDINATOR here and FindCoordinator points there', async () => {
    const live = [broker.brokerId, OTHER_BROKER];
    let theirs = '';
    let ours = '';
    for (let i = 0; theirs === '' || ours === ''; i++) {
      const id = coordinatorFor(`group-${i}`, live);
      if (id === OTHER_BROKER && theirs === '') theirs = `group-${i}`;
      if (id === broker.brokerId && ours === '') ours = `group-${i}`;
    }
    const registration = {
      version: 4,
      host: '127.0.0.1',
      port: 1,
      jmx_port: -1,
      timestamp: String(Date.now()),
      endpoints: ['PLAINTEXT://127.0.0.1:1'],
      listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
    };
    await zk.create(`/brokers/ids/${OTHER_BROKER}`, Buffer.from(JSON.stringify(registration)), 'ephemeral');
    try {
      await waitFor(async () => (await raw.request('FindCoordinator', 2, { key: theirs, keyType: 0 })).nodeId === OTHER_BROKER, {
        description: 'the other broker to coordinate its groups',
      });
      expect(await raw.request('FindCoordinator', 2, { key: theirs, keyType: 0 })).toMatchObject({ port: 1 });
      const join = await raw.request('JoinGroup', 5, joinBody(theirs, ''));
      expect(join.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect((await raw.request('Heartbeat', 0, { groupId: theirs, generationId: 1, memberId: 'm' })).errorCode).toBe(
        ErrorCode.NOT_COORDINATOR,
      );
      expect((await raw.request('OffsetFetch', 1, { groupId: theirs, topics: [{ name: TOPIC, partitionIndexes: [0] }] })).topics[0]!.partitions[0]!.errorCode).toBe(
        ErrorCode.NOT_COORDINATOR,
      );
      expect((await raw.request('JoinGroup', 5, joinBody(ours, ''))).errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    } finally {
      await zk.remove(`/brokers/ids/${OTHER_BROKER}`);
    }
    await waitFor(async () => (await raw.request('FindCoordinator', 2, { key: theirs, keyType: 0 })).nodeId === broker.brokerId, {
      description: 'the groups to come back',
    });
  });
});

describe('membership on the wire', () => {
  test('MEMBER_ID_REQUIRED, a generation, SyncGroup, then the session runs out and the group empties', async () => {
    const first = await raw.request('JoinGroup', 4, joinBody('wire-1', '', 1000));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^raw-test-[0-9a-f-]{36}$/);
    const joined = await raw.request('JoinGroup', 4, joinBody('wire-1', first.memberId, 1000));
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leader: first.memberId });
    const assignment = encodeAssignment(0, { assignedPartitions: [{ topic: TOPIC, partitions: [0, 1, 2, 3, 4, 5] }] });
    const synced = await raw.request('SyncGroup', 1, {
      groupId: 'wire-1',
      generationId: 1,
      memberId: first.memberId,
      assignments: [{ memberId: first.memberId, assignment }],
    });
    expect(synced.assignment).toEqual(assignment);
    const z = await waitFor(async () => {
      const g = await readGroupZnodes(zk, 'wire-1', TOPIC);
      return g.owners.size === PARTITIONS ? g : undefined;
    }, { description: 'the owners in ZooKeeper' });
    expect([...z.owners.values()].every((m) => m === first.memberId)).toBe(true);
    expect([...z.ids.keys()]).toEqual([first.memberId]);
    // No heartbeats: the member goes after its 1000 ms session, and its znodes with it.
    await waitFor(async () => {
      const g = await readGroupZnodes(zk, 'wire-1', TOPIC);
      return g.ids.size === 0 && g.owners.size === 0;
    }, { description: 'the expired member to leave ZooKeeper', timeoutMs: 5000 });
    const hb = await raw.request('Heartbeat', 0, { groupId: 'wire-1', generationId: 1, memberId: first.memberId });
    expect(hb.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const described = await raw.request('DescribeGroups', 0, { groups: ['wire-1'] });
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Empty', members: [] });
  });

  test('a static member joins without the round trip; LeaveGroup v3 answers per member', async () => {
    const joined = await raw.request('JoinGroup', 5, joinBody('wire-static', '', 10_000, 'instance-1'));
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1 });
    const left = await raw.request('LeaveGroup', 3, {
      groupId: 'wire-static',
      members: [
        { memberId: '', groupInstanceId: 'instance-1' },
        { memberId: 'nobody', groupInstanceId: null },
      ],
    });
    expect(left.errorCode).toBe(0);
    expect(left.members.map((m) => m.errorCode)).toEqual([0, ErrorCode.UNKNOWN_MEMBER_ID]);
  });

  test('describe and list: a Stable group shows metadata and assignments, an unknown one is Dead', async () => {
    const joined = await raw.request('JoinGroup', 2, joinBody('wire-2', ''));
    const assignment = encodeAssignment(1, { assignedPartitions: [{ topic: TOPIC, partitions: [5] }] });
    await raw.request('SyncGroup', 0, { groupId: 'wire-2', generationId: joined.generationId, memberId: joined.memberId, assignments: [{ memberId: joined.memberId, assignment }] });
    const d = await raw.request('DescribeGroups', 4, { groups: ['wire-2', 'never-seen'], includeAuthorizedOperations: false });
    expect(d.groups[0]).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(d.groups[0]!.members[0]).toMatchObject({ memberId: joined.memberId, clientId: 'raw-test', clientHost: '/127.0.0.1' });
    expect(d.groups[0]!.members[0]!.memberAssignment).toEqual(assignment);
    expect(d.groups[1]).toMatchObject({ errorCode: 0, groupState: 'Dead' });
    const listed = await raw.request('ListGroups', 2, {});
    expect(listed.groups.find((g) => g.groupId === 'wire-2')).toMatchObject({ protocolType: 'consumer' });
    await raw.request('LeaveGroup', 1, { groupId: 'wire-2', memberId: joined.memberId });
  });
});

describe('offsets in ZooKeeper', () => {
  test('a commit keeps the partitions contiguous from 0 (Burrow) with plain decimal offsets', async () => {
    expect(await commit(0, 'burrow', [{ partitionIndex: 3, committedOffset: 42n, committedMetadata: null }])).toEqual([0]);
    const z = await readGroupZnodes(zk, 'burrow', TOPIC);
    expect([...z.offsets.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0, -1n],
      [1, -1n],
      [2, -1n],
      [3, 42n],
      [4, -1n],
      [5, -1n],
    ]);
    expect(await znode(`/consumers/burrow/offsets/${TOPIC}/3`)).toBe('42');
    const all = await raw.request('OffsetFetch', 2, { groupId: 'burrow', topics: null });
    expect(all.topics).toEqual([
      { name: TOPIC, partitions: [{ partitionIndex: 3, committedOffset: 42n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] },
    ]);
    const v0 = await raw.request('OffsetFetch', 0, { groupId: 'burrow', topics: [{ name: TOPIC, partitionIndexes: [2, 3] }] });
    expect(v0.topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([-1n, 42n]);
  });

  test('commit metadata lives beside the offset while it is not empty', async () => {
    expect(await commit(2, 'meta', [{ partitionIndex: 0, committedOffset: 7n, committedMetadata: 'checkpoint-7' }])).toEqual([0]);
    expect(await znode(`/consumers/meta/offsets-metadata/${TOPIC}/0`)).toBe('checkpoint-7');
    const fetched = await raw.request('OffsetFetch', 1, { groupId: 'meta', topics: [{ name: TOPIC, partitionIndexes: [0] }] });
    expect(fetched.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 7n, metadata: 'checkpoint-7' });
    expect(await commit(2, 'meta', [{ partitionIndex: 0, committedOffset: 8n, committedMetadata: '' }])).toEqual([0]);
    expect(await znode(`/consumers/meta/offsets-metadata/${TOPIC}/0`)).toBeNull();
    expect(await znode(`/consumers/meta/offsets/${TOPIC}/0`)).toBe('8');
  });

  test('unknown partitions and oversized metadata are refused per partition', async () => {
    const codes = await commit(7, 'refusals', [
      { partitionIndex: 0, committedOffset: 1n, committedMetadata: 'x'.repeat(4097) },
      { partitionIndex: 6, committedOffset: 1n, committedMetadata: null },
      { partitionIndex: 1, committedOffset: 1n, committedMetadata: null },
    ]);
    expect(codes).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0]);
    expect(await commit(2, 'refusals', [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }], 'no-such-topic')).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
  });

  test('group ids ZooKeeper cannot hold as names are percent-encoded', async () => {
    expect(await commit(2, 'team/a%b', [{ partitionIndex: 0, committedOffset: 5n, committedMetadata: null }])).toEqual([0]);
    expect(await znode(`/consumers/team%2Fa%25b/offsets/${TOPIC}/0`)).toBe('5');
    const fetched = await raw.request('OffsetFetch', 1, { groupId: 'team/a%b', topics: [{ name: TOPIC, partitionIndexes: [0] }] });
    expect(fetched.topics[0]!.partitions[0]!.committedOffset).toBe(5n);
    const listed = await raw.request('ListGroups', 0, {});
    expect(listed.groups.map((g) => g.groupId)).toContain('team/a%b');
  });

  test('a burst of commits from many connections is merged and every one is answered', async () => {
    const connections = await Promise.all(Array.from({ length: 8 }, () => RawKafkaConnection.connect(broker.bootstrap)));
    try {
      const results = await Promise.all(
        connections.flatMap((c, i) =>
          Array.from({ length: 10 }, (_, j) =>
            c.request('OffsetCommit', 2, {
              groupId: 'burst',
              generationIdOrMemberEpoch: -1,
              memberId: '',
              topics: [{ name: TOPIC, partitions: [{ partitionIndex: i % PARTITIONS, committedOffset: BigInt(j), committedMetadata: null }] }],
            }),
          ),
        ),
      );
      expect(results.every((r) => r.topics[0]!.partitions[0]!.errorCode === 0)).toBe(true);
    } finally {
      for (const c of connections) c.close();
    }
    const z = await readGroupZnodes(zk, 'burst', TOPIC);
    for (let p = 0; p < PARTITIONS; p++) expect(z.offsets.get(p)).toBe(9n);
  });
});
