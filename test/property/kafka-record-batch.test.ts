// Record batches (magic 2) and legacy message sets (magic 0/1): encode -> decode gives the same
// batch for every codec; conversions between the formats keep offsets, keys, values and (where the
// target format has them) timestamps.

import fc from 'fast-check';
import { readBatchHeader, isBatchCrcValid } from '../../kafka-broker/src/protocol/batch-header';
import {
  CompressionType,
  ZstdCompressor,
  loadZstdCompressor,
} from '../../kafka-broker/src/protocol/compression';
import {
  LegacyEntry,
  LegacyMagic,
  NO_TIMESTAMP,
  decodeMessageSet,
  downConvertRecordBatches,
  encodeCompressedMessageSet,
  encodeMessageSet,
  readMessages,
  upConvertMessageSet,
} from '../../kafka-broker/src/protocol/legacy-message-set';
import {
  BatchRecord,
  RecordBatch,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  recordPosition,
} from '../../kafka-broker/src/protocol/record-batch';

const RUNS = 60;
const int = (min: number, max: number) => fc.integer({ min, max });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const bytes = (maxLength = 20) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const nullableBytes = fc.option(bytes(), { nil: null, freq: 4 });

const record: fc.Arbitrary<BatchRecord> = fc.record({
  attributes: int(-128, 127),
  timestampDelta: int64,
  offsetDelta: int(-0x80000000, 0x7fffffff),
  key: nullableBytes,
  value: nullableBytes,
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: nullableBytes }), { maxLength: 3 }),
});

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];

const batch = (codecs: readonly number[] = CODECS): fc.Arbitrary<RecordBatch> =>
  fc.record({
    baseOffset: int64,
    partitionLeaderEpoch: int(-0x80000000, 0x7fffffff),
    attributes: fc
      .tuple(fc.constantFrom(...codecs), int(0, 0x1ff))
      .map(([codec, high]) => (high << 3) | codec),
    lastOffsetDelta: int(-0x80000000, 0x7fffffff),
    baseTimestamp: int64,
    maxTimestamp: int64,
    producerId: int64,
    producerEpoch: int(-32768, 32767),
    baseSequence: int(-0x80000000, 0x7fffffff),
    records: fc.array(record, { maxLength: 6 }),
  });

let zstd: ZstdCompressor;
beforeAll(async () => {
  zstd = await loadZstdCompressor();
});

