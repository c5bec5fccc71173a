// Starts the two servers the bench compares, each as a child process on a free loopback port
// with a fresh temp dataDir: the real Apache ZooKeeper 3.8 (QuorumPeerMain on the classpath that
// Debian's zkEnv.sh builds) and ours (dist/zk-server/src/bin/zk-server.js). A server counts as up
// once it answers `srvr`. Every server started here is killed when this process exits.

import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export type ServerKind = 'apache' | 'ours';

export interface BenchServer {
  kind: ServerKind;
  host: string;
  port: number;
  /** First line of `srvr`, e.g. "Zookeeper version: 3.8.0-...". */
  version: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 50;
const ZK_ENV = '/usr/share/zookeeper/bin/zkEnv.sh';
const OURS_BIN = path.resolve(__dirname, '..', 'bin', 'zk-server.js');

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Why a kind cannot be started here, or undefined when it can. */
export function unavailable(kind: ServerKind): string | undefined {
  if (kind === 'ours') return existsSync(OURS_BIN) ? undefined : `our server is not built (${OURS_BIN}; run npx tsc -b)`;
  if (apacheClasspath() === undefined) return `Apache ZooKeeper not found (${ZK_ENV}; Debian package zookeeper)`;
  return spawnSync('java', ['-version']).status === 0 ? undefined : 'java is not on PATH';
}

function apacheClasspath(): string | undefined {
  if (!existsSync(ZK_ENV)) return undefined;
  const r = spawnSync('bash', ['-c', `. '${ZK_ENV}' >/dev/null 2>&1; printf '%s' "$CLASSPATH"`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function fourLetterWord(host: string, port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ host, port });
    s.setTimeout(2000, () => s.destroy(new Error('timeout')));
    s.on('connect', () => s.write(word));
    s.on('data', (c) => chunks.push(c));
    s.on('error', reject);
    s.on('close', (hadError) => hadError || resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

async function waitServing(child: ChildProcess, port: () => number | undefined, output: () => string): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited during start-up:\n${output().slice(-4000)}`);
    const p = port();
    if (p !== undefined) {
      const reply = await fourLetterWord(HOST, p, 'srvr').catch(() => '');
      if (/^Mode: /m.test(reply)) return p;
    }
    if (Date.now() > deadline) throw new Error(`server did not answer srvr within ${START_TIMEOUT_MS} ms:\n${output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The zoo.cfg both kinds get: upstream's sample timing, every four-letter word, no connection limit. */
function zooCfg(dataDir: string, host: string, port: number, forceSync: boolean, serverLines: string[]): string {
  return [
    'tickTime=2000', 'initLimit=10', 'syncLimit=5', `dataDir=${dataDir}`, `clientPort=${port}`,
    `clientPortAddress=${host}`, 'admin.enableServer=false', '4lw.commands.whitelist=*', `forceSync=${forceSync ? 'yes' : 'no'}`,
    'maxClientCnxns=0', ...serverLines, '',
  ].join('\n');
}

/** Starts a server process on `cfg`; it is killed when this process exits. */
function spawnServer(kind: ServerKind, cfg: string): ChildProcess {
  const [cmd, args] =
    kind === 'apache'
      ? ['java', ['-cp', apacheClasspath()!, '-Dzookeeper.admin.enableServer=false', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg]]
      : [process.execPath, [OURS_BIN, 'start-foreground', cfg, '--log-level', 'warn']];
  const child = spawn(cmd, args as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  return child;
}

/** Starts a server; `forceSync` is written into its zoo.cfg; `seedDataDir` is copied in as its dataDir. */
export async function startBenchServer(kind: ServerKind, forceSync: boolean, seedDataDir?: string): Promise<BenchServer> {
  const reason = unavailable(kind);
  if (reason !== undefined) throw new Error(reason);
  const dir = mkdtempSync(path.join(os.tmpdir(), `zk-bench-${kind}-`));
  if (seedDataDir !== undefined) cpSync(seedDataDir, path.join(dir, 'data'), { recursive: true });
  // A fixed free port for both, so ours can run with warn-level logs (no "listening" line to read).
  const fixedPort = await freePort();
  const cfg = path.join(dir, 'zoo.cfg');
  writeFileSync(cfg, zooCfg(path.join(dir, 'data'), HOST, fixedPort, forceSync, []));
  const child = spawnServer(kind, cfg);
  let output = '';
  const append = (c: Buffer): void => void (output = (output + c.toString('utf8')).slice(-64 * 1024));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    children.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await waitServing(child, () => fixedPort, () => output);
    const version = (await fourLetterWord(HOST, port, 'srvr')).split('\n')[0] ?? '';
    return { kind, host: HOST, port, version, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One member of a bench ensemble: member N serves on 127.0.0.N:2181. */
export interface BenchMember {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly running: boolean;
  /** SIGKILL, as a crash. */
  kill9(): Promise<void>;
  /** What srvr's Mode line says, or "down"/"not serving". */
  mode(): Promise<string>;
}

export interface BenchEnsemble {
  readonly kind: ServerKind;
  readonly members: readonly BenchMember[];
  version: string;
  /** The id of the member whose srvr says leader, once every running member serves. */
  waitForLeader(timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

export const ENSEMBLE_CLIENT_PORT = 2181;
const ENSEMBLE_QUORUM_PORT = 2888;
const ENSEMBLE_ELECTION_PORT = 3888;

/**
 * Starts a three-member ensemble on 127.0.0.1-3 with the standard ports, every member with the
 * same zoo.cfg (tickTime 2000, initLimit 10, syncLimit 5, forceSync as given), as the README lays
 * it out; resolves once one member leads and the others follow.
 */
export async function startBenchEnsemble(kind: ServerKind, forceSync: boolean, size = 3): Promise<BenchEnsemble> {
  const reason = unavailable(kind);
  if (reason !== undefined) throw new Error(reason);
  const root = mkdtempSync(path.join(os.tmpdir(), `zk-bench-ensemble-${kind}-`));
  const serverLines = Array.from({ length: size }, (_, i) => `server.${i + 1}=127.0.0.${i + 1}:${ENSEMBLE_QUORUM_PORT}:${ENSEMBLE_ELECTION_PORT}`);
  const processes: ChildProcess[] = [];
  const outputs: string[] = [];
  const members: BenchMember[] = [];
  for (let id = 1; id <= size; id++) {
    const host = `127.0.0.${id}`;
    const dataDir = path.join(root, `member-${id}`);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'myid'), `${id}\n`);
    const cfg = path.join(root, `zoo${id}.cfg`);
    writeFileSync(cfg, zooCfg(dataDir, host, ENSEMBLE_CLIENT_PORT, forceSync, serverLines));
    const child = spawnServer(kind, cfg);
    processes.push(child);
    outputs.push('');
    const at = id - 1;
    const append = (c: Buffer): void => void (outputs[at] = (outputs[at]! + c.toString('utf8')).slice(-64 * 1024));
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    const alive = (): boolean => child.exitCode === null && child.signalCode === null;
    members.push({
      id,
      host,
      port: ENSEMBLE_CLIENT_PORT,
      get running() {
        return alive();
      },
      async kill9() {
        if (!alive()) return;
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGKILL');
        await exited;
      },
      async mode() {
        if (!alive()) return 'down';
        const reply = await fourLetterWord(host, ENSEMBLE_CLIENT_PORT, 'srvr').catch(() => '');
        return /^Mode: (\w+)/m.exec(reply)?.[1] ?? 'not serving';
      },
    });
  }
  const ensemble: BenchEnsemble = {
    kind,
    members,
    version: '',
    async waitForLeader(timeoutMs = START_TIMEOUT_MS * 2) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const modes = await Promise.all(members.map((m) => m.mode()));
        const leaders = modes.flatMap((m, i) => (m === 'leader' ? [i + 1] : []));
        const allServing = members.every((m, i) => !m.running || ['leader', 'follower', 'observer'].includes(modes[i]!));
        if (leaders.length === 1 && allServing) return leaders[0]!;
        if (Date.now() > deadline) {
          throw new Error(`no leader within ${timeoutMs} ms (modes ${modes.join(', ')}):\n${outputs.map((o) => o.slice(-2000)).join('\n---\n')}`);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
    async stop() {
      for (const m of members) await m.kill9();
      for (const p of processes) children.delete(p);
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await ensemble.waitForLeader();
    ensemble.version = (await fourLetterWord(members[0]!.host, ENSEMBLE_CLIENT_PORT, 'srvr')).split('\n')[0] ?? '';
  } catch (err) {
    await ensemble.stop();
    throw err;
  }
  return ensemble;
}
