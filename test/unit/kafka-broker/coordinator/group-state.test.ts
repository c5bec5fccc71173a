// The pure group state machine: Kafka's classic rebalance protocol driven by requests and time
// passed in as numbers, checked through the effects it returns.

import {
  Group,
  GroupEffect,
  GroupLimits,
  JoinInput,
  JoinReply,
  SyncReply,
} from '../../../../kafka-broker/src/coordinator/group-state';
import { ErrorCode } from '../../../../kafka-broker/src/protocol';

const LIMITS: GroupLimits = { minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 300_000, initialRebalanceDelayMs: 0 };
const SESSION_MS = 10_000;
const REBALANCE_MS = 30_000;

let nextRequest = 1;

function join(group: Group, memberId: string, nowMs: number, extra: Partial<JoinInput> = {}): { requestId: number; effects: GroupEffect[] } {
  const requestId = nextRequest++;
  const input: JoinInput = {
    requestId,
    memberId,
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from(`meta-${memberId}`) }],
    requireKnownMemberId: false,
    newMemberId: `new-${requestId}`,
    ...extra,
  };
  return { requestId, effects: group.join(input, nowMs) };
}

function sync(group: Group, memberId: string, generationId: number, nowMs: number, assignments: Record<string, string> = {}): { requestId: number; effects: GroupEffect[] } {
  const requestId = nextRequest++;
  const effects = group.sync(
    {
      requestId,
      memberId,
      groupInstanceId: null,
      generationId,
      assignments: Object.entries(assignments).map(([m, a]) => ({ memberId: m, assignment: Buffer.from(a) })),
    },
    nowMs,
  );
  return { requestId, effects };
}

function joinReplies(effects: readonly GroupEffect[]): Map<number, JoinReply> {
  const out = new Map<number, JoinReply>();
  for (const e of effects) if (e.kind === 'join-reply') out.set(e.requestId, e.reply);
  return out;
}

function syncReplies(effects: readonly GroupEffect[]): Map<number, SyncReply> {
  const out = new Map<number, SyncReply>();
  for (const e of effects) if (e.kind === 'sync-reply') out.set(e.requestId, e.reply);
  return out;
}

/** A Stable group of the given members (joined at t=0 in order, the first one leading). */
function stableGroup(memberIds: string[], limits: GroupLimits = LIMITS): Group {
  const group = new Group('g', limits);
  // With no initial delay the first join forms a generation at once and each later member starts
  // a rebalance; the earlier members then re-join it, the last re-join completing the phase.
  for (const id of memberIds) join(group, '', 0, { newMemberId: id });
  for (const id of memberIds) {
    if (group.state === 'PreparingRebalance') join(group, id, 0);
  }
  expect(group.state).toBe('CompletingRebalance');
  const leader = group.leaderId!;
  const assignments = Object.fromEntries(memberIds.map((id) => [id, `assignment-of-${id}`]));
  sync(group, leader, group.generationId, 0, assignments);
  expect(group.state).toBe('Stable');
  return group;
}

