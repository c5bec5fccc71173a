// `make run` and `make run-ensemble`: a ZooKeeper-compatible server (zk-server start-foreground)
// and Kafka brokers (kafka-server-start) on loopback, started in that order with progress on the
// terminal, each process's output in a log file, what to type next printed once all serve, and
// on Ctrl-C (or SIGTERM) the brokers stopped first (they deregister from ZooKeeper), then
// ZooKeeper. The servers run in their own process groups so that the terminal's Ctrl-C reaches
// only this process, which then stops them in that order. A server that exits on its own stops the
// rest. The members of an ensemble start together and serve once they form a quorum; the brokers
// then start with the connect string of their configs (every member).

import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, WriteStream } from 'node:fs';
import * as net from 'node:net';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, parseProperties } from '../../../shared/src';
import { loadBrokerConfig } from '../config/broker-config';
import { OutputSink, ToolExit, logLine } from './tool-io';

export const SERVER_START_TIMEOUT_MS = 60_000;
export const SERVER_STOP_TIMEOUT_MS = 30_000;
const PROGRESS_INTERVAL_MS = 500;
const PROBE_TIMEOUT_MS = 1_000;
const ZK_LISTENING = /listening for clients on (\S+):(\d+)/;
const BROKER_STARTED = /\[KafkaServer id=(\d+)\] started; listening on \S+:\/\/(\S+):(\d+)/;
/** Server output lines shown on the terminal too (the rest is in the log files). */
const SHOWN_LINE = /\bERROR\b/;

export type ClusterMode = 'single' | 'ensemble';

