// When a partition log rolls a new segment and which old segments retention deletes, as Kafka
// decides them (LogSegment.shouldRoll, UnifiedLog.deleteOldSegments). Pure: the partition log passes
// in the numbers and carries out the decision.

import { LogConfig } from './log-config';
import { RELATIVE_OFFSET_MAX } from './batch-scan';

export type RollReason = 'size' | 'time' | 'offset-index-full' | 'time-index-full' | 'offset-overflow';

export interface ActiveSegmentState {
  readonly baseOffset: bigint;
  readonly sizeBytes: number;
  /** maxTimestamp of the segment's first batch, -1 when unknown (empty, or no timestamps). */
  readonly firstBatchTimestampMs: number;
  readonly createdMs: number;
  readonly offsetIndexFull: boolean;
  readonly timeIndexFull: boolean;
}

export interface IncomingAppend {
  readonly bytes: number;
  /** Largest timestamp of the incoming batches (the append time for LogAppendTime logs). */
  readonly maxTimestampMs: number;
  readonly lastOffset: bigint;
  readonly nowMs: number;
}

/** Why the active segment must roll before `incoming` is appended, or null to append to it. */
export function rollReason(
  segment: ActiveSegmentState,
  incoming: IncomingAppend,
  config: LogConfig,
): RollReason | null {
  if (segment.sizeBytes > config.segmentBytes - incoming.bytes) return 'size';
  if (segment.sizeBytes > 0 && timeWaitedForRollMs(segment, incoming) > config.segmentMs) return 'time';
  if (segment.offsetIndexFull) return 'offset-index-full';
  if (segment.timeIndexFull) return 'time-index-full';
  if (incoming.lastOffset - segment.baseOffset > BigInt(RELATIVE_OFFSET_MAX)) return 'offset-overflow';
  return null;
}

/** Age of the segment as Kafka measures it: record time when batches carry timestamps, else wall time. */
function timeWaitedForRollMs(segment: ActiveSegmentState, incoming: IncomingAppend): number {
  if (segment.firstBatchTimestampMs >= 0) return incoming.maxTimestampMs - segment.firstBatchTimestampMs;
  return incoming.nowMs - segment.createdMs;
}

export interface SegmentSummary {
  readonly baseOffset: bigint;
  readonly sizeBytes: number;
  /** Largest batch timestamp, or the file's modification time when no batch carries one. */
  readonly largestTimestampMs: number;
}

export interface RetentionInput {
  /** Oldest first; the last one is the active segment and is never deleted. */
  readonly segments: readonly SegmentSummary[];
  readonly nowMs: number;
  readonly retentionMs: number;
  readonly retentionBytes: number;
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
}

export type RetentionReason = 'retention-ms' | 'retention-bytes' | 'log-start-offset';

export interface RetentionDecision {
  /** How many of the oldest segments to delete. */
  readonly count: number;
  readonly reason: RetentionReason | null;
}

/**
 * Time, then size, then log start offset, each extending the deleted prefix. A segment may go only
 * when it lies wholly below the high watermark (the next segment starts at or before it).
 */
export function segmentsToDelete(input: RetentionInput): RetentionDecision {
  let count = 0;
  let reason: RetentionReason | null = null;
  const expired = (s: SegmentSummary): boolean =>
    input.retentionMs >= 0 && input.nowMs - s.largestTimestampMs > input.retentionMs;
  const byTime = prefixWhile(input, expired);
  if (byTime > count) [count, reason] = [byTime, 'retention-ms'];
  const bySize = prefixBySize(input);
  if (bySize > count) [count, reason] = [bySize, 'retention-bytes'];
  const byStart = prefixWhile(input, (_s, next) => next.baseOffset <= input.logStartOffset);
  if (byStart > count) [count, reason] = [byStart, 'log-start-offset'];
  return { count, reason };
}

function prefixWhile(input: RetentionInput, predicate: (s: SegmentSummary, next: SegmentSummary) => boolean): number {
  let n = 0;
  while (n < input.segments.length - 1) {
    const next = input.segments[n + 1]!;
    if (next.baseOffset > input.highWatermark || !predicate(input.segments[n]!, next)) break;
    n++;
  }
  return n;
}

function prefixBySize(input: RetentionInput): number {
  if (input.retentionBytes < 0) return 0;
  let excess = -input.retentionBytes;
  for (const s of input.segments) excess += s.sizeBytes;
  return prefixWhile(input, (s) => {
    if (excess - s.sizeBytes < 0) return false;
    excess -= s.sizeBytes;
    return true;
  });
}
