// Starts, stops and kills ZooKeeper-compatible servers as real processes on loopback: our built
// server (`node dist/zk-server/src/bin/zk-server.js start-foreground <zoo.cfg>`) or the real
// Apache ZooKeeper 3.8 (QuorumPeerMain on the Debian classpath). Each server gets a fresh temp
// directory (zoo.cfg + dataDir) and a free port, and counts as started only once it answers `srvr`.
//
// Clean-up is layered so that no server outlives its test: handles are registered and
// `cleanupAllZkServers()` (call it from afterAll) kills them; each server runs under a small
// watchdog process that SIGKILLs it when our side of its stdin pipe closes, which also covers a
// test runner that dies without running its hooks. Nothing here sleeps for a fixed time.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { findApacheZooKeeper, findOurServer } from './debian-tools';
import { waitFor } from './wait-for';
import { ExitInfo, WatchedProcess } from './watched-process';

export type ZkServerKind = 'apache' | 'ours';

export interface ZkServerOptions {
  kind: ZkServerKind;
  /** Shown in messages; defaults to the kind. */
  name?: string;
  tickTime?: number;
  /** zoo.cfg forceSync; omitted = the server's default (yes). */
  forceSync?: boolean;
  /** Extra zoo.cfg keys, written after the defaults (so they override them). */
  config?: Record<string, string | number | boolean>;
  /** Reuse this data directory instead of a fresh one (the caller owns it). */
  dataDir?: string;
  /** Fixed client port; default: a free port (Apache needs one) or 0 for ours. */
  clientPort?: number;
  startTimeoutMs?: number;
  /** Extra environment for the server process. */
  env?: Record<string, string>;
  /** Extra JVM arguments (Apache only). */
  jvmArgs?: string[];
  /** Loopback address to serve clients on (127.0.0.2 and .3 for ensemble members); default 127.0.0.1. */
  host?: string;
  /** Written to dataDir/myid: an ensemble member (its server.N lines go in `config`). */
  myid?: number;
}

export { ExitInfo } from './watched-process';

