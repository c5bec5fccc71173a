#!/usr/bin/env node
// zk-bench: load generator for any ZooKeeper-compatible server (ours or Apache ZooKeeper). Opens
// S sessions, each keeping D requests in flight, runs one workload for T seconds after a warm-up,
// and prints throughput and latency percentiles. Not a test: numbers depend on the machine.
//
//   npx tsc -b && node dist/zk-server/src/bench/zk-bench.js --server 127.0.0.1:2181 \
//     --workload getData --sessions 8 --depth 8 --seconds 5
//
// Workloads (keys are /bench/n-0 .. /bench/n-<keys-1>, created first, data --data-bytes long):
//   getData, exists, setData (version -1) on a random key; getChildren of /bench (keys + 1 children);
//   create: ephemeral sequential /bench/e/x- (gone when the session closes); mix: 90% getData, 10% setData.

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Rng, seededRng } from '../../../shared/src';
import { CreateRequest, ExistsRequest, GetChildrenRequest, GetDataRequest, SetDataRequest } from '../protocol/records/proto';
import { BenchSession } from './bench-session';

export const WORKLOADS = ['getData', 'exists', 'getChildren', 'setData', 'create', 'mix'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface BenchOptions {
  host: string;
  port: number;
  workload: Workload;
  sessions: number;
  depth: number;
  seconds: number;
  warmupSeconds: number;
  keys: number;
  dataBytes: number;
  sessionTimeoutMs: number;
  seed: number;
  /** Ensemble members to spread the sessions over, round-robin (default: host:port only). */
  spreadOver?: ReadonlyArray<{ readonly host: string; readonly port: number }>;
}

export interface BenchResult {
  workload: Workload;
  sessions: number;
  depth: number;
  seconds: number;
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  errors: number;
  protocolErrors: number;
}

export const BENCH_DEFAULTS = {
  sessions: 1,
  depth: 1,
  seconds: 5,
  warmupSeconds: 1,
  keys: 100,
  dataBytes: 100,
  sessionTimeoutMs: 30_000,
  seed: 1,
} as const;

const OP = { create: 1, exists: 3, getData: 4, setData: 5, getChildren: 8 } as const;
const OPEN_ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const FLAGS_EPHEMERAL_SEQUENTIAL = 3;
const ERR_NODE_EXISTS = -110;
const DRAIN_TIMEOUT_MS = 30_000;
const ROOT = '/bench';

/** A request ready to send: op code and encoded body. */
interface Prepared {
  op: number;
  body: Buffer;
}

function keyPath(i: number): string {
  return `${ROOT}/n-${i}`;
}

/** Pre-encodes every request body a workload can send, so the hot loop only picks one. */
function requestTable(o: BenchOptions): { reads: Prepared[]; writes: Prepared[]; create: Prepared; children: Prepared } {
  const data = Buffer.alloc(o.dataBytes, 0x61);
  const reads: Prepared[] = [];
  const writes: Prepared[] = [];
  for (let i = 0; i < o.keys; i++) {
    const path = keyPath(i);
    const read = o.workload === 'exists' ? { op: OP.exists, body: ExistsRequest.toBytes({ path, watch: false }) } : { op: OP.getData, body: GetDataRequest.toBytes({ path, watch: false }) };
    reads.push(read);
    writes.push({ op: OP.setData, body: SetDataRequest.toBytes({ path, data, version: -1 }) });
  }
  const create = { op: OP.create, body: CreateRequest.toBytes({ path: `${ROOT}/e/x-`, data, acl: OPEN_ACL, flags: FLAGS_EPHEMERAL_SEQUENTIAL }) };
  const children = { op: OP.getChildren, body: GetChildrenRequest.toBytes({ path: ROOT, watch: false }) };
  return { reads, writes, create, children };
}

function chooser(o: BenchOptions, rng: Rng): () => Prepared {
  const t = requestTable(o);
  switch (o.workload) {
    case 'getData':
    case 'exists':
      return () => t.reads[rng.int(o.keys)]!;
    case 'setData':
      return () => t.writes[rng.int(o.keys)]!;
    case 'getChildren':
      return () => t.children;
    case 'create':
      return () => t.create;
    case 'mix':
      return () => (rng.chance(0.1) ? t.writes[rng.int(o.keys)]! : t.reads[rng.int(o.keys)]!);
  }
}

/** Creates /bench, /bench/e and the keys (existing ones are kept). */
export async function prepareTree(host: string, port: number, keys: number, dataBytes: number): Promise<void> {
  const s = await BenchSession.connect(host, port, BENCH_DEFAULTS.sessionTimeoutMs);
  const data = Buffer.alloc(dataBytes, 0x61);
  const create = (path: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const body = CreateRequest.toBytes({ path, data, acl: OPEN_ACL, flags: 0 });
      s.send(OP.create, body, (err) => (err === 0 || err === ERR_NODE_EXISTS ? resolve() : reject(new Error(`create ${path}: error ${err}`))));
    });
  await create(ROOT);
  await create(`${ROOT}/e`);
  await Promise.all(Array.from({ length: keys }, (_, i) => create(keyPath(i))));
  await s.close();
}

