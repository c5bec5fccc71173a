// kafka-server-stop: stops brokers started by kafka-server-start, as Kafka's script does: every
// broker process of this machine (found in the process list by its entry script) gets SIGTERM, or
// $SIGNAL. Given a server.properties (and --override key=value as the broker had them), only the
// broker of that config: the one named by the pid file of its first log directory (-daemon), or a
// process started with that config file. "No kafka server to stop" and exit 1 when none runs.
// Unlike Kafka's script it waits until the brokers have exited (a clean stop deregisters from
// ZooKeeper first), so a ZooKeeper stop can follow at once.

import { resolve } from 'node:path';
import { ConfigError } from '../../../shared/src';
import { daemonState, removePidFile } from '../../../shared/src/cli/daemon';
import { ProcessInfo, ProcessTable } from './process-table';
import { BROKER_COMMAND_MARKER, brokerPidFile } from './server-daemon';
import { OutputSink, ToolExit } from './tool-io';

export const STOP_WAIT_MS_DEFAULT = 30_000;
const POLL_MS = 50;
const BROKER_SCRIPT = /kafka-server-start(\.js)?$/;
/** Options of kafka-server-start that take a value (so the value is not the config path). */
const VALUE_OPTIONS = new Set(['--override', '--log-level']);

export interface ServerStopArgs {
  readonly configPath?: string;
  readonly overrides?: readonly string[];
  /** Signal name without SIG (Kafka's $SIGNAL): TERM by default. */
  readonly signal?: string;
  readonly waitMs?: number;
}

export interface ServerStopContext {
  readonly stdout: OutputSink;
  readonly stderr: OutputSink;
  readonly cwd: string;
  readonly processes: ProcessTable;
  readonly ownPid: number;
}

/** The broker processes in the table: their entry script is kafka-server-start (not -daemon launchers). */
export function brokerProcesses(all: readonly ProcessInfo[], ownPid: number): ProcessInfo[] {
  return all.filter((p) => {
    if (p.pid === ownPid) return false;
    const at = p.argv.findIndex((a) => BROKER_SCRIPT.test(a));
    return at >= 0 && !p.argv.slice(at + 1).includes('-daemon');
  });
}

/** The config file a broker process was started with, resolved against its working directory. */
export function brokerConfigOf(p: ProcessInfo): string | null {
  const at = p.argv.findIndex((a) => BROKER_SCRIPT.test(a));
  const rest = p.argv.slice(at + 1);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return p.cwd === null ? a : resolve(p.cwd, a);
  }
  return null;
}

function signalOf(name: string | undefined): NodeJS.Signals | null {
  const n = (name ?? 'TERM').toUpperCase().replace(/^SIG/, '');
  return /^[A-Z0-9]+$/.test(n) ? (`SIG${n}` as NodeJS.Signals) : null;
}

async function waitGone(ctx: ServerStopContext, pids: number[], waitMs: number): Promise<number[]> {
  const deadline = Date.now() + waitMs;
  let left = pids;
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    left = left.filter((pid) => ctx.processes.isAlive(pid));
  }
  return left;
}

function targets(a: ServerStopArgs, ctx: ServerStopContext): { pids: number[]; pidFile: string | null } {
  const brokers = brokerProcesses(ctx.processes.list(), ctx.ownPid);
  if (a.configPath === undefined) return { pids: brokers.map((p) => p.pid), pidFile: null };
  const pidFile = brokerPidFile(a.configPath, a.overrides ?? [], ctx.cwd);
  const wanted = resolve(ctx.cwd, a.configPath);
  const pids = new Set(brokers.filter((p) => brokerConfigOf(p) === wanted).map((p) => p.pid));
  const state = daemonState(pidFile, BROKER_COMMAND_MARKER);
  if (state.state === 'running') pids.add(state.pid);
  return { pids: [...pids], pidFile };
}

export async function runServerStop(a: ServerStopArgs, ctx: ServerStopContext): Promise<number> {
  const signal = signalOf(a.signal);
  if (signal === null) {
    ctx.stderr.write(`kafka-server-stop: "${a.signal}" is not a signal name\n`);
    return ToolExit.ERROR;
  }
  let found;
  try {
    found = targets(a, ctx);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    ctx.stderr.write(`invalid configuration: ${e.message}\n`);
    return ToolExit.CONFIG_ERROR;
  }
  if (found.pids.length === 0) {
    if (found.pidFile !== null) removePidFile(found.pidFile);
    ctx.stdout.write('No kafka server to stop\n');
    return ToolExit.ERROR;
  }
  const signalled: number[] = [];
  for (const pid of found.pids) {
    try {
      ctx.processes.kill(pid, signal);
      signalled.push(pid);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPERM') ctx.stderr.write(`kafka-server-stop: not allowed to signal process ${pid}\n`);
      else if (code !== 'ESRCH') throw e;
    }
  }
  const left = await waitGone(ctx, signalled, a.waitMs ?? STOP_WAIT_MS_DEFAULT);
  if (found.pidFile !== null && left.length === 0) removePidFile(found.pidFile);
  if (left.length > 0) {
    ctx.stderr.write(
      `kafka-server-stop: process ${left.join(', ')} still running after ${a.waitMs ?? STOP_WAIT_MS_DEFAULT} ms\n`,
    );
    return ToolExit.ERROR;
  }
  return ToolExit.OK;
}
