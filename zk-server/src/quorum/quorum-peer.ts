// An ensemble member's request processing: the ZooKeeperServer's chain with its sync step replaced
// by the quorum. The serving leader preps each write against its tree and pending changes and
// proposes it; a learner forwards writes to the leader as REQUEST packets. Every member applies
// committed txns in zxid order through the StateMachine below, and answers a client when the txn
// of one of its requests is applied (matched by session and cxid: a session's requests reach the
// leader in order over one connection, so they come back in order too).
// Sessions are global: created and closed by txns, kept alive by pings through any member (a
// learner reports the sessions it saw in its PING answers), expired by the leader only.
// sync: the leader answers once every txn it proposed before is applied; a learner asks the leader
// and, on its SYNC answer, waits until it has applied everything committed before that answer.
// A member that stops serving (election, lost leader) forgets everything in flight: its clients
// are disconnected and retry elsewhere, as upstream.

import { assert, ByteReader, Clock, Logger } from '../../../shared/src';
import { Op } from '../protocol/op-codes';
import { TxnHeader } from '../protocol/records/txn';
import { decodeTxn } from '../protocol/txn-codec';
import { decodeDatabase, encodeDatabase } from '../persistence/snapshot';
import { restoreInto, snapshotSourceOf } from '../persistence/zk-database';
import { PreparedTxn, Request } from '../pipeline/request';
import { WriteDone, WritePath, ZooKeeperServer } from '../zookeeper-server';
import { LoggedTxn } from './core/history';
import { RoleInfo, StateSnapshot } from './core/ready';
import { ZabStatus } from './core/zab-node';
import { NO_ZXID } from './core/messages';
import { ClientTraffic, PeerRuntime, PeerRuntimeOptions, PeerStorage, PeerTransport, StateMachine } from './runtime/peer-runtime';
import {
  decodeForwardedRequest,
  decodeSessionTimeout,
  decodeSessionTouches,
  encodeForwardedRequest,
  encodeSessionTimeout,
  encodeSessionTouches,
} from './client-traffic';

export interface QuorumPeerEvents {
  /** The member started or stopped serving clients; when it stops, its client connections must close. */
  onServing(serving: boolean, role: RoleInfo): void;
  /** The member can no longer take part (its log cannot be made durable). */
  onFatal(error: Error): void;
  onNote?(line: string): void;
}

interface PendingReply {
  readonly cxid: number;
  readonly done: WriteDone;
}

const EMPTY = Buffer.alloc(0);
const NOT_SERVING: RoleInfo = { role: 'looking', leader: null, epoch: -1, serving: false };

export class QuorumPeer {
  readonly runtime: PeerRuntime;
  private role: RoleInfo = NOT_SERVING;
  private appliedZxid = 0n;
  /** Local clients' writes waiting for their txn, by session, in request order. */
  private readonly replies = new Map<bigint, PendingReply[]>();
  private repliesCount = 0;
  /** Leader: txns it prepared, so applying them needs no decoding. */
  private readonly prepared = new Map<bigint, PreparedTxn>();
  /** Leader: requests waiting while the proposal window is full. */
  private backlog: Request[] = [];
  /** Callbacks waiting until the state machine has applied a zxid (targets never decrease). */
  private waiters: Array<{ readonly zxid: bigint; readonly fn: () => void }> = [];
  /** Learner: local syncs waiting for the leader's SYNC, in order. */
  private learnerSyncs: Array<() => void> = [];
  /** Learner: sessions its clients kept alive since the last PING answer. */
  private touched = new Map<bigint, number>();

  constructor(
    private readonly zk: ZooKeeperServer,
    options: PeerRuntimeOptions,
    transport: PeerTransport,
    storage: PeerStorage,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: QuorumPeerEvents,
  ) {
    this.runtime = new PeerRuntime(options, transport, storage, clock, this.stateMachine(), {
      onRole: (info) => this.onRole(info),
      onNote: (line) => {
        this.logger.info(line);
        this.events.onNote?.(line);
      },
      onFatal: (error) => this.events.onFatal(error),
      onClientTraffic: (from, message) => this.onClientTraffic(from, message),
      onLearnerPing: (_from, data) => this.onLearnerPing(data),
      learnerPingData: () => this.takeTouches(),
    });
  }

  start(): void {
    this.zk.setQuorumServing(false);
    this.zk.useWritePath(this.writePath());
    this.zk.onSessionTouched = (sessionId, timeoutMs) => {
      if (this.isLearner) this.touched.set(sessionId, timeoutMs);
    };
    this.runtime.start();
  }

  stop(): void {
    this.runtime.stop();
    this.forgetInFlight();
  }

  get roleInfo(): RoleInfo {
    return this.role;
  }

