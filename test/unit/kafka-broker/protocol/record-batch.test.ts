// Record batches (magic 2): the layout of a batch a real client sent, building and reading
// batches, and refusing damaged ones.

import { CodecError } from '../../../../shared/src';
import {
  BATCH_HEADER_BYTES,
  isBatchCrcValid,
  readBatchHeader,
  setBaseOffset,
  setLogAppendTime,
} from '../../../../kafka-broker/src/protocol/batch-header';
import { CompressionType } from '../../../../kafka-broker/src/protocol/compression';
import {
  buildRecordBatch,
  controlRecordType,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  isControlBatch,
  recordPosition,
  recordsSize,
} from '../../../../kafka-broker/src/protocol/record-batch';
import { encodeMessageSet } from '../../../../kafka-broker/src/protocol/legacy-message-set';
import { scenarioRecordSets } from './fixtures';

const kcatBatch = (): Buffer => scenarioRecordSets('kcat-produce')[0]!;
const b = (s: string): Buffer => Buffer.from(s);

test('a batch from librdkafka: header fields and per-record deltas', () => {
  const bytes = kcatBatch();
  const header = readBatchHeader(bytes);
  expect([header.baseOffset, header.magic, header.lastOffsetDelta]).toEqual([0n, 2, header.recordCount - 1]);
  const { batch, size } = decodeRecordBatch(bytes);
  expect(size).toBe(bytes.length);
  expect(batch.records.map((r) => r.offsetDelta)).toEqual(batch.records.map((_, i) => i));
  expect(batch.records.map((r) => r.key?.toString())).toEqual(batch.records.map(() => 'key1'));
  expect(recordPosition(batch, batch.records[batch.records.length - 1]!).offset).toBe(
    BigInt(header.recordCount - 1),
  );
  expect(recordsSize(batch.records)).toBe(bytes.length - BATCH_HEADER_BYTES);
});

test('a built batch reads back with absolute offsets and timestamps', () => {
  const batch = buildRecordBatch(
    [
      { key: b('k'), value: b('v1'), timestamp: 1000n, headers: [{ key: 'h', value: null }] },
      { value: null, timestamp: 1005n },
    ],
    {
      baseTimestamp: 1000n,
      compression: CompressionType.Gzip,
      producerId: 7n,
      producerEpoch: 1,
      baseSequence: 10,
    },
  );
  const bytes = encodeRecordBatch(batch);
  setBaseOffset(bytes, 0, 500n);
  expect(isBatchCrcValid(bytes)).toBe(true);
  const { batch: read } = decodeRecordBatch(bytes);
  expect(read.records.map((r) => recordPosition(read, r))).toEqual([
    { offset: 500n, timestamp: 1000n },
    { offset: 501n, timestamp: 1005n },
  ]);
  expect([read.maxTimestamp, read.lastOffsetDelta, read.producerId, read.baseSequence]).toEqual([
    1005n,
    1,
    7n,
    10,
  ]);
  expect(read.records[0]!.headers).toEqual([{ key: 'h', value: null }]);
});

test('LogAppendTime batches give every record the batch max timestamp', () => {
  const bytes = encodeRecordBatch(
    buildRecordBatch([{ value: b('a') }, { value: b('b') }], { baseTimestamp: 10n }),
  );
  setLogAppendTime(bytes, 0, 99n);
  const { batch } = decodeRecordBatch(bytes);
  expect(batch.records.map((r) => recordPosition(batch, r).timestamp)).toEqual([99n, 99n]);
});

test('control records name their type', () => {
  const batch = buildRecordBatch(
    [{ key: Buffer.from('00000001', 'hex'), value: Buffer.from('000000000005', 'hex') }],
    { baseTimestamp: 0n },
  );
  const { batch: read } = decodeRecordBatch(encodeRecordBatch({ ...batch, attributes: 0x30 }));
  expect(isControlBatch(read.attributes)).toBe(true);
  expect(controlRecordType(read.records[0]!)).toBe(1);
});

describe('damaged batches are refused', () => {
  test('a flipped record byte fails the CRC-32C', () => {
    const bytes = Buffer.from(kcatBatch());
    bytes[bytes.length - 2]! ^= 0xff;
    expect(() => decodeRecordBatch(bytes)).toThrow(/CRC-32C mismatch/);
    expect(decodeRecordBatch(bytes, 0, { verifyCrc: false }).batch.records).toHaveLength(
      readBatchHeader(bytes).recordCount,
    );
  });

  test('a batch longer than the buffer', () => {
    expect(() => decodeRecordBatch(kcatBatch().subarray(0, 70))).toThrow(CodecError);
  });

  test('a record count that cannot fit', () => {
    const bytes = Buffer.from(kcatBatch());
    bytes.writeInt32BE(1_000_000, 57);
    expect(() => decodeRecordBatch(bytes, 0, { verifyCrc: false })).toThrow(/record count 1000000/);
  });

  test('a legacy entry inside a v2 record set', () => {
    const legacy = encodeMessageSet([
      { offset: 0n, magic: 1, attributes: 0, timestamp: 0n, key: null, value: b('x') },
    ]);
    expect(() => decodeRecordBatches(Buffer.concat([kcatBatch(), legacy]))).toThrow(/magic 1/);
  });
});
