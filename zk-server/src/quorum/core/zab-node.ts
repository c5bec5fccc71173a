// One ensemble member as a pure state machine, in the etcd-raft style: inputs are tick(),
// step(from, message), disconnected(peer) and propose(txn); ready() hands out a Ready record of
// what to persist, send and apply (see ready.ts for the order the runtime must keep) and
// advance(ready) confirms it was done. Between the two, nothing but propose() is called.
// The node switches between LOOKING (an Election), LEADING (a LeaderState) and FOLLOWING or
// OBSERVING (a LearnerState). It owns the epochs and the in-memory log; it never does I/O, never
// reads a clock (time is ticks) and never draws random numbers.

import { assert, ByteWriter } from '../../../../shared/src';
import { TxnHeader } from '../../protocol/records/txn';
import { encodeTxn, Txn } from '../../protocol/txn-codec';
import { Election, Vote } from './election';
import { LoggedTxn, TxnHistory } from './history';
import { LeaderState, ProposeResult } from './leader-state';
import { LearnerState } from './learner-state';
import { Notification, NOTIFICATION_VERSION, PeerMessage, PeerStateName } from './messages';
import { NodeContext, resolveZabConfig, ResolvedZabConfig, ZabConfig } from './node-context';
import { QuorumVerifier } from './quorum-verifier';
import { Outbound, Ready, ReadyBuilder, Role, RoleInfo, StateSnapshot } from './ready';
import { hexZxid } from './zxid';

/** What the runtime recovered from storage: epoch files, the snapshot's zxid, the txns after it. */
export interface RecoveredState {
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  /** zxid of the snapshot the state machine was restored from (0 when none). */
  readonly snapshotZxid: bigint;
  /** Logged txns after the snapshot, in zxid order (committed or not: the log cannot tell). */
  readonly txns: readonly LoggedTxn[];
}

/** The state machine as last applied; called by a leader to send a SNAP. */
export type SnapshotSource = () => StateSnapshot;

export interface ZabStatus {
  readonly myId: number;
  readonly role: Role;
  /** The role's phase: election, discovery, synchronization, synced (learner) or broadcast. */
  readonly phase: string;
  readonly leader: number | null;
  readonly serving: boolean;
  /** The epoch being established or served, else the current epoch. */
  readonly epoch: number;
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  readonly electionRound: number;
  readonly lastLoggedZxid: bigint;
  readonly committedZxid: bigint;
  readonly appliedZxid: bigint;
  /** Leader only: its learners by kind, and how many of them are synced. */
  readonly learners: { followers: number; syncedFollowers: number; observers: number; syncedObservers: number } | null;
}

/** A txn to propose: its bytes (TxnHeader first, zxid left for the leader), or header and record. */
export type ProposeInput = Buffer | { readonly header: Omit<TxnHeader, 'zxid'>; readonly txn: Txn };

function txnBytesOf(input: ProposeInput): Buffer {
  if (Buffer.isBuffer(input)) return input;
  const w = new ByteWriter(64);
  TxnHeader.encode(w, { ...input.header, zxid: 0n });
  encodeTxn(w, input.txn);
  return w.toBuffer();
}

const ROLE_STATE: Record<Role, PeerStateName> = {
  looking: 'LOOKING',
  following: 'FOLLOWING',
  leading: 'LEADING',
  observing: 'OBSERVING',
};

export class ZabNode {
  private readonly cfg: ResolvedZabConfig;
  private readonly qv: QuorumVerifier;
  private readonly history: TxnHistory;
  private readonly builder = new ReadyBuilder();
  private role: Role = 'looking';
  private election: Election | null = null;
  private leader: LeaderState | null = null;
  private learner: LearnerState | null = null;
  private acceptedEpoch: number;
  private currentEpoch: number;
  private committedZxid: bigint;
  private appliedZxid: bigint;
  /** Highest zxid handed to a Ready for applying (or covered by a snapshot install). */
  private emittedZxid: bigint;
  private persistedZxid: bigint;
  private ticks = 0;
  private logicalClock = 0;
  /** The vote we answer LOOKING members with while not looking. */
  private vote: Vote;
  private failure: string | null = null;
  private roleChanged = true;
  private inFlight: { lastZxid: bigint; appliedTo: bigint } | null = null;
  private readonly ctx: NodeContext;

