// Our ZooKeeper server against the real Apache ZooKeeper 3.8, both started here on loopback:
// the same seeded random client operations go to each (create in every mode, delete/setData with
// versions, reads of present and missing nodes, multi with mixed outcomes and check ops, ACLs
// with digest/world/ip ids and addauth, getAllChildrenNumber, getEphemerals, sync, bad paths,
// session close and reopen), and every answer and watch event must match (see
// test/support/zk-differential.ts for what is compared). A divergence fails with its seed and step.
//
//   SEED=7 npx jest --selectProjects differential     replay one seed
//   SEEDS=20 STEPS=1000 ...                           more seeds (1..SEEDS) and longer runs
//   ZK_DIFF_AGAINST=apache ...                        both sides Apache (checks the harness itself)
//   ZK_DIFF_AVOID=empty-path,read-in-multi ...        leave out areas with a known divergence, to look
//                                                     past it (list in AVOIDABLE, test/support/zk-differential.ts)
//
// The self-check below always runs Apache against Apache: any difference there is a flaw of the
// harness (something compared that a server may legitimately vary), not of a server.

import { findApacheZooKeeper, findOurServer, describeWith } from '../support/debian-tools';
import { ZkServerKind, cleanupAllZkServers, startZkServer } from '../support/process-launcher';
import { Divergence, Side, formatDivergence, parseAvoid, runDifferential } from '../support/zk-differential';

const STEPS = Number(process.env['STEPS'] ?? 300);
const SEEDS: number[] =
  process.env['SEED'] !== undefined
    ? [Number(process.env['SEED'])]
    : Array.from({ length: Number(process.env['SEEDS'] ?? 5) }, (_, i) => i + 1);
const AGAINST: ZkServerKind = process.env['ZK_DIFF_AGAINST'] === 'apache' ? 'apache' : 'ours';
const AVOID = parseAvoid(process.env['ZK_DIFF_AVOID']);
const REQUEST_TIMEOUT_MS = 5_000;
const SEED_TIMEOUT_MS = 40_000;

const apache = findApacheZooKeeper();
const ours = findOurServer();

async function runSeed(seed: number, rightKind: ZkServerKind): Promise<Divergence | undefined> {
  const leftName = 'Apache ZooKeeper 3.8';
  const rightName = rightKind === 'ours' ? 'ours' : 'Apache ZooKeeper 3.8 (second instance)';
  const servers = await Promise.all([
    startZkServer({ kind: 'apache', name: leftName, forceSync: false }),
    startZkServer({ kind: rightKind, name: rightName, forceSync: false }),
  ]);
  const left = new Side({ name: leftName, server: servers[0], requestTimeoutMs: REQUEST_TIMEOUT_MS });
  const right = new Side({ name: rightName, server: servers[1], requestTimeoutMs: REQUEST_TIMEOUT_MS });
  try {
    return await runDifferential({ seed, steps: STEPS, left, right, avoid: AVOID });
  } finally {
    left.close();
    right.close();
    await Promise.all(servers.map((s) => s.cleanup()));
  }
}

function failOn(d: Divergence | undefined, extraEnv = ''): void {
  if (d === undefined) return;
  const avoid = AVOID.size === 0 ? '' : ` ZK_DIFF_AVOID=${[...AVOID].join(',')}`;
  const replay = `SEED=${d.seed} STEPS=${d.step + 1}${avoid}${extraEnv} npx jest --selectProjects differential`;
  throw new Error(formatDivergence(d, replay));
}

afterAll(async () => {
  await cleanupAllZkServers();
});

const oursRequirement = AGAINST === 'ours' ? [ours] : [];

describeWith(`differential: ${AGAINST === 'ours' ? 'our server' : 'Apache ZooKeeper'} vs Apache ZooKeeper 3.8 (${STEPS} steps per seed)`, [apache, ...oursRequirement], () => {
  test.each(SEEDS)(
    'seed %i',
    async (seed) => {
      failOn(await runSeed(seed, AGAINST), AGAINST === 'apache' ? ' ZK_DIFF_AGAINST=apache' : '');
    },
    SEED_TIMEOUT_MS,
  );
});

describeWith('differential harness self-check: Apache ZooKeeper vs Apache ZooKeeper', [apache], () => {
  test(
    `seed ${SEEDS[0]} gives identical answers from two Apache instances`,
    async () => {
      failOn(await runSeed(SEEDS[0]!, 'apache'), ' ZK_DIFF_AGAINST=apache');
    },
    SEED_TIMEOUT_MS,
  );
});
