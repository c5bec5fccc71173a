// The leader side of ZAB (upstream Leader + LearnerHandler), pure, one instance per term:
//   discovery:  FOLLOWERINFO from a quorum (us included) -> newEpoch = max(acceptedEpoch) + 1,
//               LEADERINFO; a quorum of ACKEPOCH (a -1 reply does not count) -> currentEpoch;
//               a follower whose (currentEpoch, lastZxid) is ahead of ours makes us give up.
//   synchronisation: per learner DIFF / TRUNC(+DIFF) / SNAP, the txns it lacks, NEWLEADER; a
//               quorum of NEWLEADER ACKs establishes the epoch: our whole log is committed and the
//               synced learners get UPTODATE.
//   broadcast:  PROPOSAL to voters, COMMIT strictly in zxid order once a quorum (our own durable
//               copy included) has acked, INFORM to observers; PING every tick; give up when
//               fewer than a quorum were heard from within syncLimit ticks.
// Invariant it protects: a zxid is assigned once (one leader per epoch: a quorum persisted the
// epoch before we use it), and a txn is committed only when a quorum holds it durably.

import { assert } from '../../../../shared/src';
import { TxnHistory } from './history';
import { QuorumMessage, ZAB_PROTOCOL_VERSION, NO_ZXID } from './messages';
import { NodeContext } from './node-context';
import { counterOf, epochOf, hexZxid, makeZxid, ZXID_COUNTER_MAX } from './zxid';

export type LeaderPhase = 'discovery' | 'synchronization' | 'broadcast';

/** Where one learner's session stands, in the order it goes through. */
export type LearnerSessionPhase = 'info' | 'epoch' | 'acked-epoch' | 'syncing' | 'synced' | 'uptodate';

interface LearnerSession {
  readonly sid: number;
  readonly observer: boolean;
  phase: LearnerSessionPhase;
  acceptedEpoch: number;
  lastZxid: bigint;
  /** Last zxid of the sync stream: a NEWLEADER ACK vouches for everything up to it. */
  syncEndZxid: bigint;
  /** Highest zxid this follower acked (cumulative: it logs in order), -1 before NEWLEADER. */
  ackedZxid: bigint;
  lastHeardTick: number;
}

export type SyncPlan =
  | { readonly kind: 'DIFF'; readonly from: bigint }
  | { readonly kind: 'TRUNC'; readonly truncateTo: bigint }
  | { readonly kind: 'SNAP' };

/**
 * How to bring a learner whose last logged zxid is `peerLastZxid` in line with `history`:
 * DIFF when that zxid is a point of our history (log matching: same zxid, same prefix), TRUNC to
 * the largest point below it when the learner has a tail we do not (then DIFF from there), SNAP
 * when it is older than what we keep. Unlike upstream we also TRUNC across an epoch boundary.
 */
export function planSync(history: TxnHistory, peerLastZxid: bigint): SyncPlan {
  if (history.contains(peerLastZxid)) return { kind: 'DIFF', from: peerLastZxid };
  // upstream learners may report the new-epoch zxid (counter 0), which names no txn
  if (counterOf(peerLastZxid) === 0 && peerLastZxid > history.baseZxid) return { kind: 'DIFF', from: peerLastZxid };
  if (peerLastZxid > history.baseZxid) return { kind: 'TRUNC', truncateTo: history.largestBelow(peerLastZxid) };
  return { kind: 'SNAP' };
}

interface StateSummary {
  readonly currentEpoch: number;
  readonly lastZxid: bigint;
}

function isMoreRecent(a: StateSummary, b: StateSummary): boolean {
  return a.currentEpoch > b.currentEpoch || (a.currentEpoch === b.currentEpoch && a.lastZxid > b.lastZxid);
}

export type ProposeRefusal = 'not-leader' | 'not-serving' | 'throttled';

export type ProposeResult =
  | { readonly ok: true; readonly zxid: bigint }
  | { readonly ok: false; readonly reason: ProposeRefusal; readonly leader: number | null };

