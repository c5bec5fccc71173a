// Runs interaction scripts (test/sim/scripts/*.txt) through SimCluster: the same PeerRuntime over
// simulated network, storage and clock, with a calm network (1 ms per message, no faults), so the
// output is the same on every run. The checkers run after every step, as in the random runs.
//
// Script format: `# ...` and blank lines are kept as written; `> command` lines are run in order;
// the lines after a command are its expected output, regenerated on every run and compared with
// the file. UPDATE_GOLDEN=1 rewrites the file with the output of this run instead.
//
// Commands:
//   ensemble <voters> [observers=<n>] [window=<n>] [snapshot-every=<n>] [seed=<n>]
//   trace <sync|all|off>       which delivered messages to print while running (notes always are)
//   run <ms>                    run the simulation for that long
//   run-until <condition>       settled | leader | <id> <phase> | <id> serving  (within 60 s)
//   run-until-delivered <TYPE> <from>-><to>   stop right after such a packet reached its member
//   write <n>                   n client writes at the current leader
//   crash <id> [silent] [torn]  kill a member (silent: peers are not told; torn: keep part of its unsynced writes)
//   restart <id>
//   partition <ids> | <ids> ... cut the links between the groups
//   heal
//   status                      one line per member
//   check                       the final checks: same committed sequence, zxid and tree everywhere

import { PeerMessage, PacketTypeName } from '../../zk-server/src/quorum/core/messages';
import { hexZxid } from '../../zk-server/src/quorum/core/zxid';
import { CALM_CLUSTER, SimCluster } from './sim-cluster';

const RUN_UNTIL_MAX_MS = 60_000;

const SYNC_TYPES: ReadonlySet<PacketTypeName> = new Set([
  'FOLLOWERINFO',
  'OBSERVERINFO',
  'LEADERINFO',
  'ACKEPOCH',
  'DIFF',
  'TRUNC',
  'SNAP',
  'NEWLEADER',
  'UPTODATE',
]);

type TraceMode = 'off' | 'sync' | 'all';

export class ScriptError extends Error {}

class ScriptSession {
  private cluster: SimCluster | null = null;
  private mode: TraceMode = 'off';
  private output: string[] = [];

  /** What the command being run printed before it failed. */
  get partialOutput(): readonly string[] {
    return this.output;
  }

  private get sim(): SimCluster {
    if (this.cluster === null) throw new ScriptError('no ensemble yet: start with `ensemble <voters>`');
    return this.cluster;
  }

  run(command: string): string[] {
    this.output = [];
    const [verb, ...args] = command.trim().split(/\s+/);
    switch (verb) {
      case 'ensemble':
        this.ensemble(args);
        break;
      case 'trace':
        this.mode = parseMode(args[0]);
        break;
      case 'run':
        this.sim.runFor(parseNumber(args[0], 'milliseconds'));
        break;
      case 'run-until':
        this.runUntil(args);
        break;
      case 'run-until-delivered':
        this.runUntilDelivered(args);
        break;
      case 'write':
        this.write(parseNumber(args[0] ?? '1', 'count'));
        break;
      case 'crash':
        this.sim.crash(parseNumber(args[0], 'member'), !args.includes('silent'), args.includes('torn'));
        break;
      case 'restart':
        this.sim.restart(parseNumber(args[0], 'member'));
        break;
      case 'partition':
        this.sim.partition(args.join(' ').split('|').map((g) => g.trim().split(/[\s,]+/).filter((x) => x !== '').map((x) => parseNumber(x, 'member'))));
        break;
      case 'heal':
        this.sim.heal();
        break;
      case 'status':
        for (const m of this.sim.members) this.output.push(this.sim.statusLine(m.id));
        break;
      case 'check':
        this.sim.finalCheck();
        this.output.push(`ok: ${this.sim.checker.committedCount} committed txns on every member, ${this.sim.checker.ackedCount} acknowledged`);
        break;
      default:
        throw new ScriptError(`unknown command "${verb}"`);
    }
    return this.output;
  }

