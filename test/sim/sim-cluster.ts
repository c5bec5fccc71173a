// A simulated ensemble: members each made of a PeerRuntime (the production shell) over simulated
// storage, network and clock, with a real DataTree as state machine. Crash, restart, partition
// and heal are methods; client writes are proposed at whoever leads. ClusterChecker runs after
// every step. Everything random comes from seeded Rngs, so a seed replays exactly.

import { ByteWriter, Rng, seededRng } from '../../shared/src';
import { OPEN_ACL_UNSAFE } from '../../zk-server/src/data/acl';
import { Op } from '../../zk-server/src/protocol/op-codes';
import { TxnHeader } from '../../zk-server/src/protocol/records/txn';
import { encodeTxn, Txn } from '../../zk-server/src/protocol/txn-codec';
import { LoggedTxn } from '../../zk-server/src/quorum/core/history';
import { TXN_HEADER_ZXID_OFFSET } from '../../zk-server/src/quorum/core/leader-state';
import { describeMessage, PeerMessage } from '../../zk-server/src/quorum/core/messages';
import { MemberSpec, QuorumVerifier } from '../../zk-server/src/quorum/core/quorum-verifier';
import { ZabStatus } from '../../zk-server/src/quorum/core/zab-node';
import { hexZxid } from '../../zk-server/src/quorum/core/zxid';
import { PeerRuntime } from '../../zk-server/src/quorum/runtime/peer-runtime';
import { SimClock } from '../support/sim-clock';
import { NetworkFaults, NO_FAULTS, SimNetwork } from '../support/sim-network';
import { SimStateMachine } from '../support/sim-state-machine';
import { SimStorage } from '../support/sim-storage';
import { ClusterChecker, MemberView } from './checkers';

export interface ClusterConfig {
  readonly seed: number;
  readonly voters: number;
  readonly observers: number;
  readonly tickMs: number;
  readonly initLimitTicks: number;
  readonly syncLimitTicks: number;
  readonly finalizeWaitTicks: number;
  readonly electionRetryTicksMax: number;
  readonly committedLogMax: number;
  readonly snapshotEveryTxns: number;
  readonly syncDelayMs: readonly [number, number];
  readonly faults: NetworkFaults;
  /** Receives trace lines (notes, roles, faults), prefixed with the time. */
  readonly trace?: (line: string) => void;
  /** Which delivered messages to trace (none when absent). */
  readonly traceMessage?: (m: PeerMessage) => boolean;
}

export const CALM_CLUSTER: Omit<ClusterConfig, 'seed' | 'voters' | 'observers'> = {
  tickMs: 100,
  initLimitTicks: 10,
  syncLimitTicks: 5,
  finalizeWaitTicks: 1,
  electionRetryTicksMax: 8,
  committedLogMax: 500,
  snapshotEveryTxns: 0,
  syncDelayMs: [1, 1],
  faults: NO_FAULTS,
};

interface Member {
  readonly id: number;
  readonly voter: boolean;
  readonly storage: SimStorage;
  runtime: PeerRuntime | null;
  machine: SimStateMachine | null;
  incarnation: number;
}

interface Proposal {
  readonly member: number;
  readonly incarnation: number;
  readonly bytes: Buffer;
}

export class SimCluster {
  readonly clock = new SimClock();
  readonly network: SimNetwork;
  readonly checker: ClusterChecker;
  readonly members: readonly Member[];
  readonly specs: readonly MemberSpec[];
  private readonly rng: Rng;
  private readonly proposals = new Map<bigint, Proposal>();
  private readonly views: MemberView[];
  private writeCounter = 0;
  steps = 0;
  proposed = 0;
  /** A run that needs more steps than this is a storm, not progress. */
  stepsMax = Number.MAX_SAFE_INTEGER;
  /** Called after each message is handed to its receiver. */
  delivered: ((from: number, to: number, message: PeerMessage) => void) | null = null;

