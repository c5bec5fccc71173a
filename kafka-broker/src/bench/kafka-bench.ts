#!/usr/bin/env node
// kafka-bench: producer and consumer throughput and latency of our broker, driven by librdkafka
// (kafka-load.py through confluent-kafka, and kcat), next to the ceilings measured in the same run:
// the same load generator against the null broker (accepts and discards everything, serves one
// pre-built batch again and again), loopback TCP bandwidth and sequential disk writes. Starts its
// own zk-server, broker and null broker on free loopback ports in a temp directory.
//
//   npx tsc -b && node dist/kafka-broker/src/bench/kafka-bench.js [--records 5000000] [--repeat 3]
//
// Workloads (100-byte records, one producer, one consumer):
//   produce   acks=1 and acks=all, 1 and 6 partitions; latency = send -> acknowledgement
//   consume   the records of the acks=1 produce run read back from the beginning
//   e2e       a producer paced at --e2e-rate while a consumer reads; latency = the producer's
//             timestamp in the record -> the consumer
// "ratio" is ours / null broker for the same client and workload (bench-report.ts has the goals).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { diskWriteBandwidth, loopbackBandwidth } from './bench-ceilings';
import {
  Client,
  clientUnavailable,
  consumeKcat,
  consumePython,
  ConsumeRun,
  createTopic,
  LoadResult,
  produceKcat,
  producePython,
  ProduceRun,
  writeKcatInput,
} from './bench-clients';
import { BenchProcess, serversUnavailable, startBroker, startNullBroker, startZooKeeper } from './bench-processes';
import { fmtCount, formatBandwidth, formatRow, HEADER, Row } from './bench-report';

const PARTITION_COUNTS = [1, 6] as const;
const ACKS = ['1', 'all'] as const;
const WORKLOADS = ['ceilings', 'produce', 'consume', 'e2e'] as const;
/** The e2e consumer gets this long to connect before the producer starts. */
const E2E_CONSUMER_START_MS = 2000;

type Workload = (typeof WORKLOADS)[number];

interface Options {
  readonly records: number;
  readonly consumeRecords: number;
  readonly recordBytes: number;
  readonly clients: readonly Client[];
  readonly workloads: readonly Workload[];
  readonly repeat: number;
  readonly e2eRate: number;
  readonly e2eRecords: number;
  readonly diskMegabytes: number;
  readonly loopbackSeconds: number;
}

interface Servers {
  readonly zk: BenchProcess;
  readonly broker: BenchProcess;
  readonly nullBroker: BenchProcess;
}

interface Context {
  readonly o: Options;
  readonly s: Servers;
  readonly dir: string;
  readonly rows: Row[];
  /** Per partition count, a topic of our broker holding `records` records (what consume reads). */
  readonly produced: Map<number, { topic: string; records: number }>;
  kcatInput: string | null;
}

interface Run {
  readonly r: LoadResult;
  readonly cpu: number | null;
}

/** Runs `go` once the page cache's dirty data is written out; returns its result and `p`'s CPU time. */
async function timed(p: BenchProcess, go: () => Promise<LoadResult>): Promise<Run> {
  spawnSync('sync');
  const before = p.cpuSeconds();
  const r = await go();
  const after = p.cpuSeconds();
  return { r, cpu: before === null || after === null ? null : after - before };
}

function best(a: Run | null, b: Run): Run {
  return a === null || b.r.recordsPerSec > a.r.recordsPerSec ? b : a;
}

/** Runs `ours` and `ceiling` --repeat times, swapping which goes first each time; keeps the best of each. */
async function measure(
  c: Context,
  ours: () => Promise<LoadResult>,
  ceiling: (() => Promise<LoadResult>) | null,
): Promise<Pick<Row, 'ours' | 'ceiling' | 'brokerCpuSeconds' | 'nullCpuSeconds'>> {
  let top: Run | null = null;
  let topCeiling: Run | null = null;
  for (let i = 0; i < c.o.repeat; i++) {
    const runCeiling = async (): Promise<void> => {
      if (ceiling !== null) topCeiling = best(topCeiling, await timed(c.s.nullBroker, ceiling));
    };
    if (i % 2 === 0) await runCeiling();
    top = best(top, await timed(c.s.broker, ours));
    if (i % 2 === 1) await runCeiling();
  }
  const kept = topCeiling as Run | null;
  return { ours: top!.r, ceiling: kept?.r ?? null, brokerCpuSeconds: top!.cpu, nullCpuSeconds: kept?.cpu ?? null };
}

function report(c: Context, row: Row): void {
  c.rows.push(row);
  console.log(formatRow(row));
}

