import { LOG_CONFIG_DEFAULTS, makeLogConfig } from '../../../../kafka-broker/src/log/log-config';
import { ActiveSegmentState, rollReason, SegmentSummary, segmentsToDelete } from '../../../../kafka-broker/src/log/log-policy';

const segment: ActiveSegmentState = {
  baseOffset: 0n,
  sizeBytes: 500,
  firstBatchTimestampMs: 10_000,
  createdMs: 0,
  offsetIndexFull: false,
  timeIndexFull: false,
};
const incoming = { bytes: 100, maxTimestampMs: 10_500, lastOffset: 10n, nowMs: 50_000 };

describe('rollReason', () => {
  const config = makeLogConfig({ segmentBytes: 1000, segmentMs: 1000 });

  it('appends to the segment while it has room and time', () => {
    expect(rollReason(segment, incoming, config)).toBeNull();
  });

  it('rolls when the append would pass segment.bytes', () => {
    expect(rollReason(segment, { ...incoming, bytes: 501 }, config)).toBe('size');
    expect(rollReason(segment, { ...incoming, bytes: 500 }, config)).toBeNull();
  });

  it('measures segment age by record time from the first batch, as Kafka', () => {
    expect(rollReason(segment, { ...incoming, maxTimestampMs: 11_001 }, config)).toBe('time');
    expect(rollReason(segment, { ...incoming, maxTimestampMs: 11_000 }, config)).toBeNull();
  });

  it('falls back to wall time since creation when batches carry no timestamp', () => {
    const noTs = { ...segment, firstBatchTimestampMs: -1, createdMs: 48_000 };
    expect(rollReason(noTs, { ...incoming, nowMs: 49_000 }, config)).toBeNull();
    expect(rollReason(noTs, { ...incoming, nowMs: 49_001 }, config)).toBe('time');
  });

  it('never rolls an empty segment on time', () => {
    expect(rollReason({ ...segment, sizeBytes: 0 }, { ...incoming, maxTimestampMs: 99_999 }, config)).toBeNull();
  });

  it('rolls when an index is full or relative offsets would overflow int32', () => {
    expect(rollReason({ ...segment, offsetIndexFull: true }, incoming, config)).toBe('offset-index-full');
    expect(rollReason({ ...segment, timeIndexFull: true }, incoming, config)).toBe('time-index-full');
    expect(rollReason(segment, { ...incoming, lastOffset: 2_147_483_648n }, config)).toBe('offset-overflow');
  });
});

describe('segmentsToDelete', () => {
  const seg = (baseOffset: bigint, sizeBytes: number, largestTimestampMs: number): SegmentSummary => ({
    baseOffset,
    sizeBytes,
    largestTimestampMs,
  });
  const segments = [seg(0n, 100, 1000), seg(10n, 100, 2000), seg(20n, 100, 3000), seg(30n, 100, 9000)];
  const base = {
    segments,
    nowMs: 10_000,
    retentionMs: LOG_CONFIG_DEFAULTS.retentionMs,
    retentionBytes: -1,
    highWatermark: 40n,
    logStartOffset: 0n,
  };

  it('deletes nothing within limits', () => {
    expect(segmentsToDelete(base)).toEqual({ count: 0, reason: null });
  });

  it('deletes the oldest segments past retention.ms but never the active one', () => {
    expect(segmentsToDelete({ ...base, retentionMs: 7500 })).toEqual({ count: 2, reason: 'retention-ms' });
    expect(segmentsToDelete({ ...base, retentionMs: 0 })).toEqual({ count: 3, reason: 'retention-ms' });
  });

  it('deletes the oldest segments while the rest still exceed retention.bytes', () => {
    expect(segmentsToDelete({ ...base, retentionBytes: 250 })).toEqual({ count: 1, reason: 'retention-bytes' });
    expect(segmentsToDelete({ ...base, retentionBytes: 200 })).toEqual({ count: 2, reason: 'retention-bytes' });
    expect(segmentsToDelete({ ...base, retentionBytes: 0 })).toEqual({ count: 3, reason: 'retention-bytes' });
  });

  it('keeps segments holding data at or above the high watermark', () => {
    expect(segmentsToDelete({ ...base, retentionMs: 0, highWatermark: 15n })).toEqual({ count: 1, reason: 'retention-ms' });
  });

  it('deletes segments wholly below the log start offset', () => {
    expect(segmentsToDelete({ ...base, logStartOffset: 25n })).toEqual({ count: 2, reason: 'log-start-offset' });
  });
});
