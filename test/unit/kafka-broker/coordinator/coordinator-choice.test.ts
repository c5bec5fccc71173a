// The coordinator of a group: Java's String.hashCode, Kafka's partitionFor, and the mapping onto
// the live brokers.

import {
  coordinatorFor,
  javaStringHash,
  offsetsPartitionFor,
} from '../../../../kafka-broker/src/coordinator/coordinator-choice';

describe('coordinator choice', () => {
  test("javaStringHash is java.lang.String.hashCode", () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('a')).toBe(97);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
    expect(javaStringHash('\u00e9t\u00e9')).toBe(0xe9 * 961 + 0x74 * 31 + 0xe9);
  });

  test("offsetsPartitionFor masks the sign as Kafka's Utils.abs does", () => {
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    expect(offsetsPartitionFor('hello', 50)).toBe(99162322 % 50);
  });

  test('is the same whatever order the live brokers come in, and null without brokers', () => {
    expect(coordinatorFor('g', [])).toBeNull();
    expect(coordinatorFor('g', [7])).toBe(7);
    const ids = [3, 1, 2];
    const chosen = coordinatorFor('my-group', ids);
    expect(coordinatorFor('my-group', [2, 3, 1])).toBe(chosen);
    expect(ids).toContain(chosen);
  });

  test('spreads groups over the brokers', () => {
    const counts = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const id = coordinatorFor(`group-${i}`, [0, 1, 2])!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([0, 1, 2]);
    for (const n of counts.values()) expect(n).toBeGreaterThan(50);
  });
});