function produceRun(c: Context, bootstrap: string, topic: string, acks: '1' | 'all'): ProduceRun {
  return { bootstrap, topic, records: c.o.records, recordBytes: c.o.recordBytes, acks, rate: 0 };
}

function kcatInput(c: Context): string {
  if (c.kcatInput === null) {
    c.kcatInput = path.join(c.dir, 'kcat-input.txt');
    writeKcatInput(c.kcatInput, c.o.records, c.o.recordBytes);
  }
  return c.kcatInput;
}

async function runProduce(c: Context): Promise<void> {
  for (const partitions of PARTITION_COUNTS) {
    for (const acks of ACKS) {
      for (const client of c.o.clients) {
        const topic = `bench-${client}-acks${acks}-p${partitions}`;
        await createTopic(c.s.broker.bootstrap, topic, partitions);
        const go = (bootstrap: string) => (): Promise<LoadResult> => {
          const run = produceRun(c, bootstrap, topic, acks);
          return client === 'python' ? producePython(run) : produceKcat(run, kcatInput(c), partitions);
        };
        const m = await measure(c, go(c.s.broker.bootstrap), go(c.s.nullBroker.bootstrap));
        report(c, { workload: `produce acks=${acks} ${partitions}p`, client, kind: 'produce', ...m });
        if (acks === '1' && !c.produced.has(partitions)) c.produced.set(partitions, { topic, records: c.o.records });
      }
    }
  }
}

async function runConsume(c: Context): Promise<void> {
  for (const partitions of PARTITION_COUNTS) {
    let source = c.produced.get(partitions);
    if (source === undefined) {
      source = { topic: `bench-consume-p${partitions}`, records: c.o.consumeRecords };
      await createTopic(c.s.broker.bootstrap, source.topic, partitions);
      await producePython({ ...produceRun(c, c.s.broker.bootstrap, source.topic, '1'), records: source.records });
    }
    const { topic } = source;
    const records = Math.min(source.records, c.o.consumeRecords);
    for (const client of c.o.clients) {
      const go = (bootstrap: string, from: string) => (): Promise<LoadResult> => {
        const run: ConsumeRun = { bootstrap, topic: from, partitions, records, recordBytes: c.o.recordBytes, e2e: false };
        return client === 'python' ? consumePython(run) : consumeKcat(run);
      };
      const nullTopic = `bench-consume-p${partitions}`;
      const m = await measure(c, go(c.s.broker.bootstrap, topic), go(c.s.nullBroker.bootstrap, nullTopic));
      report(c, { workload: `consume ${partitions}p`, client, kind: 'consume', ...m });
    }
  }
}

/** A consumer reading a fresh topic while a paced producer writes it; latency measured at the consumer. */
async function endToEnd(c: Context, partitions: number, round: number): Promise<LoadResult> {
  const bootstrap = c.s.broker.bootstrap;
  const topic = `bench-e2e-p${partitions}-${round}`;
  await createTopic(bootstrap, topic, partitions);
  const records = c.o.e2eRecords;
  const consumer = consumePython({ bootstrap, topic, partitions, records, recordBytes: c.o.recordBytes, e2e: true });
  await new Promise((resolve) => setTimeout(resolve, E2E_CONSUMER_START_MS));
  const produced = await producePython({ ...produceRun(c, bootstrap, topic, '1'), records, rate: c.o.e2eRate });
  const consumed = await consumer;
  return { ...consumed, errors: [...produced.errors, ...consumed.errors] };
}

async function runEndToEnd(c: Context): Promise<void> {
  if (!c.o.clients.includes('python')) return;
  for (const partitions of PARTITION_COUNTS) {
    let round = 0;
    const m = await measure(c, () => endToEnd(c, partitions, round++), null);
    report(c, { workload: `e2e ${fmtCount(c.o.e2eRate)}/s ${partitions}p`, client: 'python', kind: 'e2e', ...m });
  }
}

async function runCeilings(c: Context): Promise<void> {
  const loopback = await loopbackBandwidth(c.o.loopbackSeconds);
  console.log(formatBandwidth('loopback TCP', loopback, 'one connection, node to node, 1 MiB writes'));
  const disk = diskWriteBandwidth(path.join(c.dir, 'disk-ceiling.bin'), c.o.diskMegabytes);
  console.log(formatBandwidth('disk sequential write', disk, '1 MiB writes, fsync at the end'));
  console.log('');
}

// ---- main -----------------------------------------------------------------------------------------

interface ServerOptions {
  readonly nodeArgs: readonly string[];
  readonly properties: Record<string, string>;
  readonly recordBytes: number;
}

