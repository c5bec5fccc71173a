// The coordinator shell over an in-memory GroupStore and a hand-driven clock: waiting joins and
// syncs answered, timers at the machine's deadlines, members and owners shown after each change,
// the choice of coordinator, and the administrative requests.

import { silentLogger } from '../../../../shared/src';
import { encodeAssignment, encodeSubscription } from '../../../../kafka-broker/src/coordinator/consumer-protocol';
import { coordinatorFor } from '../../../../kafka-broker/src/coordinator/coordinator-choice';
import { GroupCoordinator, JoinRequest } from '../../../../kafka-broker/src/coordinator/group-coordinator';
import {
  CommittedOffset,
  GroupStore,
  OffsetCommitEntry,
  PublishedGroup,
  TopicPartitions,
} from '../../../../kafka-broker/src/coordinator/offset-store';
import { ErrorCode } from '../../../../kafka-broker/src/protocol';
import { ManualClock } from '../log/log-test-support';

class MemoryStore implements GroupStore {
  readonly offsets = new Map<string, OffsetCommitEntry[]>();
  readonly published = new Map<string, PublishedGroup>();
  closed = false;
  sessions = 0;

  async commitOffsets(groupId: string, entries: readonly OffsetCommitEntry[]): Promise<void> {
    this.offsets.set(groupId, [...(this.offsets.get(groupId) ?? []), ...entries]);
  }
  async fetchOffsets(groupId: string, _topics: readonly TopicPartitions[] | null): Promise<CommittedOffset[]> {
    return this.offsets.get(groupId) ?? [];
  }
  publish(groupId: string, view: PublishedGroup): void {
    this.published.set(groupId, view);
  }
  async deleteGroup(groupId: string): Promise<boolean> {
    return this.offsets.delete(groupId);
  }
  async groupIds(): Promise<string[]> {
    return [...this.offsets.keys()];
  }
  async groupExists(groupId: string): Promise<boolean> {
    return this.offsets.has(groupId);
  }
  sessionStarted(): void {
    this.sessions++;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const SESSION_MS = 10_000;

/** A group id this broker (0) coordinates among brokers [0, 1]. */
function groupOf(broker: number, prefix = 'g'): string {
  for (let i = 0; ; i++) if (coordinatorFor(`${prefix}${i}`, [0, 1]) === broker) return `${prefix}${i}`;
}

function setup(live: number[] = [0]) {
  const clock = new ManualClock(0);
  const store = new MemoryStore();
  let n = 0;
  const brokers = { live };
  const coordinator = new GroupCoordinator({
    brokerId: 0,
    limits: { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 60_000, initialRebalanceDelayMs: 0 },
    liveBrokerIds: () => brokers.live,
    store,
    clock,
    logger: silentLogger(),
    newMemberId: (clientId) => `${clientId}-${++n}`,
  });
  return { clock, store, coordinator, brokers };
}

function request(groupId: string, memberId: string, clientId: string, topics = ['t']): JoinRequest {
  return {
    groupId,
    memberId,
    groupInstanceId: null,
    clientId,
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: 20_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription(0, { topics, userData: null }) }],
    requireKnownMemberId: true,
  };
}

/** MEMBER_ID_REQUIRED round trip: the id to join with. */
async function memberIdFor(c: GroupCoordinator, groupId: string, clientId: string): Promise<string> {
  const first = await c.join(request(groupId, '', clientId));
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  return first.memberId;
}

function assignment(partitions: number[]): Buffer {
  return encodeAssignment(0, { assignedPartitions: [{ topic: 't', partitions }], userData: null });
}

