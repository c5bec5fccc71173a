// Magic 0/1 message sets: the bytes kafka-python sent, conversion in both directions, refusals.

import {
  CompressionType,
  ZstdCompressor,
  compress,
  loadZstdCompressor,
} from '../../../../kafka-broker/src/protocol/compression';
import { KafkaError } from '../../../../kafka-broker/src/protocol/error-codes';
import {
  decodeMessageSet,
  downConvertRecordBatches,
  encodeCompressedMessageSet,
  encodeMessageSet,
  magicAt,
  readMessages,
  upConvertMessageSet,
} from '../../../../kafka-broker/src/protocol/legacy-message-set';
import {
  buildRecordBatch,
  decodeRecordBatch,
  encodeRecordBatch,
} from '../../../../kafka-broker/src/protocol/record-batch';
import { decodeAnyRequest, produceRecords, readHex } from './fixtures';

const b = (s: string): Buffer => Buffer.from(s);
const magic0Set = (): Buffer =>
  produceRecords(decodeAnyRequest(readHex('kafka-python-magic0-produce-v0.hex')).body)[0]!;

let zstd: ZstdCompressor;
beforeAll(async () => {
  zstd = await loadZstdCompressor();
});

test('the magic-0 entry layout: offset, size, crc, magic, attributes, key, value', () => {
  const set = magic0Set();
  expect(set.subarray(0, 30).toString('hex')).toMatch(
    /^0{16}00000012[0-9a-f]{8}0000000000026b30000000026d30$/,
  );
  expect(magicAt(set)).toBe(0);
});

test('up-conversion of a magic-0 set: one uncompressed batch, timestamps -1, no producer id', () => {
  const { batch } = decodeRecordBatch(upConvertMessageSet(magic0Set()));
  expect([
    batch.attributes,
    batch.baseTimestamp,
    batch.maxTimestamp,
    batch.producerId,
    batch.lastOffsetDelta,
  ]).toEqual([0, -1n, -1n, -1n, 2]);
  expect(batch.records.map((r) => [r.key?.toString(), r.value?.toString()])).toEqual([
    ['k0', 'm0'],
    ['k1', 'm1'],
    ['k2', 'm2'],
  ]);
});

test('a corrupted message fails its CRC-32', () => {
  const set = Buffer.from(magic0Set());
  set[25]! ^= 1;
  expect(() => decodeMessageSet(set)).toThrow(/CRC-32 mismatch/);
});

test('a trailing partial entry is left out', () => {
  const set = magic0Set();
  expect(decodeMessageSet(set.subarray(0, set.length - 3))).toHaveLength(2);
});

test('a v2 batch is not a legacy message', () => {
  const v2 = encodeRecordBatch(buildRecordBatch([{ value: b('x') }], { baseTimestamp: 0n }));
  expect(() => decodeMessageSet(v2)).toThrow(/magic 2/);
});

test('nested compressed wrappers are refused', () => {
  const inner = encodeCompressedMessageSet(
    [{ offset: 0n, magic: 1, attributes: 0, timestamp: 1n, key: null, value: b('x') }],
    { magic: 1, compression: CompressionType.Gzip },
  );
  const outer = encodeMessageSet([
    {
      offset: 0n,
      magic: 1,
      attributes: CompressionType.Gzip,
      timestamp: 1n,
      key: null,
      value: compress(CompressionType.Gzip, inner),
    },
  ]);
  expect(() => readMessages(outer)).toThrow(KafkaError);
});

test('down-conversion: magic 1 keeps LogAppendTime on the wrapper, control batches are dropped', () => {
  const data = encodeRecordBatch({
    ...buildRecordBatch([{ value: b('a') }, { value: b('b') }], { baseTimestamp: 5n, baseOffset: 40n }),
    attributes: CompressionType.Snappy | 0x08,
    maxTimestamp: 77n,
  });
  const control = encodeRecordBatch({
    ...buildRecordBatch([{ key: Buffer.alloc(4), value: Buffer.alloc(6) }], {
      baseTimestamp: 0n,
      baseOffset: 42n,
    }),
    attributes: 0x20,
  });
  const set = downConvertRecordBatches(Buffer.concat([data, control]), 1);
  const [wrapper] = decodeMessageSet(set);
  expect([decodeMessageSet(set).length, wrapper!.offset, wrapper!.attributes, wrapper!.timestamp]).toEqual([
    1,
    41n,
    CompressionType.Snappy | 0x08,
    77n,
  ]);
  expect(readMessages(set).map((m) => [m.offset, m.timestamp, m.value?.toString()])).toEqual([
    [40n, 77n, 'a'],
    [41n, 77n, 'b'],
  ]);
});

test('zstd batches have no legacy form', () => {
  const data = encodeRecordBatch(
    buildRecordBatch([{ value: b('a') }], { baseTimestamp: 0n, compression: CompressionType.Zstd }),
    { zstd },
  );
  expect(() => downConvertRecordBatches(data, 0)).toThrow(
    expect.objectContaining({ code: 'UNSUPPORTED_COMPRESSION_TYPE' }),
  );
});

test('an empty message set cannot be up-converted', () => {
  expect(() => upConvertMessageSet(Buffer.alloc(0))).toThrow(
    expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
  );
  expect(encodeMessageSet([])).toHaveLength(0);
});
