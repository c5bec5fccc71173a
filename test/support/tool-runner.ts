// Runs the command-line tools of bin/ as a person does: spawned with arguments, text on stdin,
// stdout and stderr collected apart, the exit code kept. `runTool` waits for the end;
// `startTool` returns a handle for tools that run until stopped (a console consumer, a
// foreground server): wait for output, send Ctrl-C (SIGINT), wait for the exit. Every started tool
// is killed by stopAllTools() (call it from afterAll). `inTerminal` runs a command under
// script(1), so that it has a terminal on stdin and stdout, where that program exists.

import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './debian-tools';
import { waitFor } from './wait-for';

export const BIN = path.join(REPO_ROOT, 'bin');

export interface ToolResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ToolOptions {
  readonly cwd?: string;
  /** Written to stdin, which is then closed (end of input). */
  readonly input?: string;
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

export interface RunningTool {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches (rejects when the tool exits first or time runs out). */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  write(text: string): void;
  endInput(): void;
  signal(signal: NodeJS.Signals): void;
  /** The result once the tool has exited (SIGKILL after timeoutMs). */
  done(timeoutMs?: number): Promise<ToolResult>;
}

const RUN_TIMEOUT_MS_DEFAULT = 60_000;
const running = new Set<ChildProcess>();

/** `bin/<name>` (a wrapper script) or any other command. */
function commandOf(command: string): string {
  return command.includes('/') ? command : path.join(BIN, command);
}

export function startTool(command: string, args: readonly string[], o: ToolOptions = {}): RunningTool {
  const child = spawn(commandOf(command), [...args], {
    cwd: o.cwd ?? REPO_ROOT,
    env: { ...process.env, ...(o.env ?? {}) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  child.stdin!.on('error', () => undefined);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<void>((resolve) =>
    child.on('close', (code, signal) => {
      exit = { code, signal };
      running.delete(child);
      resolve();
    }),
  );
  if (o.input !== undefined) {
    child.stdin!.write(o.input);
    child.stdin!.end();
  }
  const waitOutput =
    (get: () => string, what: string) =>
    (pattern: RegExp, timeoutMs = 30_000) =>
      waitFor(() => pattern.exec(get()) ?? undefined, {
        description: `${path.basename(command)} to print ${pattern} on ${what}`,
        timeoutMs,
        abortIf: () =>
          exit === null || pattern.test(get())
            ? undefined
            : `it exited (${JSON.stringify(exit)}); stdout: ${out}; stderr: ${err}`,
      });
  return {
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    waitForStdout: waitOutput(() => out, 'stdout'),
    waitForStderr: waitOutput(() => err, 'stderr'),
    write: (text) => void child.stdin!.write(text),
    endInput: () => void child.stdin!.end(),
    signal: (s) => void child.kill(s),
    async done(timeoutMs = o.timeoutMs ?? RUN_TIMEOUT_MS_DEFAULT) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
      return { ...exit!, stdout: out, stderr: err };
    },
  };
}

export function runTool(command: string, args: readonly string[], o: ToolOptions = {}): Promise<ToolResult> {
  return startTool(command, args, { ...o, input: o.input ?? '' }).done(o.timeoutMs);
}

/** Kills every tool still running. */
export function stopAllTools(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** The script(1) of util-linux, which gives a command a terminal; null where it is missing. */
export function findScript(): string | null {
  const r = spawnSync('script', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /util-linux/.test(r.stdout + r.stderr) ? 'script' : null;
}

/** Runs `command args` with a terminal as stdin and stdout (script -q -e -c ...), typing `input`. */
export function runInTerminal(
  command: string,
  args: readonly string[],
  o: ToolOptions = {},
): Promise<ToolResult> {
  const quoted = [commandOf(command), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return runTool('/usr/bin/env', ['script', '-q', '-e', '-c', quoted, '/dev/null'], o);
}
