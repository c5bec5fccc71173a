// The standalone ZooKeeper server's request processing, wired as upstream's chain:
// prep (validate, txn, zxid) -> sync (log, group fsync) -> final (apply, watches, reply).
// Connections hand requests in and get results back through callbacks; nothing here touches a
// socket. Sessions are created and closed through the same chain, so they are logged like writes.

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
  private readonly sync: SyncStage<InFlight>;
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
    this.sync = new SyncStage<InFlight>(
      log,
      (batch) => this.applyBatch(batch),
      (e) => this.logFailed(e),
      () => options.onSnapshotDue?.(),
    );
    this.nextZxid = this.tree.lastProcessedZxid + 1n;
  }

  get superDigest(): string | null {
    return this.options.superDigest;
  }

  get lastZxid(): bigint {
    return this.tree.lastProcessedZxid;
  }

  /** Requests accepted and not yet answered. */
  get outstanding(): number {
    return this.sync.pending;
  }

  get isServing(): boolean {
    return this.failed === null;
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
    const prepared = this.prep.prepare(request, this.nextZxid++, this.options.nowMs());
    this.sync.submit({ prepared, done });
  }

  private applyBatch(batch: InFlight[]): void {
    for (const { prepared, done } of batch) {
      const { result, events } = this.tree.applyTxn(prepared.header, prepared.txn);
      this.changes.applied(prepared.header.zxid);
      for (const event of events) this.watches.fire(event);
      this.applySessionEffects(prepared.header, prepared.txn, done === null ? null : () => done(prepared.header.zxid, result));
      if (done !== null && prepared.txn.type !== Op.closeSession) done(prepared.header.zxid, result);
    }
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
