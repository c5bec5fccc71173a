// Fast leader election (upstream FastLeaderElection.lookForLeader) as a pure state machine: one
// instance per LOOKING period. Time is ticks; messages go out through `send`. It never decides on
// its own vote alone: a leader needs a quorum of voters naming it (the finalize wait lets a better
// vote still arrive), or, when joining a running ensemble, a quorum of FOLLOWING/LEADING votes that
// includes the leader's own LEADING vote. Election decides who leads, never what is committed:
// the discovery phase of ZAB makes a wrong guess safe.

import { assert } from '../../../../shared/src';
import { NO_SID, NOTIFICATION_VERSION, Notification, PeerStateName } from './messages';
import { QuorumVerifier } from './quorum-verifier';

export interface Vote {
  readonly leader: number;
  readonly zxid: bigint;
  readonly electionEpoch: number;
  readonly peerEpoch: number;
  readonly state: PeerStateName;
}

/** A proposal: the fields the vote order looks at. */
export interface Candidate {
  readonly leader: number;
  readonly zxid: bigint;
  readonly peerEpoch: number;
}

/**
 * totalOrderPredicate: whether `next` beats `current`: higher epoch, then higher zxid, then higher
 * sid. A candidate that is not a voter (an observer, NO_SID) never wins.
 */
export function isBetterVote(next: Candidate, current: Candidate, qv: QuorumVerifier): boolean {
  if (!qv.isVoter(next.leader)) return false;
  if (next.peerEpoch !== current.peerEpoch) return next.peerEpoch > current.peerEpoch;
  if (next.zxid !== current.zxid) return next.zxid > current.zxid;
  return next.leader > current.leader;
}

/**
 * Vote.equals: during an election round every field must match; votes of members already
 * FOLLOWING or LEADING come from different rounds, so there only the leader and its epoch count.
 */
export function sameVote(a: Vote, b: Vote): boolean {
  if (a.state === 'LOOKING' || b.state === 'LOOKING') {
    return a.leader === b.leader && a.zxid === b.zxid && a.electionEpoch === b.electionEpoch && a.peerEpoch === b.peerEpoch;
  }
  return a.leader === b.leader && a.peerEpoch === b.peerEpoch;
}

export interface ElectionConfig {
  readonly myId: number;
  readonly qv: QuorumVerifier;
  /** Ticks to wait, once a quorum agrees, for a better vote (upstream finalizeWait, 200 ms). */
  readonly finalizeWaitTicks: number;
  /** Ticks without any notification before sending the vote again; doubles up to the max. */
  readonly retryTicksMin: number;
  readonly retryTicksMax: number;
  /** Config bytes carried by every notification. */
  readonly config: Buffer;
}

export type ElectedRole = 'leading' | 'following' | 'observing';

export interface ElectionDecision {
  readonly leader: number;
  readonly role: ElectedRole;
  /** The vote this member answers LOOKING members with from now on. */
  readonly vote: Vote;
}

export interface ElectionSelf {
  readonly lastZxid: bigint;
  readonly currentEpoch: number;
}

const ROLE_STATE: Record<ElectedRole, PeerStateName> = { leading: 'LEADING', following: 'FOLLOWING', observing: 'OBSERVING' };

export class Election {
  private clock: number;
  private proposal: Candidate;
  private readonly initial: Candidate;
  private readonly recvSet = new Map<number, Vote>();
  private readonly outOfElection = new Map<number, Vote>();
  private finalizeAtTick: number | null = null;
  private ticks = 0;
  private quietTicks = 0;
  private retryTicks: number;
  private result: ElectionDecision | null = null;

  constructor(
    private readonly cfg: ElectionConfig,
    private readonly send: (to: number, n: Notification) => void,
    round: number,
    self: ElectionSelf,
  ) {
    assert(cfg.retryTicksMin >= 1 && cfg.retryTicksMax >= cfg.retryTicksMin, 'election retry ticks');
    this.clock = round;
    this.initial = cfg.qv.isVoter(cfg.myId)
      ? { leader: cfg.myId, zxid: self.lastZxid, peerEpoch: self.currentEpoch }
      : { leader: NO_SID, zxid: -(2n ** 63n), peerEpoch: -1 };
    this.proposal = this.initial;
    this.retryTicks = cfg.retryTicksMin;
    this.broadcast();
    // a lone voter is its own quorum
    this.checkFinalize();
  }

  get round(): number {
    return this.clock;
  }

  get decision(): ElectionDecision | null {
    return this.result;
  }

  /** The vote this member currently proposes, as a LOOKING vote of this round. */
  get currentVote(): Vote {
    return { ...this.proposal, electionEpoch: this.clock, state: 'LOOKING' };
  }

  private notification(vote: Vote): Notification {
    return {
      type: 'NOTIFICATION',
      state: vote.state,
      leader: vote.leader,
      zxid: vote.zxid,
      electionEpoch: vote.electionEpoch,
      peerEpoch: vote.peerEpoch,
      version: NOTIFICATION_VERSION,
      config: this.cfg.config,
    };
  }

  /** sendNotifications: the current proposal to every voter; our own vote is recorded directly. */
  private broadcast(): void {
    const vote = this.currentVote;
    if (this.cfg.qv.isVoter(this.cfg.myId)) this.recvSet.set(this.cfg.myId, vote);
    for (const sid of this.cfg.qv.voters) if (sid !== this.cfg.myId) this.send(sid, this.notification(vote));
  }

