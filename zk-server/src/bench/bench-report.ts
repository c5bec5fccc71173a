// What the comparing benchmarks share: sessions x depth levels, the servers that can run here, and
// one table row per cell with Apache's figures, ours, and the ratio ours/Apache in ops/s.

import { Argv } from 'yargs';
import { ServerKind, unavailable } from './bench-servers';
import { BENCH_DEFAULTS, BenchResult, Workload, WORKLOADS } from './zk-bench';

const LEVELS_DEFAULT = '1x1,8x8,32x32';

/** The command-line options every comparing bench takes, with its own default workload list. */
export function comparisonOptions<T>(y: Argv<T>, workloadsDefault: string) {
  return y
    .option('seconds', { type: 'number', default: BENCH_DEFAULTS.seconds, describe: 'measured seconds per cell' })
    .option('warmup-seconds', { type: 'number', default: BENCH_DEFAULTS.warmupSeconds })
    .option('workloads', { type: 'string', default: workloadsDefault, describe: `subset of ${WORKLOADS.join(',')}` })
    .option('levels', { type: 'string', default: LEVELS_DEFAULT, describe: 'sessions x depth list' })
    .option('force-sync', { choices: ['yes', 'no'] as const, default: 'yes' as const, describe: 'zoo.cfg forceSync for both servers' })
    .option('only', { choices: ['apache', 'ours'] as const, describe: 'run one server only' })
    .option('keys', { type: 'number', default: BENCH_DEFAULTS.keys })
    .option('data-bytes', { type: 'number', default: BENCH_DEFAULTS.dataBytes });
}

/** The --workloads list, checked. */
export function parseWorkloads(text: string): Workload[] {
  const workloads = text.split(',').map((w) => w.trim()) as Workload[];
  for (const w of workloads) if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`unknown workload ${w}`);
  return workloads;
}

export function parseLevels(text: string): { sessions: number; depth: number }[] {
  return text.split(',').map((l) => {
    const m = /^(\d+)x(\d+)$/.exec(l.trim());
    if (m === null) throw new Error(`level "${l}" is not SxD (e.g. 8x8)`);
    return { sessions: Number(m[1]), depth: Number(m[2]) };
  });
}

/** The wanted kinds that can run on this machine; says why for the others. */
export function runnableKinds(only: ServerKind | undefined): ServerKind[] {
  const wanted: ServerKind[] = only !== undefined ? [only] : ['apache', 'ours'];
  const kinds = wanted.filter((k) => {
    const reason = unavailable(k);
    if (reason !== undefined) console.warn(`not running ${k}: ${reason}`);
    return reason === undefined;
  });
  if (kinds.length === 0) throw new Error('no server to run');
  return kinds;
}

function cell(r: BenchResult | undefined): string {
  if (r === undefined) return `${'-'.padStart(9)}  ${'-'.padEnd(23)}`;
  const lat = `${r.p50Ms.toFixed(2)}/${r.p99Ms.toFixed(2)}/${r.p999Ms.toFixed(2)}`;
  const flag = r.errors > 0 || r.protocolErrors > 0 ? ` !${r.errors + r.protocolErrors}err` : '';
  return `${Math.round(r.opsPerSec).toString().padStart(9)}  ${(lat + flag).padEnd(23)}`;
}

export function tableHeader(): string {
  return `${'workload'.padEnd(12)} ${'SxD'.padStart(6)}  ${'Apache ops/s'.padStart(9)}  ${'p50/p99/p999'.padEnd(23)}  ${'ours ops/s'.padStart(9)}  ${'p50/p99/p999'.padEnd(23)}  ${'ratio'.padStart(6)}`;
}

export function tableRow(workload: string, level: string, theirs: BenchResult | undefined, ours: BenchResult | undefined): string {
  const ratio = theirs !== undefined && ours !== undefined ? (ours.opsPerSec / theirs.opsPerSec).toFixed(2) : '-';
  return `${workload.padEnd(12)} ${level.padStart(6)}  ${cell(theirs)}  ${cell(ours)}  ${ratio.padStart(6)}`;
}
