// Waiting requests: completion by an event on a watched key, expiry on the Clock, completion at
// once when possible, exactly-once completion, the size limit and expiry of everything on shutdown.

import { Clock, TimerHandle } from '../../../../shared/src';
import {
  DelayedOperation,
  DelayedOperations,
} from '../../../../kafka-broker/src/replication/delayed-operations';

class ManualClock implements Clock {
  now = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  nowMs(): number {
    return this.now;
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = this.next++;
    this.timers.set(id, { at: this.now + delayMs, fn });
    return id;
  }
  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.timers]) {
      if (t.at > this.now) continue;
      this.timers.delete(id);
      t.fn();
    }
  }
  get pending(): number {
    return this.timers.size;
  }
}

function op(keys: string[], ready: () => boolean, log: string[], name: string): DelayedOperation {
  return {
    keys,
    tryComplete: ready,
    onComplete: (expired) => log.push(`${name}:${expired ? 'expired' : 'done'}`),
  };
}

describe('delayed operations', () => {
  test('an operation that can complete at once does not wait', () => {
    const clock = new ManualClock();
    const ops = new DelayedOperations(clock);
    const log: string[] = [];
    expect(
      ops.tryCompleteElseWatch(
        op(['t-0'], () => true, log, 'a'),
        1000,
      ),
    ).toBe(true);
    expect(log).toEqual(['a:done']);
    expect(ops.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test('an event on a watched key completes it, once', () => {
    const clock = new ManualClock();
    const ops = new DelayedOperations(clock);
    const log: string[] = [];
    let ready = false;
    expect(
      ops.tryCompleteElseWatch(
        op(['t-0', 't-1'], () => ready, log, 'a'),
        1000,
      ),
    ).toBe(false);
    expect(ops.checkAndComplete('t-1')).toBe(0);
    ready = true;
    expect(ops.checkAndComplete('t-9')).toBe(0);
    expect(ops.checkAndComplete('t-1')).toBe(1);
    expect(ops.checkAndComplete('t-0')).toBe(0);
    clock.advance(2000);
    expect(log).toEqual(['a:done']);
    expect(ops.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test('the deadline expires it', () => {
    const clock = new ManualClock();
    const ops = new DelayedOperations(clock);
    const log: string[] = [];
    ops.tryCompleteElseWatch(
      op(['t-0'], () => false, log, 'a'),
      500,
    );
    clock.advance(499);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(['a:expired']);
    expect(ops.checkAndComplete('t-0')).toBe(0);
  });

  test('beyond the limit a new operation completes at once', () => {
    const ops = new DelayedOperations(new ManualClock(), 1);
    const log: string[] = [];
    ops.tryCompleteElseWatch(
      op(['k'], () => false, log, 'a'),
      500,
    );
    expect(
      ops.tryCompleteElseWatch(
        op(['k'], () => false, log, 'b'),
        500,
      ),
    ).toBe(true);
    expect(log).toEqual(['b:done']);
  });

  test('shutdown expires every waiting operation', () => {
    const clock = new ManualClock();
    const ops = new DelayedOperations(clock);
    const log: string[] = [];
    ops.tryCompleteElseWatch(
      op(['k1'], () => false, log, 'a'),
      500,
    );
    ops.tryCompleteElseWatch(
      op(['k1', 'k2'], () => false, log, 'b'),
      500,
    );
    ops.expireAll();
    expect(log.sort()).toEqual(['a:expired', 'b:expired']);
    expect(ops.size).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
