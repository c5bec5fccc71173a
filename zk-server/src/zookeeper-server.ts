// The ZooKeeper server's request processing, wired as upstream's chain:
// prep (validate, txn, zxid) -> sync (log, group fsync) -> final (apply, watches, reply).
// Connections hand requests in and get results back through callbacks; nothing here touches a
// socket. Sessions are created and closed through the same chain, so they are logged like writes.
// Standalone, the sync step is the local log; an ensemble member swaps in a WritePath that sends
// writes through the quorum and hands committed txns back to applyCommitted.

import { Logger } from '../../shared/src';
import { Op } from './protocol/op-codes';
import { Txn } from './protocol/txn-codec';
import { TxnHeader } from './protocol/records/txn';
import { DataTree, TxnResult } from './data/data-tree';
import { EventSink, Watches } from './data/watches';
import { SessionTracker } from './session/session-tracker';
import { OutstandingChanges } from './pipeline/outstanding-changes';
import { PrepOptions, PrepStage } from './pipeline/prep-stage';
import { PreparedTxn, Request } from './pipeline/request';
import { DurableLog, SyncStage } from './pipeline/sync-stage';
import { ServerStats } from './server-stats';

export type WriteDone = (zxid: bigint, result: TxnResult) => void;

interface InFlight {
  prepared: PreparedTxn;
  done: WriteDone | null;
}

/** How an accepted write becomes a committed txn that reaches applyCommitted. */
export interface WritePath {
  submit(request: Request, done: WriteDone | null): void;
  /** Calls `done` once every write committed before the call is visible to this server's reads. */
  sync(done: () => void): void;
  /** Writes accepted and not yet answered. */
  readonly outstanding: number;
}

/** What the server needs of a client connection: watch events, and being closed by the server. */
export interface SessionHolder extends EventSink {
  closeBySession(reason: string): void;
}

export interface ServerOptions extends PrepOptions {
  serverId: number;
  tickTimeMs: number;
  nowMs: () => number;
  /** Called when the log says a snapshot is due, after the txns so far are applied. */
  onSnapshotDue?: () => void;
  /** Called once when writes can no longer be made durable: the server stops serving. */
  onDurabilityLost?: (error: Error) => void;
}

export class ZooKeeperServer {
  readonly tree = new DataTree();
  readonly watches: Watches<SessionHolder & EventSink>;
  readonly sessions: SessionTracker;
  readonly stats: ServerStats;
  readonly changes: OutstandingChanges;
  private readonly prep: PrepStage;
  private readonly syncStage: SyncStage<InFlight>;
  private writePath: WritePath;
  /** False while an ensemble member has no established leader to serve with. */
  private quorumServing = true;
  /** Called whenever a client's request or ping keeps its session alive (ensemble: reported to the leader). */
  onSessionTouched: ((sessionId: bigint, timeoutMs: number) => void) | null = null;
  /** The connection each live session is attached to. */
  private readonly holders = new Map<bigint, SessionHolder>();
  private nextZxid: bigint;
  private failed: Error | null = null;

  constructor(
    private readonly options: ServerOptions,
    private readonly logger: Logger,
    log: DurableLog | null = null,
  ) {
    this.watches = new Watches(options.superDigest);
    this.sessions = new SessionTracker(options.serverId, options.tickTimeMs, options.nowMs());
    this.stats = new ServerStats(options.nowMs());
    this.changes = new OutstandingChanges(this.tree);
    this.prep = new PrepStage(this.changes, this.sessions, options);
    this.prep.ephemeralsInTree = (id) => this.tree.ephemeralsOf(id);
    this.syncStage = new SyncStage<InFlight>(
      log,
      (batch) => this.applyBatch(batch),
      (e) => this.logFailed(e),
      () => options.onSnapshotDue?.(),
    );
    this.nextZxid = this.tree.lastProcessedZxid + 1n;
    const syncStage = this.syncStage;
    this.writePath = {
      submit: (request, done) => {
        const prepared = this.prep.prepare(request, this.nextZxid++, this.options.nowMs());
        this.syncStage.submit({ prepared, done });
      },
      // one server: a write is visible once answered, and replies leave in order
      sync: (done) => done(),
      get outstanding() {
        return syncStage.pending;
      },
    };
  }

  /** Routes writes through `path` from now on (an ensemble member's quorum). */
  useWritePath(path: WritePath): void {
    this.writePath = path;
  }