  private ensemble(args: string[]): void {
    const voters = parseNumber(args[0], 'voters');
    const opt = (name: string, fallback: number): number => {
      const found = args.find((a) => a.startsWith(`${name}=`));
      return found === undefined ? fallback : parseNumber(found.slice(name.length + 1), name);
    };
    this.cluster = new SimCluster({
      ...CALM_CLUSTER,
      seed: opt('seed', 1),
      voters,
      observers: opt('observers', 0),
      committedLogMax: opt('window', CALM_CLUSTER.committedLogMax),
      snapshotEveryTxns: opt('snapshot-every', 0),
      trace: (line) => this.output.push(line),
      traceMessage: (m) => this.traced(m),
    });
  }

  private traced(m: PeerMessage): boolean {
    if (this.mode === 'all') return true;
    return this.mode === 'sync' && m.type !== 'NOTIFICATION' && SYNC_TYPES.has(m.type);
  }

  private runUntil(args: string[]): void {
    const sim = this.sim;
    let done: () => boolean;
    if (args[0] === 'settled') done = () => sim.converged();
    else if (args[0] === 'leader') done = () => sim.leader() !== undefined;
    else {
      const id = parseNumber(args[0], 'member');
      const phase = args[1];
      if (phase === undefined) throw new ScriptError('run-until <id> needs a phase or "serving"');
      done = () => {
        const st = sim.status(id);
        return st !== null && (phase === 'serving' ? st.serving : st.phase === phase);
      };
    }
    if (!sim.runUntil(done, RUN_UNTIL_MAX_MS)) throw new ScriptError(`run-until ${args.join(' ')}: not reached within ${RUN_UNTIL_MAX_MS} ms`);
  }

  private runUntilDelivered(args: string[]): void {
    const sim = this.sim;
    const [type, link] = args;
    const [from, to] = (link ?? '').split('->').map((x) => parseNumber(x, 'member'));
    let seen = false;
    sim.delivered = (f, t, m) => {
      if (f === from && t === to && m.type === type) seen = true;
    };
    const reached = sim.runUntil(() => seen, RUN_UNTIL_MAX_MS);
    sim.delivered = null;
    if (!reached) throw new ScriptError(`no ${type} delivered ${link} within ${RUN_UNTIL_MAX_MS} ms`);
  }

  private write(count: number): void {
    const zxids: bigint[] = [];
    for (let i = 0; i < count; i++) {
      const zxid = this.sim.write();
      if (zxid === undefined) break;
      zxids.push(zxid);
    }
    const leader = this.sim.leader();
    if (zxids.length === 0) this.output.push('no serving leader: nothing written');
    else this.output.push(`wrote ${zxids.map(hexZxid).join(' ')} at leader ${leader}`);
  }
}

function parseMode(text: string | undefined): TraceMode {
  if (text === 'off' || text === 'sync' || text === 'all') return text;
  throw new ScriptError(`trace takes sync, all or off, not "${text}"`);
}

function parseNumber(text: string | undefined, what: string): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < 0) throw new ScriptError(`expected a ${what}, got "${text}"`);
  return n;
}

/** Runs a script's commands and returns the script text with freshly generated output. */
export function runScript(text: string): string {
  const session = new ScriptSession();
  const out: string[] = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('> ')) {
      out.push(line);
      try {
        out.push(...session.run(line.slice(2)));
      } catch (e) {
        out.push(...session.partialOutput);
        throw new ScriptError(`${(e as Error).message}\nat: ${line}\noutput so far:\n${out.join('\n')}`);
      }
    } else if (line.startsWith('#') || line.trim() === '') {
      out.push(line);
    }
    // anything else is expected output of the previous command: regenerated above
  }
  return `${out.join('\n')}\n`;
}
