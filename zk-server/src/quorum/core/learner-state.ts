// The learner side of ZAB (upstream Learner/Follower/Observer), pure, one instance per leader:
//   discovery: FOLLOWERINFO (OBSERVERINFO) with our acceptedEpoch; LEADERINFO -> persist the new
//              acceptedEpoch, then ACKEPOCH with our last zxid and currentEpoch (-1 when we had
//              already accepted that epoch); refuse a leader whose epoch is below what we accepted.
//   synchronisation: DIFF / TRUNC / SNAP, then the txns of the stream are logged; NEWLEADER ->
//              persist currentEpoch after them, ACK; UPTODATE -> everything the stream marked
//              committed is committed, start serving, ACK.
//   broadcast: PROPOSAL -> log, ACK once durable (the ACK rides in the same Ready as the append);
//              COMMIT -> commit in order; observers get INFORM (log and commit at once); PING -> reply.
// Any packet out of order means the stream is broken: go LOOKING, as upstream does on an exception.
// Invariant it protects: nothing is applied that a quorum may not hold, and nothing committed is
// ever truncated away.

import { assert } from '../../../../shared/src';
import { QuorumMessage, ZAB_PROTOCOL_VERSION } from './messages';
import { NodeContext } from './node-context';
import { counterOf, epochOf, hexZxid, makeZxid } from './zxid';

export type LearnerPhase = 'discovery' | 'synchronization' | 'synced' | 'broadcast';

const EMPTY = Buffer.alloc(0);

export class LearnerState {
  phase: LearnerPhase = 'discovery';
  /** The leader's epoch, -1 before LEADERINFO. */
  epoch = -1;
  private syncStarted = false;
  /** What the sync stream declared committed; applied at UPTODATE. */
  private syncCommitZxid = -1n;
  private readonly startTick: number;
  private lastHeardTick: number;
  /** The leader refused or dropped our connection before LEADERINFO: connect again next tick. */
  private reconnect = false;

  constructor(
    private readonly ctx: NodeContext,
    readonly leader: number,
    readonly observer: boolean,
  ) {
    this.startTick = ctx.now;
    this.lastHeardTick = ctx.now;
    this.connect();
  }

  /** Opens the quorum connection with the learner info (the transport opens it on this packet). */
  private connect(): void {
    this.ctx.send(this.leader, {
      type: this.observer ? 'OBSERVERINFO' : 'FOLLOWERINFO',
      zxid: makeZxid(this.ctx.acceptedEpoch, 0),
      info: { serverid: BigInt(this.ctx.myId), protocolVersion: ZAB_PROTOCOL_VERSION, configVersion: 0n },
    });
  }

  /**
   * The connection closed. Before LEADERINFO the elected leader may still be finishing its own
   * election: keep trying until initLimit, as upstream's connectToLeader does. Later it is fatal.
   */
  disconnected(): void {
    if (this.phase === 'discovery') this.reconnect = true;
    else this.ctx.fail(`connection to leader ${this.leader} closed`);
  }

  get serving(): boolean {
    return this.phase === 'broadcast';
  }

  private broken(what: string): void {
    this.ctx.fail(`${what} from leader ${this.leader} in ${this.phase}`);
  }

  receive(m: QuorumMessage): void {
    this.lastHeardTick = this.ctx.now;
    switch (m.type) {
      case 'LEADERINFO':
        return this.onLeaderInfo(m.zxid);
      case 'DIFF':
      case 'TRUNC':
        return this.onSyncStart(m.type, m.zxid, null);
      case 'SNAP':
        return this.onSyncStart('SNAP', m.zxid, m.snapshot);
      case 'PROPOSAL':
        return this.onProposal(m.zxid, m.txn);
      case 'COMMIT':
        return this.onCommit(m.zxid);
      case 'INFORM':
        return this.onInform(m.zxid, m.txn);
      case 'NEWLEADER':
        return this.onNewLeader(m.zxid);
      case 'UPTODATE':
        return this.onUpToDate();
      case 'PING':
        if (this.phase === 'synced' || this.phase === 'broadcast') {
          this.ctx.send(this.leader, { type: 'PING', zxid: m.zxid, data: EMPTY });
        }
        return;
      case 'SYNC':
      case 'REVALIDATE':
        // answers to client traffic, routed by the server
        return;
      default:
        return this.broken(`unexpected ${m.type}`);
    }
  }

  private onLeaderInfo(zxid: bigint): void {
    if (this.phase !== 'discovery') return this.broken('LEADERINFO');
    const newEpoch = epochOf(zxid);
    const { acceptedEpoch, currentEpoch, history } = this.ctx;
    if (newEpoch < acceptedEpoch) {
      return this.ctx.fail(`leader ${this.leader} epoch ${newEpoch} is below accepted epoch ${acceptedEpoch}`);
    }
    if (newEpoch > acceptedEpoch) {
      // persisted before the ACKEPOCH leaves: we promise to ignore older leaders from now on
      this.ctx.setAcceptedEpoch(newEpoch);
      this.ctx.send(this.leader, { type: 'ACKEPOCH', zxid: history.lastZxid, currentEpoch });
    } else {
      this.ctx.send(this.leader, { type: 'ACKEPOCH', zxid: history.lastZxid, currentEpoch: -1 });
    }
    this.epoch = newEpoch;
    this.ctx.updateVoteEpoch(newEpoch);
    this.phase = 'synchronization';
  }

