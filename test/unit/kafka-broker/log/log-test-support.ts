// Shared fixtures of the storage tests: a temp directory per test, a hand-driven Clock, and a
// silent logger that remembers warnings so tests can check recovery reported what it cut.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clock, Logger, silentLogger, TimerHandle } from '../../../../shared/src';

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-log-test-'));
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

interface PendingTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly fn: () => void;
}

/** A Clock that moves only when told; due timers fire in time order during advance(). */
export class ManualClock implements Clock {
  private now: number;
  private timers: PendingTimer[] = [];
  private nextId = 1;

  constructor(startMs = 1_000_000) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, dueMs: this.now + delayMs, fn });
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.dueMs <= target).sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = Math.max(this.now, due.dueMs);
      due.fn();
    }
    this.now = target;
  }
}

/** A silent logger plus the messages logged at warn level or above. */
export function recordingLogger(): { logger: Logger; warnings: string[] } {
  const logger = silentLogger();
  const warnings: string[] = [];
  const record = (level: string) => (message: unknown) => {
    warnings.push(`${level}: ${String(message)}`);
    return logger;
  };
  const wrap = (l: Logger): Logger => {
    l.warn = record('warn') as Logger['warn'];
    l.error = record('error') as Logger['error'];
    const child = l.child.bind(l);
    l.child = ((meta: object) => wrap(child(meta))) as Logger['child'];
    return l;
  };
  return { logger: wrap(logger), warnings };
}
