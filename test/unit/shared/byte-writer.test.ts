// ByteWriter and ByteReader against Buffer's own encoders: longs over the whole range (and wrapped
// modulo 2^64), strings short and long, ASCII or not (the short-ASCII copy falls back to Buffer).

import fc from 'fast-check';
import { ByteReader, ByteWriter } from '../../../shared/src';
import { utf8ByteLength } from '../../../shared/src/binary/byte-writer';

const EDGE_LONGS = [0n, 1n, -1n, 0x7fffffffn, 0x100000000n, -(2n ** 63n), 2n ** 63n - 1n, -(2n ** 56n)];

describe('ByteWriter / ByteReader', () => {
  it('writes longs as Buffer.writeBigInt64BE does, and reads them back', () => {
    const longs = fc.oneof(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), fc.constantFrom(...EDGE_LONGS));
    fc.assert(
      fc.property(longs, fc.nat(7), (v, pad) => {
        const w = new ByteWriter(1);
        for (let i = 0; i < pad; i++) w.uint8(0xee);
        w.int64(v);
        const expected = Buffer.alloc(8);
        expected.writeBigInt64BE(v);
        expect(w.view().subarray(pad)).toEqual(expected);
        const r = new ByteReader(w.view(), pad);
        expect(r.int64()).toBe(v);
      }),
    );
  });

  it('wraps longs outside the signed 64-bit range', () => {
    const w = new ByteWriter(16);
    w.int64(2n ** 64n + 5n).int64(-(2n ** 64n) - 7n);
    const r = new ByteReader(w.view());
    expect(r.int64()).toBe(5n);
    expect(r.int64()).toBe(-7n);
  });

  it('writes strings as Buffer does, whatever their length and characters', () => {
    const strings = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.fullUnicodeString({ maxLength: 80 }),
      fc.constantFrom('\ud800', 'a\udc00b', ''),
    );
    fc.assert(
      fc.property(strings, (s) => {
        const w = new ByteWriter(1);
        w.utf8(s);
        expect(w.view()).toEqual(Buffer.from(s, 'utf8'));
        expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s));
      }),
    );
  });

  it('hands out its buffer as the view once it is exactly full', () => {
    const w = new ByteWriter(4);
    w.int32(7);
    expect(w.view()).toBe(w.buf);
    const partly = new ByteWriter(8);
    partly.int32(7);
    expect(partly.view().length).toBe(4);
  });

  it('grows from a zero capacity', () => {
    const w = new ByteWriter(0);
    w.int32(1).int64(2n);
    expect(w.view().length).toBe(12);
  });
});
