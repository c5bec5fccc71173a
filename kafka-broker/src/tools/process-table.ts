// The running processes, as kafka-server-stop needs them: pid, argument vector and working
// directory, read from /proc where there is one (Linux), else from `ps` (argument vectors split at
// blanks there, working directories unknown). Signals go through here too, so tests can swap it.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isProcessAlive } from '../../../shared/src/cli/daemon';

export interface ProcessInfo {
  readonly pid: number;
  readonly argv: readonly string[];
  /** null where the platform does not tell. */
  readonly cwd: string | null;
}

export interface ProcessTable {
  list(): ProcessInfo[];
  kill(pid: number, signal: NodeJS.Signals): void;
  isAlive(pid: number): boolean;
}

const PROC = '/proc';

function fromProc(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync(PROC)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`${PROC}/${name}/cmdline`, 'utf8')
        .split('\0')
        .filter((a) => a !== '');
      if (argv.length === 0) continue;
      let cwd: string | null = null;
      try {
        cwd = readlinkSync(`${PROC}/${name}/cwd`);
      } catch {
        cwd = null;
      }
      out.push({ pid: Number(name), argv, cwd });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

function fromPs(): ProcessInfo[] {
  const text = execFileSync('ps', ['ax', '-o', 'pid=', '-o', 'args='], { encoding: 'utf8' });
  return text
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), argv: m[2]!.split(/\s+/), cwd: null }));
}

export const systemProcessTable: ProcessTable = {
  list: () => (existsSync(`${PROC}/self/cmdline`) ? fromProc() : fromPs()),
  kill: (pid, signal) => process.kill(pid, signal),
  isAlive: (pid) => isProcessAlive(pid),
};