/** Byte offset of the zxid inside a TxnHeader (long clientId, int cxid, long zxid, ...). */
export const TXN_HEADER_ZXID_OFFSET = 12;
/** Size of a TxnHeader: the shortest txn a leader accepts. */
export const TXN_HEADER_BYTES = 32;

export class LeaderState {
  phase: LeaderPhase = 'discovery';
  /** The new epoch, -1 until a quorum of FOLLOWERINFO decides it. */
  epoch = -1;
  private phaseStartTick: number;
  private readonly learners = new Map<number, LearnerSession>();
  private readonly connecting = new Set<number>();
  private readonly epochAcks = new Set<number>();
  private readonly newLeaderAcks = new Set<number>();
  private maxAcceptedEpoch: number;
  private counter = 0;
  private readonly startSummary: StateSummary;

  constructor(private readonly ctx: NodeContext) {
    this.phaseStartTick = ctx.now;
    this.maxAcceptedEpoch = ctx.acceptedEpoch;
    this.startSummary = { currentEpoch: ctx.currentEpoch, lastZxid: ctx.history.lastZxid };
    this.connecting.add(ctx.myId);
    this.maybeDecideEpoch();
  }

  get serving(): boolean {
    return this.phase === 'broadcast';
  }

  /** Learner sids and their session phases, for status output. */
  sessions(): ReadonlyMap<number, LearnerSessionPhase> {
    return new Map([...this.learners].map(([sid, s]) => [sid, s.phase]));
  }

  // ---- discovery ----

  private maybeDecideEpoch(): void {
    if (this.epoch >= 0 || !this.ctx.qv.containsQuorum(this.connecting)) return;
    this.epoch = this.maxAcceptedEpoch + 1;
    this.ctx.setAcceptedEpoch(this.epoch);
    this.ctx.updateVoteEpoch(this.epoch);
    this.ctx.note(`leader: new epoch ${this.epoch} from ${[...this.connecting].sort((a, b) => a - b).join(',')}`);
    for (const s of this.learners.values()) if (s.phase === 'info') this.sendLeaderInfo(s);
    this.epochAcks.add(this.ctx.myId);
    this.maybeFinishDiscovery();
  }

  private sendLeaderInfo(s: LearnerSession): void {
    this.ctx.send(s.sid, { type: 'LEADERINFO', zxid: makeZxid(this.epoch, 0), protocolVersion: ZAB_PROTOCOL_VERSION });
    s.phase = 'epoch';
  }

  private maybeFinishDiscovery(): void {
    if (this.phase !== 'discovery' || this.epoch < 0 || !this.ctx.qv.containsQuorum(this.epochAcks)) return;
    this.phase = 'synchronization';
    this.phaseStartTick = this.ctx.now;
    this.ctx.setCurrentEpoch(this.epoch);
    for (const s of this.learners.values()) if (s.phase === 'acked-epoch') this.startSync(s);
    this.maybeEstablish();
  }

  private onLearnerInfo(from: number, m: Extract<QuorumMessage, { type: 'FOLLOWERINFO' | 'OBSERVERINFO' }>): void {
    const observer = m.type === 'OBSERVERINFO';
    const known = this.ctx.qv.isMember(from) && observer === !this.ctx.qv.isVoter(from);
    if (!known || m.info.serverid !== BigInt(from)) {
      this.ctx.note(`leader: refused ${m.type} from ${from}`);
      this.ctx.close(from);
      return;
    }
    // a new connection from a known learner replaces its old session
    if (this.learners.has(from)) this.forget(from);
    const s: LearnerSession = {
      sid: from,
      observer,
      phase: 'info',
      acceptedEpoch: epochOf(m.zxid),
      lastZxid: -1n,
      syncEndZxid: -1n,
      ackedZxid: -1n,
      lastHeardTick: this.ctx.now,
    };
    this.learners.set(from, s);
    if (this.epoch < 0) {
      this.maxAcceptedEpoch = Math.max(this.maxAcceptedEpoch, s.acceptedEpoch);
      if (!observer) this.connecting.add(from);
      this.maybeDecideEpoch();
    } else {
      this.sendLeaderInfo(s);
    }
  }

