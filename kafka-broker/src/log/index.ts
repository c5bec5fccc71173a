// Public surface of the storage layer, for request handlers, the replica manager and the broker's
// composition root. Segments, indexes and scanners stay internal.

export type { LogConfig, LogManagerConfig, LogManagerConfigInput, TimestampType } from './log-config';
export { LOG_CONFIG_DEFAULTS, NEVER, makeLogConfig, makeLogManagerConfig } from './log-config';
export type { LogErrorCode } from './log-errors';
export { LogError } from './log-errors';
export type {
  PartitionLogOptions,
  AppendOptions,
  AppendResult,
  ReadOptions,
  ReadResult,
  OffsetAndTimestamp,
} from './partition-log';
export { PartitionLog, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from './partition-log';
export type { LogManagerOptions } from './log-manager';
export { LogManager } from './log-manager';
export type { PartitionOffset } from './checkpoint-file';
export { formatCheckpoint, parseCheckpoint } from './checkpoint-file';