  get isServingLeader(): boolean {
    return this.role.serving && this.role.role === 'leading';
  }

  status(): ZabStatus {
    return this.runtime.status();
  }

  private get isLearner(): boolean {
    return this.role.role === 'following' || this.role.role === 'observing';
  }

  // ---- the replicated state machine: the data tree and the session table ----

  private stateMachine(): StateMachine {
    return {
      restore: (snapshot) => this.restore(snapshot),
      apply: (txn) => this.apply(txn),
      snapshot: (): StateSnapshot => ({ zxid: this.zk.tree.lastProcessedZxid, data: encodeDatabase(snapshotSourceOf(this.zk)) }),
    };
  }

  private restore(snapshot: StateSnapshot | null): void {
    if (snapshot === null) {
      // only at startup, from an empty data directory: the tree is the initial one
      assert(this.zk.tree.lastProcessedZxid === 0n, 'restoring nothing over a used tree');
      this.appliedZxid = 0n;
      return;
    }
    const db = decodeDatabase(snapshot.data);
    for (const s of [...this.zk.sessions.all()]) this.zk.sessions.remove(s.sessionId);
    restoreInto(
      this.zk,
      { snapshot: { name: `SNAP 0x${snapshot.zxid.toString(16)}`, zxid: snapshot.zxid, dbid: 0n, zxidDigest: null, ...db }, txns: [], lastZxid: snapshot.zxid },
      this.logger,
    );
    this.zk.changes.clear();
    this.zk.resetZxidAfterRestore();
    this.appliedZxid = snapshot.zxid;
  }

  private apply(logged: LoggedTxn): void {
    let prepared = this.prepared.get(logged.zxid);
    if (prepared !== undefined) this.prepared.delete(logged.zxid);
    else {
      const r = new ByteReader(logged.bytes);
      const header = TxnHeader.decode(r);
      prepared = { header, txn: decodeTxn(header.type, r) };
    }
    const header = prepared.header.zxid === logged.zxid ? prepared.header : { ...prepared.header, zxid: logged.zxid };
    this.zk.applyCommitted(header, prepared.txn, this.takeReply(header));
    this.appliedZxid = logged.zxid;
    this.runWaiters();
    if (this.backlog.length > 0) this.drainBacklog();
  }

  private takeReply(header: TxnHeader): WriteDone | null {
    const queue = this.replies.get(header.clientId);
    if (queue === undefined) return null;
    const at = queue.findIndex((p) => p.cxid === header.cxid);
    if (at === -1) return null;
    if (at > 0) {
      // requests ahead of it were lost with a leader; their client is told when its connection closes
      this.logger.warn(`session 0x${header.clientId.toString(16)}: ${at} request(s) before cxid ${header.cxid} got no txn`);
    }
    const [reply] = queue.splice(0, at + 1).slice(-1);
    this.repliesCount -= at + 1;
    if (queue.length === 0) this.replies.delete(header.clientId);
    return reply!.done;
  }

  // ---- writes and syncs from this member's clients ----

  private writePath(): WritePath {
    const peer = this;
    return {
      submit: (request, done) => this.submit(request, done),
      sync: (done) => this.sync(done),
      get outstanding() {
        return peer.repliesCount + peer.backlog.length;
      },
    };
  }

  private submit(request: Request, done: WriteDone | null): void {
    if (!this.role.serving) return;
    if (done !== null) {
      let queue = this.replies.get(request.sessionId);
      if (queue === undefined) this.replies.set(request.sessionId, (queue = []));
      queue.push({ cxid: request.cxid, done });
      this.repliesCount++;
    }
    if (this.role.role === 'leading') return this.propose(request);
    const body = request.type === Op.createSession ? encodeSessionTimeout(request.sessionTimeoutMs ?? 0) : request.body;
    this.forward({ sessionId: request.sessionId, cxid: request.cxid, type: request.type, body }, request.authInfo);
  }

  private forward(request: { sessionId: bigint; cxid: number; type: number; body: Buffer }, authinfo: Request['authInfo']): void {
    if (this.role.leader === null) return;
    this.runtime.sendClientTraffic(this.role.leader, { type: 'REQUEST', zxid: NO_ZXID, data: encodeForwardedRequest(request), authinfo });
  }

  private sync(done: () => void): void {
    if (!this.role.serving) return;
    if (this.role.role === 'leading') return this.whenApplied(this.runtime.status().lastLoggedZxid, done);
    this.learnerSyncs.push(done);
    this.forward({ sessionId: 0n, cxid: 0, type: Op.sync, body: Buffer.alloc(0) }, []);
  }