  private onAckEpoch(s: LearnerSession, m: Extract<QuorumMessage, { type: 'ACKEPOCH' }>): void {
    if (s.phase !== 'epoch') return this.drop(s, `ACKEPOCH in session phase ${s.phase}`);
    s.lastZxid = m.zxid;
    s.phase = 'acked-epoch';
    if (m.currentEpoch !== -1) {
      const reference =
        this.phase === 'discovery' ? this.startSummary : { currentEpoch: this.ctx.currentEpoch, lastZxid: this.ctx.history.lastZxid };
      if (isMoreRecent({ currentEpoch: m.currentEpoch, lastZxid: m.zxid }, reference)) {
        const what = `follower ${s.sid} is ahead (epoch ${m.currentEpoch}, ${hexZxid(m.zxid)})`;
        if (this.phase === 'discovery') return this.ctx.fail(what);
        return this.drop(s, what);
      }
      // -1: the learner had already accepted this epoch, so its reply is no new promise
      if (!s.observer) this.epochAcks.add(s.sid);
    }
    if (this.phase === 'discovery') this.maybeFinishDiscovery();
    else this.startSync(s);
  }

  // ---- synchronisation ----

  private startSync(s: LearnerSession): void {
    const { history } = this.ctx;
    // before the epoch is established our whole log becomes its initial history
    const committedAtSync = this.phase === 'broadcast' ? this.ctx.committedZxid : history.lastZxid;
    const plan = planSync(history, s.lastZxid);
    let from: bigint;
    switch (plan.kind) {
      case 'DIFF':
        this.ctx.send(s.sid, { type: 'DIFF', zxid: committedAtSync });
        from = plan.from;
        break;
      case 'TRUNC':
        this.ctx.send(s.sid, { type: 'TRUNC', zxid: plan.truncateTo });
        from = plan.truncateTo;
        break;
      case 'SNAP': {
        const snap = this.ctx.snapshot();
        assert(snap.zxid === this.ctx.appliedZxid, 'a SNAP is taken at the applied zxid');
        assert(history.baseZxid <= snap.zxid, 'the log covers everything after the snapshot');
        this.ctx.send(s.sid, { type: 'SNAP', zxid: snap.zxid, snapshot: snap.data });
        from = snap.zxid;
        break;
      }
    }
    // observers get committed txns only; later ones reach them as INFORM
    const last = s.observer ? committedAtSync : history.lastZxid;
    for (const t of history.range(from, last)) {
      this.ctx.send(s.sid, { type: 'PROPOSAL', zxid: t.zxid, txn: t.bytes });
      if (t.zxid <= committedAtSync) this.ctx.send(s.sid, { type: 'COMMIT', zxid: t.zxid });
    }
    this.ctx.send(s.sid, { type: 'NEWLEADER', zxid: makeZxid(this.epoch, 0), config: this.ctx.cfg.configBytes });
    s.syncEndZxid = last > from ? last : from;
    s.phase = 'syncing';
    s.lastHeardTick = this.ctx.now;
    const detail = plan.kind === 'TRUNC' ? ` to ${hexZxid(plan.truncateTo)}` : plan.kind === 'SNAP' ? ` at ${hexZxid(from)}` : '';
    const upTo = hexZxid(s.syncEndZxid);
    this.ctx.note(`leader: sync ${s.sid} (last ${hexZxid(s.lastZxid)}) by ${plan.kind}${detail} up to ${upTo}`);
  }

  private maybeEstablish(): void {
    if (this.phase !== 'synchronization') return;
    if (!this.ctx.qv.containsQuorum([this.ctx.myId, ...this.newLeaderAcks])) return;
    assert(this.ctx.history.lastZxid < makeZxid(this.epoch, 0), 'the initial history predates the new epoch');
    this.phase = 'broadcast';
    this.ctx.commitTo(this.ctx.history.lastZxid);
    this.ctx.setServing();
    this.ctx.note(`leader: epoch ${this.epoch} established with ${[this.ctx.myId, ...this.newLeaderAcks].sort((a, b) => a - b).join(',')}`);
    for (const s of this.learners.values()) if (s.phase === 'synced') this.sendUpToDate(s);
  }