describe('a group through the coordinator', () => {
  test('two members join, the leader assigns, and ZooKeeper is shown members and owners', async () => {
    const { coordinator, store } = setup();
    const a = await memberIdFor(coordinator, 'g', 'ca');
    const b = await memberIdFor(coordinator, 'g', 'cb');
    const ja = coordinator.join(request('g', a, 'ca'));
    const jb = coordinator.join(request('g', b, 'cb'));
    const [ra, rb] = await Promise.all([ja, jb]);
    expect(ra.leader).toBe(a);
    expect(rb.generationId).toBe(ra.generationId);
    expect(store.published.get('g')!.members.map((m) => [m.memberId, m.subscription])).toEqual([
      [a, ['t']],
      [b, ['t']],
    ]);
    const sb = coordinator.sync({ groupId: 'g', memberId: b, groupInstanceId: null, generationId: rb.generationId, assignments: [] });
    const sa = coordinator.sync({
      groupId: 'g',
      memberId: a,
      groupInstanceId: null,
      generationId: ra.generationId,
      assignments: [
        { memberId: a, assignment: assignment([0, 1, 2]) },
        { memberId: b, assignment: assignment([3, 4, 5]) },
      ],
    });
    expect((await sb).assignment).toEqual(assignment([3, 4, 5]));
    expect((await sa).errorCode).toBe(ErrorCode.NONE);
    const owners = store.published.get('g')!.owners.map((o) => `${o.partition}:${o.memberId}`);
    expect(owners).toEqual([`0:${a}`, `1:${a}`, `2:${a}`, `3:${b}`, `4:${b}`, `5:${b}`]);
    const described = await coordinator.describe('g');
    expect(described).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocolName: 'range' });
    expect(described.members.map((m) => m.assignment.length > 0)).toEqual([true, true]);
  });

  test('a silent member is removed when its session times out, and the group empties', async () => {
    const { coordinator, store, clock } = setup();
    const a = await memberIdFor(coordinator, 'g', 'ca');
    const r = await coordinator.join(request('g', a, 'ca'));
    await coordinator.sync({ groupId: 'g', memberId: a, groupInstanceId: null, generationId: r.generationId, assignments: [{ memberId: a, assignment: assignment([0]) }] });
    expect(store.published.get('g')!.owners).toHaveLength(1);
    clock.advance(SESSION_MS - 1);
    expect(coordinator.heartbeat('g', { memberId: a, groupInstanceId: null }, r.generationId)).toBe(ErrorCode.NONE);
    clock.advance(SESSION_MS);
    expect(coordinator.group('g')).toBeUndefined();
    expect(store.published.get('g')).toEqual({ members: [], owners: [] });
    expect(coordinator.heartbeat('g', { memberId: a, groupInstanceId: null }, r.generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('offsets', () => {
  test('commits outside group management go to the store; old generations of unknown groups do not', async () => {
    const { coordinator, store } = setup();
    const entry = { topic: 't', partition: 0, offset: 5n, metadata: '' };
    const none = { memberId: '', groupInstanceId: null };
    expect(await coordinator.commitOffsets('g', none, -1, [entry])).toBe(ErrorCode.NONE);
    expect(await coordinator.commitOffsets('g', { memberId: 'm', groupInstanceId: null }, 3, [entry])).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
    expect(store.offsets.get('g')).toEqual([entry]);
    expect(await coordinator.fetchOffsets('g', null)).toEqual([entry]);
  });
});

describe('administration', () => {
  test('describe: a group known only by its offsets is Empty, an unknown one Dead', async () => {
    const { coordinator, store } = setup();
    store.offsets.set('kept', []);
    expect(await coordinator.describe('kept')).toMatchObject({ state: 'Empty', members: [] });
    expect(await coordinator.describe('nothing')).toMatchObject({ state: 'Dead', members: [] });
  });

  test('list shows groups in memory and in the store; delete refuses groups with members', async () => {
    const { coordinator, store } = setup();
    store.offsets.set('old', []);
    const a = await memberIdFor(coordinator, 'live', 'c');
    await coordinator.join(request('live', a, 'c'));
    expect(await coordinator.list()).toEqual([
      { groupId: 'live', protocolType: 'consumer', state: 'CompletingRebalance' },
      { groupId: 'old', protocolType: '', state: 'Empty' },
    ]);
    expect(await coordinator.deleteGroup('live')).toBe(ErrorCode.NON_EMPTY_GROUP);
    expect(await coordinator.deleteGroup('old')).toBe(ErrorCode.NONE);
    expect(await coordinator.deleteGroup('old')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });
});

describe('which broker coordinates', () => {
  test('groups of another live broker get NOT_COORDINATOR; no live broker means COORDINATOR_NOT_AVAILABLE', () => {
    const { coordinator, brokers } = setup([0, 1]);
    expect(coordinator.coordinatorError(groupOf(0))).toBe(ErrorCode.NONE);
    expect(coordinator.coordinatorError(groupOf(1))).toBe(ErrorCode.NOT_COORDINATOR);
    expect(coordinator.coordinatorError('')).toBe(ErrorCode.INVALID_GROUP_ID);
    brokers.live = [];
    expect(coordinator.coordinatorError(groupOf(0))).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  test('a group whose coordinator moves is given up: waiting joins get NOT_COORDINATOR', async () => {
    const { coordinator, brokers, store } = setup([0]);
    const g = groupOf(1, 'moving');
    const a = await memberIdFor(coordinator, g, 'ca');
    await coordinator.join(request(g, a, 'ca'));
    const b = await memberIdFor(coordinator, g, 'cb');
    const waiting = coordinator.join(request(g, b, 'cb')); // a has not re-joined: b waits
    brokers.live = [0, 1];
    coordinator.onBrokersChanged();
    expect((await waiting).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(coordinator.group(g)).toBeUndefined();
    expect(store.published.get(g)).toEqual({ members: [], owners: [] });
  });

  test('shutdown answers waiting requests and closes the store; a new session republishes', async () => {
    const { coordinator, store } = setup();
    const a = await memberIdFor(coordinator, 'g', 'ca');
    await coordinator.join(request('g', a, 'ca'));
    const b = await memberIdFor(coordinator, 'g', 'cb');
    const waiting = coordinator.join(request('g', b, 'cb'));
    store.published.clear();
    coordinator.start();
    expect(store.sessions).toBe(1);
    expect(store.published.get('g')!.members).toHaveLength(2);
    await coordinator.shutdown();
    expect((await waiting).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(store.closed).toBe(true);
    expect(coordinator.coordinatorError('g')).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});