  private replyTo(sid: number): void {
    this.send(sid, this.notification(this.currentVote));
  }

  receive(from: number, n: Notification): void {
    if (this.result !== null) return;
    // a looking non-voter only asks for our vote (answering its other states would echo forever)
    if (!this.cfg.qv.isVoter(from)) {
      if (n.state === 'LOOKING') this.replyTo(from);
      return;
    }
    this.quietTicks = 0;
    const vote: Vote = { leader: n.leader, zxid: n.zxid, electionEpoch: n.electionEpoch, peerEpoch: n.peerEpoch, state: n.state };
    switch (n.state) {
      case 'LOOKING':
        this.onLooking(from, vote);
        return;
      case 'FOLLOWING':
      case 'LEADING':
        this.onSettled(from, vote);
        return;
      case 'OBSERVING':
        return;
    }
  }

  private onLooking(from: number, vote: Vote): void {
    if (!this.cfg.qv.isVoter(vote.leader)) return;
    if (vote.electionEpoch > this.clock) {
      this.clock = vote.electionEpoch;
      this.recvSet.clear();
      this.proposal = isBetterVote(vote, this.initial, this.cfg.qv) ? candidateOf(vote) : this.initial;
      this.finalizeAtTick = null;
      this.broadcast();
    } else if (vote.electionEpoch < this.clock) {
      // an older round: tell the sender where we are, do not count its vote. An observer's vote
      // counts nowhere and voters answer it, so it never answers them (that would echo forever)
      if (this.cfg.qv.isVoter(this.cfg.myId)) this.replyTo(from);
      return;
    } else if (isBetterVote(vote, this.proposal, this.cfg.qv)) {
      // a better vote during the finalize wait starts the wait over for the new proposal
      this.proposal = candidateOf(vote);
      this.finalizeAtTick = null;
      this.broadcast();
    }
    this.recvSet.set(from, vote);
    this.checkFinalize();
  }

  /** A quorum agreeing with our proposal starts (or keeps) the finalize wait; a change cancels it. */
  private checkFinalize(): void {
    if (!this.hasQuorumFor(this.recvSet, this.currentVote)) {
      this.finalizeAtTick = null;
      return;
    }
    if (this.finalizeAtTick === null) this.finalizeAtTick = this.ticks + this.cfg.finalizeWaitTicks;
    if (this.cfg.finalizeWaitTicks === 0) this.decide(this.proposal, this.clock);
  }

  private onSettled(from: number, vote: Vote): void {
    if (vote.electionEpoch === this.clock) {
      this.recvSet.set(from, vote);
      if (this.hasQuorumFor(this.recvSet, vote) && this.checkLeader(this.recvSet, vote.leader, vote.electionEpoch)) {
        this.decide(vote, vote.electionEpoch);
        return;
      }
    }
    // joining an ensemble that already has a leader: the round does not matter
    this.outOfElection.set(from, vote);
    const settled = this.outOfElection;
    if (this.hasQuorumFor(settled, vote) && this.checkLeader(settled, vote.leader, vote.electionEpoch)) {
      this.clock = vote.electionEpoch;
      this.decide(vote, vote.electionEpoch);
    }
  }

  /** termPredicate: voters whose recorded vote equals `target` form a quorum. */
  private hasQuorumFor(votes: ReadonlyMap<number, Vote>, target: Vote): boolean {
    const agreeing: number[] = [];
    for (const [sid, v] of votes) if (sameVote(v, target)) agreeing.push(sid);
    return this.cfg.qv.containsQuorum(agreeing);
  }

  /** checkLeader: another leader must itself have said LEADING; we lead only from our own round. */
  private checkLeader(votes: ReadonlyMap<number, Vote>, leader: number, electionEpoch: number): boolean {
    if (leader !== this.cfg.myId) return votes.get(leader)?.state === 'LEADING';
    return this.clock === electionEpoch;
  }

  private decide(c: Candidate, electionEpoch: number): void {
    const { myId, qv } = this.cfg;
    const role: ElectedRole = c.leader === myId ? 'leading' : qv.isVoter(myId) ? 'following' : 'observing';
    const vote: Vote = { leader: c.leader, zxid: c.zxid, electionEpoch, peerEpoch: c.peerEpoch, state: ROLE_STATE[role] };
    this.result = { leader: c.leader, role, vote };
    this.finalizeAtTick = null;
  }

  tick(): void {
    if (this.result !== null) return;
    this.ticks++;
    if (this.finalizeAtTick !== null && this.ticks >= this.finalizeAtTick) {
      if (this.hasQuorumFor(this.recvSet, this.currentVote)) {
        this.decide(this.proposal, this.clock);
        return;
      }
      this.finalizeAtTick = null;
    }
    this.quietTicks++;
    if (this.quietTicks >= this.retryTicks) {
      this.quietTicks = 0;
      this.retryTicks = Math.min(this.retryTicks * 2, this.cfg.retryTicksMax);
      this.broadcast();
    }
  }
}

function candidateOf(v: Vote): Candidate {
  return { leader: v.leader, zxid: v.zxid, peerEpoch: v.peerEpoch };
}
