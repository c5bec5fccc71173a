// The processes the Kafka benchmark drives, each a child on a free loopback port under one temp
// directory: our ZooKeeper-compatible server (its "listening for clients on" line gives the port),
// our broker (its "[KafkaServer id=N] started; listening on" line) and the null broker (its
// "null broker listening on" line). Their output goes to files in the temp directory. Every child
// started here is SIGKILLed if this process exits without stopping it. Also reads a process's CPU
// time from /proc, to show how much of the machine the broker used during a run.

import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const HOST = '127.0.0.1';
const DIST_ROOT = path.resolve(__dirname, '..', '..', '..');
export const ZK_SERVER_BIN = path.join(DIST_ROOT, 'zk-server', 'src', 'bin', 'zk-server.js');
export const BROKER_BIN = path.join(DIST_ROOT, 'kafka-broker', 'src', 'bin', 'kafka-server-start.js');
export const NULL_BROKER_BIN = path.join(__dirname, 'null-broker.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL_CHARS_MAX = 64 * 1024;
const ZK_LISTENING = /listening for clients on [^:\s]+:(\d+)/;
const BROKER_STARTED = /\[KafkaServer id=\d+\] started; listening on PLAINTEXT:\/\/[^:]+:(\d+)/;
const NULL_LISTENING = /null broker listening on [^:\s]+:(\d+)/;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

export interface BenchProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly bootstrap: string;
  /** User + system CPU seconds used so far (null where /proc is not available). */
  cpuSeconds(): number | null;
  /** SIGTERM, then SIGKILL after a timeout; resolves when the process is gone. */
  stop(): Promise<void>;
  outputTail(): string;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

interface Launch {
  readonly name: string;
  readonly args: readonly string[];
  readonly ready: RegExp;
  readonly logFile: string;
}

async function launch(l: Launch): Promise<BenchProcess> {
  const child = spawn(process.execPath, l.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const log = createWriteStream(l.logFile);
  let tail = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const late = (): void => reject(new Error(`${l.name} did not start within ${START_TIMEOUT_MS} ms`));
    const timer = setTimeout(late, START_TIMEOUT_MS);
    const take = (chunk: Buffer): void => {
      log.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS_MAX);
      const m = l.ready.exec(tail);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${l.name} exited (code ${code}, signal ${signal}) during start:\n${tail.slice(-4000)}`));
    });
  }).catch(async (e: unknown) => {
    child.kill('SIGKILL');
    await exited;
    children.delete(child);
    throw e;
  });
  const pid = child.pid!;
  return {
    name: l.name,
    port,
    pid,
    bootstrap: `${HOST}:${port}`,
    cpuSeconds: () => processCpuSeconds(pid),
    outputTail: () => tail,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      children.delete(child);
      log.end();
    },
  };
}

export function startZooKeeper(dir: string): Promise<BenchProcess> {
  const cfg = path.join(dir, 'zoo.cfg');
  const lines = [
    'tickTime=2000',
    'initLimit=10',
    'syncLimit=5',
    `dataDir=${path.join(dir, 'zookeeper')}`,
    'clientPort=0',
    `clientPortAddress=${HOST}`,
    '',
  ];
  writeFileSync(cfg, lines.join('\n'));
  return launch({
    name: 'zk-server',
    args: [ZK_SERVER_BIN, 'start-foreground', cfg],
    ready: ZK_LISTENING,
    logFile: path.join(dir, 'zk-server.log'),
  });
}

export interface BrokerLaunch {
  readonly dir: string;
  readonly zookeeperPort: number;
  /** Extra server.properties entries, written last. */
  readonly properties: Readonly<Record<string, string>>;
  /** Options for node itself, e.g. --cpu-prof. */
  readonly nodeArgs: readonly string[];
}

export function startBroker(o: BrokerLaunch): Promise<BenchProcess> {
  const file = path.join(o.dir, 'server.properties');
  const entries: Record<string, string> = {
    'broker.id': '0',
    listeners: `PLAINTEXT://${HOST}:0`,
    'log.dirs': path.join(o.dir, 'kafka-logs'),
    'zookeeper.connect': `${HOST}:${o.zookeeperPort}`,
    'num.partitions': '1',
    'default.replication.factor': '1',
    'auto.create.topics.enable': 'true',
    ...o.properties,
  };
  writeFileSync(file, Object.entries(entries).map(([k, v]) => `${k}=${v}\n`).join(''));
  return launch({
    name: 'kafka-broker',
    args: [...o.nodeArgs, BROKER_BIN, file],
    ready: BROKER_STARTED,
    logFile: path.join(o.dir, 'kafka-broker.log'),
  });
}

export function startNullBroker(dir: string, recordBytes: number): Promise<BenchProcess> {
  return launch({
    name: 'null-broker',
    args: [NULL_BROKER_BIN, '--record-bytes', String(recordBytes)],
    ready: NULL_LISTENING,
    logFile: path.join(dir, 'null-broker.log'),
  });
}

/** Why the servers cannot be started here, or undefined when they can. */
export function serversUnavailable(): string | undefined {
  for (const bin of [ZK_SERVER_BIN, BROKER_BIN, NULL_BROKER_BIN]) {
    if (!existsSync(bin)) return `${bin} is missing (run npx tsc -b)`;
  }
  return undefined;
}

/** utime + stime of a live process, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}