export interface ClusterLaunch {
  readonly nodePath: string;
  /** dist/zk-server/src/bin/zk-server.js */
  readonly zkServerScript: string;
  /** dist/kafka-broker/src/bin/kafka-server-start.js */
  readonly brokerScript: string;
  /** Where conf/ is read and data/ written: the top of the tree, unless told otherwise. */
  readonly root: string;
  /** The bin/ of the tree, whose wrappers the printed commands use. */
  readonly binDir: string;
  /** Where the commands are typed from (paths printed relative to it when inside the tree). */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface ClusterIo {
  readonly stdout: OutputSink;
  readonly stderr: OutputSink;
  readonly signal: AbortSignal;
  readonly nowMs: () => number;
}

interface ZkMember {
  readonly name: string;
  readonly config: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
}

interface BrokerPlan {
  readonly id: number;
  readonly config: string;
  readonly host: string;
  readonly port: number;
  readonly logDir: string;
  readonly zookeeperConnect: string;
}

interface Server {
  readonly label: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  readonly log: WriteStream;
  output: string;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  readonly exit: Promise<void>;
}

const CONFIGS: Record<ClusterMode, { zoo: string[]; brokers: string[] }> = {
  single: { zoo: ['conf/zoo.cfg'], brokers: ['conf/server.properties'] },
  ensemble: {
    zoo: ['conf/zoo-ensemble/zoo1.cfg', 'conf/zoo-ensemble/zoo2.cfg', 'conf/zoo-ensemble/zoo3.cfg'],
    brokers: ['conf/server-1.properties', 'conf/server-2.properties', 'conf/server-3.properties'],
  },
};

function zkMember(root: string, config: string, index: number, count: number): ZkMember {
  const path = join(root, config);
  const values = new Map(parseProperties(readFileSync(path, 'utf8')).map((e) => [e.key, e.value]));
  const port = Number(values.get('clientPort'));
  if (!Number.isInteger(port) || port <= 0)
    throw new ConfigError(`${config}: clientPort must be a port number for this command`);
  const dataDir = values.get('dataDir') ?? '';
  return {
    name: count === 1 ? 'ZooKeeper' : `ZooKeeper ${index + 1}`,
    config,
    host: values.get('clientPortAddress') ?? '127.0.0.1',
    port,
    dataDir: isAbsolute(dataDir) ? dataDir : join(root, dataDir),
  };
}

function brokerPlan(root: string, config: string): BrokerPlan {
  const c = loadBrokerConfig(join(root, config));
  const listener = c.listeners[0]!;
  return {
    id: c.brokerId,
    config,
    host: listener.host === '' || listener.host === '0.0.0.0' ? '127.0.0.1' : listener.host,
    port: listener.port,
    logDir: resolve(root, c.logDirs[0]!),
    zookeeperConnect: c.zookeeperConnect,
  };
}

/** Whether something accepts connections on host:port. */
export function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(PROBE_TIMEOUT_MS, () => {
      socket.destroy();
      done(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** The Mode line of a ZooKeeper's `srvr` answer ("standalone", "leader", "follower"), or null. */
export function zkMode(host: string, port: number): Promise<string | null> {
  return new Promise((done) => {
    let text = '';
    const socket = net.connect({ host, port });
    socket.setTimeout(PROBE_TIMEOUT_MS, () => socket.destroy());
    socket.once('connect', () => socket.write('srvr'));
    socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
    socket.once('error', () => done(null));
    socket.once('close', () => done(/Mode: (\S+)/.exec(text)?.[1] ?? null));
  });
}

class LocalCluster {
  private readonly servers: Server[] = [];
  private readonly logDir: string;

  constructor(
    private readonly io: ClusterIo,
    private readonly launch: ClusterLaunch,
  ) {
    this.logDir = join(launch.root, 'data', 'logs');
  }

  get binDir(): string {
    return this.launch.binDir;
  }

  /** A path as the person at the terminal would type it. */
  shown(path: string): string {
    const abs = isAbsolute(path) ? path : join(this.launch.root, path);
    const rel = relative(this.launch.cwd, abs);
    return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  }

  private say(text: string): void {
    this.io.stdout.write(text);
  }

  start(label: string, logName: string, args: string[]): Server {
    mkdirSync(this.logDir, { recursive: true });
    const logFile = join(this.logDir, logName);
    const log = createWriteStream(logFile, { flags: 'w' });
    const child = spawn(this.launch.nodePath, args, {
      cwd: this.launch.root,
      env: this.launch.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    const server: Server = {
      label,
      logFile,
      child,
      log,
      output: '',
      exited: null,
      exit: new Promise((resolveExit) => {
        child.once('exit', (code, signal) => {
          server.exited = { code, signal };
          resolveExit();
        });
        child.once('error', (e) => {
          server.output += `${e.message}\n`;
          server.exited = { code: null, signal: null };
          resolveExit();
        });
      }),
    };
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      const text = chunk.toString('utf8');
      server.output = (server.output + text).slice(-64 * 1024);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (SHOWN_LINE.test(line)) this.io.stderr.write(`[${label}] ${line}\n`);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.servers.push(server);
    return server;
  }

  /** Dots while waiting for `ready`; the server's end or the deadline fails it. */
  async waitFor(server: Server, ready: () => Promise<boolean> | boolean, what: string): Promise<void> {
    const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
    // one abort listener per wait, not one per poll: they stay registered until Ctrl-C
    const aborted = abortOf(this.io.signal);
    for (;;) {
      if (await ready()) return;
      if (server.exited !== null) {
        throw new Error(
          `${server.label} exited (code ${server.exited.code ?? server.exited.signal}) before ${what}; see ${this.shown(server.logFile)}:\n${tailOf(server.output)}`,
        );
      }
      if (this.io.signal.aborted) throw new Error('interrupted');
      if (Date.now() > deadline)
        throw new Error(
          `${server.label} did not ${what} within ${SERVER_START_TIMEOUT_MS} ms; see ${this.shown(server.logFile)}`,
        );
      this.say('.');
      await Promise.race([sleep(PROGRESS_INTERVAL_MS), server.exit, aborted]);
    }
  }

  /** Starts every member first (members of a quorum may wait for each other), then waits for each. */
  async startZooKeepers(members: readonly ZkMember[]): Promise<void> {
    const servers = members.map((m) => {
      const logName = members.length === 1 ? 'zookeeper.log' : `zookeeper-${m.name.split(' ')[1]}.log`;
      return this.start(m.name, logName, [this.launch.zkServerScript, 'start-foreground', m.config]);
    });
    for (const [i, m] of members.entries()) {
      const server = servers[i]!;
      this.say(`Starting ${m.name} (${m.config}) `);
      await this.waitFor(server, () => ZK_LISTENING.test(server.output), 'listen for clients');
      this.say(` listening on ${m.host}:${m.port}\n`);
    }
  }

  async startBroker(b: BrokerPlan): Promise<void> {
    this.say(`Starting Kafka broker ${b.id} (${b.config}) `);
    const server = this.start(`Kafka broker ${b.id}`, `kafka-${b.id}.log`, [this.launch.brokerScript, b.config]);
    await this.waitFor(server, () => BROKER_STARTED.test(server.output), 'start');
    this.say(` ready on ${b.host}:${b.port}\n`);
  }

  /** Every member's srvr Mode once all answer one (members of a forming quorum answer only when it has formed). */
  async zkModes(members: readonly ZkMember[]): Promise<string[]> {
    this.say(members.length > 1 ? 'Waiting for the ZooKeeper members to answer srvr ' : '');
    let modes: (string | null)[] = [];
    await this.waitFor(
      this.servers[0]!,
      async () => {
        modes = await Promise.all(members.map((m) => zkMode(m.host, m.port)));
        return modes.every((x) => x !== null);
      },
      'answer srvr',
    );
    if (members.length > 1) this.say(` ${modes.join(', ')}\n`);
    return modes as string[];
  }

  /** A server that ended by itself; null while all run. */
  ended(): Server | null {
    return this.servers.find((s) => s.exited !== null) ?? null;
  }

  firstExit(): Promise<void> {
    return Promise.race(this.servers.map((s) => s.exit));
  }

  /** Stops the servers, newest first: brokers before ZooKeeper. */
  async stopAll(): Promise<void> {
    for (const s of [...this.servers].reverse()) {
      if (s.exited === null) {
        this.say(`Stopping ${s.label} ... `);
        s.child.kill('SIGTERM');
        const stopped = await Promise.race([
          s.exit.then(() => true),
          sleep(SERVER_STOP_TIMEOUT_MS).then(() => false),
        ]);
        if (!stopped) {
          s.child.kill('SIGKILL');
          await s.exit;
        }
        this.say(stopped ? 'stopped\n' : `killed (no stop within ${SERVER_STOP_TIMEOUT_MS} ms)\n`);
      }
      s.log.end();
    }
  }

  /** A second Ctrl-C: no more waiting. */
  killAll(): void {
    for (const s of this.servers) if (s.exited === null) s.child.kill('SIGKILL');
  }
}

function tailOf(text: string): string {
  return text.trimEnd().split('\n').slice(-15).join('\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

function abortOf(signal: AbortSignal): Promise<void> {
  return new Promise((r) => {
    if (signal.aborted) r();
    else signal.addEventListener('abort', () => r(), { once: true });
  });
}

export interface LocalClusterHandle {
  /** Resolves with the exit code once the cluster has stopped. */
  readonly done: Promise<number>;
  /** Kills every server at once (a second Ctrl-C). */
  kill(): void;
}

export function runLocalCluster(mode: ClusterMode, io: ClusterIo, launch: ClusterLaunch): LocalClusterHandle {
  const cluster = new LocalCluster(io, launch);
  return { done: run(mode, io, launch, cluster), kill: () => cluster.killAll() };
}

async function run(
  mode: ClusterMode,
  io: ClusterIo,
  launch: ClusterLaunch,
  cluster: LocalCluster,
): Promise<number> {
  let members: ZkMember[];
  let brokers: BrokerPlan[];
  try {
    const files = CONFIGS[mode];
    members = files.zoo.map((c, i) => zkMember(launch.root, c, i, files.zoo.length));
    brokers = files.brokers.map((c) => brokerPlan(launch.root, c));
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n`);
    return ToolExit.CONFIG_ERROR;
  }
  const busy = await busyEndpoints(members, brokers);
  if (busy.length > 0) {
    io.stderr.write(
      `${busy.join('\n')}\nStop what runs there first (bin/zkServer.sh stop <cfg>, bin/kafka-server-stop.sh).\n`,
    );
    return ToolExit.ERROR;
  }
  try {
    await cluster.startZooKeepers(members);
    await cluster.zkModes(members);
    for (const b of brokers) await cluster.startBroker(b);
    io.stdout.write(nextSteps(mode, members, brokers, cluster));
  } catch (e) {
    if (!io.signal.aborted) io.stderr.write(`\n${(e as Error).message}\n`);
    io.stdout.write('\n');
    await cluster.stopAll();
    return io.signal.aborted ? ToolExit.OK : ToolExit.ERROR;
  }
  await Promise.race([abortOf(io.signal), cluster.firstExit()]);
  const ended = cluster.ended();
  if (ended !== null && !io.signal.aborted) {
    io.stderr.write(
      logLine(
        'ERROR',
        `${ended.label} exited (code ${ended.exited!.code ?? ended.exited!.signal}); see ${cluster.shown(ended.logFile)}. Stopping the others.`,
        io.nowMs(),
      ),
    );
  }
  io.stdout.write('\n');
  await cluster.stopAll();
  return ended !== null && !io.signal.aborted ? ToolExit.ERROR : ToolExit.OK;
}

async function busyEndpoints(
  members: readonly ZkMember[],
  brokers: readonly BrokerPlan[],
): Promise<string[]> {
  const all = [
    ...members.map((m) => ({ what: `${m.name} (${m.config})`, host: m.host, port: m.port })),
    ...brokers.map((b) => ({ what: `Kafka broker ${b.id} (${b.config})`, host: b.host, port: b.port })),
  ];
  const used = await Promise.all(all.map((e) => isListening(e.host, e.port)));
  return all
    .filter((_, i) => used[i])
    .map((e) => `${e.host}:${e.port}, the address of ${e.what}, is already in use.`);
}

function nextSteps(
  mode: ClusterMode,
  members: readonly ZkMember[],
  brokers: readonly BrokerPlan[],
  cluster: LocalCluster,
): string {
  const bin = (name: string): string => cluster.shown(join(cluster.binDir, name));
  const bootstrap = brokers.map((b) => `${b.host}:${b.port}`).join(',');
  const zk = `${members[0]!.host}:${members[0]!.port}`;
  const partitions = mode === 'single' ? 1 : 3;
  const lines = [
    '',
    ...members.map((m) => `${m.name.padEnd(16)} ${m.host}:${m.port}  data ${cluster.shown(m.dataDir)}`),
    ...brokers.map(
      (b) =>
        `${`Kafka broker ${b.id}`.padEnd(16)} ${b.host}:${b.port}  data ${cluster.shown(b.logDir)}  (ZooKeeper ${b.zookeeperConnect})`,
    ),
    `Logs: ${cluster.shown(join('data', 'logs'))}/`,
    '',
    'In another terminal, try:',
    `  ${bin('kafka-topics.sh')} --create --zookeeper ${zk} --replication-factor 1 --partitions ${partitions} --topic sample-topic`,
    `  ${bin('kafka-topics.sh')} --list --zookeeper ${zk}`,
    `  ${bin('kafka-topics.sh')} --describe --bootstrap-server ${bootstrap} --topic sample-topic`,
    `  ${bin('kafka-console-producer.sh')} --broker-list ${bootstrap} --topic sample-topic      (a line per message; Ctrl-D ends)`,
    `  ${bin('kafka-console-consumer.sh')} --bootstrap-server ${bootstrap} --topic sample-topic --from-beginning   (Ctrl-C ends)`,
    `  ${bin('kafka-console-consumer.sh')} --bootstrap-server ${bootstrap} --topic sample-topic --group g1 --from-beginning`,
    `  ${bin('kafka-consumer-groups.sh')} --bootstrap-server ${bootstrap} --describe --group g1`,
    `  ${bin('zkCli.sh')} -server ${zk} ls /brokers/ids`,
    `  ${bin('zkCli.sh')} -server ${zk} get /brokers/topics/sample-topic`,
    ...(mode === 'ensemble'
      ? ['', 'A replication factor above 1 waits for the replica fetcher: followers get no data yet.']
      : []),
    '',
    `Ctrl-C stops the broker${brokers.length > 1 ? 's' : ''}, then ZooKeeper.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