  constructor(
    config: ZabConfig,
    recovered: RecoveredState,
    private readonly snapshotSource: SnapshotSource,
  ) {
    this.cfg = resolveZabConfig(config);
    this.qv = new QuorumVerifier(this.cfg.members);
    assert(this.qv.isMember(this.cfg.myId), `server ${this.cfg.myId} is not a member of the ensemble`);
    assert(recovered.currentEpoch <= recovered.acceptedEpoch, 'currentEpoch never exceeds acceptedEpoch');
    this.history = new TxnHistory(recovered.snapshotZxid, recovered.txns);
    this.acceptedEpoch = recovered.acceptedEpoch;
    this.currentEpoch = recovered.currentEpoch;
    // after a restart only the snapshot is known to be committed; the rest is learnt in sync
    this.committedZxid = recovered.snapshotZxid;
    this.appliedZxid = recovered.snapshotZxid;
    this.emittedZxid = recovered.snapshotZxid;
    this.persistedZxid = this.history.lastZxid;
    this.vote = { leader: this.cfg.myId, zxid: this.history.lastZxid, electionEpoch: 0, peerEpoch: this.currentEpoch, state: 'LOOKING' };
    this.ctx = this.makeContext();
    this.startLooking('startup');
    this.settle();
  }

  // ---- inputs ----

  tick(): void {
    this.ticks++;
    if (this.election !== null) this.election.tick();
    else if (this.leader !== null) this.leader.tick();
    else if (this.learner !== null) this.learner.tick();
    this.settle();
  }

  step(from: number, message: PeerMessage): void {
    if (!this.qv.isMember(from) || from === this.cfg.myId) {
      this.builder.note(`ignored ${message.type} from unknown server ${from}`);
      return;
    }
    if (message.type === 'NOTIFICATION') this.onNotification(from, message);
    else if (this.leader !== null) this.leader.receive(from, message);
    else if (this.learner !== null && from === this.learner.leader) this.learner.receive(message);
    else if (message.type === 'FOLLOWERINFO' || message.type === 'OBSERVERINFO') {
      // not leading: refuse the connection, as a closed quorum port would
      this.builder.close(from);
    }
    this.settle();
  }

  /** The quorum connection with `peer` closed. */
  disconnected(peer: number): void {
    if (this.leader !== null) this.leader.disconnected(peer);
    else if (this.learner !== null && peer === this.learner.leader) this.learner.disconnected();
    this.settle();
  }

  /** On the serving leader: assigns the next zxid to `txn` (TxnHeader + txn record bytes). */
  propose(txn: ProposeInput): ProposeResult {
    if (this.leader === null) return { ok: false, reason: 'not-leader', leader: this.learner?.leader ?? null };
    const result = this.leader.propose(txnBytesOf(txn));
    this.settle();
    return result;
  }

  private onNotification(from: number, n: Notification): void {
    if (this.election !== null) {
      this.election.receive(from, n);
      return;
    }
    if (n.state !== 'LOOKING') return;
    // a member looking for a leader while we have one: tell it who leads
    this.builder.send(from, {
      type: 'NOTIFICATION',
      state: ROLE_STATE[this.role],
      leader: this.vote.leader,
      zxid: this.vote.zxid,
      electionEpoch: this.vote.electionEpoch,
      peerEpoch: this.vote.peerEpoch,
      version: NOTIFICATION_VERSION,
      config: this.cfg.configBytes,
    });
  }

  // ---- role changes ----

  /** Applies what the last input decided: a failed role goes LOOKING, a decided election leads or follows. */
  private settle(): void {
    for (let guard = 0; guard < 4; guard++) {
      if (this.failure !== null) {
        const reason = this.failure;
        this.failure = null;
        this.startLooking(reason);
        continue;
      }
      const decision = this.election?.decision;
      if (decision == null) return;
      this.logicalClock = this.election!.round;
      this.election = null;
      this.vote = decision.vote;
      this.role = decision.role;
      this.roleChanged = true;
      this.builder.note(`elected ${decision.leader} in round ${decision.vote.electionEpoch}: ${decision.role}`);
      if (decision.role === 'leading') this.leader = new LeaderState(this.ctx);
      else this.learner = new LearnerState(this.ctx, decision.leader, decision.role === 'observing');
    }
    assert(this.failure === null && this.election?.decision == null, 'role changes settle');
  }

  private startLooking(reason: string): void {
    if (this.leader !== null) this.leader.closeAll();
    if (this.learner !== null) this.builder.close(this.learner.leader);
    if (this.role !== 'looking' || reason === 'startup') this.builder.note(`looking: ${reason}`);
    this.leader = null;
    this.learner = null;
    this.role = 'looking';
    this.roleChanged = true;
    this.logicalClock++;
    const electionCfg = {
      myId: this.cfg.myId,
      qv: this.qv,
      finalizeWaitTicks: this.cfg.finalizeWaitTicks,
      retryTicksMin: this.cfg.electionRetryTicksMin,
      retryTicksMax: this.cfg.electionRetryTicksMax,
      config: this.cfg.configBytes,
    };
    const self = { lastZxid: this.history.lastZxid, currentEpoch: this.currentEpoch };
    this.election = new Election(electionCfg, (to, n) => this.builder.send(to, n), this.logicalClock, self);
  }

  // ---- Ready ----

  hasReady(): boolean {
    return this.inFlight === null && (this.builder.hasWork || this.roleChanged || this.committedZxid > this.emittedZxid);
  }

