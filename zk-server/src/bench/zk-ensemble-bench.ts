// Three-member ensemble benchmark: our server and Apache ZooKeeper 3.8, each as an ensemble on
// 127.0.0.1-3 (ports 2181/2888/3888, same zoo.cfg), one after the other in the same run. Sessions
// are spread over the members round-robin, so reads are served by every member and writes from
// followers are forwarded to the leader. Prints ops/s and latency percentiles per workload and
// concurrency, the ratio ours/Apache, and the leader fail-over time: from kill -9 of the leader,
// during a write load through every member, to the first write sent after the kill that is
// acknowledged (what a client waits for), plus when a member first reports itself leader again.

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CreateRequest } from '../protocol/records/proto';
import { comparisonOptions, parseLevels, parseWorkloads, runnableKinds, tableHeader, tableRow } from './bench-report';
import { BenchEnsemble, ServerKind, startBenchEnsemble } from './bench-servers';
import { BenchSession } from './bench-session';
import { BENCH_DEFAULTS, BenchResult, prepareTree, runBench } from './zk-bench';

const WORKLOADS_DEFAULT = 'create,setData,getData';
const JIT_WARMUP_SECONDS = 3;
const FAILOVER_WRITERS = 6;
const FAILOVER_LOAD_BEFORE_KILL_MS = 2000;
const FAILOVER_TIMEOUT_MS = 60_000;
const RECONNECT_PAUSE_MS = 20;
const OP_CREATE = 1;
const FLAGS_EPHEMERAL_SEQUENTIAL = 3;
const OPEN_ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

interface Failover {
  /** kill -9 of the leader to the first acknowledged write sent after it. */
  firstWriteMs: number;
  /** kill -9 to the first srvr that says leader. */
  leaderMs: number;
}

/** Writers that create one node at a time through the members in turn, moving on when one fails. */
class FailoverLoad {
  /** Send and acknowledgement times (ms since epoch) of every acknowledged write. */
  readonly acks: Array<{ sentAt: number; ackedAt: number }> = [];
  private running = true;
  private readonly done: Promise<void[]>;

  constructor(private readonly ensemble: BenchEnsemble) {
    this.done = Promise.all(Array.from({ length: FAILOVER_WRITERS }, (_, i) => this.writer(i)));
  }

  private async writer(i: number): Promise<void> {
    const members = this.ensemble.members;
    let at = i % members.length;
    const body = CreateRequest.toBytes({ path: '/bench/e/f-', data: Buffer.alloc(16), acl: OPEN_ACL, flags: FLAGS_EPHEMERAL_SEQUENTIAL });
    while (this.running) {
      const m = members[at]!;
      let session: BenchSession | null = null;
      try {
        session = await BenchSession.connect(m.host, m.port, 6000);
        while (this.running) {
          const s: BenchSession = session;
          const sentAt = Date.now();
          const err = await new Promise<number>((resolve, reject) => {
            s.send(OP_CREATE, body, (e) => resolve(e));
            void s.closed.then(() => reject(new Error('connection closed')));
          });
          if (err !== 0) throw new Error(`create failed: ${err}`);
          this.acks.push({ sentAt, ackedAt: Date.now() });
        }
      } catch {
        // this member is down or not serving: try the next one
      }
      session?.destroy();
      at = (at + 1) % members.length;
      await new Promise((r) => setTimeout(r, RECONNECT_PAUSE_MS));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

async function measureFailover(ensemble: BenchEnsemble): Promise<Failover> {
  const leader = await ensemble.waitForLeader();
  const load = new FailoverLoad(ensemble);
  try {
    await new Promise((r) => setTimeout(r, FAILOVER_LOAD_BEFORE_KILL_MS));
    if (load.acks.length === 0) throw new Error('no write was acknowledged before the kill');
    const killedAt = Date.now();
    await ensemble.members[leader - 1]!.kill9();
    let leaderMs = -1;
    const deadline = killedAt + FAILOVER_TIMEOUT_MS;
    for (;;) {
      if (leaderMs < 0) {
        const modes = await Promise.all(ensemble.members.map((m) => m.mode()));
        if (modes.includes('leader')) leaderMs = Date.now() - killedAt;
      }
      const first = load.acks.find((a) => a.sentAt > killedAt);
      if (first !== undefined && leaderMs >= 0) return { firstWriteMs: first.ackedAt - killedAt, leaderMs };
      if (Date.now() > deadline) throw new Error(`no write acknowledged within ${FAILOVER_TIMEOUT_MS} ms of the kill`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await load.stop();
  }
}

async function main(): Promise<void> {
  const argv = await comparisonOptions(yargs(hideBin(process.argv)), WORKLOADS_DEFAULT)
    .option('failover', { type: 'boolean', default: true, describe: 'measure leader fail-over after the workloads' })
    .strict()
    .parse();
  const workloads = parseWorkloads(argv.workloads);
  const levels = parseLevels(argv.levels);
  const kinds = runnableKinds(argv.only);
  const results = new Map<string, BenchResult>();
  const failovers = new Map<ServerKind, Failover>();
  for (const kind of kinds) {
    const ensemble = await startBenchEnsemble(kind, argv['force-sync'] === 'yes');
    try {
      const leader = await ensemble.waitForLeader();
      const spreadOver = ensemble.members.map((m) => ({ host: m.host, port: m.port }));
      console.log(`${kind}: ${ensemble.version}; 3 members on 127.0.0.1-3:2181, leader ${leader}, forceSync=${argv['force-sync']}`);
      const lead = ensemble.members[leader - 1]!;
      await prepareTree(lead.host, lead.port, argv.keys, argv['data-bytes']);
      const base = { host: lead.host, port: lead.port, keys: argv.keys, dataBytes: argv['data-bytes'], sessionTimeoutMs: BENCH_DEFAULTS.sessionTimeoutMs, seed: BENCH_DEFAULTS.seed, spreadOver };
      await runBench({ ...base, workload: 'mix', sessions: 8, depth: 8, seconds: JIT_WARMUP_SECONDS, warmupSeconds: 0 });
      for (const workload of workloads) {
        for (const { sessions, depth } of levels) {
          const r = await runBench({ ...base, workload, sessions, depth, seconds: argv.seconds, warmupSeconds: argv['warmup-seconds'] });
          results.set(`${kind} ${workload} ${sessions}x${depth}`, r);
        }
      }
      if (argv.failover) failovers.set(kind, await measureFailover(ensemble));
    } finally {
      await ensemble.stop();
    }
  }
  console.log(`\n${argv.seconds} s per cell after ${argv['warmup-seconds']} s warm-up; sessions spread over the 3 members; ops/s and latency p50/p99/p999 in ms; ratio = ours/Apache ops/s\n`);
  console.log(tableHeader());
  for (const workload of workloads) {
    for (const { sessions, depth } of levels) {
      const theirs = results.get(`apache ${workload} ${sessions}x${depth}`);
      const ours = results.get(`ours ${workload} ${sessions}x${depth}`);
      console.log(tableRow(workload, `${sessions}x${depth}`, theirs, ours));
    }
  }
  if (failovers.size > 0) {
    console.log(`\nleader fail-over (kill -9 of the leader under ${FAILOVER_WRITERS} writers spread over the members):`);
    for (const [kind, f] of failovers) {
      console.log(`  ${kind.padEnd(6)}  new leader reported after ${f.leaderMs} ms; first acknowledged write after ${f.firstWriteMs} ms`);
    }
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