describe('joining an empty group', () => {
  test('JoinGroup v4+ without a member id gets MEMBER_ID_REQUIRED and a fresh id, and the group stays Empty', () => {
    const group = new Group('g', LIMITS);
    const r = join(group, '', 1000, { requireKnownMemberId: true, newMemberId: 'client-1' });
    const reply = joinReplies(r.effects).get(r.requestId)!;
    expect(reply.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(reply.memberId).toBe('client-1');
    expect(group.state).toBe('Empty');
    expect(group.isIdle).toBe(false); // the id handed out is pending
  });

  test('the re-join with that id forms generation 1 with the member as leader, which gets the member list', () => {
    const group = new Group('g', LIMITS);
    join(group, '', 0, { requireKnownMemberId: true, newMemberId: 'client-1' });
    const r = join(group, 'client-1', 10, { requireKnownMemberId: true });
    const reply = joinReplies(r.effects).get(r.requestId)!;
    expect(reply).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leader: 'client-1', memberId: 'client-1' });
    expect(reply.members.map((m) => [m.memberId, m.metadata.toString()])).toEqual([['client-1', 'meta-client-1']]);
    expect(group.state).toBe('CompletingRebalance');
    expect(r.effects.some((e) => e.kind === 'members-changed')).toBe(true);
  });

  test("the leader's SyncGroup makes the group Stable and answers every waiting member with its own assignment", () => {
    const group = new Group('g', LIMITS);
    const a = join(group, '', 0, { newMemberId: 'a' });
    // b joins while a's join waits (initial delay 0: a's join completed at once, so b triggers a rebalance)
    const b = join(group, '', 0, { newMemberId: 'b' });
    expect(group.state).toBe('PreparingRebalance');
    const aAgain = join(group, 'a', 1);
    const replies = joinReplies([...a.effects, ...b.effects, ...aAgain.effects]);
    expect(replies.get(b.requestId)!.generationId).toBe(2);
    expect(replies.get(aAgain.requestId)!.leader).toBe('a');
    expect(replies.get(b.requestId)!.members).toEqual([]);
    const follower = sync(group, 'b', 2, 2);
    expect(follower.effects).toEqual([]); // waits for the leader
    const leader = sync(group, 'a', 2, 3, { a: 'A', b: 'B' });
    const synced = syncReplies(leader.effects);
    expect(synced.get(follower.requestId)!.assignment.toString()).toBe('B');
    expect(synced.get(leader.requestId)!.assignment.toString()).toBe('A');
    expect(group.state).toBe('Stable');
    expect(leader.effects.some((e) => e.kind === 'owners-changed')).toBe(true);
  });

  test('group.initial.rebalance.delay.ms holds the first generation back and each new member extends it', () => {
    const group = new Group('g', { ...LIMITS, initialRebalanceDelayMs: 3000 });
    const a = join(group, '', 0, { newMemberId: 'a' });
    expect(a.effects).toEqual([]);
    expect(group.nextDeadlineMs()).toBe(3000);
    const b = join(group, '', 1000, { newMemberId: 'b' });
    expect(b.effects).toEqual([]);
    expect(group.tick(3000)).toEqual([]); // b joined during the delay: another 3000 ms
    expect(group.nextDeadlineMs()).toBe(6000);
    const done = joinReplies(group.tick(6000));
    expect([...done.values()].map((r) => [r.memberId, r.generationId, r.leader])).toEqual([
      ['a', 1, 'a'],
      ['b', 1, 'a'],
    ]);
  });
});

