// Settings of the storage layer: LogConfig (Kafka's per-topic log configs) and LogManagerConfig (the
// broker-level log.* keys), with Kafka's defaults as named constants. Plain data and checks; no I/O.

import { ConfigError } from '../../../shared/src';
import { MESSAGE_BYTES_MAX } from '../limits';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** Kafka's Long.MAX_VALUE for the "never" settings (flush.messages, flush.ms), as a safe JS integer. */
export const NEVER = Number.MAX_SAFE_INTEGER;

/** segment.bytes / log.segment.bytes. */
export const SEGMENT_BYTES_DEFAULT = 1_073_741_824;
/** Kafka's lower bound for segment.bytes (a legacy v0 record overhead). */
export const SEGMENT_BYTES_MIN = 14;
/** File positions in the offset index are int32, so a segment never exceeds this. */
export const SEGMENT_BYTES_MAX = 2_147_483_647;
/** segment.ms / log.roll.hours = 168. */
export const SEGMENT_MS_DEFAULT = 604_800_000;
/** segment.index.bytes / log.index.size.max.bytes. */
export const SEGMENT_INDEX_BYTES_DEFAULT = 10_485_760;
/** One time-index entry: an index smaller than this could never hold anything. */
export const SEGMENT_INDEX_BYTES_MIN = 12;
/** index.interval.bytes / log.index.interval.bytes. */
export const INDEX_INTERVAL_BYTES_DEFAULT = 4096;
/** retention.ms / log.retention.hours = 168; -1 keeps data forever. */
export const RETENTION_MS_DEFAULT = 604_800_000;
/** retention.bytes / log.retention.bytes, per partition; -1 = no size limit. */
export const RETENTION_BYTES_DEFAULT = -1;
/** flush.messages / log.flush.interval.messages: no fsync per append, as Kafka. */
export const FLUSH_INTERVAL_MESSAGES_DEFAULT = NEVER;
/** flush.ms / log.flush.interval.ms. */
export const FLUSH_INTERVAL_MS_DEFAULT = NEVER;
export const MESSAGE_TIMESTAMP_TYPE_DEFAULT: TimestampType = 'CreateTime';

/** log.retention.check.interval.ms. */
export const RETENTION_CHECK_INTERVAL_MS_DEFAULT = 300_000;
/** log.flush.offset.checkpoint.interval.ms. */
export const RECOVERY_POINT_CHECKPOINT_INTERVAL_MS_DEFAULT = 60_000;
/** log.flush.start.offset.checkpoint.interval.ms. */
export const LOG_START_OFFSET_CHECKPOINT_INTERVAL_MS_DEFAULT = 60_000;
/** replica.high.watermark.checkpoint.interval.ms. */
export const HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS_DEFAULT = 5_000;

export interface LogConfig {
  readonly segmentBytes: number;
  readonly segmentMs: number;
  /** -1 = infinite. */
  readonly retentionMs: number;
  /** -1 = infinite. */
  readonly retentionBytes: number;
  readonly indexIntervalBytes: number;
  readonly segmentIndexBytes: number;
  readonly flushIntervalMessages: number;
  readonly flushIntervalMs: number;
  readonly messageTimestampType: TimestampType;
  /** max.message.bytes: the largest batch a producer may append. */
  readonly maxMessageBytes: number;
}

export const LOG_CONFIG_DEFAULTS: LogConfig = Object.freeze({
  segmentBytes: SEGMENT_BYTES_DEFAULT,
  segmentMs: SEGMENT_MS_DEFAULT,
  retentionMs: RETENTION_MS_DEFAULT,
  retentionBytes: RETENTION_BYTES_DEFAULT,
  indexIntervalBytes: INDEX_INTERVAL_BYTES_DEFAULT,
  segmentIndexBytes: SEGMENT_INDEX_BYTES_DEFAULT,
  flushIntervalMessages: FLUSH_INTERVAL_MESSAGES_DEFAULT,
  flushIntervalMs: FLUSH_INTERVAL_MS_DEFAULT,
  messageTimestampType: MESSAGE_TIMESTAMP_TYPE_DEFAULT,
  maxMessageBytes: MESSAGE_BYTES_MAX,
});

