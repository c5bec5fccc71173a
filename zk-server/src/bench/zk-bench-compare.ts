#!/usr/bin/env node
// zk-bench-compare: starts the real Apache ZooKeeper 3.8 and our server on loopback (same zoo.cfg
// settings, forceSync as given), runs every workload at each sessions x depth level against both
// in the same run, alternating servers per cell, and prints one table with the ratio ours/Apache.
// With --only apache (or when ours is not built) it reports Apache's figures alone.
//
//   npx tsc -b && node dist/zk-server/src/bench/zk-bench-compare.js --seconds 5 --force-sync yes

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { BenchServer, ServerKind, startBenchServer, unavailable } from './bench-servers';
import { BENCH_DEFAULTS, BenchResult, WORKLOADS, Workload, prepareTree, runBench } from './zk-bench';

const LEVELS_DEFAULT = '1x1,8x8,32x32';
const JIT_WARMUP_SECONDS = 3;

function parseLevels(text: string): { sessions: number; depth: number }[] {
  return text.split(',').map((l) => {
    const m = /^(\d+)x(\d+)$/.exec(l.trim());
    if (m === null) throw new Error(`level "${l}" is not SxD (e.g. 8x8)`);
    return { sessions: Number(m[1]), depth: Number(m[2]) };
  });
}

function cell(r: BenchResult | undefined): string {
  if (r === undefined) return `${'-'.padStart(9)}  ${'-'.padEnd(23)}`;
  const lat = `${r.p50Ms.toFixed(2)}/${r.p99Ms.toFixed(2)}/${r.p999Ms.toFixed(2)}`;
  const flag = r.errors > 0 || r.protocolErrors > 0 ? ` !${r.errors + r.protocolErrors}err` : '';
  return `${Math.round(r.opsPerSec).toString().padStart(9)}  ${(lat + flag).padEnd(23)}`;
}

function row(workload: string, level: string, theirs: BenchResult | undefined, ours: BenchResult | undefined): string {
  const ratio = theirs !== undefined && ours !== undefined ? (ours.opsPerSec / theirs.opsPerSec).toFixed(2) : '-';
  return `${workload.padEnd(12)} ${level.padStart(6)}  ${cell(theirs)}  ${cell(ours)}  ${ratio.padStart(6)}`;
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .option('seconds', { type: 'number', default: BENCH_DEFAULTS.seconds, describe: 'measured seconds per cell' })
    .option('warmup-seconds', { type: 'number', default: BENCH_DEFAULTS.warmupSeconds })
    .option('workloads', { type: 'string', default: WORKLOADS.join(','), describe: `subset of ${WORKLOADS.join(',')}` })
    .option('levels', { type: 'string', default: LEVELS_DEFAULT, describe: 'sessions x depth list' })
    .option('force-sync', { choices: ['yes', 'no'] as const, default: 'yes' as const, describe: 'zoo.cfg forceSync for both servers' })
    .option('only', { choices: ['apache', 'ours'] as const, describe: 'run one server only' })
    .option('keys', { type: 'number', default: BENCH_DEFAULTS.keys })
    .option('data-bytes', { type: 'number', default: BENCH_DEFAULTS.dataBytes })
    .strict()
    .parse();
  const workloads = argv.workloads.split(',').map((w) => w.trim()) as Workload[];
  for (const w of workloads) if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`unknown workload ${w}`);
  const levels = parseLevels(argv.levels);
  const wanted: ServerKind[] = argv.only !== undefined ? [argv.only] : ['apache', 'ours'];
  const kinds = wanted.filter((k) => {
    const reason = unavailable(k);
    if (reason !== undefined) console.warn(`not running ${k}: ${reason}`);
    return reason === undefined;
  });
  if (kinds.length === 0) throw new Error('no server to run');
  const servers = new Map<ServerKind, BenchServer>();
  try {
    for (const k of kinds) servers.set(k, await startBenchServer(k, argv['force-sync'] === 'yes'));
    for (const [k, s] of servers) {
      console.log(`${k}: ${s.version} on ${s.host}:${s.port}, forceSync=${argv['force-sync']}`);
      await prepareTree(s.host, s.port, argv.keys, argv['data-bytes']);
      // JIT and caches: a few seconds of mixed load before anything is measured
      await runBench({ ...base(s), workload: 'mix', sessions: 8, depth: 8, seconds: JIT_WARMUP_SECONDS, warmupSeconds: 0 });
    }
    console.log(`\n${argv.seconds} s per cell after ${argv['warmup-seconds']} s warm-up; ops/s and latency p50/p99/p999 in ms; ratio = ours/Apache ops/s\n`);
    console.log(`${'workload'.padEnd(12)} ${'SxD'.padStart(6)}  ${'Apache ops/s'.padStart(9)}  ${'p50/p99/p999'.padEnd(23)}  ${'ours ops/s'.padStart(9)}  ${'p50/p99/p999'.padEnd(23)}  ${'ratio'.padStart(6)}`);
    for (const workload of workloads) {
      for (const { sessions, depth } of levels) {
        const results = new Map<ServerKind, BenchResult>();
        for (const [k, s] of servers) {
          results.set(k, await runBench({ ...base(s), workload, sessions, depth, seconds: argv.seconds, warmupSeconds: argv['warmup-seconds'] }));
        }
        console.log(row(workload, `${sessions}x${depth}`, results.get('apache'), results.get('ours')));
      }
    }
  } finally {
    for (const s of servers.values()) await s.stop();
  }

  function base(s: BenchServer): Omit<Parameters<typeof runBench>[0], 'workload' | 'sessions' | 'depth' | 'seconds' | 'warmupSeconds'> {
    return { host: s.host, port: s.port, keys: argv.keys, dataBytes: argv['data-bytes'], sessionTimeoutMs: BENCH_DEFAULTS.sessionTimeoutMs, seed: BENCH_DEFAULTS.seed };
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
