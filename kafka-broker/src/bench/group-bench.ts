// Group coordinator benchmark (a command, not a test): OffsetCommit commits per second with 1 and
// 100 partitions per commit, from one connection and from many connections of one group (whose
// commits the offset store merges into shared ZooKeeper multis), and the time a 10-member group
// takes to be Stable again after one member leaves. Starts our ZooKeeper-compatible server and our
// broker as child processes on free loopback ports (both from dist/), talks to the broker with the
// broker's own protocol codecs, and prints the figures with what bounds them: the ZooKeeper round
// trip measured beside them, ZooKeeper requests per commit (mntr's zk_packets_received), and the
// members' heartbeat interval.
//
//   node dist/kafka-broker/src/bench/group-bench.js [--seconds 5] [--connections 16]
//        [--members 10] [--heartbeat-ms 100] [--runs 5]

import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FrameSplitter, ZkClient } from '../../../shared/src';
import { encodeAssignment, encodeSubscription } from '../coordinator/consumer-protocol';
import {
  ApiName,
  decodeResponseFrame,
  encodeRequestFrame,
  ErrorCode,
  RequestBodyInput,
  ResponseBody,
} from '../protocol';

const HOST = '127.0.0.1';
const DIST_ROOT = path.resolve(__dirname, '..', '..', '..');
const ZK_SERVER_BIN = path.join(DIST_ROOT, 'zk-server', 'src', 'bin', 'zk-server.js');
const BROKER_BIN = path.join(DIST_ROOT, 'kafka-broker', 'src', 'bin', 'kafka-server-start.js');
const START_TIMEOUT_MS = 60_000;
const FRAME_BYTES_MAX = 64 * 1024 * 1024;
const TOPIC = 'bench-commits';
const TOPIC_PARTITIONS = 100;
const ZK_ROUND_TRIPS = 500;
const ZK_LISTENING = /listening for clients on [^:\s]+:(\d+)/;
const BROKER_STARTED = /\[KafkaServer id=\d+\] started; listening on PLAINTEXT:\/\/[^:]+:(\d+)/;

interface Options {
  seconds: number;
  connections: number;
  members: number;
  heartbeatMs: number;
  runs: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { seconds: 5, connections: 16, members: 10, heartbeatMs: 100, runs: 5 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = Number(argv[i + 1]);
    if (!(key in o) || !Number.isFinite(value) || value <= 0) throw new Error(`bad option ${argv[i]} ${argv[i + 1]}`);
    (o as unknown as Record<string, number>)[key] = value;
  }
  return o;
}