  private sendUpToDate(s: LearnerSession): void {
    this.ctx.send(s.sid, { type: 'UPTODATE', zxid: NO_ZXID });
    s.phase = 'uptodate';
  }

  // ---- broadcast ----

  private onAck(s: LearnerSession, zxid: bigint): void {
    if (s.phase === 'syncing') {
      if (zxid !== makeZxid(this.epoch, 0)) return this.drop(s, `first ACK is ${hexZxid(zxid)}, not NEWLEADER's`);
      s.phase = 'synced';
      if (!s.observer) {
        s.ackedZxid = s.syncEndZxid;
        this.newLeaderAcks.add(s.sid);
      }
      if (this.phase === 'broadcast') {
        this.sendUpToDate(s);
        this.tryCommit();
      } else {
        this.maybeEstablish();
      }
      return;
    }
    if (s.phase !== 'synced' && s.phase !== 'uptodate') return this.drop(s, `ACK in session phase ${s.phase}`);
    // the ACK of UPTODATE, or an observer's: nothing to count
    if (counterOf(zxid) === 0 || s.observer) return;
    if (epochOf(zxid) !== this.epoch || zxid > this.ctx.history.lastZxid) {
      return this.drop(s, `ACK of unknown ${hexZxid(zxid)}`);
    }
    if (zxid > s.ackedZxid) s.ackedZxid = zxid;
    this.tryCommit();
  }

  /** Commits the next proposals, in zxid order, while each has a quorum of durable copies. */
  tryCommit(): void {
    if (this.phase !== 'broadcast') return;
    for (;;) {
      const next = this.ctx.history.next(this.ctx.committedZxid);
      if (next === undefined) return;
      const acks: number[] = this.ctx.persistedZxid >= next.zxid ? [this.ctx.myId] : [];
      for (const s of this.learners.values()) {
        if (isSyncedVoter(s) && s.ackedZxid >= next.zxid) acks.push(s.sid);
      }
      if (!this.ctx.qv.containsQuorum(acks)) return;
      this.ctx.commitTo(next.zxid);
      for (const s of this.learners.values()) {
        if (!isForwarding(s)) continue;
        if (s.observer) this.ctx.send(s.sid, { type: 'INFORM', zxid: next.zxid, txn: next.bytes });
        else this.ctx.send(s.sid, { type: 'COMMIT', zxid: next.zxid });
      }
    }
  }

  /** The zxid propose() would assign now, or null when it would refuse. */
  nextZxid(): bigint | null {
    if (this.phase !== 'broadcast' || this.counter >= ZXID_COUNTER_MAX) return null;
    const committed = this.ctx.committedZxid;
    const outstanding = this.counter - (epochOf(committed) === this.epoch ? counterOf(committed) : 0);
    if (outstanding >= this.ctx.cfg.outstandingProposalsMax) return null;
    return makeZxid(this.epoch, this.counter + 1);
  }

  /** Learners that are voters (observers excluded) and the observers, and how many of each are synced. */
  learnerCounts(): { followers: number; syncedFollowers: number; observers: number; syncedObservers: number } {
    const counts = { followers: 0, syncedFollowers: 0, observers: 0, syncedObservers: 0 };
    for (const s of this.learners.values()) {
      const synced = s.phase === 'synced' || s.phase === 'uptodate';
      if (s.observer) {
        counts.observers++;
        if (synced) counts.syncedObservers++;
      } else {
        counts.followers++;
        if (synced) counts.syncedFollowers++;
      }
    }
    return counts;
  }

