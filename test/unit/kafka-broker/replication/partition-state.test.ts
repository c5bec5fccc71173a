// The replication arithmetic: high watermark over the ISR, follower progress, ISR shrink and
// expand candidates, acks=all admission and completion, leader election and ISR after failures.

import {
  acksAllOutcome,
  admitAcksAll,
  becomeLeader,
  computeHighWatermark,
  electLeader,
  isrWithout,
  LeaderAndIsr,
  laggingReplicas,
  recordFollowerFetch,
  replicasToAddToIsr,
  withHighWatermark,
} from '../../../../kafka-broker/src/replication/partition-state';

function leadership(isr: number[], replicas = isr, leader = replicas[0]!): LeaderAndIsr {
  return { leader, leaderEpoch: 3, isr, replicas, controllerEpoch: 1, zkVersion: 0 };
}

describe('partition state', () => {
  test('a single broker ISR moves the high watermark with its own log end', () => {
    const s = becomeLeader(0, leadership([0]), 5n, 1000);
    expect(computeHighWatermark(s, 12n)).toBe(12n);
    expect(withHighWatermark(s, 12n).highWatermark).toBe(12n);
  });

  test('the high watermark is the smallest log end over the ISR and never goes back', () => {
    let s = becomeLeader(1, leadership([1, 2, 3]), 10n, 0);
    expect(computeHighWatermark(s, 20n)).toBe(10n);
    s = recordFollowerFetch(s, 2, 18n, 20n, 100);
    s = recordFollowerFetch(s, 3, 15n, 20n, 100);
    expect(s.highWatermark).toBe(15n);
    s = recordFollowerFetch(s, 3, 12n, 20n, 200);
    expect(s.highWatermark).toBe(15n);
  });

  test('replicas outside the ISR do not hold the high watermark back', () => {
    let s = becomeLeader(1, leadership([1, 2], [1, 2, 3]), 0n, 0);
    s = recordFollowerFetch(s, 2, 30n, 30n, 10);
    expect(s.highWatermark).toBe(30n);
  });

  test('a follower that has not caught up for longer than the lag limit is lagging', () => {
    let s = becomeLeader(1, leadership([1, 2, 3]), 0n, 8_000);
    s = recordFollowerFetch(s, 2, 50n, 50n, 9_000);
    s = recordFollowerFetch(s, 3, 40n, 50n, 9_000);
    expect(laggingReplicas(s, 10_000, 5_000)).toEqual([]);
    expect(laggingReplicas(s, 13_500, 5_000)).toEqual([3]);
    expect(laggingReplicas(s, 20_000, 5_000)).toEqual([2, 3]);
    expect(laggingReplicas(recordFollowerFetch(s, 2, 50n, 50n, 19_000), 20_000, 5_000)).toEqual([3]);
  });

  test('a replica caught up to the high watermark may join the ISR', () => {
    let s = becomeLeader(1, leadership([1], [1, 2]), 0n, 0);
    s = withHighWatermark(s, 40n);
    expect(replicasToAddToIsr(recordFollowerFetch(s, 2, 39n, 40n, 1))).toEqual([]);
    expect(replicasToAddToIsr(recordFollowerFetch(s, 2, 40n, 40n, 1))).toEqual([2]);
  });

  test('acks=all needs min.insync.replicas in the ISR before the append', () => {
    expect(admitAcksAll(leadership([1]), 1)).toBe('ok');
    expect(admitAcksAll(leadership([1], [1, 2]), 2)).toBe('NOT_ENOUGH_REPLICAS');
  });

  test('a waiting acks=all produce completes when the high watermark passes it', () => {
    expect(acksAllOutcome(10n, 9n, 2, 2)).toBe('done');
    expect(acksAllOutcome(9n, 9n, 2, 2)).toBe('waiting');
    expect(acksAllOutcome(9n, 9n, 1, 2)).toBe('NOT_ENOUGH_REPLICAS_AFTER_APPEND');
  });

  test('the new leader is the first live replica of the assignment that is in the ISR', () => {
    expect(electLeader([3, 1, 2], [1, 2], new Set([1, 2, 3]))).toBe(1);
    expect(electLeader([3, 1, 2], [2], new Set([1, 2]))).toBe(2);
    expect(electLeader([1, 2], [1], new Set([2]))).toBe(-1);
  });

  test('dead replicas leave the ISR, but the last member stays', () => {
    expect(isrWithout([1, 2, 3], new Set([2]))).toEqual([1, 3]);
    expect(isrWithout([1, 2], new Set([1, 2]))).toEqual([2]);
    expect(isrWithout([4], new Set([4]))).toEqual([4]);
  });
});
