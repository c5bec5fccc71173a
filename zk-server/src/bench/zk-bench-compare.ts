#!/usr/bin/env node
// zk-bench-compare: starts the real Apache ZooKeeper 3.8 and our server on loopback (same zoo.cfg
// settings, forceSync as given), runs every workload at each sessions x depth level against both
// in the same run, alternating servers per cell, and prints one table with the ratio ours/Apache.
// With --only apache (or when ours is not built) it reports Apache's figures alone.
//
//   npx tsc -b && node dist/zk-server/src/bench/zk-bench-compare.js --seconds 5 --force-sync yes

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { comparisonOptions, parseLevels, parseWorkloads, runnableKinds, tableHeader, tableRow } from './bench-report';
import { BenchServer, ServerKind, startBenchServer } from './bench-servers';
import { BENCH_DEFAULTS, BenchResult, WORKLOADS, prepareTree, runBench } from './zk-bench';

const JIT_WARMUP_SECONDS = 3;

async function main(): Promise<void> {
  const argv = await comparisonOptions(yargs(hideBin(process.argv)), WORKLOADS.join(','))
    .strict()
    .parse();
  const workloads = parseWorkloads(argv.workloads);
  const levels = parseLevels(argv.levels);
  const kinds = runnableKinds(argv.only);
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
    console.log(tableHeader());
    for (const workload of workloads) {
      for (const { sessions, depth } of levels) {
        const results = new Map<ServerKind, BenchResult>();
        for (const [k, s] of servers) {
          results.set(k, await runBench({ ...base(s), workload, sessions, depth, seconds: argv.seconds, warmupSeconds: argv['warmup-seconds'] }));
        }
        console.log(tableRow(workload, `${sessions}x${depth}`, results.get('apache'), results.get('ours')));
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