// ---- processes -----------------------------------------------------------------------------

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function startProcess(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start:\n${out.slice(-2000)}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      out = (out + chunk.toString('utf8')).slice(-64 * 1024);
      const match = ready.exec(out);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      child.stderr!.resume();
      resolve({ child, match });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args[0]} exited with ${code}:\n${out.slice(-2000)}`)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => {
      children.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// ---- a minimal protocol connection ---------------------------------------------------------

class Connection {
  private readonly splitter = new FrameSplitter(FRAME_BYTES_MAX);
  private readonly waiting: ((frame: Buffer) => void)[] = [];
  private correlationId = 1;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) this.waiting.shift()?.(frame);
    });
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port }, () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  request<N extends ApiName>(api: N, version: number, body: RequestBodyInput<N>): Promise<ResponseBody<N>> {
    return new Promise((resolve) => {
      this.waiting.push((frame) => resolve(decodeResponseFrame(api, version, frame).body));
      this.socket.write(encodeRequestFrame(api, version, this.correlationId++, 'group-bench', body));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

// ---- measurements --------------------------------------------------------------------------

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

async function zkPacketsReceived(zkPort: number): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    const s = net.connect({ host: HOST, port: zkPort }, () => s.end('mntr'));
    let out = '';
    s.on('data', (c: Buffer) => (out += c.toString('utf8')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
  return Number(/zk_packets_received\s+(\d+)/.exec(text)?.[1] ?? NaN);
}

/** p50 of a one-op multi (setData) from a client of our own: the floor of one commit's write. */
async function zkRoundTripMs(zkPort: number): Promise<number> {
  const zk = await ZkClient.connect(`${HOST}:${zkPort}`);
  try {
    await zk.mkdirp('/group-bench/probe');
    const times: number[] = [];
    for (let i = 0; i < ZK_ROUND_TRIPS; i++) {
      const t = performance.now();
      await zk.multi([{ op: 'setData', path: '/group-bench/probe', data: Buffer.from(String(i)) }]);
      times.push(performance.now() - t);
    }
    return median(times);
  } finally {
    zk.close();
  }
}

interface CommitFigures {
  commitsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  zkRequestsPerCommit: number;
}

async function commitRate(
  brokerPort: number,
  zkPort: number,
  o: Options,
  connections: number,
  partitionsPerCommit: number,
): Promise<CommitFigures> {
  const conns = await Promise.all(Array.from({ length: connections }, () => Connection.open(brokerPort)));
  const group = `commits-${connections}-${partitionsPerCommit}`;
  const latencies: number[] = [];
  let commits = 0;
  const commitOnce = async (c: Connection, n: number): Promise<void> => {
    const partitions = Array.from({ length: partitionsPerCommit }, (_, i) => ({
      partitionIndex: (n + i) % TOPIC_PARTITIONS,
      committedOffset: BigInt(n),
      committedMetadata: null,
    }));
    const t = performance.now();
    const r = await c.request('OffsetCommit', 2, {
      groupId: group,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: TOPIC, partitions }],
    });
    latencies.push(performance.now() - t);
    const failed = r.topics[0]!.partitions.find((p) => p.errorCode !== ErrorCode.NONE);
    if (failed !== undefined) throw new Error(`OffsetCommit failed with error ${failed.errorCode}`);
  };
  await commitOnce(conns[0]!, 0); // creates the znodes outside the timing
  latencies.length = 0;
  const packetsBefore = await zkPacketsReceived(zkPort);
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  await Promise.all(
    conns.map(async (c, i) => {
      for (let n = 1; performance.now() < deadline; n++) {
        await commitOnce(c, i * 1_000_000 + n);
        commits++;
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const packets = (await zkPacketsReceived(zkPort)) - packetsBefore;
  for (const c of conns) c.close();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    commitsPerSecond: commits / elapsedS,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    zkRequestsPerCommit: packets / commits,
  };
}

// ---- a group of simulated members ----------------------------------------------------------

interface Member {
  readonly conn: Connection;
  memberId: string;
  generationId: number;
  /** The generation of the member's last completed SyncGroup. */
  syncedGeneration: number;
  stopped: boolean;
  /** When the member last sent a JoinGroup. */
  lastJoinAt: number;
}

const subscription = encodeSubscription(0, { topics: [TOPIC], userData: null });

async function joinAndSync(group: string, m: Member): Promise<void> {
  for (;;) {
    m.lastJoinAt = performance.now();
    const joined = await m.conn.request('JoinGroup', 5, {
      groupId: group,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      memberId: m.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'roundrobin', metadata: subscription }],
    });
    if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      m.memberId = joined.memberId;
      continue;
    }
    if (joined.errorCode !== ErrorCode.NONE) throw new Error(`JoinGroup failed with error ${joined.errorCode}`);
    m.memberId = joined.memberId;
    m.generationId = joined.generationId;
    const assignments = joined.leader === joined.memberId ? roundRobin(joined.members.map((x) => x.memberId)) : [];
    const synced = await m.conn.request('SyncGroup', 3, {
      groupId: group,
      generationId: joined.generationId,
      memberId: m.memberId,
      groupInstanceId: null,
      assignments,
    });
    if (synced.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
    if (synced.errorCode !== ErrorCode.NONE) throw new Error(`SyncGroup failed with error ${synced.errorCode}`);
    m.syncedGeneration = joined.generationId;
    return;
  }
}

function roundRobin(memberIds: readonly string[]): { memberId: string; assignment: Buffer }[] {
  const sorted = [...memberIds].sort();
  return sorted.map((memberId, i) => {
    const partitions: number[] = [];
    for (let p = i; p < TOPIC_PARTITIONS; p += sorted.length) partitions.push(p);
    return { memberId, assignment: encodeAssignment(0, { assignedPartitions: [{ topic: TOPIC, partitions }] }) };
  });
}

/** A member as clients behave: join, then heartbeat every interval and re-join at once on REBALANCE_IN_PROGRESS. */
async function memberLoop(group: string, m: Member, intervalMs: number): Promise<void> {
  await joinAndSync(group, m);
  while (!m.stopped) {
    await sleep(intervalMs);
    if (m.stopped) return;
    const hb = await m.conn.request('Heartbeat', 3, {
      groupId: group,
      generationId: m.generationId,
      memberId: m.memberId,
      groupInstanceId: null,
    });
    if (hb.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) await joinAndSync(group, m);
    else if (hb.errorCode !== ErrorCode.NONE) throw new Error(`Heartbeat failed with error ${hb.errorCode}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once every member has synced the same generation, above `after`. */