  /** Assigns the next zxid to `txn` (TxnHeader first), logs it and sends it to the voters. */
  propose(txn: Buffer): ProposeResult {
    if (this.phase !== 'broadcast') return { ok: false, reason: 'not-serving', leader: this.ctx.myId };
    const committed = this.ctx.committedZxid;
    const outstanding = this.counter - (epochOf(committed) === this.epoch ? counterOf(committed) : 0);
    if (outstanding >= this.ctx.cfg.outstandingProposalsMax) {
      return { ok: false, reason: 'throttled', leader: this.ctx.myId };
    }
    if (this.counter >= ZXID_COUNTER_MAX) {
      // upstream forces an election so that the next epoch starts counting again
      this.ctx.fail('zxid counter rolled over');
      return { ok: false, reason: 'not-serving', leader: null };
    }
    assert(txn.length >= TXN_HEADER_BYTES, 'a txn starts with its TxnHeader');
    this.counter++;
    const zxid = makeZxid(this.epoch, this.counter);
    const bytes = Buffer.from(txn);
    bytes.writeBigInt64BE(zxid, TXN_HEADER_ZXID_OFFSET);
    this.ctx.appendTxn({ zxid, bytes });
    for (const s of this.learners.values()) {
      if (!s.observer && isForwarding(s)) this.ctx.send(s.sid, { type: 'PROPOSAL', zxid, txn: bytes });
    }
    return { ok: true, zxid };
  }

  // ---- inputs ----

  receive(from: number, m: QuorumMessage): void {
    if (m.type === 'FOLLOWERINFO' || m.type === 'OBSERVERINFO') return this.onLearnerInfo(from, m);
    const s = this.learners.get(from);
    if (s === undefined) return;
    s.lastHeardTick = this.ctx.now;
    switch (m.type) {
      case 'ACKEPOCH':
        return this.onAckEpoch(s, m);
      case 'ACK':
        return this.onAck(s, m.zxid);
      case 'PING':
        // session touches are for the session tracker, which lives outside the core
        return;
      case 'REQUEST':
      case 'REVALIDATE':
        // client traffic forwarded by learners is routed by the server, not by the core
        return;
      default:
        return this.drop(s, `unexpected ${m.type}`);
    }
  }

  tick(): void {
    const { now, cfg } = this.ctx;
    if (this.phase !== 'broadcast' && now - this.phaseStartTick >= cfg.initLimitTicks) {
      return this.ctx.fail(`no quorum within initLimit in ${this.phase}`);
    }
    for (const s of [...this.learners.values()]) {
      const limit = s.phase === 'synced' || s.phase === 'uptodate' ? cfg.syncLimitTicks : cfg.initLimitTicks;
      if (now - s.lastHeardTick > limit) {
        this.drop(s, `nothing heard for ${now - s.lastHeardTick} ticks`);
        continue;
      }
      if (isForwarding(s)) this.ctx.send(s.sid, { type: 'PING', zxid: this.ctx.history.lastZxid, data: null });
    }
    if (this.phase === 'broadcast') {
      const synced = [this.ctx.myId];
      for (const s of this.learners.values()) if (isSyncedVoter(s)) synced.push(s.sid);
      if (!this.ctx.qv.containsQuorum(synced)) {
        this.ctx.fail(`not sufficient followers synced, only ${synced.sort((a, b) => a - b).join(',')}`);
      }
    }
  }

  /** The runtime made our own log durable up to persistedZxid: our ack may complete a quorum. */
  onPersisted(): void {
    this.tryCommit();
  }

  /** The quorum connection to `sid` closed. */
  disconnected(sid: number): void {
    if (this.learners.has(sid)) {
      this.ctx.note(`leader: learner ${sid} disconnected`);
      this.forget(sid);
    }
  }

  /** Leadership ends: close every learner's connection. */
  closeAll(): void {
    for (const sid of [...this.learners.keys()]) {
      this.forget(sid);
      this.ctx.close(sid);
    }
  }

  private drop(s: LearnerSession, reason: string): void {
    this.ctx.note(`leader: dropping learner ${s.sid}: ${reason}`);
    this.forget(s.sid);
    this.ctx.close(s.sid);
  }

  private forget(sid: number): void {
    this.learners.delete(sid);
    this.connecting.delete(sid);
    this.epochAcks.delete(sid);
    this.newLeaderAcks.delete(sid);
  }
}

/** A follower that acked NEWLEADER: its ACKs count. */
function isSyncedVoter(s: LearnerSession): boolean {
  return !s.observer && (s.phase === 'synced' || s.phase === 'uptodate');
}

/** Learners that already got their sync stream receive every later proposal, commit and ping. */
function isForwarding(s: LearnerSession): boolean {
  return s.phase === 'syncing' || s.phase === 'synced' || s.phase === 'uptodate';
}
