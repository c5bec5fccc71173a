// Running a server as a background process, the way zkServer.sh and kafka-server-start.sh -daemon do:
// a pid file, a detached start with output sent to a file, a liveness check, and a stop by signal
// that escalates to SIGKILL after a timeout. No server-specific text lives here; callers print.
// Never signals a pid it cannot tie to the expected command line (pid files outlive processes and
// pids get reused).

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** How often a wait for a process to appear or disappear looks again. */
export const DAEMON_POLL_INTERVAL_MS = 50;
/** Default time a stop waits after SIGTERM before it sends SIGKILL. */
export const DAEMON_STOP_TIMEOUT_MS_DEFAULT = 30_000;
/** Time a stop waits for the process to go after SIGKILL. */
const KILL_WAIT_MS = 5_000;

/** The pid written in `file`, or null when the file is missing or holds no pid. */
export function readPidFile(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Writes the pid as zkServer.sh does (digits, no newline), creating the directory if needed. */
export function writePidFile(file: string, pid: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, String(pid));
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

/** True when a process with this pid exists (kill -0; EPERM means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process (Linux /proc), or null where it cannot be read. */
export function processCommandLine(pid: number): string | null {
  const file = `/proc/${pid}/cmdline`;
  if (!existsSync(file)) return null;
  try {
    return readFileSync(file, 'utf8').split('\0').join(' ').trim();
  } catch {
    return null;
  }
}

export type DaemonState =
  | { state: 'running'; pid: number }
  /** The pid file names a process that is gone, or one that is not the expected program. */
  | { state: 'stale'; pid: number }
  | { state: 'absent' };

/**
 * What the pid file says. `commandMarker`, when given, must occur in the process's command line
 * (where the platform shows it) for the process to count as ours.
 */
export function daemonState(pidFile: string, commandMarker?: string): DaemonState {
  const pid = readPidFile(pidFile);
  if (pid === null) return { state: 'absent' };
  if (!isProcessAlive(pid)) return { state: 'stale', pid };
  if (commandMarker !== undefined) {
    const commandLine = processCommandLine(pid);
    if (commandLine !== null && !commandLine.includes(commandMarker)) return { state: 'stale', pid };
  }
  return { state: 'running', pid };
}

export interface DetachedStart {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stdout and stderr of the process go here (truncated first, as `>` does). */
  outputFile: string;
}

export interface DetachedProcess {
  readonly pid: number;
  /** How the process ended, or null while it runs (known only to the process that started it). */
  exitInfo(): { code: number | null; signal: NodeJS.Signals | null } | null;
}

/** Starts a process in its own session, detached from the caller's terminal, stdin from /dev/null. */
export function startDetached(o: DetachedStart): DetachedProcess {
  mkdirSync(dirname(o.outputFile), { recursive: true });
  const fd = openSync(o.outputFile, 'w');
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  try {
    const child = spawn(o.command, [...o.args], { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`cannot start ${o.command}`);
    child.on('error', () => (exit = exit ?? { code: null, signal: null }));
    child.on('exit', (code, signal) => (exit = { code, signal }));
    child.unref();
    return { pid: child.pid, exitInfo: () => exit };
  } finally {
    closeSync(fd);
  }
}

/** Resolves true once `probe` holds, false when `timeoutMs` passes first. */
export async function pollUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, DAEMON_POLL_INTERVAL_MS));
  }
}

export type StopOutcome = 'stopped' | 'killed' | 'not-running';

/** SIGTERM, wait up to `timeoutMs`, then SIGKILL; resolves once the process is gone. */
export async function stopProcess(pid: number, timeoutMs = DAEMON_STOP_TIMEOUT_MS_DEFAULT): Promise<StopOutcome> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'not-running';
    throw e;
  }
  if (await pollUntil(() => !isProcessAlive(pid), timeoutMs)) return 'stopped';
  try {
    process.kill(pid, 'SIGKILL');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
  await pollUntil(() => !isProcessAlive(pid), KILL_WAIT_MS);
  return 'killed';
}