class LatencyLog {
  private values = new Float64Array(1 << 16);
  count = 0;

  add(ms: number): void {
    if (this.count === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.count++] = ms;
  }

  percentiles(): { p50: number; p99: number; p999: number; max: number } {
    const sorted = this.values.subarray(0, this.count).sort();
    const at = (q: number): number => (this.count === 0 ? NaN : sorted[Math.min(this.count - 1, Math.floor(q * this.count))]!);
    return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: this.count === 0 ? NaN : sorted[this.count - 1]! };
  }
}

/** Runs one workload: warm-up, then `seconds` of measurement; in-flight requests drain at the end. */
export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const rng = seededRng(o.seed);
  const next = chooser(o, rng);
  const targets = o.spreadOver ?? [{ host: o.host, port: o.port }];
  const sessions = await Promise.all(
    Array.from({ length: o.sessions }, (_, i) => BenchSession.connect(targets[i % targets.length]!.host, targets[i % targets.length]!.port, o.sessionTimeoutMs)),
  );
  const log = new LatencyLog();
  let measuring = false;
  let stopping = false;
  let errors = 0;
  const onReply = (err: number, latencyNs: bigint): void => {
    if (!measuring) return;
    if (err !== 0) errors++;
    log.add(Number(latencyNs) / 1e6);
  };
  const refill = (s: BenchSession): void => {
    if (stopping || s.outstanding >= o.depth) return;
    s.batch(() => {
      while (s.outstanding < o.depth) {
        const r = next();
        s.send(r.op, r.body, onReply);
      }
    });
  };
  for (const s of sessions) {
    s.onBatch = () => refill(s);
    refill(s);
  }
  await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
  measuring = true;
  const startNs = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, o.seconds * 1000));
  measuring = false;
  const elapsedS = Number(process.hrtime.bigint() - startNs) / 1e9;
  stopping = true;
  await drain(sessions);
  await Promise.all(sessions.map((s) => s.close()));
  const p = log.percentiles();
  return {
    workload: o.workload, sessions: o.sessions, depth: o.depth, seconds: elapsedS, ops: log.count,
    opsPerSec: log.count / elapsedS, p50Ms: p.p50, p99Ms: p.p99, p999Ms: p.p999, maxMs: p.max, errors,
    protocolErrors: sessions.reduce((a, s) => a + s.protocolErrors, 0),
  };
}

async function drain(sessions: BenchSession[]): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (sessions.some((s) => s.outstanding > 0)) {
    if (Date.now() > deadline) throw new Error('requests still unanswered 30 s after the run ended');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function formatResult(r: BenchResult): string {
  const ms = (v: number): string => v.toFixed(3);
  return (
    `${r.workload.padEnd(12)} ${`${r.sessions}x${r.depth}`.padStart(6)} ${Math.round(r.opsPerSec).toString().padStart(9)} ops/s` +
    `  p50 ${ms(r.p50Ms)} ms  p99 ${ms(r.p99Ms)} ms  p999 ${ms(r.p999Ms)} ms  max ${ms(r.maxMs)} ms` +
    `  (${r.ops} ops in ${r.seconds.toFixed(1)} s, ${r.errors} errors${r.protocolErrors > 0 ? `, ${r.protocolErrors} PROTOCOL ERRORS` : ''})`
  );
}

export function parseServer(text: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(text);
  if (m === null) throw new Error(`--server must be host:port, got "${text}"`);
  return { host: m[1]!, port: Number(m[2]) };
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .usage('$0 --server host:port [--workload getData] [--sessions S] [--depth D] [--seconds T]')
    .option('server', { type: 'string', default: '127.0.0.1:2181', describe: 'host:port of the server' })
    .option('workload', { choices: [...WORKLOADS, 'all'] as const, default: 'getData' as const })
    .option('sessions', { alias: 'S', type: 'number', default: BENCH_DEFAULTS.sessions })
    .option('depth', { alias: 'D', type: 'number', default: BENCH_DEFAULTS.depth, describe: 'requests in flight per session' })
    .option('seconds', { alias: 'T', type: 'number', default: BENCH_DEFAULTS.seconds })
    .option('warmup-seconds', { type: 'number', default: BENCH_DEFAULTS.warmupSeconds })
    .option('keys', { type: 'number', default: BENCH_DEFAULTS.keys })
    .option('data-bytes', { type: 'number', default: BENCH_DEFAULTS.dataBytes })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON object per result' })
    .strict()
    .parse();
  const { host, port } = parseServer(argv.server);
  await prepareTree(host, port, argv.keys, argv['data-bytes']);
  const workloads: Workload[] = argv.workload === 'all' ? [...WORKLOADS] : [argv.workload];
  for (const workload of workloads) {
    const r = await runBench({
      host, port, workload, sessions: argv.sessions, depth: argv.depth, seconds: argv.seconds,
      warmupSeconds: argv['warmup-seconds'], keys: argv.keys, dataBytes: argv['data-bytes'],
      sessionTimeoutMs: BENCH_DEFAULTS.sessionTimeoutMs, seed: BENCH_DEFAULTS.seed,
    });
    console.log(argv.json ? JSON.stringify(r) : formatResult(r));
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
