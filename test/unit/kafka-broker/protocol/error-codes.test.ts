// Kafka's error table and KafkaError.

import { BaseError } from '../../../../shared/src';
import {
  ERRORS,
  ErrorCode,
  KafkaError,
  errorByCode,
  errorCodeOf,
  errorName,
  isRetriable,
} from '../../../../kafka-broker/src/protocol/error-codes';

test("codes the broker uses have Kafka's numbers", () => {
  expect([
    ErrorCode.NONE,
    ErrorCode.UNKNOWN_SERVER_ERROR,
    ErrorCode.OFFSET_OUT_OF_RANGE,
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ]).toEqual([0, -1, 1, 6]);
  expect([ErrorCode.UNSUPPORTED_VERSION, ErrorCode.MEMBER_ID_REQUIRED, ErrorCode.INVALID_RECORD]).toEqual([
    35, 79, 87,
  ]);
});

test("retriable follows Kafka's exception classes", () => {
  expect(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe(true);
  expect(isRetriable(ErrorCode.LEADER_NOT_AVAILABLE)).toBe(true);
  expect(isRetriable(ErrorCode.OFFSET_OUT_OF_RANGE)).toBe(false);
  expect(isRetriable(ErrorCode.TOPIC_ALREADY_EXISTS)).toBe(false);
  expect(isRetriable(12345)).toBe(false);
});

test('codes and names are unique', () => {
  expect(new Set(ERRORS.map((e) => e.code)).size).toBe(ERRORS.length);
  expect(new Set(ERRORS.map((e) => e.name)).size).toBe(ERRORS.length);
  expect(errorByCode(3)?.name).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  expect(errorName(9999)).toBe('UNKNOWN(9999)');
});

test('KafkaError carries the wire code; anything else maps to UNKNOWN_SERVER_ERROR', () => {
  const e = new KafkaError('NOT_COORDINATOR', 'group g lives elsewhere');
  expect(e).toBeInstanceOf(BaseError);
  expect([e.code, e.errorCode, e.retriable, e.message]).toEqual([
    'NOT_COORDINATOR',
    16,
    true,
    'group g lives elsewhere',
  ]);
  expect(errorCodeOf(e)).toBe(16);
  expect(errorCodeOf(new Error('bug'))).toBe(-1);
});
