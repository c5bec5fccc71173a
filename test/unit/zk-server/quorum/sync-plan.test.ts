import { TxnHistory } from '../../../../zk-server/src/quorum/core/history';
import { planSync } from '../../../../zk-server/src/quorum/core/leader-state';

const txn = (zxid: bigint) => ({ zxid, bytes: Buffer.from(zxid.toString(16)) });

/** A leader that keeps 0x100000003.. in memory, after a snapshot or trimmed txns up to 0x100000002. */
function leaderHistory(): TxnHistory {
  return new TxnHistory(0x100000002n, [0x100000003n, 0x100000004n, 0x200000001n, 0x200000002n].map(txn));
}

describe('learner sync plan', () => {
  it('sends an empty DIFF to a learner that has exactly our log', () => {
    expect(planSync(leaderHistory(), 0x200000002n)).toEqual({ kind: 'DIFF', from: 0x200000002n });
  });

  it('sends a DIFF from the learner\'s last zxid when it is one of ours', () => {
    expect(planSync(leaderHistory(), 0x100000004n)).toEqual({ kind: 'DIFF', from: 0x100000004n });
  });

  it('treats the base of the kept window as part of the history', () => {
    expect(planSync(leaderHistory(), 0x100000002n)).toEqual({ kind: 'DIFF', from: 0x100000002n });
  });

  it('truncates a divergent tail back to our largest zxid below it, then diffs', () => {
    // the learner logged 0x100000005, which the old leader never got committed
    expect(planSync(leaderHistory(), 0x100000005n)).toEqual({ kind: 'TRUNC', truncateTo: 0x100000004n });
  });

  it('truncates a learner that is past our last zxid', () => {
    expect(planSync(leaderHistory(), 0x200000009n)).toEqual({ kind: 'TRUNC', truncateTo: 0x200000002n });
  });

  it('sends a SNAP to a learner older than what we keep', () => {
    expect(planSync(leaderHistory(), 0x100000001n)).toEqual({ kind: 'SNAP' });
    expect(planSync(leaderHistory(), 0n)).toEqual({ kind: 'SNAP' });
  });

  it('diffs from scratch when we keep everything since the empty log', () => {
    const full = new TxnHistory(0n, [txn(0x100000001n)]);
    expect(planSync(full, 0n)).toEqual({ kind: 'DIFF', from: 0n });
  });

  it('diffs after a new-epoch zxid that names no txn, as upstream does', () => {
    expect(planSync(leaderHistory(), 0x200000000n)).toEqual({ kind: 'DIFF', from: 0x200000000n });
  });
});

describe('TxnHistory', () => {
  it('answers membership, the point below a zxid and ranges', () => {
    const h = leaderHistory();
    expect(h.contains(0x100000003n)).toBe(true);
    expect(h.contains(0x100000005n)).toBe(false);
    expect(h.largestBelow(0x100000003n)).toBe(0x100000002n);
    expect(h.largestBelow(0x200000001n)).toBe(0x100000004n);
    expect(h.range(0x100000003n, 0x200000001n).map((t) => t.zxid)).toEqual([0x100000004n, 0x200000001n]);
    expect(h.next(0x100000004n)?.zxid).toBe(0x200000001n);
  });

  it('keeps unapplied txns and the newest applied ones when trimmed', () => {
    const h = leaderHistory();
    h.trim(0x200000001n, 1);
    expect(h.baseZxid).toBe(0x100000004n);
    expect(h.range(0n, 0x300000000n).map((t) => t.zxid)).toEqual([0x200000001n, 0x200000002n]);
  });

  it('refuses appends out of order and truncation below its base', () => {
    const h = leaderHistory();
    expect(() => h.append(txn(0x200000002n))).toThrow(/append/);
    expect(() => h.truncateTo(0x100000001n)).toThrow(/below the history base/);
  });
});
