import { Election, ElectionConfig, isBetterVote, sameVote, Vote } from '../../../../zk-server/src/quorum/core/election';
import { Notification, NO_SID } from '../../../../zk-server/src/quorum/core/messages';
import { QuorumVerifier } from '../../../../zk-server/src/quorum/core/quorum-verifier';

const qv = new QuorumVerifier([
  { id: 1, role: 'participant' },
  { id: 2, role: 'participant' },
  { id: 3, role: 'participant' },
  { id: 4, role: 'observer' },
]);

describe('vote order (totalOrderPredicate)', () => {
  const vote = (leader: number, zxid: bigint, peerEpoch: number) => ({ leader, zxid, peerEpoch });

  it('prefers the higher epoch, then the higher zxid, then the higher sid', () => {
    expect(isBetterVote(vote(1, 0x100000000n, 2), vote(3, 0x1000000ffn, 1), qv)).toBe(true);
    expect(isBetterVote(vote(1, 0x100000005n, 1), vote(3, 0x100000004n, 1), qv)).toBe(true);
    expect(isBetterVote(vote(3, 0x100000004n, 1), vote(2, 0x100000004n, 1), qv)).toBe(true);
    expect(isBetterVote(vote(2, 0x100000004n, 1), vote(3, 0x100000004n, 1), qv)).toBe(false);
  });

  it('never lets a vote beat itself', () => {
    expect(isBetterVote(vote(2, 5n, 1), vote(2, 5n, 1), qv)).toBe(false);
  });

  it('never elects a non-voter, however recent its log', () => {
    expect(isBetterVote(vote(4, 0x900000000n, 9), vote(1, 0n, 0), qv)).toBe(false);
    expect(isBetterVote(vote(NO_SID, 0n, 0), vote(1, 0n, 0), qv)).toBe(false);
  });
});

describe('vote equality (Vote.equals)', () => {
  const v = (state: Vote['state'], electionEpoch: number, zxid = 7n): Vote => ({ leader: 2, zxid, electionEpoch, peerEpoch: 3, state });

  it('compares every field while either vote is LOOKING', () => {
    expect(sameVote(v('LOOKING', 4), v('LOOKING', 4))).toBe(true);
    expect(sameVote(v('LOOKING', 4), v('FOLLOWING', 5))).toBe(false);
  });

  it('compares only leader and epoch between settled votes of different rounds', () => {
    expect(sameVote(v('FOLLOWING', 4, 7n), v('LEADING', 9, 12n))).toBe(true);
  });
});

function harness(myId: number, self = { lastZxid: 0n, currentEpoch: 0 }, round = 1, finalizeWaitTicks = 1) {
  const sent: { to: number; n: Notification }[] = [];
  const cfg: ElectionConfig = { myId, qv, finalizeWaitTicks, retryTicksMin: 2, retryTicksMax: 8, config: Buffer.alloc(0) };
  const election = new Election(cfg, (to, n) => sent.push({ to, n }), round, self);
  return { election, sent };
}

function notification(state: Notification['state'], leader: number, zxid: bigint, electionEpoch: number, peerEpoch: number): Notification {
  return { type: 'NOTIFICATION', state, leader, zxid, electionEpoch, peerEpoch, version: 2, config: Buffer.alloc(0) };
}