  /** Leader: preps `request` into the next txn and proposes it, or queues it while the window is full. */
  private propose(request: Request): void {
    if (this.backlog.length > 0 || !this.proposeNow(request)) this.backlog.push(request);
  }

  private proposeNow(request: Request): boolean {
    const zxid = this.runtime.nextProposalZxid();
    if (zxid === null) return false;
    const prepared = this.zk.prepare(request, zxid);
    const { clientId, cxid, time, type } = prepared.header;
    const result = this.runtime.propose({ header: { clientId, cxid, time, type }, txn: prepared.txn });
    assert(result.ok && result.zxid === zxid, 'a proposal takes the zxid it was prepared with');
    this.prepared.set(zxid, prepared);
    return true;
  }

  private drainBacklog(): void {
    while (this.backlog.length > 0 && this.isServingLeader) {
      if (!this.proposeNow(this.backlog[0]!)) return;
      this.backlog.shift();
    }
  }

  private whenApplied(zxid: bigint, fn: () => void): void {
    if (this.appliedZxid >= zxid) return fn();
    this.waiters.push({ zxid, fn });
  }

  private runWaiters(): void {
    let n = 0;
    while (n < this.waiters.length && this.waiters[n]!.zxid <= this.appliedZxid) n++;
    if (n === 0) return;
    const due = this.waiters.splice(0, n);
    for (const w of due) w.fn();
  }

  // ---- traffic from other members ----

  private onClientTraffic(from: number, message: ClientTraffic): void {
    if (message.type === 'SYNC') {
      if (!this.isLearner || from !== this.role.leader) return;
      const done = this.learnerSyncs.shift();
      // the leader sent SYNC after every COMMIT before it: wait until those are applied here
      if (done !== undefined) this.whenApplied(this.runtime.status().committedZxid, done);
      return;
    }
    if (message.type !== 'REQUEST' || !this.isServingLeader) return;
    let forwarded;
    try {
      forwarded = decodeForwardedRequest(message.data);
    } catch (e) {
      this.logger.warn(`malformed REQUEST from server ${from}: ${(e as Error).message}`);
      return;
    }
    if (forwarded.type === Op.sync) {
      this.whenApplied(this.runtime.status().lastLoggedZxid, () => {
        if (this.isServingLeader) this.runtime.sendClientTraffic(from, { type: 'SYNC', zxid: NO_ZXID, data: null, authinfo: [] });
      });
      return;
    }
    let sessionTimeoutMs: number | undefined;
    if (forwarded.type === Op.createSession) {
      try {
        sessionTimeoutMs = decodeSessionTimeout(forwarded.body);
      } catch (e) {
        this.logger.warn(`malformed createSession from server ${from}: ${(e as Error).message}`);
        return;
      }
    }
    this.propose({
      sessionId: forwarded.sessionId,
      cxid: forwarded.cxid,
      type: forwarded.type,
      body: forwarded.body,
      authInfo: message.authinfo,
      ...(sessionTimeoutMs !== undefined ? { sessionTimeoutMs } : {}),
    });
  }

  private onLearnerPing(data: Buffer | null): void {
    let touches: Array<[bigint, number]>;
    try {
      touches = decodeSessionTouches(data);
    } catch (e) {
      this.logger.warn(`malformed PING data: ${(e as Error).message}`);
      return;
    }
    const now = this.clock.nowMs();
    for (const [sessionId] of touches) this.zk.sessions.touch(sessionId, now);
  }

  private takeTouches(): Buffer {
    // never null: upstream's leader reads the data of every PING answer
    if (this.touched.size === 0) return EMPTY;
    const data = encodeSessionTouches(this.touched);
    this.touched = new Map();
    return data;
  }

  // ---- role changes ----

  private onRole(info: RoleInfo): void {
    const before = this.role;
    this.role = info;
    const changed = before.role !== info.role || before.leader !== info.leader || before.epoch !== info.epoch;
    if (before.serving && (changed || !info.serving)) {
      this.forgetInFlight();
      this.zk.setQuorumServing(false);
      this.events.onServing(false, info);
    }
    if (info.serving && (!before.serving || changed)) {
      if (info.role === 'leading') {
        // a new leader starts every session's timeout afresh, as upstream's new session tracker
        const now = this.clock.nowMs();
        for (const s of [...this.zk.sessions.all()]) this.zk.sessions.touch(s.sessionId, now);
      }
      this.zk.setQuorumServing(true);
      this.events.onServing(true, info);
    }
  }

  /** Drops every write, sync and touch in flight: they belong to a leadership that ended. */
  private forgetInFlight(): void {
    this.replies.clear();
    this.repliesCount = 0;
    this.prepared.clear();
    this.backlog = [];
    this.waiters = [];
    this.learnerSyncs = [];
    this.touched = new Map();
  }
}
