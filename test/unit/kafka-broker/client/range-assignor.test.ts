// Kafka's RangeAssignor: per topic, contiguous ranges in member-id order, the first
// (partitions % members) members one partition more; members only get topics they subscribed to.

import { rangeAssign } from '../../../../kafka-broker/src/client/range-assignor';

const plain = (m: Map<string, Map<string, number[]>>): Record<string, Record<string, number[]>> =>
  Object.fromEntries([...m].map(([id, a]) => [id, Object.fromEntries(a)]));

test('7 partitions over 3 members: 3, 2, 2 in member-id order', () => {
  const out = rangeAssign(
    [
      { memberId: 'c', topics: ['t'] },
      { memberId: 'a', topics: ['t'] },
      { memberId: 'b', topics: ['t'] },
    ],
    new Map([['t', 7]]),
  );
  expect(plain(out)).toEqual({ a: { t: [0, 1, 2] }, b: { t: [3, 4] }, c: { t: [5, 6] } });
});

test('each topic on its own; a member gets nothing of a topic it did not subscribe to', () => {
  const out = rangeAssign(
    [
      { memberId: 'm1', topics: ['x', 'y'] },
      { memberId: 'm2', topics: ['x'] },
    ],
    new Map([
      ['x', 2],
      ['y', 2],
    ]),
  );
  expect(plain(out)).toEqual({ m1: { x: [0], y: [0, 1] }, m2: { x: [1] } });
});

test('more members than partitions: the last ones get none; unknown topics are skipped', () => {
  const out = rangeAssign(
    [
      { memberId: 'a', topics: ['t', 'gone'] },
      { memberId: 'b', topics: ['t'] },
      { memberId: 'c', topics: ['t'] },
    ],
    new Map([['t', 2]]),
  );
  expect(plain(out)).toEqual({ a: { t: [0] }, b: { t: [1] }, c: {} });
});
