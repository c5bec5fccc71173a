import { TimeIndex } from '../../../../kafka-broker/src/log/time-index';

describe('TimeIndex', () => {
  it('appends only newer timestamps and ignores -1', () => {
    const index = TimeIndex.empty(1200);
    expect(index.maybeAppend(-1, 0)).toBe(false);
    expect(index.maybeAppend(100, 2)).toBe(true);
    expect(index.maybeAppend(100, 3)).toBe(false);
    expect(index.maybeAppend(90, 4)).toBe(false);
    expect(index.maybeAppend(150, 5)).toBe(true);
    expect(index.entries).toBe(2);
    expect(index.lastTimestamp()).toBe(150);
    expect(index.lastRelativeOffset()).toBe(5);
  });

  it('keeps timestamps beyond 32 bits exact', () => {
    const index = TimeIndex.empty(1200);
    index.maybeAppend(1_700_000_000_123, 1);
    expect(index.timestampAt(0)).toBe(1_700_000_000_123);
  });

  it('finds the last entry strictly below a timestamp', () => {
    const index = TimeIndex.empty(1200);
    index.maybeAppend(100, 1);
    index.maybeAppend(200, 5);
    index.maybeAppend(300, 9);
    expect(index.lastRelativeOffsetBelow(50)).toBe(-1);
    expect(index.lastRelativeOffsetBelow(100)).toBe(-1);
    expect(index.lastRelativeOffsetBelow(101)).toBe(1);
    expect(index.lastRelativeOffsetBelow(300)).toBe(5);
    expect(index.lastRelativeOffsetBelow(1000)).toBe(9);
  });

  it('takes one closing entry beyond full', () => {
    const index = TimeIndex.empty(24);
    index.maybeAppend(1, 1);
    index.maybeAppend(2, 2);
    expect(index.isFull).toBe(true);
    expect(index.maybeAppend(3, 3, true)).toBe(true);
    expect(index.entries).toBe(3);
  });

  it('truncates entries at or after an offset and validates file bytes', () => {
    const index = TimeIndex.empty(1200);
    index.maybeAppend(100, 1);
    index.maybeAppend(200, 5);
    index.truncateToRelativeOffset(5);
    expect(index.entries).toBe(1);
    expect(TimeIndex.fromBytes(Buffer.from(index.bytes()), 1200)).toBeInstanceOf(TimeIndex);
    expect(TimeIndex.fromBytes(Buffer.alloc(13), 1200)).toMatch(/multiple of 12/);
    expect(TimeIndex.fromBytes(Buffer.alloc(24), 1200)).toMatch(/does not increase/);
  });
});
