// Starts, stops and kills our Kafka broker as a real process on loopback:
// `node dist/kafka-broker/src/bin/kafka-server-start.js <server.properties>` in a fresh temp
// directory (properties file + log dir) against a given ZooKeeper, listening on a free port that it
// reports in its "started" line. restart() keeps the port, the log dir and the broker id, so
// clients that know the broker find it again. Every broker is registered for
// cleanupAllKafkaBrokers() (call it from afterAll) and runs under a watchdog that SIGKILLs it when
// the test process goes away. Nothing here sleeps for a fixed time.

import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './debian-tools';
import { ExitInfo } from './process-launcher';
import { waitFor } from './wait-for';

export const KAFKA_BROKER_BIN = path.join(
  REPO_ROOT,
  'dist',
  'kafka-broker',
  'src',
  'bin',
  'kafka-server-start.js',
);

export interface KafkaBrokerOptions {
  /** host:port[/chroot] of the ZooKeeper to register in. */
  zookeeperConnect: string;
  brokerId?: number;
  /** Extra server.properties entries (written last, so they win). */
  properties?: Record<string, string | number | boolean>;
  /** Reuse this log dir (the caller owns it) instead of a fresh one. */
  logDir?: string;
  /** Fixed port; default 0 (a free one, reported by the broker). */
  port?: number;
  name?: string;
  startTimeoutMs?: number;
  logLevel?: string;
}

