import { OffsetIndex } from '../../../../kafka-broker/src/log/offset-index';
import { AssertionFailure } from '../../../../shared/src';

describe('OffsetIndex', () => {
  it('finds the last entry at or below an offset by binary search', () => {
    const index = OffsetIndex.empty(1024);
    for (let i = 1; i <= 50; i++) index.append(i * 10, i * 1000);
    expect(index.lookupPosition(5)).toBe(0);
    expect(index.lookupPosition(10)).toBe(1000);
    expect(index.lookupPosition(19)).toBe(1000);
    expect(index.lookupPosition(20)).toBe(2000);
    expect(index.lookupPosition(10_000)).toBe(50_000);
  });

  it('grows past its initial capacity and reports full at segment.index.bytes', () => {
    const index = OffsetIndex.empty(8 * 1000);
    for (let i = 0; i < 1000; i++) index.append(i, i + 1);
    expect(index.entries).toBe(1000);
    expect(index.isFull).toBe(true);
    expect(() => index.append(5000, 5000)).toThrow(AssertionFailure);
    expect(index.lookupPosition(777)).toBe(778);
  });

  it('refuses entries that do not increase', () => {
    const index = OffsetIndex.empty(1024);
    index.append(5, 100);
    expect(() => index.append(5, 200)).toThrow(AssertionFailure);
    expect(() => index.append(6, 100)).toThrow(AssertionFailure);
  });

  it('drops entries at or after a cut position', () => {
    const index = OffsetIndex.empty(1024);
    index.append(1, 100);
    index.append(2, 200);
    index.append(3, 300);
    index.truncateToPosition(200);
    expect(index.entries).toBe(1);
    expect(index.lookupPosition(3)).toBe(100);
  });

  it('round-trips through its file bytes and rejects damaged files', () => {
    const index = OffsetIndex.empty(1024);
    index.append(3, 100);
    index.append(9, 350);
    const loaded = OffsetIndex.fromBytes(Buffer.from(index.bytes()), 1024);
    expect(loaded).toBeInstanceOf(OffsetIndex);
    expect((loaded as OffsetIndex).lookupPosition(9)).toBe(350);
    expect(OffsetIndex.fromBytes(Buffer.alloc(7), 1024)).toMatch(/multiple of 8/);
    expect(OffsetIndex.fromBytes(Buffer.alloc(16), 1024)).toMatch(/does not increase/);
  });
});
