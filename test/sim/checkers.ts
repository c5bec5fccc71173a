// Cluster-wide invariants of a simulated ensemble, checked after every simulation step:
// - at most one leader establishes each epoch, and a serving learner serves that leader;
// - committed txns are never lost or reordered: every txn any member applies is the next txn of
//   one global committed sequence (so applied sequences are prefixes of one another), and the
//   newest committed txn is durable on a quorum of voters;
// and once the ensemble is healed and quiet (final): every member applied the whole committed
// sequence, every write acknowledged to a client is in it, and all members have the same last
// zxid and the same data-tree digest.

import { QuorumVerifier } from '../../zk-server/src/quorum/core/quorum-verifier';
import { LoggedTxn } from '../../zk-server/src/quorum/core/history';
import { ZabStatus } from '../../zk-server/src/quorum/core/zab-node';
import { hexZxid } from '../../zk-server/src/quorum/core/zxid';
import { SimStorage } from '../support/sim-storage';

export class InvariantViolation extends Error {}

function violated(message: string): never {
  throw new InvariantViolation(message);
}

/** What the checker may look at of one member. */
export interface MemberView {
  readonly id: number;
  readonly storage: SimStorage;
  /** null while crashed. */
  status(): ZabStatus | null;
  /** The state machine's digest and last applied zxid, null while crashed. */
  state(): { digest: number; appliedZxid: bigint } | null;
}

export class ClusterChecker {
  private readonly leaderOfEpoch = new Map<number, number>();
  private readonly committed: LoggedTxn[] = [];
  private readonly indexOfZxid = new Map<bigint, number>();
  /** Per member: how many txns of the committed sequence its state machine holds. */
  private readonly appliedCount = new Map<number, number>();
  private readonly acked = new Map<bigint, Buffer>();

  constructor(private readonly qv: QuorumVerifier) {}

  get committedCount(): number {
    return this.committed.length;
  }

  get ackedCount(): number {
    return this.acked.size;
  }

  /** A state machine starts over from a snapshot at `zxid` (0: empty). */
  restored(id: number, zxid: bigint): void {
    if (zxid === 0n) {
      this.appliedCount.set(id, 0);
      return;
    }
    const index = this.indexOfZxid.get(zxid);
    if (index === undefined) violated(`member ${id} restored a snapshot at ${hexZxid(zxid)}, which is not a committed zxid`);
    this.appliedCount.set(id, index + 1);
  }

  applied(id: number, txn: LoggedTxn): void {
    const i = this.appliedCount.get(id) ?? 0;
    if (i < this.committed.length) {
      const expected = this.committed[i]!;
      if (expected.zxid !== txn.zxid || !expected.bytes.equals(txn.bytes)) {
        violated(`member ${id} applied ${hexZxid(txn.zxid)} as committed txn #${i + 1}, which is ${hexZxid(expected.zxid)}`);
      }
    } else {
      const previous = this.committed[i - 1];
      if (previous !== undefined && txn.zxid <= previous.zxid) {
        violated(`member ${id} committed ${hexZxid(txn.zxid)} after ${hexZxid(previous.zxid)}`);
      }
      this.committed.push(txn);
      this.indexOfZxid.set(txn.zxid, i);
    }
    this.appliedCount.set(id, i + 1);
  }

  /** The leader applied a txn a client proposed through it: the client got its answer. */
  acknowledged(txn: LoggedTxn): void {
    this.acked.set(txn.zxid, txn.bytes);
  }

  afterStep(members: readonly MemberView[]): void {
    for (const m of members) {
      const st = m.status();
      if (st !== null) this.checkMember(m.id, st);
    }
    const last = this.committed[this.committed.length - 1];
    if (last === undefined) return;
    const holders = members.filter((m) => this.qv.isVoter(m.id) && m.storage.durablyHolds(last.zxid, last.bytes)).map((m) => m.id);
    if (!this.qv.containsQuorum(holders)) {
      violated(`committed ${hexZxid(last.zxid)} is durable only on ${holders.join(',') || 'no voter'}`);
    }
  }

  private checkMember(id: number, st: ZabStatus): void {
    if (st.appliedZxid > st.committedZxid || st.committedZxid > st.lastLoggedZxid) {
      violated(`member ${id}: applied ${hexZxid(st.appliedZxid)}, committed ${hexZxid(st.committedZxid)}, logged ${hexZxid(st.lastLoggedZxid)}`);
    }
    if (st.currentEpoch > st.acceptedEpoch) violated(`member ${id}: currentEpoch ${st.currentEpoch} above acceptedEpoch ${st.acceptedEpoch}`);
    if (!st.serving) return;
    if (st.role === 'leading') {
      const established = this.leaderOfEpoch.get(st.epoch);
      if (established === undefined) this.leaderOfEpoch.set(st.epoch, id);
      else if (established !== id) violated(`epoch ${st.epoch} established by both ${established} and ${id}`);
    } else {
      const leader = this.leaderOfEpoch.get(st.epoch);
      if (leader !== st.leader) violated(`member ${id} serves epoch ${st.epoch} under ${st.leader}, established by ${leader ?? 'nobody'}`);
    }
  }

  /** Once healed and quiet: everyone holds the whole committed sequence and the same tree. */
  final(members: readonly MemberView[]): void {
    const states = members.map((m) => ({ id: m.id, state: m.state() }));
    for (const { id, state } of states) {
      if (state === null) violated(`member ${id} is down at the end`);
      const count = this.appliedCount.get(id) ?? 0;
      if (count !== this.committed.length) violated(`member ${id} applied ${count} of ${this.committed.length} committed txns`);
    }
    for (const [zxid, bytes] of this.acked) {
      const i = this.indexOfZxid.get(zxid);
      if (i === undefined || !this.committed[i]!.bytes.equals(bytes)) violated(`acknowledged write ${hexZxid(zxid)} was lost`);
    }
    const first = states[0]!.state!;
    for (const { id, state } of states) {
      if (state!.appliedZxid !== first.appliedZxid) violated(`member ${id} ends at ${hexZxid(state!.appliedZxid)}, member ${states[0]!.id} at ${hexZxid(first.appliedZxid)}`);
      if (state!.digest !== first.digest) violated(`member ${id} has tree digest ${state!.digest.toString(16)}, member ${states[0]!.id} ${first.digest.toString(16)}`);
    }
  }
}