export interface KafkaBroker {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** host:port, as clients take it. */
  readonly bootstrap: string;
  readonly brokerId: number;
  readonly logDir: string;
  readonly configPath: string;
  readonly pid: number;
  readonly running: boolean;
  output(): string;
  waitForExit(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGTERM (clean shutdown), then SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGKILL: a crash as far as the broker can tell. The log dir stays. */
  kill9(): Promise<ExitInfo>;
  /** A new process on the same port, log dir and config; this handle must be stopped first. */
  restart(): Promise<KafkaBroker>;
  /** Kills the process if it runs and removes the temp directory this launcher created. */
  cleanup(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS_DEFAULT = 30_000;
const STOP_TIMEOUT_MS_DEFAULT = 15_000;
const OUTPUT_TAIL_CHARS_MAX = 512 * 1024;
const STARTED_LINE = /\[KafkaServer id=(\d+)\] started; listening on PLAINTEXT:\/\/[^:]+:(\d+)/;

/** Runs argv[1..] as a child; reports `pid <n>` / `exit <code> <signal>` on fd 3; SIGKILLs it when stdin ends. */
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

const live = new Set<LaunchedBroker>();

/** Kills every broker this process started and removes their temp directories. */
export async function cleanupAllKafkaBrokers(): Promise<void> {
  await Promise.allSettled([...live].map((b) => b.cleanup()));
}

interface Plan {
  readonly options: KafkaBrokerOptions;
  readonly name: string;
  /** Created by the launcher (removed on cleanup); undefined when the caller gave the log dir. */
  readonly rootDir: string | undefined;
  readonly logDir: string;
  readonly configPath: string;
  readonly port: number;
}

function propertiesText(o: KafkaBrokerOptions, logDir: string, port: number): string {
  const entries: Record<string, string | number | boolean> = {
    'broker.id': o.brokerId ?? 0,
    listeners: `PLAINTEXT://${HOST}:${port}`,
    'log.dirs': logDir,
    'zookeeper.connect': o.zookeeperConnect,
    'zookeeper.session.timeout.ms': 6000,
    'num.partitions': 1,
    'default.replication.factor': 1,
    ...(o.properties ?? {}),
  };
  return `${Object.entries(entries)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n')}\n`;
}

function plan(o: KafkaBrokerOptions, port: number, reuse?: Plan): Plan {
  const rootDir = reuse?.rootDir ?? mkdtempSync(path.join(os.tmpdir(), 'kafka-broker-'));
  const logDir = reuse?.logDir ?? o.logDir ?? path.join(rootDir, 'kafka-logs');
  const configPath = reuse?.configPath ?? path.join(rootDir, 'server.properties');
  writeFileSync(configPath, propertiesText(o, logDir, port));
  return { options: o, name: o.name ?? `broker-${o.brokerId ?? 0}`, rootDir, logDir, configPath, port };
}

class LaunchedBroker implements KafkaBroker {
  readonly host = HOST;
  port = 0;
  brokerId = -1;
  pid = 0;
  running = true;
  private outputTail = '';
  private exitInfo: ExitInfo | undefined;
  private readonly exited: Promise<ExitInfo>;

  constructor(
    readonly plan: Plan,
    private readonly watchdog: ChildProcess,
  ) {
    const append = (c: Buffer): void => {
      this.outputTail = (this.outputTail + c.toString('utf8')).slice(-OUTPUT_TAIL_CHARS_MAX);
    };
    watchdog.stdout!.on('data', append);
    watchdog.stderr!.on('data', append);
    let control = '';
    let reported: ExitInfo | undefined;
    (watchdog.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => {
      control += c.toString('utf8');
      for (let nl = control.indexOf('\n'); nl >= 0; nl = control.indexOf('\n')) {
        const [word, a, b] = control.slice(0, nl).split(' ');
        control = control.slice(nl + 1);
        if (word === 'pid') this.pid = Number(a);
        if (word === 'exit')
          reported = {
            code: a === 'null' ? null : Number(a),
            signal: b === 'null' ? null : (b as NodeJS.Signals),
          };
      }
    });
    this.exited = new Promise((resolve) => {
      watchdog.on('exit', (code, signal) => {
        this.running = false;
        this.exitInfo = reported ?? { code, signal };
        live.delete(this);
        resolve(this.exitInfo);
      });
    });
  }

  get name(): string {
    return this.plan.name;
  }
  get bootstrap(): string {
    return `${this.host}:${this.port}`;
  }
  get logDir(): string {
    return this.plan.logDir;
  }
  get configPath(): string {
    return this.plan.configPath;
  }

  output(): string {
    return this.outputTail;
  }

  async waitUntilStarted(): Promise<void> {
    const match = await waitFor(() => STARTED_LINE.exec(this.outputTail) ?? undefined, {
      description: `${this.name} to print its "started" line`,
      timeoutMs: this.plan.options.startTimeoutMs ?? START_TIMEOUT_MS_DEFAULT,
      abortIf: () =>
        this.running
          ? undefined
          : `${this.name} exited (code ${this.exitInfo?.code}, signal ${this.exitInfo?.signal})`,
    });
    this.brokerId = Number(match[1]);
    this.port = Number(match[2]);
    await waitFor(() => this.pid > 0, { description: `${this.name} to report its pid` });
  }

  waitForExit(timeoutMs = STOP_TIMEOUT_MS_DEFAULT): Promise<ExitInfo> {
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

  async stop(timeoutMs = STOP_TIMEOUT_MS_DEFAULT): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    try {
      return await this.waitForExit(timeoutMs);
    } catch {
      return this.kill9();
    }
  }

  async kill9(): Promise<ExitInfo> {
    this.signal('SIGKILL');
    if (this.running) this.watchdog.stdin?.end();
    return this.waitForExit();
  }

  async restart(): Promise<KafkaBroker> {
    if (this.running) throw new Error(`${this.name} is still running; stop or kill9 it before restart()`);
    return launch(plan({ ...this.plan.options, brokerId: this.brokerId }, this.port, this.plan));
  }

  async cleanup(): Promise<void> {
    await this.kill9();
    const root = this.plan.rootDir;
    if (root !== undefined && ![...live].some((b) => b.plan.rootDir === root))
      rmSync(root, { recursive: true, force: true });
  }
}

async function launch(p: Plan): Promise<LaunchedBroker> {
  if (!existsSync(KAFKA_BROKER_BIN))
    throw new Error(`the broker is not built (${KAFKA_BROKER_BIN} missing; run \`npx tsc -b\`)`);
  const args = [KAFKA_BROKER_BIN, p.configPath, '--log-level', p.options.logLevel ?? 'info'];
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, process.execPath, ...args], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const broker = new LaunchedBroker(p, watchdog);
  live.add(broker);
  try {
    await broker.waitUntilStarted();
  } catch (err) {
    const tail = broker.output().split('\n').slice(-40).join('\n');
    await broker.kill9();
    throw new Error(`${p.name} did not start: ${(err as Error).message}\n--- output tail ---\n${tail}`, {
      cause: err,
    });
  }
  return broker;
}

/** Starts a broker and resolves once it logged "started" (registered, metadata loaded, serving). */
export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  return launch(plan(options, options.port ?? 0));
}
