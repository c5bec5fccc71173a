// The in-memory tail of a member's txn log: every logged txn after the last applied one, plus a
// window of the most recent applied ones (upstream's committedLog) so lagging learners can be sent
// a DIFF. `baseZxid` is the zxid just before the first kept txn (a snapshot's or a trimmed txn's):
// it is part of the history too, so a learner whose last zxid equals it is in sync up to there.
// Pure. zxids only grow along the array; truncation only removes a tail.

import { assert } from '../../../../shared/src';
import { hexZxid } from './zxid';

/** One logged txn: TxnHeader + txn record (+ TxnDigest) bytes, the same on disk and on the wire. */
export interface LoggedTxn {
  readonly zxid: bigint;
  readonly bytes: Buffer;
}

export class TxnHistory {
  private entries: LoggedTxn[] = [];

  constructor(
    private base: bigint,
    txns: readonly LoggedTxn[] = [],
  ) {
    for (const t of txns) this.append(t);
  }

  get baseZxid(): bigint {
    return this.base;
  }

  get lastZxid(): bigint {
    return this.entries.length === 0 ? this.base : this.entries[this.entries.length - 1]!.zxid;
  }

  get size(): number {
    return this.entries.length;
  }

  append(txn: LoggedTxn): void {
    assert(txn.zxid > this.lastZxid, `append ${hexZxid(txn.zxid)} after ${hexZxid(this.lastZxid)}`);
    this.entries.push(txn);
  }

  /** Index of the first entry with zxid > `zxid`. */
  private firstAfter(zxid: bigint): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.zxid <= zxid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether `zxid` is a point of this history: the base or a kept txn. */
  contains(zxid: bigint): boolean {
    if (zxid === this.base) return true;
    const i = this.firstAfter(zxid) - 1;
    return i >= 0 && this.entries[i]!.zxid === zxid;
  }

  get(zxid: bigint): LoggedTxn | undefined {
    const i = this.firstAfter(zxid) - 1;
    return i >= 0 && this.entries[i]!.zxid === zxid ? this.entries[i] : undefined;
  }

  /** The largest point of this history below `zxid` (the base when no kept txn is). */
  largestBelow(zxid: bigint): bigint {
    let i = this.firstAfter(zxid) - 1;
    if (i >= 0 && this.entries[i]!.zxid === zxid) i--;
    return i >= 0 ? this.entries[i]!.zxid : this.base;
  }

  /** Kept txns with from < zxid <= to. */
  range(from: bigint, to: bigint): LoggedTxn[] {
    const out: LoggedTxn[] = [];
    for (let i = this.firstAfter(from); i < this.entries.length && this.entries[i]!.zxid <= to; i++) {
      out.push(this.entries[i]!);
    }
    return out;
  }

  /** The kept txn right after `zxid`, if any. */
  next(zxid: bigint): LoggedTxn | undefined {
    return this.entries[this.firstAfter(zxid)];
  }

  /** Drops every txn after `zxid`, which must not be below the base. */
  truncateTo(zxid: bigint): void {
    assert(zxid >= this.base, `truncate to ${hexZxid(zxid)} below the history base ${hexZxid(this.base)}`);
    this.entries.length = this.firstAfter(zxid);
  }

  /** Starts over from a snapshot at `zxid`. */
  resetTo(zxid: bigint): void {
    this.entries = [];
    this.base = zxid;
  }

  /** Forgets applied txns beyond the newest `keep` of them; txns after `appliedZxid` always stay. */
  trim(appliedZxid: bigint, keep: number): void {
    const applied = this.firstAfter(appliedZxid);
    const drop = applied - keep;
    if (drop <= 0) return;
    this.base = this.entries[drop - 1]!.zxid;
    this.entries = this.entries.slice(drop);
  }
}
