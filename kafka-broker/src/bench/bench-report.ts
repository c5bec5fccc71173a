// The Kafka benchmark's table: one row per workload and client with our broker's figures, the
// null broker's (the ceiling of that client), their ratio, our broker's CPU use, and whether the
// goal is met. Goals: 1,000,000 records/s produced and 2,000,000 consumed, or, where the client
// itself tops out below that against the null broker, at least 90% of what it reaches there.

import { Bandwidth } from './bench-ceilings';
import { Client, LoadResult } from './bench-clients';

export const PRODUCE_GOAL_RECORDS_PER_SEC = 1_000_000;
export const CONSUME_GOAL_RECORDS_PER_SEC = 2_000_000;
/** Where the client tops out below the goal, ours must reach this share of the null broker's figure. */
export const CEILING_SHARE_GOAL = 0.9;

export interface Row {
  readonly workload: string;
  readonly client: Client;
  readonly kind: 'produce' | 'consume' | 'e2e';
  readonly ours: LoadResult;
  readonly ceiling: LoadResult | null;
  /** CPU seconds (user + system, all threads) of our broker during the run kept. */
  readonly brokerCpuSeconds: number | null;
  /** The same for the null broker. */
  readonly nullCpuSeconds: number | null;
}

const COLUMNS: readonly (readonly [string, number])[] = [
  ['workload', -22],
  ['client', -6],
  ['records/s', 10],
  ['MB/s', 6],
  ['p50 ms', 7],
  ['p99 ms', 7],
  ['null rec/s', 10],
  ['ratio', 5],
  ['cores', 5],
  ['us/rec', 6],
  ['null us/rec', 11],
  ['goal', -4],
];

function line(cells: readonly string[]): string {
  return cells
    .map((cell, i) => {
      const width = COLUMNS[i]![1];
      return width < 0 ? cell.padEnd(-width) : cell.padStart(width);
    })
    .join('  ')
    .trimEnd();
}

export const HEADER = line(COLUMNS.map(([name]) => name));

export function fmtCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function fmtMs(n: number | undefined): string {
  if (n === undefined) return '-';
  return n < 10 ? n.toFixed(2) : n.toFixed(1);
}

function usPerRecord(cpuSeconds: number | null, of: LoadResult | null): string {
  return cpuSeconds === null || of === null ? '-' : ((cpuSeconds * 1e6) / of.records).toFixed(2);
}

export function goalMet(row: Row): string {
  if (row.kind === 'e2e') return '';
  const goal = row.kind === 'produce' ? PRODUCE_GOAL_RECORDS_PER_SEC : CONSUME_GOAL_RECORDS_PER_SEC;
  const ours = row.ours.recordsPerSec;
  if (ours >= goal) return 'met';
  const ceiling = row.ceiling?.recordsPerSec;
  if (ceiling !== undefined && ceiling < goal && ours >= CEILING_SHARE_GOAL * ceiling) return 'met (client-bound)';
  return 'NOT met';
}

export function formatRow(row: Row): string {
  const r = row.ours;
  const ratio = row.ceiling === null ? '-' : (r.recordsPerSec / row.ceiling.recordsPerSec).toFixed(2);
  const cores = row.brokerCpuSeconds === null ? '-' : (row.brokerCpuSeconds / r.seconds).toFixed(2);
  const text = line([
    row.workload,
    row.client,
    fmtCount(r.recordsPerSec),
    r.mbPerSec.toFixed(1),
    fmtMs(r.latencyMs?.p50),
    fmtMs(r.latencyMs?.p99),
    row.ceiling === null ? '-' : fmtCount(row.ceiling.recordsPerSec),
    ratio,
    cores,
    usPerRecord(row.brokerCpuSeconds, r),
    usPerRecord(row.nullCpuSeconds, row.ceiling),
    goalMet(row),
  ]);
  const errors = [...r.errors, ...(row.ceiling?.errors ?? [])];
  return errors.length === 0 ? text : `${text}\n    errors: ${errors.join('; ')}`;
}

export function formatBandwidth(name: string, b: Bandwidth, note: string): string {
  const detail = `${(b.bytes / 1e6).toFixed(0)} MB in ${b.seconds.toFixed(2)} s; ${note}`;
  return `${name.padEnd(22)}  ${b.mbPerSec.toFixed(0).padStart(6)} MB/s  (${detail})`;
}
