// Every codec gives back what it was given, for random and for repetitive (compressible) data,
// and every decompressor honours its byte limit.

import fc from 'fast-check';
import { LimitError } from '../../shared/src';
import {
  CompressionType,
  ZstdCompressor,
  compress,
  decompress,
  loadZstdCompressor,
} from '../../kafka-broker/src/protocol/compression';
import { lz4FrameCompress, lz4FrameDecompress } from '../../kafka-broker/src/protocol/lz4-frame';

const RUNS = 60;
const LIMIT_BYTES = 1 << 20;

/** Random bytes mixed with runs, so both literal and match paths of the codecs are exercised. */
const payload = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      fc
        .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 3000 }))
        .map(([b, n]) => Buffer.alloc(n, b)),
      fc.string({ maxLength: 40 }).map((s) => Buffer.from(s.repeat(5))),
    ),
    { maxLength: 12 },
  )
  .map((parts) => Buffer.concat(parts));

let zstd: ZstdCompressor;
beforeAll(async () => {
  zstd = await loadZstdCompressor();
});

const codecs: [string, number][] = [
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
];

describe('compress then decompress is the identity', () => {
  test.each(codecs)('%s', (_name, type) => {
    fc.assert(
      fc.property(payload, (data) => {
        const packed = compress(type, data, { zstd });
        expect(decompress(type, packed, { limitBytes: LIMIT_BYTES }).equals(data)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  test('snappy without xerial framing (as librdkafka writes it)', () => {
    fc.assert(
      fc.property(payload, (data) => {
        const packed = compress(CompressionType.Snappy, data, { snappyFraming: 'raw' });
        expect(decompress(CompressionType.Snappy, packed).equals(data)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  test('lz4 frames spanning several 64 KiB blocks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1000 }), (blocks, extra) => {
        const data = Buffer.alloc(blocks * 65536 + extra);
        for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
        expect(lz4FrameDecompress(lz4FrameCompress(data), { limitBytes: 1 << 22 }).equals(data)).toBe(true);
      }),
      { numRuns: 10 },
    );
  });
});

describe('decompression stops at the limit', () => {
  test.each(codecs)('%s', (_name, type) => {
    const data = Buffer.alloc(100_000, 1);
    const packed = compress(type, data, { zstd });
    expect(() => decompress(type, packed, { limitBytes: 50_000 })).toThrow(LimitError);
  });
});