async function startServers(dir: string, o: ServerOptions): Promise<Servers> {
  const zk = await startZooKeeper(dir);
  const started: BenchProcess[] = [zk];
  try {
    const broker = await startBroker({ dir, zookeeperPort: zk.port, properties: o.properties, nodeArgs: o.nodeArgs });
    started.push(broker);
    const nullBroker = await startNullBroker(dir, o.recordBytes);
    return { zk, broker, nullBroker };
  } catch (e) {
    for (const p of started.reverse()) await p.stop();
    throw e;
  }
}

function parseProperties(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of list) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`--property ${entry} is not key=value`);
    out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

function parseList<T extends string>(text: string, known: readonly T[], what: string): T[] {
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) if (!(known as readonly string[]).includes(item)) throw new Error(`unknown ${what} ${item}`);
  return items as T[];
}

function parseArgs() {
  return yargs(hideBin(process.argv))
    .option('records', { type: 'number', default: 5_000_000, describe: 'records per produce run' })
    .option('consume-records', { type: 'number', describe: 'records per consume run (default --records)' })
    .option('record-bytes', { type: 'number', default: 100 })
    .option('clients', { type: 'string', default: 'python,kcat', describe: 'python (confluent-kafka), kcat' })
    .option('workloads', { type: 'string', default: WORKLOADS.join(','), describe: 'subset, comma-separated' })
    .option('repeat', { type: 'number', default: 1, describe: 'runs per row, best kept (alternating order)' })
    .option('e2e-rate', { type: 'number', default: 100_000, describe: 'records/s of the end-to-end producer' })
    .option('e2e-records', { type: 'number', default: 1_000_000 })
    .option('disk-mb', { type: 'number', default: 1024, describe: 'MiB written by the disk ceiling' })
    .option('loopback-seconds', { type: 'number', default: 3 })
    .option('property', { type: 'string', array: true, default: [] as string[], describe: 'server.properties key=value' })
    .option('broker-node-args', { type: 'string', default: '', describe: 'node options for the broker (use =)' })
    .option('keep', { type: 'boolean', default: false, describe: 'keep the temp directory (logs, data)' })
    .option('json', { type: 'boolean', default: false, describe: 'also print the rows as JSON' })
    .strict()
    .parseSync();
}

function options(argv: ReturnType<typeof parseArgs>): Options {
  const clients = parseList(argv.clients, ['python', 'kcat'] as const, 'client').filter((client) => {
    const why = clientUnavailable(client);
    if (why !== undefined) console.warn(`not running ${client}: ${why}`);
    return why === undefined;
  });
  return {
    records: argv.records,
    consumeRecords: argv['consume-records'] ?? argv.records,
    recordBytes: argv['record-bytes'],
    clients,
    workloads: parseList(argv.workloads, WORKLOADS, 'workload'),
    repeat: Math.max(1, argv.repeat),
    e2eRate: argv['e2e-rate'],
    e2eRecords: argv['e2e-records'],
    diskMegabytes: argv['disk-mb'],
    loopbackSeconds: argv['loopback-seconds'],
  };
}

async function main(): Promise<void> {
  const argv = parseArgs();
  const o = options(argv);
  const notBuilt = serversUnavailable();
  if (notBuilt !== undefined) throw new Error(notBuilt);
  const noPython = clientUnavailable('python');
  if (noPython !== undefined) throw new Error(`topics are created with kafka-load.py: ${noPython}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-bench-'));
  const nodeArgs = argv['broker-node-args'].split(' ').filter((a) => a !== '');
  const s = await startServers(dir, { nodeArgs, properties: parseProperties(argv.property), recordBytes: o.recordBytes });
  const c: Context = { o, s, dir, rows: [], produced: new Map(), kcatInput: null };
  try {
    console.log(`broker ${s.broker.bootstrap} (pid ${s.broker.pid}), null broker ${s.nullBroker.bootstrap}, ` +
      `zk-server ${s.zk.bootstrap}; ${os.cpus().length} CPUs; data in ${dir}`);
    console.log(`${fmtCount(o.records)} records of ${o.recordBytes} bytes per produce run, best of ${o.repeat}\n`);
    if (o.workloads.includes('ceilings')) await runCeilings(c);
    console.log(HEADER);
    if (o.workloads.includes('produce')) await runProduce(c);
    if (o.workloads.includes('consume')) await runConsume(c);
    if (o.workloads.includes('e2e')) await runEndToEnd(c);
    if (argv.json) console.log(JSON.stringify(c.rows));
  } finally {
    await s.nullBroker.stop();
    await s.broker.stop();
    await s.zk.stop();
    if (!argv.keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).stack ?? String(e));
  process.exit(1);
});
