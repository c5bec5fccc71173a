// Random schedules for the ZAB simulation: the ensemble shape, network weather, faults and
// client writes of one seed, then healing, convergence and the final checks. Used by
// zab-sim.test.ts; kept apart so a single seed can also be run from elsewhere.

import { Rng, seededRng } from '../../shared/src';
import { NetworkFaults } from '../support/sim-network';
import { ClusterConfig, SimCluster } from './sim-cluster';
import { PeerMessage } from '../../zk-server/src/quorum/core/messages';

const CONVERGE_WITHIN_MS = 60_000;
/** Steps one seed may take before it counts as a runaway (a storm of messages or timers). */
const STEPS_PER_SEED_MAX = 2_000_000;

interface Shape {
  readonly voters: number;
  readonly observers: number;
}

const SHAPES: readonly Shape[] = [
  { voters: 3, observers: 0 },
  { voters: 3, observers: 0 },
  { voters: 5, observers: 0 },
  { voters: 5, observers: 0 },
  { voters: 3, observers: 1 },
  { voters: 5, observers: 1 },
];

function randomFaults(rng: Rng): NetworkFaults {
  const calm = rng.chance(0.2);
  return {
    dropRate: calm ? 0 : rng.next() * 0.15,
    duplicateRate: calm ? 0 : rng.next() * 0.1,
    resetRate: calm ? 0 : rng.next() * 0.004,
    delayMs: [1, 2 + rng.int(20)],
    slowRate: calm ? 0 : rng.next() * 0.05,
    slowDelayMaxMs: 50 + rng.int(1500),
  };
}

function configFor(seed: number, rng: Rng, trace: (line: string) => void, traceMessage?: (m: PeerMessage) => boolean): ClusterConfig {
  const shape = rng.pick(SHAPES);
  return {
    seed,
    voters: shape.voters,
    observers: shape.observers,
    tickMs: 100,
    initLimitTicks: 10,
    syncLimitTicks: 5,
    finalizeWaitTicks: rng.int(3),
    electionRetryTicksMax: 8,
    // small windows make learners that fell behind get a SNAP
    committedLogMax: 1 + rng.int(30),
    snapshotEveryTxns: rng.chance(0.5) ? 2 + rng.int(40) : 0,
    syncDelayMs: [1, 1 + rng.int(40)],
    faults: randomFaults(rng),
    trace,
    ...(traceMessage !== undefined ? { traceMessage } : {}),
  };
}

/** One random fault, possibly undone later through the clock. */
function injectFault(cluster: SimCluster, rng: Rng): void {
  const ids = cluster.members.map((m) => m.id);
  const roll = rng.int(100);
  if (roll < 4) {
    // a power failure: everyone dies at once, unsynced writes torn, and comes back one by one
    cluster.trace('power failure');
    for (const id of ids) cluster.crash(id, false, rng.chance(0.7));
    for (const id of ids) cluster.clock.setTimer(100 + rng.int(3000), () => cluster.restart(id));
  } else if (roll < 8) {
    // one member's disk turns slow for a while, so more of its writes are unsynced at a crash
    const storage = cluster.member(rng.pick(ids)).storage;
    const before = storage.options.syncDelayMs;
    storage.options.syncDelayMs = [20, 50 + rng.int(400)];
    cluster.clock.setTimer(500 + rng.int(5000), () => (storage.options.syncDelayMs = before));
  } else if (roll < 35) {
    const leader = cluster.leader();
    const id = leader !== undefined && rng.chance(0.5) ? leader : rng.pick(ids);
    cluster.crash(id, rng.chance(0.7), rng.chance(0.5));
    cluster.clock.setTimer(100 + rng.int(5000), () => cluster.restart(id));
  } else if (roll < 65) {
    const leader = cluster.leader();
    const alone = leader !== undefined && rng.chance(0.5) ? leader : rng.pick(ids);
    const groups = rng.chance(0.5) ? [[alone], ids.filter((i) => i !== alone)] : splitRandomly(ids, rng);
    cluster.partition(groups);
    cluster.clock.setTimer(200 + rng.int(6000), () => cluster.heal());
  } else if (roll < 80) {
    cluster.network.faults = randomFaults(rng);
    cluster.trace('network weather changes');
  } else {
    // a burst of writes while things may be unsettled
    for (let i = 0; i < 1 + rng.int(8); i++) cluster.write();
  }
}

function splitRandomly(ids: readonly number[], rng: Rng): number[][] {
  const a: number[] = [];
  const b: number[] = [];
  for (const id of ids) (rng.chance(0.5) ? a : b).push(id);
  return [a, b].filter((g) => g.length > 0);
}

export interface SeedOutcome {
  readonly seed: number;
  readonly steps: number;
  readonly committed: number;
  readonly acknowledged: number;
  readonly simulatedMs: number;
}

/** Runs one seed; `traceMessage` picks delivered messages to trace (for looking into a failure). */
export function runSeed(seed: number, trace: (line: string) => void, traceMessage?: (m: PeerMessage) => boolean): SeedOutcome {
  const rng = seededRng(seed);
  const cluster = new SimCluster(configFor(seed, rng, trace, traceMessage));
  cluster.stepsMax = STEPS_PER_SEED_MAX;
  trace(`seed ${seed}: ${cluster.members.length} members, ${cluster.specs.filter((s) => s.role === 'observer').length} observer(s)`);
  const chaosMs = 8_000 + rng.int(20_000);
  let chaos = true;
  const scheduleWrite = (): void => {
    cluster.clock.setTimer(5 + rng.int(150), () => {
      if (!chaos) return;
      cluster.write();
      scheduleWrite();
    });
  };
  const scheduleFault = (): void => {
    cluster.clock.setTimer(200 + rng.int(2500), () => {
      if (!chaos) return;
      injectFault(cluster, rng);
      scheduleFault();
    });
  };
  scheduleWrite();
  scheduleFault();
  cluster.runFor(chaosMs);
  chaos = false;
  cluster.trace('end of faults: heal, restart everyone, calm network');
  cluster.network.faults = { dropRate: 0, duplicateRate: 0, resetRate: 0, delayMs: [1, 5], slowRate: 0, slowDelayMaxMs: 0 };
  cluster.heal();
  for (const m of cluster.members) cluster.restart(m.id);
  // writes still in flight finish or fail; then the ensemble must settle
  if (!cluster.runUntil(() => cluster.converged(), CONVERGE_WITHIN_MS)) {
    const lines = cluster.members.map((m) => cluster.statusLine(m.id)).join('\n');
    throw new Error(`no convergence within ${CONVERGE_WITHIN_MS} ms after healing:\n${lines}`);
  }
  // a last write must commit everywhere too
  const last = cluster.write();
  if (last === undefined) throw new Error('the converged leader refused a write');
  const everywhere = (): boolean => cluster.converged() && cluster.members.every((m) => (cluster.status(m.id)?.appliedZxid ?? -1n) >= last);
  if (!cluster.runUntil(everywhere, CONVERGE_WITHIN_MS)) throw new Error('a write after convergence did not complete');
  cluster.runFor(1000);
  if (!cluster.converged()) throw new Error('the ensemble did not stay converged');
  cluster.finalCheck();
  return {
    seed,
    steps: cluster.steps,
    committed: cluster.checker.committedCount,
    acknowledged: cluster.checker.ackedCount,
    simulatedMs: cluster.clock.nowMs(),
  };
}

