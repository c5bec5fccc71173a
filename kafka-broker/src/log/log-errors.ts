// The expected failures of the storage layer. Each code is the name of the Kafka error the request
// handlers answer with (mapped to wire codes in the protocol error table), except the internal
// UNEXPECTED_APPEND_OFFSET that the replica fetcher handles itself.

import { BaseError } from '../../../shared/src';

export type LogErrorCode =
  | 'OFFSET_OUT_OF_RANGE'
  | 'CORRUPT_MESSAGE'
  | 'INVALID_RECORD'
  | 'MESSAGE_TOO_LARGE'
  | 'RECORD_LIST_TOO_LARGE'
  | 'UNSUPPORTED_FOR_MESSAGE_FORMAT'
  | 'KAFKA_STORAGE_ERROR'
  | 'TOPIC_ALREADY_EXISTS'
  | 'INVALID_TOPIC_EXCEPTION'
  | 'INVALID_PARTITIONS'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'UNEXPECTED_APPEND_OFFSET';

export class LogError extends BaseError {
  declare readonly code: LogErrorCode;
  constructor(code: LogErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Wraps a failed file system call: the log directory is unusable (Kafka's KafkaStorageException). */
export function storageError(what: string, cause: unknown): LogError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new LogError('KAFKA_STORAGE_ERROR', `${what}: ${detail}`, { cause });
}