  constructor(private readonly cfg: ClusterConfig) {
    // the cluster's own stream; schedules draw from theirs, so adding a fault does not shift this one
    this.rng = seededRng(cfg.seed * 7919 + 17);
    this.network = new SimNetwork(this.clock, this.rng, cfg.faults);
    const specs: MemberSpec[] = [];
    for (let i = 1; i <= cfg.voters; i++) specs.push({ id: i, role: 'participant' });
    for (let i = 1; i <= cfg.observers; i++) specs.push({ id: cfg.voters + i, role: 'observer' });
    this.specs = specs;
    this.checker = new ClusterChecker(new QuorumVerifier(specs));
    this.members = specs.map((s) => ({
      id: s.id,
      voter: s.role === 'participant',
      storage: new SimStorage(this.clock, this.rng, { syncDelayMs: [...cfg.syncDelayMs] as [number, number] }),
      runtime: null,
      machine: null,
      incarnation: 0,
    }));
    this.views = this.members.map((m) => ({
      id: m.id,
      storage: m.storage,
      status: () => m.runtime?.status() ?? null,
      state: () => (m.machine === null ? null : { digest: m.machine.digest(), appliedZxid: m.machine.appliedZxid }),
    }));
    const wanted = cfg.trace !== undefined ? cfg.traceMessage : undefined;
    this.network.observer = (from, to, message) => {
      if (wanted?.(message)) this.trace(`${from}->${to} ${describeMessage(message)}`);
      this.delivered?.(from, to, message);
    };
    for (const m of this.members) this.startMember(m);
  }

  trace(line: string): void {
    this.cfg.trace?.(`${String(this.clock.nowMs()).padStart(6)} ${line}`);
  }

  member(id: number): Member {
    const m = this.members.find((x) => x.id === id);
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  }

  private startMember(m: Member): void {
    m.incarnation++;
    const machine = new SimStateMachine({
      restored: (zxid) => this.checker.restored(m.id, zxid),
      applied: (txn) => this.onApplied(m, txn),
    });
    const runtime = new PeerRuntime(
      {
        zab: {
          myId: m.id,
          members: this.specs,
          initLimitTicks: this.cfg.initLimitTicks,
          syncLimitTicks: this.cfg.syncLimitTicks,
          finalizeWaitTicks: this.cfg.finalizeWaitTicks,
          electionRetryTicksMin: 1,
          electionRetryTicksMax: this.cfg.electionRetryTicksMax,
          committedLogMax: this.cfg.committedLogMax,
        },
        tickMs: this.cfg.tickMs,
        snapshotEveryTxns: this.cfg.snapshotEveryTxns,
      },
      this.network.transport(m.id),
      m.storage,
      this.clock,
      machine,
      {
        onNote: (line) => this.trace(`${m.id}: ${line}`),
        onFatal: (error) => {
          throw error;
        },
      },
    );
    m.machine = machine;
    m.runtime = runtime;
    runtime.start();
  }

  private onApplied(m: Member, txn: LoggedTxn): void {
    this.checker.applied(m.id, txn);
    const p = this.proposals.get(txn.zxid);
    if (p !== undefined && p.member === m.id && p.incarnation === m.incarnation && p.bytes.equals(txn.bytes)) {
      this.checker.acknowledged(txn);
      this.proposals.delete(txn.zxid);
    }
  }

  isUp(id: number): boolean {
    return this.member(id).runtime !== null;
  }

  /** Kills member `id`: with `rst` its peers see its connections close; `torn` keeps part of its unsynced writes. */
  crash(id: number, rst: boolean, torn: boolean): void {
    const m = this.member(id);
    if (m.runtime === null) return;
    m.runtime.stop();
    this.network.crash(id, rst);
    const lost = m.storage.crash(torn);
    m.runtime = null;
    m.machine = null;
    this.trace(`crash ${id}${rst ? '' : ' (silent)'}, ${lost} unsynced writes lost`);
  }

  restart(id: number): void {
    const m = this.member(id);
    if (m.runtime !== null) return;
    this.trace(`restart ${id}`);
    this.startMember(m);
  }

  partition(groups: readonly (readonly number[])[]): void {
    this.trace(`partition ${groups.map((g) => g.join(',')).join(' | ')}`);
    this.network.partition(groups);
  }

  heal(): void {
    this.trace('heal');
    this.network.heal();
  }

  status(id: number): ZabStatus | null {
    return this.member(id).runtime?.status() ?? null;
  }