async function allSynced(members: readonly Member[], after: number): Promise<number> {
  for (;;) {
    const g = members[0]!.syncedGeneration;
    if (g > after && members.every((m) => m.syncedGeneration === g)) return g;
    await sleep(1);
  }
}

async function leave(group: string, m: Member): Promise<void> {
  await m.conn.request('LeaveGroup', 3, { groupId: group, members: [{ memberId: m.memberId, groupInstanceId: null }] });
}

interface RebalanceFigures {
  totalMs: number;
  /** From LeaveGroup until the last remaining member sent its JoinGroup. */
  noticeMs: number;
}

async function rebalanceAfterLeave(brokerPort: number, o: Options, run: number): Promise<RebalanceFigures> {
  const group = `rebalance-${run}`;
  const members: Member[] = [];
  for (let i = 0; i < o.members; i++) {
    const conn = await Connection.open(brokerPort);
    members.push({ conn, memberId: '', generationId: -1, syncedGeneration: -1, stopped: false, lastJoinAt: 0 });
  }
  const [leaving, ...staying] = members as [Member, ...Member[]];
  const leaverLoop = memberLoop(group, leaving, o.heartbeatMs);
  const loops = staying.map((m) => memberLoop(group, m, o.heartbeatMs));
  const generation = await allSynced(members, -1);
  leaving.stopped = true;
  await leaverLoop;
  const started = performance.now();
  await leave(group, leaving);
  await allSynced(staying, generation);
  const totalMs = performance.now() - started;
  const noticeMs = Math.max(...staying.map((m) => m.lastJoinAt)) - started;
  for (const m of staying) m.stopped = true;
  await Promise.all(loops);
  await Promise.all(staying.map((m) => leave(group, m)));
  for (const m of members) m.conn.close();
  return { totalMs, noticeMs };
}

