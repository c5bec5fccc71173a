// Checksums: published check values, and the sliced CRC-32C/CRC-32 against the byte-at-a-time
// table algorithm for random inputs at every alignment and length, and for inputs fed in pieces
// (each piece's CRC seeding the next).

import fc from 'fast-check';
import { adler32, crc32, crc32c } from '../../../shared/src';

/** The reference: one table lookup per byte (reflected polynomial). */
function referenceCrc(polynomial: number): (data: Uint8Array, start: number, end: number, seed: number) => number {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (data, start, end, seed) => {
    let crc = ~seed >>> 0;
    for (let i = start; i < end; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
    return ~crc >>> 0;
  };
}

const CRCS = [
  { name: 'crc32c', fast: crc32c, reference: referenceCrc(0x82f63b78) },
  { name: 'crc32', fast: crc32, reference: referenceCrc(0xedb88320) },
] as const;

/** Bytes placed at a random offset inside a larger buffer, so that every alignment is seen. */
const placedBytes = fc
  .tuple(fc.uint8Array({ maxLength: 600 }), fc.nat(15), fc.nat(15))
  .map(([bytes, before, after]) => {
    const backing = Buffer.alloc(before + bytes.length + after, 0xa5);
    backing.set(bytes, before);
    return { backing, start: before, end: before + bytes.length };
  });

describe('checksums', () => {
  const check = Buffer.from('123456789');
  it('crc32c matches the published check value', () => expect(crc32c(check)).toBe(0xe3069283));
  it('crc32 matches the published check value', () => expect(crc32(check)).toBe(0xcbf43926));
  it('adler32 matches the published value for "Wikipedia"', () => expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398));
  it('adler32 continues from a seed like java.util.zip.Adler32.update', () => {
    const data = Buffer.alloc(20000, 0xab);
    expect(adler32(data.subarray(7000), 0, 13000, adler32(data.subarray(0, 7000)))).toBe(adler32(data));
  });

  describe.each(CRCS)('$name', ({ fast, reference }) => {
    it('equals the byte-at-a-time algorithm for any bytes, alignment and seed', () => {
      fc.assert(
        fc.property(placedBytes, fc.integer({ min: 0, max: 0xffffffff }), ({ backing, start, end }, seed) => {
          expect(fast(backing, start, end, seed)).toBe(reference(backing, start, end, seed));
        }),
        { numRuns: 500 },
      );
    });

    it('equals the byte-at-a-time algorithm on a subarray view of a larger buffer', () => {
      fc.assert(
        fc.property(placedBytes, ({ backing, start, end }) => {
          const view = backing.subarray(start, end);
          expect(fast(view)).toBe(reference(backing, start, end, 0));
        }),
      );
    });

    it('gives the same value when the input is fed in pieces, each seeding the next', () => {
      fc.assert(
        fc.property(placedBytes, fc.array(fc.nat(), { maxLength: 6 }), ({ backing, start, end }, cuts) => {
          const points = [...new Set(cuts.map((c) => start + (c % (end - start + 1))))].sort((a, b) => a - b);
          let crc = 0;
          let at = start;
          for (const p of [...points, end]) {
            crc = fast(backing, at, p, crc);
            at = p;
          }
          expect(crc).toBe(reference(backing, start, end, 0));
        }),
      );
    });

    it('equals the byte-at-a-time algorithm on a 1 MiB batch-sized input', () => {
      const big = Buffer.alloc(1024 * 1024 + 13);
      for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
      expect(fast(big, 3, big.length - 1)).toBe(reference(big, 3, big.length - 1, 0));
    });
  });
});
