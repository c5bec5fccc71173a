// Requests that wait: a Fetch until minBytes arrive or maxWaitMs passes, an acks=all Produce until
// the high watermark passes its records or timeoutMs passes (Kafka's purgatory). An operation is
// watched under the keys (topic-partition) whose events may complete it; the replica manager
// calls checkAndComplete(key) after an append or a high-watermark or leadership change. Timers come
// from the injected Clock. Each operation completes exactly once. Never touches a socket or a log.

import { Clock } from '../../../shared/src';

/** Operations waiting at once; beyond it a new one completes at once (answered without waiting). */
export const DELAYED_OPERATIONS_MAX = 100_000;

export interface DelayedOperation {
  /** Keys whose events may complete it (e.g. "topic-3"). */
  readonly keys: readonly string[];
  /** True when it can complete now; called on events of its keys. Must not throw. */
  tryComplete(): boolean;
  /** Runs exactly once: `expired` when the deadline passed first. */
  onComplete(expired: boolean): void;
}

interface Entry {
  readonly op: DelayedOperation;
  timer: unknown;
  done: boolean;
}

export class DelayedOperations {
  private readonly byKey = new Map<string, Set<Entry>>();
  private count = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limit = DELAYED_OPERATIONS_MAX,
  ) {}

  /** Operations currently waiting. */
  get size(): number {
    return this.count;
  }

  /**
   * Completes `op` now if it can; otherwise watches it until an event completes it or `delayMs`
   * passes. Returns true when it completed at once.
   */
  tryCompleteElseWatch(op: DelayedOperation, delayMs: number): boolean {
    if (op.tryComplete() || delayMs <= 0 || this.count >= this.limit) {
      op.onComplete(false);
      return true;
    }
    const entry: Entry = { op, timer: null, done: false };
    for (const key of op.keys) {
      let set = this.byKey.get(key);
      if (set === undefined) this.byKey.set(key, (set = new Set()));
      set.add(entry);
    }
    this.count++;
    entry.timer = this.clock.setTimer(delayMs, () => this.finish(entry, true));
    return false;
  }

  /** An event on `key`: completes every operation watching it that can complete now. */
  checkAndComplete(key: string): number {
    const set = this.byKey.get(key);
    if (set === undefined) return 0;
    let completed = 0;
    for (const entry of [...set]) {
      if (entry.done || !entry.op.tryComplete()) continue;
      this.finish(entry, false);
      completed++;
    }
    return completed;
  }

  /** Shutdown: every waiting operation completes as expired. */
  expireAll(): void {
    const all = new Set<Entry>();
    for (const set of this.byKey.values()) for (const e of set) all.add(e);
    for (const e of all) this.finish(e, true);
  }

  private finish(entry: Entry, expired: boolean): void {
    if (entry.done) return;
    entry.done = true;
    this.count--;
    this.clock.clearTimer(entry.timer);
    for (const key of entry.op.keys) {
      const set = this.byKey.get(key);
      if (set === undefined) continue;
      set.delete(entry);
      if (set.size === 0) this.byKey.delete(key);
    }
    entry.op.onComplete(expired);
  }
}