  ready(): Ready {
    assert(this.inFlight === null, 'advance the previous Ready first');
    const committed = this.history.range(this.emittedZxid, this.committedZxid);
    this.emittedZxid = this.committedZxid;
    const roleChange = this.roleChanged ? this.roleInfo() : undefined;
    this.roleChanged = false;
    this.inFlight = { lastZxid: this.history.lastZxid, appliedTo: this.emittedZxid };
    return this.builder.take(committed, roleChange);
  }

  advance(_ready: Ready): void {
    assert(this.inFlight !== null, 'advance without a Ready');
    if (this.inFlight.lastZxid > this.persistedZxid) this.persistedZxid = this.inFlight.lastZxid;
    this.appliedZxid = this.inFlight.appliedTo;
    this.inFlight = null;
    this.history.trim(this.appliedZxid, this.cfg.committedLogMax);
    if (this.leader !== null) this.leader.onPersisted();
    this.settle();
  }

  private roleInfo(): RoleInfo {
    const roleEpoch = this.leader?.epoch ?? this.learner?.epoch ?? -1;
    const epoch = roleEpoch >= 0 ? roleEpoch : this.currentEpoch;
    const leader = this.leader !== null ? this.cfg.myId : (this.learner?.leader ?? null);
    const serving = this.leader?.serving ?? this.learner?.serving ?? false;
    return { role: this.role, leader, epoch, serving };
  }

  status(): ZabStatus {
    const info = this.roleInfo();
    const phase = this.leader?.phase ?? this.learner?.phase ?? 'election';
    return {
      myId: this.cfg.myId,
      role: info.role,
      phase,
      leader: info.leader,
      serving: info.serving,
      epoch: info.epoch,
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
      electionRound: this.election?.round ?? this.logicalClock,
      lastLoggedZxid: this.history.lastZxid,
      committedZxid: this.committedZxid,
      appliedZxid: this.appliedZxid,
      learners: this.leader?.learnerCounts() ?? null,
    };
  }

  /**
   * Messages queued since the last Ready that may be sent at once (see Ready.sendFirst). Only for
   * a runtime whose Ready in flight has no message left to send.
   */
  takeSendFirst(): Outbound[] {
    return this.builder.takeSendFirst();
  }

  /** On the serving leader: the zxid the next propose() will assign, or null if it would refuse. */
  nextProposalZxid(): bigint | null {
    return this.leader?.nextZxid() ?? null;
  }

  // ---- what the role state machines may do ----

  private makeContext(): NodeContext {
    const node = this;
    return {
      cfg: node.cfg,
      qv: node.qv,
      myId: node.cfg.myId,
      history: node.history,
      get now() {
        return node.ticks;
      },
      get acceptedEpoch() {
        return node.acceptedEpoch;
      },
      get currentEpoch() {
        return node.currentEpoch;
      },
      get committedZxid() {
        return node.committedZxid;
      },
      get appliedZxid() {
        return node.appliedZxid;
      },
      get persistedZxid() {
        return node.persistedZxid;
      },
      setAcceptedEpoch(epoch) {
        assert(epoch >= node.acceptedEpoch, 'acceptedEpoch only grows');
        node.acceptedEpoch = epoch;
        node.builder.setAcceptedEpoch(epoch);
      },
      setCurrentEpoch(epoch) {
        assert(epoch <= node.acceptedEpoch && epoch >= node.currentEpoch, 'currentEpoch grows up to acceptedEpoch');
        node.currentEpoch = epoch;
        node.builder.setCurrentEpoch(epoch);
      },
      appendTxn(txn) {
        node.history.append(txn);
        node.builder.append(txn);
      },
      truncateLog(zxid) {
        assert(zxid >= node.committedZxid, `truncating committed txns after ${hexZxid(zxid)}`);
        node.history.truncateTo(zxid);
        node.builder.truncate(zxid);
        if (node.persistedZxid > zxid) node.persistedZxid = zxid;
      },
      installSnapshot(snapshot) {
        assert(snapshot.zxid >= node.committedZxid, 'a snapshot never moves the state back');
        node.history.resetTo(snapshot.zxid);
        node.builder.installSnapshot(snapshot);
        node.committedZxid = snapshot.zxid;
        node.emittedZxid = snapshot.zxid;
        node.persistedZxid = snapshot.zxid;
      },
      commitTo(zxid) {
        assert(zxid >= node.committedZxid && zxid <= node.history.lastZxid, `commit ${hexZxid(zxid)} out of range`);
        node.committedZxid = zxid;
      },
      send(to, message) {
        node.builder.send(to, message);
      },
      close(peer) {
        node.builder.close(peer);
      },
      snapshot() {
        return node.snapshotSource();
      },
      updateVoteEpoch(epoch) {
        node.vote = { ...node.vote, peerEpoch: epoch };
      },
      setServing() {
        node.roleChanged = true;
      },
      fail(reason) {
        if (node.failure === null) node.failure = reason;
      },
      note(line) {
        node.builder.note(line);
      },
    };
  }
}