  /** The prep step alone: turns a request into the txn for `zxid`, recording its pending changes. */
  prepare(request: Request, zxid: bigint): PreparedTxn {
    return this.prep.prepare(request, zxid, this.options.nowMs());
  }

  /** Serving or not, for an ensemble member; a member that stops serving forgets pending changes. */
  setQuorumServing(serving: boolean): void {
    this.quorumServing = serving;
    if (!serving) this.changes.clear();
  }

  get superDigest(): string | null {
    return this.options.superDigest;
  }

  get lastZxid(): bigint {
    return this.tree.lastProcessedZxid;
  }

  /** Requests accepted and not yet answered. */
  get outstanding(): number {
    return this.writePath.outstanding;
  }

  get isServing(): boolean {
    return this.failed === null && this.quorumServing;
  }

  /** A request or ping from the session's client: it stays alive. */
  touchSession(sessionId: bigint, nowMs: number): boolean {
    const alive = this.sessions.touch(sessionId, nowMs);
    if (alive && this.onSessionTouched !== null) this.onSessionTouched(sessionId, this.sessions.get(sessionId)!.timeoutMs);
    return alive;
  }

  /** Calls `done` once every write committed before now is visible here. */
  sync(done: () => void): void {
    this.writePath.sync(done);
  }

  /** Starts zxids after whatever was restored into the tree. */
  resetZxidAfterRestore(): void {
    this.nextZxid = this.tree.lastProcessedZxid + 1n;
  }

  /** Applies a txn recovered from disk (no replies, no watches). */
  replay(header: TxnHeader, txn: Txn): void {
    this.tree.applyTxn(header, txn);
    this.applySessionEffects(header, txn, null);
  }

  submit(request: Request, done: WriteDone | null): void {
    if (this.failed !== null) return;
    this.writePath.submit(request, done);
  }

  private applyBatch(batch: InFlight[]): void {
    for (const { prepared, done } of batch) this.applyCommitted(prepared.header, prepared.txn, done);
  }

  /** The final step for one committed txn: apply, fire watches, then answer `done` (if local). */
  applyCommitted(header: TxnHeader, txn: Txn, done: WriteDone | null): void {
    const { result, events } = this.tree.applyTxn(header, txn);
    this.changes.applied(header.zxid);
    for (const event of events) this.watches.fire(event);
    this.applySessionEffects(header, txn, done === null ? null : () => done(header.zxid, result));
    if (done !== null && txn.type !== Op.closeSession) done(header.zxid, result);
  }


  private applySessionEffects(header: TxnHeader, txn: Txn, reply: (() => void) | null): void {
    if (txn.type === Op.createSession) {
      this.sessions.add(header.clientId, txn.record.timeOut, this.options.nowMs());
    } else if (txn.type === Op.closeSession) {
      this.sessions.remove(header.clientId);
      reply?.();
      const holder = this.holders.get(header.clientId);
      this.holders.delete(header.clientId);
      holder?.closeBySession('session closed');
    }
  }

  private logFailed(error: Error): void {
    this.failed = error;
    this.logger.error(`cannot make transactions durable, no longer acknowledging writes: ${error.message}`);
    this.options.onDurabilityLost?.(error);
  }

  attach(sessionId: bigint, holder: SessionHolder): void {
    const previous = this.holders.get(sessionId);
    this.holders.set(sessionId, holder);
    if (previous !== undefined && previous !== holder) previous.closeBySession('session moved to a new connection');
  }

  detach(sessionId: bigint, holder: SessionHolder): void {
    if (this.holders.get(sessionId) === holder) this.holders.delete(sessionId);
    this.watches.removeWatcher(holder);
  }

  /** Closes sessions whose clients went quiet; run every tick. */
  expireSessions(): void {
    for (const session of this.sessions.expire(this.options.nowMs())) {
      this.logger.info(`Expiring session 0x${session.sessionId.toString(16)}, timeout of ${session.timeoutMs}ms exceeded`);
      this.submit({ sessionId: session.sessionId, cxid: 0, type: Op.closeSession, body: Buffer.alloc(0), authInfo: [] }, null);
      const holder = this.holders.get(session.sessionId);
      this.holders.delete(session.sessionId);
      holder?.closeBySession('session expired');
    }
  }
}