  /** The serving leader of the newest epoch, if any. */
  leader(): number | undefined {
    let best: ZabStatus | undefined;
    for (const m of this.members) {
      const st = m.runtime?.status();
      if (st?.role === 'leading' && st.serving && (best === undefined || st.epoch > best.epoch)) best = st;
    }
    return best?.myId;
  }

  /** A client write at the current leader; returns its zxid, or undefined when nobody serves. */
  write(): bigint | undefined {
    const leader = this.leader();
    if (leader === undefined) return undefined;
    const m = this.member(leader);
    const bytes = clientTxn(this.writeCounter++, this.rng, BigInt(this.clock.nowMs()));
    const result = m.runtime!.propose(bytes);
    if (!result.ok) return undefined;
    const stamped = Buffer.from(bytes);
    stamped.writeBigInt64BE(result.zxid, TXN_HEADER_ZXID_OFFSET);
    this.proposals.set(result.zxid, { member: leader, incarnation: m.incarnation, bytes: stamped });
    this.proposed++;
    return result.zxid;
  }

  /** Runs the next event and every checker; false when nothing is scheduled. */
  step(): boolean {
    if (!this.clock.step()) return false;
    this.steps++;
    if (this.steps > this.stepsMax) throw new Error(`more than ${this.stepsMax} steps by ${this.clock.nowMs()} ms: a storm of messages or timers`);
    this.checker.afterStep(this.views);
    return true;
  }

  runFor(ms: number): void {
    const end = this.clock.nowMs() + ms;
    for (let next = this.clock.nextAt(); next !== undefined && next <= end; next = this.clock.nextAt()) this.step();
    this.clock.advanceTo(end);
  }

  /** Runs until `done()` holds (checked after each step); false if `maxMs` passed first. */
  runUntil(done: () => boolean, maxMs: number): boolean {
    const end = this.clock.nowMs() + maxMs;
    while (!done()) {
      const next = this.clock.nextAt();
      if (next === undefined || next > end) return false;
      this.step();
    }
    return true;
  }

  /** One serving leader, every running member serving it with everything applied, nothing in flight. */
  converged(): boolean {
    const leader = this.leader();
    if (leader === undefined) return false;
    const top = this.status(leader)!;
    if (top.committedZxid !== top.lastLoggedZxid) return false;
    return this.members.every((m) => {
      const st = m.runtime?.status();
      if (st === undefined) return true;
      return st.serving && st.leader === leader && st.epoch === top.epoch && st.appliedZxid === top.committedZxid && st.lastLoggedZxid === top.lastLoggedZxid;
    });
  }

  finalCheck(): void {
    this.checker.final(this.views);
  }

  statusLine(id: number): string {
    const m = this.member(id);
    const st = m.runtime?.status();
    if (st === undefined) return `${id} down`;
    const role = st.role === 'looking' ? 'looking' : `${st.role}${st.serving ? '' : `(${st.phase})`}`;
    const leader = st.leader === null ? '' : ` leader=${st.leader}`;
    const digest = m.machine!.digest().toString(16).padStart(8, '0');
    return `${id} ${role}${leader} epoch=${st.epoch} accepted=${st.acceptedEpoch} current=${st.currentEpoch} last=${hexZxid(st.lastLoggedZxid)} applied=${hexZxid(st.appliedZxid)} digest=${digest}`;
  }
}

const PATHS = 24;

/** A client write: create, setData or delete on a small set of paths (failures are fine: still deterministic). */
export function clientTxn(n: number, rng: Rng, timeMs: bigint): Buffer {
  const path = `/k${rng.int(PATHS)}`;
  const data = Buffer.from(`v${n}`);
  const roll = rng.int(10);
  let txn: Txn;
  if (roll < 5) txn = { type: Op.create, record: { path, data, acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: -1 } };
  else if (roll < 8) txn = { type: Op.setData, record: { path, data, version: n } };
  else txn = { type: Op.delete, record: { path } };
  const w = new ByteWriter(64);
  TxnHeader.encode(w, { clientId: 1n, cxid: n, zxid: 0n, time: timeMs, type: txn.type });
  encodeTxn(w, txn);
  return w.toBuffer();
}
