// Produce (key 0): appends each partition's record set to the log it leads here. v2 batches are
// stored as received (the log checks lengths, CRC and size and patches offsets in place: no record
// is decoded); magic 0/1 message sets of old producers (v0-v2, sarama's defaults) are up-converted
// to one v2 batch first. acks=0 gets no response, and a failure then closes the connection so the
// producer refreshes its metadata (Kafka's behaviour); acks=1 answers after the append; acks=-1
// waits (delayed-operations) until the high watermark passes the records or timeoutMs ends.
// Produce never creates topics: an unknown one is UNKNOWN_TOPIC_OR_PARTITION, as in Kafka.

import { BatchAttribute, BatchField, CURRENT_MAGIC, LOG_OVERHEAD_BYTES } from '../../protocol/batch-header';
import {
  CompressionType,
  ErrorCode,
  KafkaError,
  magicAt,
  ProduceRequest,
  ProduceResponseInput,
  upConvertMessageSet,
} from '../../protocol';
import { DelayedOperation } from '../../replication/delayed-operations';
import { partitionKey } from '../../replication/replica-manager';
import { BrokerContext, CloseConnection, Handler, HandlerOutcome, NO_RESPONSE } from '../context';
import { errorCodeFor, isUnexpected } from '../errors';

type PartitionResult = {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
};
type TopicResult = { name: string; partitionResponses: PartitionResult[] };

/** Produce versions that carry v2 batches only; older ones carry legacy message sets. */
const RECORD_BATCH_FIRST_VERSION = 3;
/** zstd needs Produce v7 (Kafka answers UNSUPPORTED_COMPRESSION_TYPE below). */
const ZSTD_FIRST_VERSION = 7;
const VALID_ACKS: ReadonlySet<number> = new Set([-1, 0, 1]);

interface Waiting {
  readonly topic: string;
  readonly result: PartitionResult;
  readonly lastOffset: bigint;
}

export const handleProduce: Handler<'Produce'> = (request, rc, b) => {
  const acks = request.acks;
  if (!VALID_ACKS.has(acks)) return allFailed(request, ErrorCode.INVALID_REQUIRED_ACKS);
  const responses: TopicResult[] = [];
  const waiting: Waiting[] = [];
  let failure: string | null = null;
  for (const topic of request.topicData) {
    const partitionResponses: PartitionResult[] = [];
    for (const p of topic.partitionData) {
      const result = appendPartition(b, topic.name, p.index, p.records, acks, rc.apiVersion);
      partitionResponses.push(result.response);
      if (result.response.errorCode !== ErrorCode.NONE)
        failure ??= `${topic.name}-${p.index}: ${result.message}`;
      else if (acks === -1)
        waiting.push({ topic: topic.name, result: result.response, lastOffset: result.lastOffset });
    }
    responses.push({ name: topic.name, partitionResponses });
  }
  if (acks === 0)
    return failure === null ? NO_RESPONSE : new CloseConnection(`acks=0 produce failed: ${failure}`);
  if (waiting.length === 0 || settleWaiting(b, waiting)) return { responses };
  return waitForReplicas(b, responses, waiting, request.timeoutMs);
};

function allFailed(request: ProduceRequest, errorCode: number): ProduceResponseInput {
  return {
    responses: request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1n })),
    })),
  };
}

interface PartitionAppend {
  response: PartitionResult;
  lastOffset: bigint;
  message: string;
}

function appendPartition(
  b: BrokerContext,
  topic: string,
  partition: number,
  records: Buffer | null,
  acks: number,
  version: number,
): PartitionAppend {
  try {
    const batches = storableBatches(records, version);
    const r = b.replicas.appendRecords(topic, partition, batches, acks);
    return {
      response: {
        index: partition,
        errorCode: ErrorCode.NONE,
        baseOffset: r.baseOffset,
        logAppendTimeMs: r.logAppendTimeMs,
        logStartOffset: r.logStartOffset,
      },
      lastOffset: r.lastOffset,
      message: '',
    };
  } catch (e) {
    if (isUnexpected(e))
      b.logger.error(`append to ${topic}-${partition} failed: ${(e as Error).stack ?? String(e)}`);
    const response = {
      index: partition,
      errorCode: errorCodeFor(e),
      baseOffset: -1n,
      logAppendTimeMs: -1n,
      logStartOffset: -1n,
    };
    return { response, lastOffset: -1n, message: (e as Error).message };
  }
}

/**
 * The record set as the log stores it: v2 batches as they are (after a header-only walk for the
 * codec rules), legacy message sets up-converted.
 */
function storableBatches(records: Buffer | null, version: number): Buffer {
  if (records === null || records.length === 0)
    throw new KafkaError('INVALID_RECORD', 'produce request without records');
  const magic = magicAt(records);
  if (magic === CURRENT_MAGIC) {
    checkCodecs(records, version);
    return records;
  }
  if ((magic === 0 || magic === 1) && version < RECORD_BATCH_FIRST_VERSION)
    return upConvertMessageSet(records);
  throw new KafkaError('INVALID_RECORD', `Produce v${version} may not carry records of magic ${magic}`);
}

/** Per batch header: a known codec, and zstd only from Produce v7. No record is touched. */
function checkCodecs(records: Buffer, version: number): void {
  for (let at = 0; at + BatchField.Attributes + 2 <= records.length; ) {
    const codec = records.readInt16BE(at + BatchField.Attributes) & BatchAttribute.CompressionMask;
    if (codec > CompressionType.Zstd)
      throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', `compression type ${codec}`);
    if (codec === CompressionType.Zstd && version < ZSTD_FIRST_VERSION) {
      throw new KafkaError(
        'UNSUPPORTED_COMPRESSION_TYPE',
        `zstd needs Produce v${ZSTD_FIRST_VERSION}, got v${version}`,
      );
    }
    const length = records.readInt32BE(at + BatchField.BatchLength);
    if (length <= 0) return; // the log reports the broken length
    at += LOG_OVERHEAD_BYTES + length;
  }
}

/** True when no partition is still waiting for replicas; failures are written into the results. */
function settleWaiting(b: BrokerContext, waiting: readonly Waiting[]): boolean {
  let pending = false;
  for (const w of waiting) {
    if (w.result.errorCode !== ErrorCode.NONE) continue;
    const outcome = b.replicas.acksAllOutcome(w.topic, w.result.index, w.lastOffset);
    if (outcome === 'waiting') pending = true;
    else if (outcome !== 'done') w.result.errorCode = ErrorCode[outcome];
  }
  return !pending;
}

/** acks=-1: the response leaves once every waiting partition is replicated, failed or timed out. */
function waitForReplicas(
  b: BrokerContext,
  responses: TopicResult[],
  waiting: Waiting[],
  timeoutMs: number,
): Promise<HandlerOutcome<'Produce'>> {
  return new Promise((resolve) => {
    const settle = (): boolean => settleWaiting(b, waiting);
    const op: DelayedOperation = {
      keys: waiting.map((w) => partitionKey(w.topic, w.result.index)),
      tryComplete: settle,
      onComplete: (expired) => {
        if (expired && !settle()) {
          for (const w of waiting) {
            if (b.replicas.acksAllOutcome(w.topic, w.result.index, w.lastOffset) === 'waiting') {
              w.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
            }
          }
        }
        resolve({ responses });
      },
    };
    b.delayed.tryCompleteElseWatch(op, timeoutMs);
  });
}
