// Seeded random schedules of 3- and 5-member ensembles (some with an observer): client writes at
// whoever leads, crashes and restarts that lose unsynced writes, partitions and heals, lost,
// duplicated, delayed and reordered notifications and reset quorum connections. The checkers run
// after every step; at the end the network heals, everyone restarts, and the ensemble must
// converge on one leader, one committed sequence and one tree.
// SIM_SEEDS=n runs seeds 1..n (default 500), SIM_SEED_START=k shifts them to k..k+n-1;
// SEED=n replays one seed exactly.

import { runSeed } from './random-schedule';

const DEFAULT_SEEDS = 500;
const TRACE_LINES_KEPT = 80;

function seedsToRun(): number[] {
  const one = process.env.SEED;
  if (one !== undefined && one !== '') return [Number(one)];
  const count = Number(process.env.SIM_SEEDS ?? DEFAULT_SEEDS);
  const first = Number(process.env.SIM_SEED_START ?? 1);
  return Array.from({ length: count }, (_, i) => first + i);
}

describe('ZAB simulation', () => {
  const seeds = seedsToRun();
  const timeoutMs = Math.max(120_000, seeds.length * 2_000);

  it(`keeps every invariant over ${seeds.length} seeded schedules`, () => {
    const started = Date.now();
    let steps = 0;
    let committed = 0;
    let acknowledged = 0;
    for (const seed of seeds) {
      const kept: string[] = [];
      const trace = (line: string): void => {
        kept.push(line);
        if (kept.length > TRACE_LINES_KEPT) kept.shift();
      };
      try {
        const outcome = runSeed(seed, trace);
        steps += outcome.steps;
        committed += outcome.committed;
        acknowledged += outcome.acknowledged;
      } catch (e) {
        const error = e as Error;
        const message = [`seed ${seed} failed: ${error.message}`, `replay: SEED=${seed} npx jest --selectProjects sim`, 'last trace lines:', ...kept].join('\n');
        const wrapped = new Error(message);
        wrapped.stack = `${message}\n${error.stack ?? ''}`;
        throw wrapped;
      }
    }
    const seconds = (Date.now() - started) / 1000;
    // one summary line for the CI log
    process.stdout.write(`zab-sim: ${seeds.length} seeds, ${steps} steps, ${committed} txns committed, ${acknowledged} acknowledged, ${seconds.toFixed(1)} s\n`);
  }, timeoutMs);
});
