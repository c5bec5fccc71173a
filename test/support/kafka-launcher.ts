// Starts, stops and kills our Kafka broker as a real process on loopback:
// `node dist/kafka-broker/src/bin/kafka-server-start.js <server.properties>` in a fresh temp
// directory (properties file + log dir) against a given ZooKeeper, listening on a free port that it
// reports in its "started" line. restart() keeps the port, the log dir and the broker id, so
// clients that know the broker find it again. Every broker is registered for
// cleanupAllKafkaBrokers() (call it from afterAll) and runs under a watchdog that SIGKILLs it when
// the test process goes away. Nothing here sleeps for a fixed time.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './debian-tools';
import { waitFor } from './wait-for';
import { ExitInfo, WatchedProcess } from './watched-process';

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

  constructor(
    readonly plan: Plan,
    private readonly proc: WatchedProcess,
  ) {
    void proc.exited.then(() => live.delete(this));
  }

  get pid(): number {
    return this.proc.pid;
  }
  get running(): boolean {
    return this.proc.running;
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
    return this.proc.output();
  }

  async waitUntilStarted(): Promise<void> {
    const match = await waitFor(() => STARTED_LINE.exec(this.proc.output()) ?? undefined, {
      description: `${this.name} to print its "started" line`,
      timeoutMs: this.plan.options.startTimeoutMs ?? START_TIMEOUT_MS_DEFAULT,
      abortIf: () => this.proc.exitReason(),
    });
    this.brokerId = Number(match[1]);
    this.port = Number(match[2]);
    await this.proc.pidKnown;
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
  const proc = new WatchedProcess(p.name, process.execPath, args, {
    outputTailChars: OUTPUT_TAIL_CHARS_MAX,
    stopTimeoutMs: STOP_TIMEOUT_MS_DEFAULT,
  });
  const broker = new LaunchedBroker(p, proc);
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