describe('record batches', () => {
  test('decode(encode(batch)) equals batch, size and CRC agree', () => {
    fc.assert(
      fc.property(batch(), (b) => {
        const bytes = encodeRecordBatch(b, { zstd });
        expect(isBatchCrcValid(bytes)).toBe(true);
        expect(readBatchHeader(bytes).recordCount).toBe(b.records.length);
        const { batch: decoded, size } = decodeRecordBatch(bytes);
        expect(size).toBe(bytes.length);
        expect(decoded).toEqual(b);
      }),
      { numRuns: RUNS },
    );
  });

  test('a record set decodes batch by batch and drops a trailing partial batch', () => {
    fc.assert(
      fc.property(
        fc.array(batch([CompressionType.None, CompressionType.Gzip]), { minLength: 1, maxLength: 4 }),
        int(1, 60),
        (bs, cut) => {
          const set = Buffer.concat(bs.map((b) => encodeRecordBatch(b)));
          expect(decodeRecordBatches(set)).toEqual(bs);
          const partial = set.subarray(
            0,
            set.length - Math.min(cut, encodeRecordBatch(bs[bs.length - 1]!).length),
          );
          expect(decodeRecordBatches(partial)).toEqual(bs.slice(0, -1));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------

const legacyMagic = fc.constantFrom<LegacyMagic>(0, 1);
const timestamp = fc.bigInt({ min: 0n, max: 2n ** 62n });

const legacyMessages = (magic: LegacyMagic): fc.Arbitrary<LegacyEntry[]> =>
  fc
    .tuple(
      int64.map((o) => (o < 0n ? -o / 2n : o / 2n)),
      fc.array(fc.record({ timestamp, key: nullableBytes, value: nullableBytes }), {
        minLength: 1,
        maxLength: 6,
      }),
    )
    .map(([base, ms]) =>
      ms.map((m, i) => ({
        offset: base + BigInt(i),
        magic,
        attributes: 0,
        timestamp: magic === 1 ? m.timestamp : NO_TIMESTAMP,
        key: m.key,
        value: m.value,
      })),
    );

const LEGACY_CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4];

describe('legacy message sets', () => {
  test('plain entries round-trip', () => {
    fc.assert(
      fc.property(legacyMagic.chain(legacyMessages), (ms) => {
        const set = encodeMessageSet(ms);
        expect(decodeMessageSet(set)).toEqual(ms);
        expect(readMessages(set)).toEqual(ms);
      }),
      { numRuns: RUNS },
    );
  });

  test('a compressed wrapper opens to the same messages with absolute offsets', () => {
    fc.assert(
      fc.property(legacyMagic.chain(legacyMessages), fc.constantFrom(...LEGACY_CODECS), (ms, compression) => {
        const magic = ms[0]!.magic;
        const set = encodeCompressedMessageSet(ms, { magic, compression });
        const [wrapper] = decodeMessageSet(set);
        expect(wrapper!.offset).toBe(ms[ms.length - 1]!.offset);
        expect(readMessages(set)).toEqual(ms);
      }),
      { numRuns: RUNS },
    );
  });

  test('up-conversion gives one v2 batch with the same keys, values and timestamps', () => {
    fc.assert(
      fc.property(
        legacyMagic.chain(legacyMessages),
        fc.constantFrom(CompressionType.None, ...LEGACY_CODECS),
        (ms, compression) => {
          const magic = ms[0]!.magic;
          const set =
            compression === CompressionType.None
              ? encodeMessageSet(ms)
              : encodeCompressedMessageSet(ms, { magic, compression });
          const { batch: b } = decodeRecordBatch(upConvertMessageSet(set));
          expect(b.attributes & 7).toBe(compression);
          expect(b.records.map((r) => [r.key, r.value, recordPosition(b, r).timestamp])).toEqual(
            ms.map((m) => [m.key, m.value, m.timestamp]),
          );
          expect(b.records.map((r) => r.offsetDelta)).toEqual(ms.map((_, i) => i));
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('down-conversion keeps offsets, keys and values (and magic-1 timestamps)', () => {
    const v2 = fc.record({
      baseOffset: fc.bigInt({ min: 0n, max: 2n ** 40n }),
      compression: fc.constantFrom(CompressionType.None, ...LEGACY_CODECS),
      baseTimestamp: timestamp,
      records: fc.array(
        fc.record({ key: nullableBytes, value: nullableBytes, delta: fc.bigInt({ min: 0n, max: 1000n }) }),
        { minLength: 1, maxLength: 5 },
      ),
    });
    fc.assert(
      fc.property(v2, legacyMagic, (spec, magic) => {
        const b: RecordBatch = {
          baseOffset: spec.baseOffset,
          partitionLeaderEpoch: 0,
          attributes: spec.compression,
          lastOffsetDelta: spec.records.length - 1,
          baseTimestamp: spec.baseTimestamp,
          maxTimestamp: spec.baseTimestamp + 1000n,
          producerId: -1n,
          producerEpoch: -1,
          baseSequence: -1,
          records: spec.records.map((r, i) => ({
            attributes: 0,
            timestampDelta: r.delta,
            offsetDelta: i,
            key: r.key,
            value: r.value,
            headers: [],
          })),
        };
        const messages = readMessages(downConvertRecordBatches(encodeRecordBatch(b), magic));
        expect(messages.map((m) => [m.offset, m.key, m.value, m.magic])).toEqual(
          b.records.map((r) => [b.baseOffset + BigInt(r.offsetDelta), r.key, r.value, magic]),
        );
        const expected = b.records.map((r) =>
          magic === 1 ? b.baseTimestamp + r.timestampDelta : NO_TIMESTAMP,
        );
        expect(messages.map((m) => m.timestamp)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });
});