describe('rebalancing', () => {
  test('a member leaving makes the others re-join: their heartbeats say REBALANCE_IN_PROGRESS', () => {
    const group = stableGroup(['a', 'b', 'c']);
    const gen = group.generationId;
    const left = group.leave([{ memberId: 'b', groupInstanceId: null }], 100);
    expect(left.errorCodes).toEqual([ErrorCode.NONE]);
    expect(group.state).toBe('PreparingRebalance');
    expect(group.heartbeat({ memberId: 'a', groupInstanceId: null }, gen, 110)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ra = join(group, 'a', 120);
    expect(ra.effects).toEqual([]);
    const rc = join(group, 'c', 130);
    const replies = joinReplies(rc.effects);
    expect(replies.get(ra.requestId)!.generationId).toBe(gen + 1);
    expect(replies.get(ra.requestId)!.members.map((m) => m.memberId)).toEqual(['a', 'c']);
    expect(replies.get(rc.requestId)!.members).toEqual([]);
  });

  test('the leader leaving hands leadership to the next member', () => {
    const group = stableGroup(['a', 'b']);
    group.leave([{ memberId: 'a', groupInstanceId: null }], 5);
    const r = join(group, 'b', 6);
    expect(joinReplies(r.effects).get(r.requestId)!.leader).toBe('b');
  });

  test('a member that does not re-join within the rebalance timeout is dropped and the others go on', () => {
    const group = stableGroup(['a', 'b', 'c']);
    group.leave([{ memberId: 'c', groupInstanceId: null }], 0);
    const ra = join(group, 'a', 10);
    // b keeps heartbeating (so its session does not end) but never re-joins.
    for (const t of [9000, 18_000, 27_000]) {
      expect(group.tick(t)).toEqual([]);
      expect(group.heartbeat({ memberId: 'b', groupInstanceId: null }, group.generationId, t)).toBe(
        ErrorCode.REBALANCE_IN_PROGRESS,
      );
    }
    expect(group.nextDeadlineMs()).toBe(REBALANCE_MS);
    const replies = joinReplies(group.tick(REBALANCE_MS));
    expect(replies.get(ra.requestId)!.members.map((m) => m.memberId)).toEqual(['a']);
    expect(group.hasMember('b')).toBe(false);
  });

  test('a member silent for its session timeout is removed and the group rebalances', () => {
    const group = stableGroup(['a', 'b']);
    expect(group.heartbeat({ memberId: 'a', groupInstanceId: null }, group.generationId, 6000)).toBe(ErrorCode.NONE);
    expect(group.nextDeadlineMs()).toBe(SESSION_MS); // b's session, from its join at 0
    group.tick(SESSION_MS);
    expect(group.hasMember('b')).toBe(false);
    expect(group.state).toBe('PreparingRebalance');
  });

  test('the last member leaving empties the group and bumps the generation', () => {
    const group = stableGroup(['a']);
    const gen = group.generationId;
    const left = group.leave([{ memberId: 'a', groupInstanceId: null }], 1);
    expect(group.state).toBe('Empty');
    expect(group.generationId).toBe(gen + 1);
    expect(group.isIdle).toBe(true);
    expect(left.effects.map((e) => e.kind)).toContain('owners-changed');
  });

  test('a leader that never sends SyncGroup is removed after the rebalance timeout', () => {
    const group = new Group('g', LIMITS);
    join(group, '', 0, { newMemberId: 'a' });
    join(group, '', 0, { newMemberId: 'b' });
    join(group, 'a', 0);
    expect(group.state).toBe('CompletingRebalance');
    const waiting = sync(group, 'b', group.generationId, 10);
    const effects = group.tick(REBALANCE_MS);
    expect(group.hasMember('a')).toBe(false);
    expect(syncReplies(effects).get(waiting.requestId)!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  test('an id handed out with MEMBER_ID_REQUIRED holds the join phase until it re-joins or lapses', () => {
    const group = stableGroup(['a']);
    join(group, '', 100, { requireKnownMemberId: true, newMemberId: 'late' });
    const leaderRejoin = join(group, 'a', 110); // the leader re-joining starts a rebalance
    expect(group.state).toBe('PreparingRebalance');
    expect(leaderRejoin.effects).toEqual([]); // 'late' is pending
    const r = join(group, 'late', 120, { requireKnownMemberId: true });
    const replies = joinReplies(r.effects);
    expect(replies.get(leaderRejoin.requestId)!.members.map((m) => m.memberId)).toEqual(['a', 'late']);
  });

  test('an id handed out with MEMBER_ID_REQUIRED that never comes back lapses after the session timeout', () => {
    const group = stableGroup(['a']);
    join(group, '', 100, { requireKnownMemberId: true, newMemberId: 'gone' });
    const leaderRejoin = join(group, 'a', 110);
    expect(group.nextDeadlineMs()).toBe(100 + SESSION_MS);
    const replies = joinReplies(group.tick(100 + SESSION_MS));
    expect(replies.get(leaderRejoin.requestId)!.members.map((m) => m.memberId)).toEqual(['a']);
    const late = join(group, 'gone', 100 + SESSION_MS + 1, { requireKnownMemberId: true });
    expect(joinReplies(late.effects).get(late.requestId)!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('protocols and validation', () => {
  test('the protocol is chosen by member votes among those all members support', () => {
    const group = new Group('g', LIMITS);
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(name) }));
    join(group, '', 0, { newMemberId: 'a', protocols: p('range', 'roundrobin') });
    join(group, '', 0, { newMemberId: 'b', protocols: p('roundrobin', 'range') });
    join(group, '', 0, { newMemberId: 'c', protocols: p('roundrobin', 'sticky', 'range') });
    const r = join(group, 'a', 0, { protocols: p('range', 'roundrobin') });
    expect(joinReplies(r.effects).get(r.requestId)!.protocolName).toBe('roundrobin');
  });

  test('a member sharing no protocol with the group gets INCONSISTENT_GROUP_PROTOCOL', () => {
    const group = stableGroup(['a']);
    const r = join(group, '', 0, { protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] });
    expect(joinReplies(r.effects).get(r.requestId)!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const wrongType = join(group, '', 0, { protocolType: 'connect' });
    expect(joinReplies(wrongType.effects).get(wrongType.requestId)!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  test('session timeouts outside the broker bounds get INVALID_SESSION_TIMEOUT', () => {
    const group = new Group('g', LIMITS);
    for (const t of [5999, 300_001]) {
      const r = join(group, '', 0, { sessionTimeoutMs: t });
      expect(joinReplies(r.effects).get(r.requestId)!.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
  });

  test('requests naming an unknown member or an old generation are refused', () => {
    const group = stableGroup(['a']);
    expect(group.heartbeat({ memberId: 'x', groupInstanceId: null }, group.generationId, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(group.heartbeat({ memberId: 'a', groupInstanceId: null }, group.generationId - 1, 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    const r = join(group, 'x', 1);
    expect(joinReplies(r.effects).get(r.requestId)!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const s = sync(group, 'a', group.generationId + 1, 1);
    expect(syncReplies(s.effects).get(s.requestId)!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(group.leave([{ memberId: 'x', groupInstanceId: null }], 1).errorCodes).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
  });

  test('a lost JoinGroup reply is repeated for a member joining again with the same protocols', () => {
    const group = new Group('g', LIMITS);
    const protocols = [{ name: 'range', metadata: Buffer.from('m') }];
    join(group, '', 0, { newMemberId: 'a', protocols });
    const again = join(group, 'a', 5, { protocols });
    expect(joinReplies(again.effects).get(again.requestId)).toMatchObject({ errorCode: 0, generationId: 1, leader: 'a' });
    expect(group.state).toBe('CompletingRebalance');
  });
});

describe('offset commits', () => {
  test('follow the member and generation rules of Kafka', () => {
    const empty = new Group('g', LIMITS);
    expect(empty.commitError({ memberId: '', groupInstanceId: null }, -1, 0)).toBe(ErrorCode.NONE);
    const group = stableGroup(['a', 'b']);
    const gen = group.generationId;
    const a = { memberId: 'a', groupInstanceId: null };
    expect(group.commitError(a, gen, 1)).toBe(ErrorCode.NONE);
    expect(group.commitError(a, gen - 1, 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(group.commitError({ memberId: 'z', groupInstanceId: null }, gen, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(group.commitError({ memberId: '', groupInstanceId: null }, -1, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    group.leave([{ memberId: 'b', groupInstanceId: null }], 2);
    // While the next generation is joined, members may still commit what they consumed.
    expect(group.commitError(a, gen, 3)).toBe(ErrorCode.NONE);
    join(group, 'a', 4);
    expect(group.state).toBe('CompletingRebalance');
    expect(group.commitError(a, group.generationId, 5)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });
});

describe('static membership', () => {
  function staticGroup(): Group {
    const group = new Group('g', LIMITS);
    join(group, '', 0, { newMemberId: 'a1', groupInstanceId: 'ia' });
    join(group, '', 0, { newMemberId: 'b1', groupInstanceId: 'ib' });
    join(group, 'a1', 0, { groupInstanceId: 'ia' });
    sync(group, 'a1', group.generationId, 0, { a1: 'A', b1: 'B' });
    expect(group.state).toBe('Stable');
    return group;
  }

  test('a restarted static member gets a new id and its old assignment without a rebalance', () => {
    const group = staticGroup();
    const gen = group.generationId;
    const r = join(group, '', 100, { newMemberId: 'b2', groupInstanceId: 'ib' });
    const reply = joinReplies(r.effects).get(r.requestId)!;
    expect(reply).toMatchObject({ errorCode: 0, memberId: 'b2', generationId: gen, leader: 'a1' });
    expect(group.state).toBe('Stable');
    const s = sync(group, 'b2', gen, 101);
    expect(syncReplies(s.effects).get(s.requestId)!.assignment.toString()).toBe('B');
    expect(group.heartbeat({ memberId: 'b1', groupInstanceId: 'ib' }, gen, 102)).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });

  test('a restarted static leader is not told it leads (the old id is returned as leader)', () => {
    const group = staticGroup();
    const r = join(group, '', 100, { newMemberId: 'a2', groupInstanceId: 'ia' });
    const reply = joinReplies(r.effects).get(r.requestId)!;
    expect(reply.leader).toBe('a1');
    expect(reply.memberId).toBe('a2');
    expect(group.leaderId).toBe('a2');
  });

  test('a static member leaving by instance id triggers a rebalance', () => {
    const group = staticGroup();
    const left = group.leave([{ memberId: '', groupInstanceId: 'ib' }], 5);
    expect(left.errorCodes).toEqual([ErrorCode.NONE]);
    expect(group.state).toBe('PreparingRebalance');
  });
});

describe('determinism', () => {
  test('the same inputs give the same effects', () => {
    const run = (): string => {
      nextRequest = 1000;
      const group = stableGroup(['a', 'b', 'c'], { ...LIMITS, initialRebalanceDelayMs: 0 });
      const effects = [
        ...group.leave([{ memberId: 'b', groupInstanceId: null }], 10).effects,
        ...join(group, 'a', 20).effects,
        ...group.tick(REBALANCE_MS + 10),
      ];
      return JSON.stringify(effects);
    };
    expect(run()).toBe(run());
  });
});