describe('Election', () => {
  it('starts by voting for itself to every other voter', () => {
    const { sent } = harness(2, { lastZxid: 0x100000003n, currentEpoch: 1 });
    expect(sent.map((s) => s.to)).toEqual([1, 3]);
    expect(sent[0]!.n).toMatchObject({ state: 'LOOKING', leader: 2, zxid: 0x100000003n, electionEpoch: 1, peerEpoch: 1 });
  });

  it('adopts a better vote of its round and decides after the finalize wait', () => {
    const { election, sent } = harness(1);
    sent.length = 0;
    election.receive(3, notification('LOOKING', 3, 0n, 1, 0));
    // 3 beats 1 on sid: 1 now votes for 3 and tells everyone
    expect(sent.map((s) => [s.to, s.n.leader])).toEqual([
      [2, 3],
      [3, 3],
    ]);
    expect(election.decision).toBeNull();
    election.tick();
    expect(election.decision).toMatchObject({ leader: 3, role: 'following' });
  });

  it('leads when a quorum of its round votes for it', () => {
    const { election } = harness(3);
    election.receive(1, notification('LOOKING', 3, 0n, 1, 0));
    election.tick();
    expect(election.decision).toMatchObject({ leader: 3, role: 'leading', vote: { state: 'LEADING', electionEpoch: 1 } });
  });

  it('starts the finalize wait over when a better vote arrives during it', () => {
    const { election } = harness(2, { lastZxid: 5n, currentEpoch: 0 }, 1, 2);
    election.receive(1, notification('LOOKING', 2, 5n, 1, 0));
    election.tick();
    // a quorum agreed on 2 one tick ago; now 3 arrives with a better vote
    election.receive(3, notification('LOOKING', 3, 5n, 1, 0));
    election.tick();
    expect(election.decision).toBeNull();
    election.tick();
    expect(election.decision).toMatchObject({ leader: 3, role: 'following' });
  });

  it('joins a newer round, starting over from the better of that vote and its own', () => {
    const { election, sent } = harness(1, { lastZxid: 9n, currentEpoch: 0 }, 1);
    sent.length = 0;
    election.receive(2, notification('LOOKING', 2, 3n, 5, 0));
    expect(election.round).toBe(5);
    // its own log is newer: it keeps voting for itself, now in round 5
    expect(sent.every((s) => s.n.leader === 1 && s.n.electionEpoch === 5)).toBe(true);
  });

  it('answers an older round with its own vote and does not count it', () => {
    const { election, sent } = harness(1, { lastZxid: 0n, currentEpoch: 0 }, 4);
    sent.length = 0;
    election.receive(3, notification('LOOKING', 3, 0n, 2, 0));
    expect(sent).toEqual([{ to: 3, n: expect.objectContaining({ state: 'LOOKING', leader: 1, electionEpoch: 4 }) }]);
    election.tick();
    expect(election.decision).toBeNull();
  });

  it('follows a running leader once a quorum names it and the leader itself says LEADING', () => {
    const { election } = harness(1, { lastZxid: 0n, currentEpoch: 0 }, 1);
    election.receive(2, notification('FOLLOWING', 3, 0x200000004n, 7, 2));
    expect(election.decision).toBeNull();
    election.receive(3, notification('LEADING', 3, 0x200000004n, 6, 2));
    expect(election.decision).toMatchObject({ leader: 3, role: 'following' });
    expect(election.round).toBe(6);
  });

  it('does not follow a quorum of FOLLOWING votes without the leader saying LEADING', () => {
    const { election } = harness(1);
    election.receive(2, notification('FOLLOWING', 3, 0n, 7, 2));
    election.receive(3, notification('FOLLOWING', 3, 0n, 7, 2));
    expect(election.decision).toBeNull();
  });

  it('makes an observer observe the leader the voters chose, and never counts it', () => {
    const { election, sent } = harness(4);
    expect(sent.map((s) => s.to)).toEqual([1, 2, 3]);
    expect(sent[0]!.n.leader).toBe(NO_SID);
    election.receive(2, notification('FOLLOWING', 3, 0n, 1, 1));
    election.receive(3, notification('LEADING', 3, 0n, 1, 1));
    expect(election.decision).toMatchObject({ leader: 3, role: 'observing' });
  });

  it('answers a looking observer but not its other states', () => {
    const { election, sent } = harness(1);
    sent.length = 0;
    election.receive(4, notification('LOOKING', NO_SID, -1n, 1, -1));
    expect(sent.map((s) => s.to)).toEqual([4]);
    election.receive(4, notification('OBSERVING', 3, 0n, 1, 1));
    expect(sent).toHaveLength(1);
  });

  it('sends its vote again after a quiet period, backing off', () => {
    const { election, sent } = harness(1);
    sent.length = 0;
    election.tick();
    expect(sent).toHaveLength(0);
    election.tick();
    expect(sent).toHaveLength(2);
    for (let i = 0; i < 3; i++) election.tick();
    expect(sent).toHaveLength(2);
    election.tick();
    expect(sent).toHaveLength(4);
  });

  it('decides at once when it is the only voter and there is no finalize wait', () => {
    const lone = new QuorumVerifier([{ id: 1, role: 'participant' }]);
    const election = new Election({ myId: 1, qv: lone, finalizeWaitTicks: 0, retryTicksMin: 1, retryTicksMax: 1, config: Buffer.alloc(0) }, () => {}, 1, {
      lastZxid: 0n,
      currentEpoch: 0,
    });
    expect(election.decision).toMatchObject({ leader: 1, role: 'leading' });
  });
});
