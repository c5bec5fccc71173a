import { checkBatches, findRecordByTimestamp } from '../../../../kafka-broker/src/log/batch-scan';
import { LogError } from '../../../../kafka-broker/src/log/log-errors';
import { buildBatch, makeRecords } from './batch-builder';

const leader = { batchBytesMax: 1 << 20, verifyCrc: true, offsetsAssigned: false };
const follower = { ...leader, offsetsAssigned: true };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof LogError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('checkBatches', () => {
  it('sums batches, offsets and the largest timestamp', () => {
    const buf = Buffer.concat([
      buildBatch({ records: makeRecords(3, 'a', { startMs: 500 }) }),
      buildBatch({ records: makeRecords(2, 'b', { startMs: 100 }) }),
    ]);
    const s = checkBatches(buf, leader);
    expect(s).toMatchObject({ bytes: buf.length, batchCount: 2, offsetCount: 5, maxTimestampMs: 502 });
  });

  it('refuses a CRC mismatch, a foreign magic, a short tail and a wrong record count', () => {
    const good = buildBatch({ records: makeRecords(3, 'a') });
    const badCrc = Buffer.from(good);
    badCrc[good.length - 1] ^= 0xff;
    expect(codeOf(() => checkBatches(badCrc, leader))).toBe('CORRUPT_MESSAGE');
    expect(checkBatches(badCrc, { ...leader, verifyCrc: false }).batchCount).toBe(1);
    const magic1 = Buffer.from(good);
    magic1[16] = 1;
    expect(codeOf(() => checkBatches(magic1, leader))).toBe('UNSUPPORTED_FOR_MESSAGE_FORMAT');
    expect(codeOf(() => checkBatches(good.subarray(0, good.length - 1), leader))).toBe('CORRUPT_MESSAGE');
    const count = Buffer.from(good);
    count.writeInt32BE(7, 57);
    expect(codeOf(() => checkBatches(count, { ...leader, verifyCrc: false }))).toBe('INVALID_RECORD');
  });

  it('refuses a batch above max.message.bytes', () => {
    const big = buildBatch({ records: makeRecords(1, 'x', { valueBytes: 2000 }) });
    expect(codeOf(() => checkBatches(big, { ...leader, batchBytesMax: 1000 }))).toBe('MESSAGE_TOO_LARGE');
  });

  it('lets follower appends end in a partial batch and requires increasing offsets', () => {
    const a = buildBatch({ records: makeRecords(3, 'a'), baseOffset: 10n });
    const b = buildBatch({ records: makeRecords(2, 'b'), baseOffset: 13n });
    const s = checkBatches(Buffer.concat([a, b.subarray(0, 30)]), follower);
    expect(s).toMatchObject({ bytes: a.length, batchCount: 1, firstOffset: 10n, lastOffset: 12n });
    const backwards = Buffer.concat([b, a]);
    expect(codeOf(() => checkBatches(backwards, follower))).toBe('UNEXPECTED_APPEND_OFFSET');
  });
});

describe('findRecordByTimestamp', () => {
  const records = [100, 300, 200, 400].map((t, i) => ({ value: Buffer.from(`v${i}`), timestampMs: t }));
  const batch = buildBatch({ records, baseOffset: 50n });

  it('walks an uncompressed CreateTime batch to the first record at or after the target', () => {
    expect(findRecordByTimestamp(batch, 0, 250, 0n)).toEqual({ offset: 51n, timestampMs: 300 });
    expect(findRecordByTimestamp(batch, 0, 100, 0n)).toEqual({ offset: 50n, timestampMs: 100 });
    expect(findRecordByTimestamp(batch, 0, 150, 52n)).toEqual({ offset: 52n, timestampMs: 200 });
    expect(findRecordByTimestamp(batch, 0, 401, 0n)).toBeNull();
  });

  it('answers at batch precision for LogAppendTime and compressed batches', () => {
    const appendTime = buildBatch({ records, baseOffset: 50n, attributes: 0x08 });
    expect(findRecordByTimestamp(appendTime, 0, 250, 51n)).toEqual({ offset: 51n, timestampMs: 400 });
    const gzip = buildBatch({ records, baseOffset: 50n, attributes: 0x01 });
    expect(findRecordByTimestamp(gzip, 0, 250, 0n)).toEqual({ offset: 50n, timestampMs: 400 });
  });
});
