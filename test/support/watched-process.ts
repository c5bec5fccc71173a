// A server process started for a test, under a small watchdog process that SIGKILLs it when our
// side of its stdin pipe closes, so no server outlives a test runner that dies without running its
// hooks. The watchdog reports the server's own pid and exit on fd 3, so signals reach the server
// itself (the JVM or node), not the watchdog. Keeps the tail of what the server prints.

import { ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './wait-for';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs argv[1..] as a child with inherited stdout/stderr; writes `pid <n>` and later
 * `exit <code> <signal>` on fd 3; SIGKILLs the child when stdin reaches EOF (its launcher is gone).
 */
const WATCHDOG_SCRIPT = `
const { spawn } = require('child_process');
const fs = require('fs');
const [cmd, ...args] = process.argv.slice(1);
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const report = (line) => { try { fs.writeSync(3, line + '\\n'); } catch (e) {} };
child.on('error', (e) => { report('exit 127 null'); process.stderr.write(String(e) + '\\n'); process.exit(127); });
child.on('spawn', () => report('pid ' + child.pid));
child.on('exit', (code, signal) => { report('exit ' + code + ' ' + signal); process.exit(code === null ? 1 : code); });
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => child.kill(s));
process.stdin.on('end', () => child.kill('SIGKILL'));
process.stdin.on('error', () => child.kill('SIGKILL'));
process.stdin.resume();
`;

export interface WatchedProcessOptions {
  readonly env?: Record<string, string>;
  /** How much of the output to keep. */
  readonly outputTailChars: number;
  /** Default wait of stop() before it falls back to SIGKILL. */
  readonly stopTimeoutMs: number;
}

export class WatchedProcess {
  /** pid of the server process itself, 0 until the watchdog reports it. */
  pid = 0;
  running = true;
  exitInfo: ExitInfo | undefined;
  readonly exited: Promise<ExitInfo>;
  readonly pidKnown: Promise<number>;
  private outputTail = '';
  private readonly watchdog: ChildProcess;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    private readonly options: WatchedProcessOptions,
  ) {
    this.watchdog = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, command, ...args], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...(options.env ?? {}) },
    });
    const append = (c: Buffer): void => {
      this.outputTail = (this.outputTail + c.toString('utf8')).slice(-options.outputTailChars);
    };
    this.watchdog.stdout!.on('data', append);
    this.watchdog.stderr!.on('data', append);
    let control = '';
    let resolvePid: (pid: number) => void = () => undefined;
    this.pidKnown = new Promise((r) => (resolvePid = r));
    let reported: ExitInfo | undefined;
    (this.watchdog.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => {
      control += c.toString('utf8');
      for (let nl = control.indexOf('\n'); nl >= 0; nl = control.indexOf('\n')) {
        const [word, a, b] = control.slice(0, nl).split(' ');
        control = control.slice(nl + 1);
        if (word === 'pid') resolvePid((this.pid = Number(a)));
        if (word === 'exit') reported = { code: a === 'null' ? null : Number(a), signal: b === 'null' ? null : (b as NodeJS.Signals) };
      }
    });
    this.exited = new Promise((resolve) => {
      this.watchdog.on('exit', (code, signal) => {
        this.running = false;
        this.exitInfo = reported ?? { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  /** Everything the process printed so far (stdout and stderr interleaved, tail only). */
  output(): string {
    return this.outputTail;
  }

  /** Why the process is gone, or undefined while it runs. */
  exitReason(): string | undefined {
    if (this.running) return undefined;
    return `${this.name} exited (code ${this.exitInfo?.code}, signal ${this.exitInfo?.signal})`;
  }

  waitForExit(timeoutMs = this.options.stopTimeoutMs): Promise<ExitInfo> {
    return waitFor(() => (this.running ? undefined : this.exited), {
      description: `${this.name} (pid ${this.pid}) to exit`,
      timeoutMs,
      intervalMs: 20,
    });
  }

  private signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      if (this.pid > 0) process.kill(this.pid, sig);
      else this.watchdog.kill('SIGKILL');
    } catch {
      // already gone: the exit event settles `exited`
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = this.options.stopTimeoutMs): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    try {
      return await this.waitForExit(timeoutMs);
    } catch {
      return this.kill9();
    }
  }

  /** SIGKILL: a crash, as far as the process can tell. */
  async kill9(): Promise<ExitInfo> {
    this.signal('SIGKILL');
    if (this.running) this.watchdog.stdin?.end();
    return this.waitForExit();
  }
}