export interface ZkServer {
  readonly kind: ZkServerKind;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** host:port, as clients take it. */
  readonly connectString: string;
  readonly dataDir: string;
  readonly configPath: string;
  /** pid of the server process itself (the JVM or node), not of its watchdog. */
  readonly pid: number;
  readonly running: boolean;
  /** Everything the server printed so far (stdout and stderr interleaved, tail only). */
  output(): string;
  waitForExit(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGKILL: a crash, as far as the server can tell. The data directory stays. */
  kill9(): Promise<ExitInfo>;
  /** Starts a new process on the same data directory, config and port; this handle must be stopped. */
  restart(): Promise<ZkServer>;
  /** Stops the process if it runs and removes the temp directory this launcher created. */
  cleanup(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS_DEFAULT = 30_000;
const STOP_TIMEOUT_MS_DEFAULT = 10_000;
const OUTPUT_TAIL_CHARS_MAX = 256 * 1024;
const FOUR_LETTER_TIMEOUT_MS = 2_000;
const PORT_IN_USE_RETRIES_MAX = 3;
const OUR_LISTENING_LINE = /listening for clients on ([0-9.]+):(\d+)/;

/** Every handle whose process or temp directory may still exist (removed by cleanup()). */
const registry = new Set<LaunchedServer>();

/** Kills every server this process started and removes their temp directories (stopped ones too). */
export async function cleanupAllZkServers(): Promise<void> {
  await Promise.allSettled([...registry].map((s) => s.cleanup()));
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends a four-letter word and returns the whole reply (the server closes after it). */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = FOUR_LETTER_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${word} to ${host}:${port} timed out`)));
    socket.on('connect', () => socket.write(word));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

interface LaunchPlan {
  kind: ZkServerKind;
  name: string;
  rootDir: string | undefined;
  dataDir: string;
  configPath: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  fixedPort: number | undefined;
  startTimeoutMs: number;
  options: ZkServerOptions;
}

function configText(o: ZkServerOptions, dataDir: string, clientPort: number): string {
  const entries: Record<string, string | number | boolean> = {
    tickTime: o.tickTime ?? 2000,
    initLimit: 10,
    syncLimit: 5,
    dataDir,
    clientPort,
    clientPortAddress: o.host ?? HOST,
    'admin.enableServer': false,
    '4lw.commands.whitelist': '*',
  };
  if (o.forceSync !== undefined) entries['forceSync'] = o.forceSync ? 'yes' : 'no';
  Object.assign(entries, o.config ?? {});
  return `${Object.entries(entries).map(([k, v]) => `${k}=${String(v)}`).join('\n')}\n`;
}

function planLaunch(o: ZkServerOptions, clientPort: number, reuse?: LaunchPlan): LaunchPlan {
  const name = o.name ?? o.kind;
  const rootDir = reuse?.rootDir ?? (o.dataDir === undefined ? mkdtempSync(path.join(os.tmpdir(), `zk-${o.kind}-`)) : undefined);
  const dataDir = reuse?.dataDir ?? o.dataDir ?? path.join(rootDir!, 'data');
  const configPath = reuse?.configPath ?? path.join(rootDir ?? dataDir, 'zoo.cfg');
  writeFileSync(configPath, configText(o, dataDir, clientPort));
  if (o.myid !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'myid'), `${o.myid}\n`);
  }
  const startTimeoutMs = o.startTimeoutMs ?? START_TIMEOUT_MS_DEFAULT;
  const env = { ...(o.env ?? {}) };
  if (o.kind === 'apache') {
    const zk = findApacheZooKeeper();
    if (!zk.ok) throw new Error(`cannot start Apache ZooKeeper: ${zk.reason}`);
    const args = ['-cp', zk.classpath, '-Dzookeeper.admin.enableServer=false', ...(o.jvmArgs ?? []), zk.mainClass, configPath];
    return { kind: o.kind, name, rootDir, dataDir, configPath, command: zk.java, args, env, fixedPort: clientPort, startTimeoutMs, options: o };
  }
  const ours = findOurServer();
  if (!ours.ok) throw new Error(`cannot start our server: ${ours.reason}`);
  const args = [ours.path, 'start-foreground', configPath];
  return {
    kind: o.kind, name, rootDir, dataDir, configPath, command: process.execPath, args, env,
    fixedPort: clientPort === 0 ? undefined : clientPort, startTimeoutMs, options: o,
  };
}

class LaunchedServer implements ZkServer {
  readonly kind: ZkServerKind;
  readonly name: string;
  readonly host: string;
  port = 0;

  constructor(
    readonly plan: LaunchPlan,
    private readonly proc: WatchedProcess,
  ) {
    this.kind = plan.kind;
    this.name = plan.name;
    this.host = plan.options.host ?? HOST;
  }

  get pid(): number {
    return this.proc.pid;
  }
  get running(): boolean {
    return this.proc.running;
  }
  get connectString(): string {
    return `${this.host}:${this.port}`;
  }
  get dataDir(): string {
    return this.plan.dataDir;
  }
  get configPath(): string {
    return this.plan.configPath;
  }

  output(): string {
    return this.proc.output();
  }

  async waitUntilServing(): Promise<void> {
    const abortIf = (): string | undefined => this.proc.exitReason();
    if (this.plan.fixedPort !== undefined) {
      this.port = this.plan.fixedPort;
    } else {
      this.port = await waitFor(() => Number(OUR_LISTENING_LINE.exec(this.proc.output())?.[2] ?? 0) || undefined, {
        description: `${this.name} to print "listening for clients on ${this.host}:<port>"`,
        timeoutMs: this.plan.startTimeoutMs,
        abortIf,
      });
    }
    await this.proc.pidKnown;
    await waitFor(
      async () => {
        const reply = await fourLetterWord(this.host, this.port, 'srvr');
        return /^Mode: /m.test(reply) ? reply : undefined;
      },
      { description: `${this.name} on ${this.connectString} to answer srvr`, timeoutMs: this.plan.startTimeoutMs, abortIf },
    );
  }

  waitForExit(timeoutMs?: number): Promise<ExitInfo> {
    return this.proc.waitForExit(timeoutMs);
  }

  stop(timeoutMs?: number): Promise<ExitInfo> {
    return this.proc.stop(timeoutMs);
  }

  kill9(): Promise<ExitInfo> {
    return this.proc.kill9();
  }

  async restart(): Promise<ZkServer> {
    if (this.running) throw new Error(`${this.name} is still running; stop or kill9 it before restart()`);
    const plan = planLaunch(this.plan.options, this.port, this.plan);
    return launch(plan);
  }

  async cleanup(): Promise<void> {
    await this.kill9();
    registry.delete(this);
    // a restarted server shares the directory: the last one cleaned up removes it
    const shared = [...registry].some((s) => s.running && s.plan.rootDir === this.plan.rootDir);
    if (this.plan.rootDir !== undefined && !shared) rmSync(this.plan.rootDir, { recursive: true, force: true });
  }
}

async function launch(plan: LaunchPlan): Promise<LaunchedServer> {
  const proc = new WatchedProcess(plan.name, plan.command, plan.args, {
    env: plan.env,
    outputTailChars: OUTPUT_TAIL_CHARS_MAX,
    stopTimeoutMs: STOP_TIMEOUT_MS_DEFAULT,
  });
  const server = new LaunchedServer(plan, proc);
  registry.add(server);
  try {
    await server.waitUntilServing();
  } catch (err) {
    const tail = server.output().split('\n').slice(-40).join('\n');
    await server.kill9();
    registry.delete(server);
    throw new Error(`${plan.name} did not start: ${(err as Error).message}\n--- output tail ---\n${tail}`, { cause: err });
  }
  return server;
}

/** Starts a server and resolves once it answers `srvr`; throws with its output tail otherwise. */
export async function startZkServer(options: ZkServerOptions): Promise<ZkServer> {
  const autoPort = options.clientPort === undefined;
  for (let attempt = 1; ; attempt++) {
    const port = options.clientPort ?? (options.kind === 'apache' ? await freePort() : 0);
    const plan = planLaunch(options, port);
    try {
      return await launch(plan);
    } catch (err) {
      const portTaken = /Address already in use|EADDRINUSE/.test((err as Error).message);
      if (plan.rootDir !== undefined) rmSync(plan.rootDir, { recursive: true, force: true });
      if (!(autoPort && portTaken && attempt < PORT_IN_USE_RETRIES_MAX)) throw err;
    }
  }
}