  private onSyncStart(kind: 'DIFF' | 'TRUNC' | 'SNAP', zxid: bigint, snapshot: Buffer | null): void {
    if (this.phase !== 'synchronization' || this.syncStarted) return this.broken(kind);
    this.syncStarted = true;
    switch (kind) {
      case 'DIFF':
        break;
      case 'TRUNC':
        assert(zxid >= this.ctx.committedZxid, `TRUNC to ${hexZxid(zxid)} drops txns committed up to ${hexZxid(this.ctx.committedZxid)}`);
        this.ctx.truncateLog(zxid);
        break;
      case 'SNAP':
        assert(zxid >= this.ctx.committedZxid, `SNAP at ${hexZxid(zxid)} is older than committed ${hexZxid(this.ctx.committedZxid)}`);
        this.ctx.installSnapshot({ zxid, data: snapshot! });
        break;
    }
    this.syncCommitZxid = zxid;
    this.ctx.note(`learner: ${kind} ${hexZxid(zxid)} from ${this.leader}`);
  }

  private inStream(): boolean {
    return (this.phase === 'synchronization' && this.syncStarted) || this.phase === 'synced' || this.phase === 'broadcast';
  }

  /** After NEWLEADER every txn is of the new epoch and follows the previous one. */
  private isNextOfEpoch(zxid: bigint): boolean {
    const last = this.ctx.history.lastZxid;
    const expected = epochOf(last) === this.epoch ? counterOf(last) + 1 : 1;
    return epochOf(zxid) === this.epoch && counterOf(zxid) === expected;
  }

  private onProposal(zxid: bigint, txn: Buffer): void {
    if (!this.inStream()) return this.broken('PROPOSAL');
    if (zxid <= this.ctx.history.lastZxid) {
      return this.broken(`PROPOSAL ${hexZxid(zxid)} not after ${hexZxid(this.ctx.history.lastZxid)}`);
    }
    const inSync = this.phase === 'synchronization';
    if (!inSync && (this.observer || !this.isNextOfEpoch(zxid))) return this.broken(`PROPOSAL ${hexZxid(zxid)}`);
    this.ctx.appendTxn({ zxid, bytes: txn });
    // in the sync stream the NEWLEADER ACK vouches for these; later each is acked once durable
    if (!inSync) this.ctx.send(this.leader, { type: 'ACK', zxid });
  }

  private onCommit(zxid: bigint): void {
    if (!this.inStream()) return this.broken('COMMIT');
    if (zxid > this.ctx.history.lastZxid) return this.broken(`COMMIT of unlogged ${hexZxid(zxid)}`);
    if (this.phase !== 'broadcast') {
      if (zxid > this.syncCommitZxid) this.syncCommitZxid = zxid;
      return;
    }
    if (zxid > this.ctx.committedZxid) this.ctx.commitTo(zxid);
  }

  private onInform(zxid: bigint, txn: Buffer): void {
    if (!this.observer || (this.phase !== 'synced' && this.phase !== 'broadcast')) return this.broken('INFORM');
    if (!this.isNextOfEpoch(zxid)) {
      return this.broken(`INFORM ${hexZxid(zxid)} after ${hexZxid(this.ctx.history.lastZxid)}`);
    }
    this.ctx.appendTxn({ zxid, bytes: txn });
    if (this.phase === 'broadcast') this.ctx.commitTo(zxid);
    else this.syncCommitZxid = zxid;
  }

  private onNewLeader(zxid: bigint): void {
    if (this.phase !== 'synchronization' || !this.syncStarted) return this.broken('NEWLEADER');
    if (epochOf(zxid) !== this.epoch) return this.broken(`NEWLEADER of epoch ${epochOf(zxid)}`);
    // written after the txns of this stream (Ready order), fsynced before the ACK leaves
    this.ctx.setCurrentEpoch(this.epoch);
    this.ctx.send(this.leader, { type: 'ACK', zxid });
    this.phase = 'synced';
  }

  private onUpToDate(): void {
    if (this.phase !== 'synced') return this.broken('UPTODATE');
    const last = this.ctx.history.lastZxid;
    const target = this.syncCommitZxid < last ? this.syncCommitZxid : last;
    if (target > this.ctx.committedZxid) this.ctx.commitTo(target);
    this.phase = 'broadcast';
    this.ctx.send(this.leader, { type: 'ACK', zxid: makeZxid(this.epoch, 0) });
    this.ctx.setServing();
    const committed = hexZxid(this.ctx.committedZxid);
    this.ctx.note(`learner: serving epoch ${this.epoch} with leader ${this.leader}, committed ${committed}`);
  }

  tick(): void {
    const { now, cfg } = this.ctx;
    if (this.phase === 'discovery' || this.phase === 'synchronization') {
      if (now - this.startTick > cfg.initLimitTicks) this.ctx.fail(`no sync with leader ${this.leader} within initLimit`);
      else if (this.reconnect) {
        this.reconnect = false;
        this.connect();
      }
      return;
    }
    const silent = now - this.lastHeardTick;
    if (silent > cfg.syncLimitTicks) this.ctx.fail(`nothing from leader ${this.leader} for ${silent} ticks`);
  }
}