/** Defaults overlaid with `overrides`, checked and frozen. Throws ConfigError naming the key. */
export function makeLogConfig(overrides: Partial<LogConfig> = {}, base: LogConfig = LOG_CONFIG_DEFAULTS): LogConfig {
  const config: LogConfig = { ...base, ...overrides };
  checkRange('segmentBytes', config.segmentBytes, SEGMENT_BYTES_MIN, SEGMENT_BYTES_MAX);
  checkRange('segmentMs', config.segmentMs, 1, NEVER);
  checkRange('retentionMs', config.retentionMs, -1, NEVER);
  checkRange('retentionBytes', config.retentionBytes, -1, NEVER);
  checkRange('indexIntervalBytes', config.indexIntervalBytes, 0, SEGMENT_BYTES_MAX);
  checkRange('segmentIndexBytes', config.segmentIndexBytes, SEGMENT_INDEX_BYTES_MIN, SEGMENT_BYTES_MAX);
  checkRange('flushIntervalMessages', config.flushIntervalMessages, 1, NEVER);
  checkRange('flushIntervalMs', config.flushIntervalMs, 0, NEVER);
  checkRange('maxMessageBytes', config.maxMessageBytes, 0, SEGMENT_BYTES_MAX);
  if (config.messageTimestampType !== 'CreateTime' && config.messageTimestampType !== 'LogAppendTime') {
    const got = String(config.messageTimestampType);
    throw new ConfigError(`messageTimestampType must be CreateTime or LogAppendTime, got ${got}`);
  }
  return Object.freeze(config);
}

export interface LogManagerConfig {
  readonly logDirs: readonly string[];
  readonly brokerId: number;
  /** Written to meta.properties when given; checked against an existing one. */
  readonly clusterId?: string;
  readonly retentionCheckIntervalMs: number;
  /** How often flush.ms is checked (log.flush.scheduler.interval.ms); NEVER disables time-based flush. */
  readonly flushCheckIntervalMs: number;
  readonly recoveryPointCheckpointIntervalMs: number;
  readonly logStartOffsetCheckpointIntervalMs: number;
  readonly highWatermarkCheckpointIntervalMs: number;
  /** Config of every partition log unless `topicConfig` overrides keys for a topic. */
  readonly defaultLogConfig: LogConfig;
}

export type LogManagerConfigInput = Pick<LogManagerConfig, 'logDirs' | 'brokerId'> & Partial<LogManagerConfig>;

export function makeLogManagerConfig(input: LogManagerConfigInput): LogManagerConfig {
  if (input.logDirs.length === 0) throw new ConfigError('log.dirs must name at least one directory');
  const defaultLogConfig = input.defaultLogConfig ?? LOG_CONFIG_DEFAULTS;
  const config: LogManagerConfig = {
    retentionCheckIntervalMs: RETENTION_CHECK_INTERVAL_MS_DEFAULT,
    flushCheckIntervalMs: defaultLogConfig.flushIntervalMs,
    recoveryPointCheckpointIntervalMs: RECOVERY_POINT_CHECKPOINT_INTERVAL_MS_DEFAULT,
    logStartOffsetCheckpointIntervalMs: LOG_START_OFFSET_CHECKPOINT_INTERVAL_MS_DEFAULT,
    highWatermarkCheckpointIntervalMs: HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS_DEFAULT,
    ...input,
    defaultLogConfig,
  };
  checkRange('brokerId', config.brokerId, 0, 2_147_483_647);
  checkRange('retentionCheckIntervalMs', config.retentionCheckIntervalMs, 1, NEVER);
  checkRange('flushCheckIntervalMs', config.flushCheckIntervalMs, 1, NEVER);
  checkRange('recoveryPointCheckpointIntervalMs', config.recoveryPointCheckpointIntervalMs, 1, NEVER);
  checkRange('logStartOffsetCheckpointIntervalMs', config.logStartOffsetCheckpointIntervalMs, 1, NEVER);
  checkRange('highWatermarkCheckpointIntervalMs', config.highWatermarkCheckpointIntervalMs, 1, NEVER);
  return Object.freeze(config);
}

function checkRange(key: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}
