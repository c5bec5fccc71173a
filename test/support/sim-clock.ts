// A Clock for simulations: time moves only when the simulation runs the next timer. Timers due at
// the same millisecond run in the order they were set, so a run depends on nothing but its seed.

import { Clock, TimerHandle } from '../../shared/src';

interface SimTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export class SimClock implements Clock {
  private now = 0;
  private seq = 0;
  private readonly heap: SimTimer[] = [];
  private live = 0;

  nowMs(): number {
    return this.now;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: SimTimer = { at: this.now + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    this.live++;
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    const timer = handle as SimTimer;
    if (!timer.cancelled) {
      timer.cancelled = true;
      this.live--;
    }
  }

  /** Timers set and not yet run or cleared. */
  get pending(): number {
    return this.live;
  }

  /** When the next timer is due, or undefined when none is. */
  nextAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Runs the next timer (moving time to it); false when there is none. */
  step(): boolean {
    this.dropCancelled();
    const timer = this.pop();
    if (timer === undefined) return false;
    this.live--;
    timer.cancelled = true;
    this.now = timer.at;
    timer.fn();
    return true;
  }

  /** Moves time forward to `ms` without running anything (no timer may be due before it). */
  advanceTo(ms: number): void {
    const next = this.nextAt();
    if (next !== undefined && next < ms) throw new Error(`a timer is due at ${next}, before ${ms}`);
    if (ms > this.now) this.now = ms;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private less(a: SimTimer, b: SimTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(t: SimTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): SimTimer | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
