// Codecs against bytes made by reference tools (lz4 and zstd command-line programs, librdkafka via
// the captured Produce fixtures), xxHash32 vectors, and the error mapping.

import { LimitError } from '../../../../shared/src';
import {
  CompressionType,
  compress,
  compressionName,
  compressionTypeByName,
  decompress,
} from '../../../../kafka-broker/src/protocol/compression';
import { lz4FrameCompress, lz4FrameDecompress, xxh32 } from '../../../../kafka-broker/src/protocol/lz4-frame';
import { readHex } from './fixtures';

const LINES = Array.from({ length: 200 }, (_, i) => `kafka codec fixture line ${i}\n`).join('');
const LIMIT = { limitBytes: 1 << 20 };

test('xxHash32 reference vectors', () => {
  expect(xxh32(Buffer.alloc(0))).toBe(0x02cc5d05);
  expect(xxh32(Buffer.from('a'))).toBe(0x550d7456);
  expect(xxh32(Buffer.from('abc'))).toBe(0x32d153ff);
});

describe('lz4 frames made by the lz4 1.9.4 command-line tool', () => {
  test('default frame (content checksum)', () => {
    expect(decompress(CompressionType.Lz4, readHex('codecs/lz4-cli-default.hex')).toString()).toBe(LINES);
  });

  test('block checksums and content size', () => {
    expect(decompress(CompressionType.Lz4, readHex('codecs/lz4-cli-block-checksum.hex')).toString()).toBe(
      LINES,
    );
  });

  test('a wrong header checksum is refused unless asked (old magic-0 Java clients)', () => {
    const frame = Buffer.from(readHex('codecs/lz4-cli-default.hex'));
    frame[6]! ^= 0xff;
    expect(() => lz4FrameDecompress(frame, LIMIT)).toThrow(/header checksum/);
    expect(lz4FrameDecompress(frame, { ...LIMIT, ignoreHeaderChecksum: true }).toString()).toBe(LINES);
  });

  test('a damaged block fails the content checksum', () => {
    const frame = Buffer.from(readHex('codecs/lz4-cli-default.hex'));
    frame[20]! ^= 0x01;
    expect(() => decompress(CompressionType.Lz4, frame)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });

  test('dependent-block frames are refused, as Kafka refuses them', () => {
    const frame = Buffer.from(lz4FrameCompress(Buffer.from(LINES)));
    frame[4] = 0x40;
    frame[6] = (xxh32(frame, 4, 6) >>> 8) & 0xff;
    expect(() => lz4FrameDecompress(frame, LIMIT)).toThrow(/dependent blocks/);
  });

  test('our frames use independent 64 KiB blocks and no checksums (FLG 0x60, BD 0x40)', () => {
    const frame = lz4FrameCompress(Buffer.from(LINES));
    expect(frame.subarray(0, 6).toString('hex')).toBe('04224d186040');
    expect(frame.length).toBeLessThan(LINES.length / 2);
  });
});

test('zstd frames without a content size (zstd 1.5.4 --no-content-size)', () => {
  expect(decompress(CompressionType.Zstd, readHex('codecs/zstd-cli-no-content-size.hex')).toString()).toBe(
    LINES,
  );
});

describe('snappy', () => {
  test('xerial framing is what we write and both forms are read', () => {
    const data = Buffer.from(LINES.repeat(20));
    const framed = compress(CompressionType.Snappy, data);
    expect(framed.subarray(0, 16).toString('hex')).toBe('82534e41505059000000000100000001');
    expect(decompress(CompressionType.Snappy, framed).equals(data)).toBe(true);
    expect(
      decompress(
        CompressionType.Snappy,
        compress(CompressionType.Snappy, data, { snappyFraming: 'raw' }),
      ).equals(data),
    ).toBe(true);
  });

  test('a truncated xerial block is corrupt', () => {
    const framed = compress(CompressionType.Snappy, Buffer.from(LINES));
    expect(() => decompress(CompressionType.Snappy, framed.subarray(0, framed.length - 5))).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });
});

describe('errors', () => {
  test('corrupt gzip is CORRUPT_MESSAGE', () => {
    expect(() => decompress(CompressionType.Gzip, Buffer.from('not gzip at all'))).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE', errorCode: 2 }),
    );
  });

  test('codecs 5-7 are UNSUPPORTED_COMPRESSION_TYPE', () => {
    expect(() => decompress(5, Buffer.alloc(1))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION_TYPE' }),
    );
    expect(() => compress(6, Buffer.alloc(1))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION_TYPE' }),
    );
    expect(() => compressionTypeByName('brotli')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION_TYPE' }),
    );
  });

  test('zstd compression needs a compressor handed in', () => {
    expect(() => compress(CompressionType.Zstd, Buffer.from('x'))).toThrow(/ZstdCompressor/);
  });

  test('an uncompressed record set larger than the limit', () => {
    expect(() => decompress(CompressionType.None, Buffer.alloc(10), { limitBytes: 5 })).toThrow(LimitError);
  });

  test('names', () => {
    expect([compressionName(3), compressionName(9), compressionTypeByName('zstd')]).toEqual([
      'lz4',
      'unknown(9)',
      4,
    ]);
  });
});