// ---- main ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  for (const bin of [ZK_SERVER_BIN, BROKER_BIN]) if (!existsSync(bin)) throw new Error(`${bin} is missing (run npx tsc -b)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'group-bench-'));
  const started: ChildProcess[] = [];
  try {
    writeFileSync(
      path.join(dir, 'zoo.cfg'),
      `tickTime=2000\ndataDir=${path.join(dir, 'zookeeper')}\nclientPort=0\nclientPortAddress=${HOST}\n4lw.commands.whitelist=*\n`,
    );
    const zk = await startProcess([ZK_SERVER_BIN, 'start-foreground', path.join(dir, 'zoo.cfg')], ZK_LISTENING);
    started.push(zk.child);
    const zkPort = Number(zk.match[1]);
    writeFileSync(
      path.join(dir, 'server.properties'),
      [
        'broker.id=0',
        `listeners=PLAINTEXT://${HOST}:0`,
        `log.dirs=${path.join(dir, 'kafka-logs')}`,
        `zookeeper.connect=${HOST}:${zkPort}`,
        'group.initial.rebalance.delay.ms=0',
        '',
      ].join('\n'),
    );
    const broker = await startProcess([BROKER_BIN, path.join(dir, 'server.properties')], BROKER_STARTED);
    started.push(broker.child);
    const brokerPort = Number(broker.match[1]);
    await report(o, zkPort, brokerPort);
  } finally {
    for (const c of started.reverse()) await stopProcess(c);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function report(o: Options, zkPort: number, brokerPort: number): Promise<void> {
  const admin = await Connection.open(brokerPort);
  const created = await admin.request('CreateTopics', 3, {
    topics: [{ name: TOPIC, numPartitions: TOPIC_PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  admin.close();
  if (created.topics[0]!.errorCode !== ErrorCode.NONE) throw new Error(`CreateTopics failed with error ${created.topics[0]!.errorCode}`);
  const where = `our ZooKeeper server on ${HOST}:${zkPort}, our broker on ${HOST}:${brokerPort}`;
  console.log(`group-bench: ${where}, node ${process.version}, ${os.cpus().length} CPUs`);
  const rtt = await zkRoundTripMs(zkPort);
  console.log(`ZooKeeper one-op multi round trip (fsync included): p50 ${rtt.toFixed(2)} ms -> at most ${Math.round(1000 / rtt)} sequential writes/s`);
  console.log('\nOffsetCommit v2 (generation -1), each connection waiting for its answer before the next commit:');
  for (const connections of [1, o.connections]) {
    for (const partitions of [1, TOPIC_PARTITIONS]) {
      const f = await commitRate(brokerPort, zkPort, o, connections, partitions);
      console.log(
        `  ${String(connections).padStart(2)} connection(s), ${String(partitions).padStart(3)} partition(s)/commit: ` +
          `${Math.round(f.commitsPerSecond)} commits/s (${Math.round(f.commitsPerSecond * partitions)} offsets/s), ` +
          `p50 ${f.p50Ms.toFixed(2)} ms, p99 ${f.p99Ms.toFixed(2)} ms, ${f.zkRequestsPerCommit.toFixed(2)} ZooKeeper requests/commit`,
      );
    }
  }
  console.log(`\nRebalance of a ${o.members}-member group after one member leaves (members heartbeat every ${o.heartbeatMs} ms and re-join at once):`);
  const runs: RebalanceFigures[] = [];
  for (let run = 0; run < o.runs; run++) runs.push(await rebalanceAfterLeave(brokerPort, o, run));
  const total = median(runs.map((r) => r.totalMs));
  const notice = median(runs.map((r) => r.noticeMs));
  console.log(`  LeaveGroup -> all ${o.members - 1} members synced in the new generation: median ${total.toFixed(1)} ms over ${o.runs} runs`);
  console.log(`  of which until the last member noticed (its next heartbeat) and re-joined: median ${notice.toFixed(1)} ms`);
  console.log(`  join phase end -> every SyncGroup answered: median ${(total - notice).toFixed(1)} ms`);
  console.log('\nWhat bounds them:');
  console.log('  - one sequential committer waits one ZooKeeper multi (a disk fsync in ZooKeeper) per commit: its rate is about 1 / round trip;');
  console.log('  - commits of one group arriving while a multi is in flight are merged into the next one (last offset per partition wins),');
  console.log('    so concurrent committers share round trips: ZooKeeper requests per commit drop below 1;');
  console.log('  - 100 partitions per commit are still one multi (100 setData ops); the cost is ZooKeeper applying and logging them;');
  console.log('  - a rebalance is bounded by how soon members notice (their heartbeat interval; 3000 ms by default in clients),');
  console.log('    then by one JoinGroup and one SyncGroup round trip; the coordinator answers from memory and writes');
  console.log('    /consumers/G/ids and /owners to ZooKeeper afterwards, off the answer path.');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
