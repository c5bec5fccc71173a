// The one place request handlers turn failures into wire error codes: KafkaError carries its own,
// a storage LogError is named after the Kafka error it stands for, a codec failure inside a record
// set is a corrupt message; anything else is UNKNOWN_SERVER_ERROR and gets logged by the caller.

import { CodecError } from '../../../shared/src';
import { LogError } from '../log';
import { ErrorCode, KafkaError } from '../protocol';

export function errorCodeFor(e: unknown): number {
  if (e instanceof KafkaError) return e.errorCode;
  if (e instanceof LogError) {
    const code = (ErrorCode as Record<string, number>)[e.code];
    return code ?? ErrorCode.UNKNOWN_SERVER_ERROR;
  }
  if (e instanceof CodecError) return ErrorCode.CORRUPT_MESSAGE;
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** True for failures that are bugs or outages rather than expected outcomes (worth a log line). */
export function isUnexpected(e: unknown): boolean {
  return (
    !(e instanceof KafkaError || e instanceof LogError || e instanceof CodecError) ||
    errorCodeFor(e) === ErrorCode.UNKNOWN_SERVER_ERROR
  );
}

/** A message for the response's errorMessage field. */
export function errorMessageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
