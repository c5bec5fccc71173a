// Sessions: id allocation, timeouts and expiry in tickTime buckets (ExpiryQueue). Pure: time comes in
// as nowMs arguments. Expired sessions are handed back to the caller, who submits closeSession
// through the pipeline; the tracker forgets a session only when that txn is applied.

import { CONTAINER_OWNER } from '../data/data-node';

export interface Session {
  readonly sessionId: bigint;
  timeoutMs: number;
  /** Bucketed deadline: rounded up to a multiple of tickTime. */
  expireAtMs: number;
  /** closeSession has been submitted; no further requests are accepted. */
  closing: boolean;
}

export class SessionTracker {
  private readonly sessions = new Map<bigint, Session>();
  /** deadline -> sessions due then. */
  private readonly buckets = new Map<number, Set<Session>>();
  private nextSessionId: bigint;
  private nextExpirationMs: number;

  constructor(
    serverId: number,
    private readonly tickTimeMs: number,
    nowMs: number,
  ) {
    this.nextSessionId = SessionTracker.initialSessionId(serverId, nowMs);
    this.nextExpirationMs = this.roundToTick(nowMs);
  }

  /** (serverId << 56) | ((nowMs << 24) >>> 8), as SessionTrackerImpl.initializeNextSessionId. */
  static initialSessionId(serverId: number, nowMs: number): bigint {
    const shifted = BigInt.asUintN(64, BigInt(nowMs) << 24n) >> 8n;
    let id = BigInt.asIntN(64, shifted | (BigInt(serverId) << 56n));
    if (id === CONTAINER_OWNER) id++;
    return id;
  }

  private roundToTick(timeMs: number): number {
    return (Math.floor(timeMs / this.tickTimeMs) + 1) * this.tickTimeMs;
  }

  /** A fresh id for a new session (the session exists once its createSession txn is applied). */
  allocateSessionId(): bigint {
    const id = this.nextSessionId;
    this.nextSessionId = BigInt.asIntN(64, this.nextSessionId + 1n);
    return id;
  }

  get(sessionId: bigint): Session | undefined {
    return this.sessions.get(sessionId);
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** Adds (or re-adds, on replay) a session with its timeout, due to expire one timeout from now. */
  add(sessionId: bigint, timeoutMs: number, nowMs: number): Session {
    let session = this.sessions.get(sessionId);
    if (session === undefined) {
      session = { sessionId, timeoutMs, expireAtMs: 0, closing: false };
      this.sessions.set(sessionId, session);
    }
    session.timeoutMs = timeoutMs;
    this.reschedule(session, nowMs);
    return session;
  }

  /** Moves the deadline of a live session; false if it is unknown or closing. */
  touch(sessionId: bigint, nowMs: number): boolean {
    const session = this.sessions.get(sessionId);
    if (session === undefined || session.closing) return false;
    this.reschedule(session, nowMs);
    return true;
  }

  private reschedule(session: Session, nowMs: number): void {
    const deadline = this.roundToTick(nowMs + session.timeoutMs);
    if (deadline === session.expireAtMs) return;
    this.buckets.get(session.expireAtMs)?.delete(session);
    session.expireAtMs = deadline;
    let bucket = this.buckets.get(deadline);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(deadline, bucket);
    }
    bucket.add(session);
  }

  setClosing(sessionId: bigint): void {
    const session = this.sessions.get(sessionId);
    if (session !== undefined) session.closing = true;
  }

  remove(sessionId: bigint): void {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return;
    this.buckets.get(session.expireAtMs)?.delete(session);
    this.sessions.delete(sessionId);
  }

  /** Sessions whose deadline has passed by `nowMs`; they are marked closing. */
  expire(nowMs: number): Session[] {
    const expired: Session[] = [];
    while (this.nextExpirationMs <= nowMs) {
      const bucket = this.buckets.get(this.nextExpirationMs);
      this.buckets.delete(this.nextExpirationMs);
      if (bucket !== undefined) {
        for (const session of bucket) {
          if (!session.closing) {
            session.closing = true;
            expired.push(session);
          }
        }
      }
      this.nextExpirationMs += this.tickTimeMs;
    }
    return expired;
  }

  /** Deadline buckets, for `dump`. */
  bucketsByDeadline(): Array<[number, Session[]]> {
    return [...this.buckets.entries()]
      .filter(([, s]) => s.size > 0)
      .sort((a, b) => a[0] - b[0])
      .map(([t, s]) => [t, [...s]]);
  }
}
