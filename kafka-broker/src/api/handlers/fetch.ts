// Fetch (key 1): stored bytes of each requested partition, from the batch holding the fetch offset,
// within partitionMaxBytes and (v3+) the response's maxBytes; the first partition with data gets
// at least one whole batch. Consumers read up to the high watermark, followers (replicaId >= 0) up
// to the log end. Records are never decoded, except for Fetch < v4 whose clients get them
// down-converted to magic 0 (v0-v1) or 1 (v2-v3), and a header-only walk that refuses zstd below
// v10. When fewer than minBytes are there, the request waits (delayed-operations) until enough
// bytes are appended, leadership changes, or maxWaitMs passes. Fetch sessions (v7+) are not
// created: the reply carries session id 0 and clients keep sending full requests.

import { BatchAttribute, BatchField, LOG_OVERHEAD_BYTES } from '../../protocol/batch-header';
import {
  CompressionType,
  downConvertRecordBatches,
  ErrorCode,
  FetchRequest,
  FetchResponseInput,
  KafkaError,
} from '../../protocol';
import { DelayedOperation } from '../../replication/delayed-operations';
import { partitionKey } from '../../replication/replica-manager';
import { BrokerContext, Handler, HandlerOutcome, RequestContext } from '../context';
import { errorCodeFor, isUnexpected } from '../errors';

type TopicResult = NonNullable<FetchResponseInput['responses']>[number];
type PartitionResult = NonNullable<TopicResult['partitions']>[number];

const EMPTY = Buffer.alloc(0);
/** Fetch versions whose clients expect legacy message sets (magic 0 for v0-v1, 1 for v2-v3). */
const RECORD_BATCH_FIRST_VERSION = 4;
const MAGIC_1_FIRST_VERSION = 2;
const ZSTD_FIRST_VERSION = 10;
const RESPONSE_MAX_BYTES_FIRST_VERSION = 3;
const REPLICA_STATE_FIRST_VERSION = 15;
const READ_COMMITTED = 1;

interface FetchRead {
  readonly body: FetchResponseInput;
  readonly bytes: number;
  readonly failed: boolean;
}

export const handleFetch: Handler<'Fetch'> = (request, rc, b) => {
  if (request.sessionId !== 0) {
    return { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
  }
  const replicaId =
    rc.apiVersion >= REPLICA_STATE_FIRST_VERSION ? request.replicaState.replicaId : request.replicaId;
  const first = readAll(request, rc, b, replicaId);
  const requested = request.topics.reduce((n, t) => n + t.partitions.length, 0);
  if (first.bytes >= request.minBytes || request.maxWaitMs <= 0 || first.failed || requested === 0)
    return first.body;
  return waitForBytes(request, rc, b, replicaId, first.bytes);
};

function readAll(request: FetchRequest, rc: RequestContext, b: BrokerContext, replicaId: number): FetchRead {
  let budget = rc.apiVersion >= RESPONSE_MAX_BYTES_FIRST_VERSION ? request.maxBytes : Number.MAX_SAFE_INTEGER;
  let bytes = 0;
  let failed = false;
  const responses: TopicResult[] = request.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): PartitionResult => {
      const maxBytes = Math.max(0, Math.min(p.partitionMaxBytes, budget));
      const result = readPartition(b, rc, request, {
        topic: t.topic,
        p,
        replicaId,
        maxBytes,
        minOneBatch: bytes === 0,
      });
      const size = result.records?.length ?? 0;
      bytes += size;
      budget -= size;
      if (result.errorCode !== ErrorCode.NONE) failed = true;
      return result;
    }),
  }));
  return { body: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses }, bytes, failed };
}

interface PartitionRead {
  readonly topic: string;
  readonly p: FetchRequest['topics'][number]['partitions'][number];
  readonly replicaId: number;
  readonly maxBytes: number;
  readonly minOneBatch: boolean;
}

function readPartition(
  b: BrokerContext,
  rc: RequestContext,
  request: FetchRequest,
  { topic, p, replicaId, maxBytes, minOneBatch }: PartitionRead,
): PartitionResult {
  const aborted = request.isolationLevel === READ_COMMITTED ? [] : null;
  try {
    const opts = { replicaId, currentLeaderEpoch: p.currentLeaderEpoch, minOneBatch };
    const r = b.replicas.readRecords(topic, p.partition, p.fetchOffset, maxBytes, opts);
    return {
      partitionIndex: p.partition,
      errorCode: ErrorCode.NONE,
      highWatermark: r.highWatermark,
      lastStableOffset: r.highWatermark,
      logStartOffset: r.logStartOffset,
      abortedTransactions: aborted,
      preferredReadReplica: -1,
      records: recordsForVersion(r.records, rc.apiVersion),
    };
  } catch (e) {
    if (isUnexpected(e))
      b.logger.error(`fetch of ${topic}-${p.partition} failed: ${(e as Error).stack ?? String(e)}`);
    return {
      partitionIndex: p.partition,
      errorCode: errorCodeFor(e),
      highWatermark: -1n,
      lastStableOffset: -1n,
      logStartOffset: -1n,
      abortedTransactions: aborted,
      preferredReadReplica: -1,
      records: EMPTY,
    };
  }
}

function recordsForVersion(records: Buffer, version: number): Buffer {
  if (records.length === 0) return records;
  if (version < RECORD_BATCH_FIRST_VERSION) {
    return downConvertRecordBatches(records, version < MAGIC_1_FIRST_VERSION ? 0 : 1);
  }
  if (version < ZSTD_FIRST_VERSION) refuseZstd(records, version);
  return records;
}

/** Header-only walk: zstd batches cannot go to a Fetch < v10 client. A partial last batch is skipped. */
function refuseZstd(records: Buffer, version: number): void {
  for (let at = 0; at + BatchField.Attributes + 2 <= records.length; ) {
    const codec = records.readInt16BE(at + BatchField.Attributes) & BatchAttribute.CompressionMask;
    if (codec === CompressionType.Zstd) {
      throw new KafkaError(
        'UNSUPPORTED_COMPRESSION_TYPE',
        `zstd batches need Fetch v${ZSTD_FIRST_VERSION}, got v${version}`,
      );
    }
    at += LOG_OVERHEAD_BYTES + Math.max(0, records.readInt32BE(at + BatchField.BatchLength));
  }
}

/** minBytes not there yet: wait for appends to the requested partitions, a leadership change or maxWaitMs. */
function waitForBytes(
  request: FetchRequest,
  rc: RequestContext,
  b: BrokerContext,
  replicaId: number,
  bytesAlready: number,
): Promise<HandlerOutcome<'Fetch'>> {
  const watched = request.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.topic,
      partition: p.partition,
      bytesAtStart: b.replicas.appendedBytes(t.topic, p.partition),
      epoch: safeEpoch(b, t.topic, p.partition),
    })),
  );
  return new Promise((resolve) => {
    const op: DelayedOperation = {
      keys: watched.map((w) => partitionKey(w.topic, w.partition)),
      tryComplete: () => {
        let bytes = bytesAlready;
        for (const w of watched) {
          if (!b.replicas.leadsInEpoch(w.topic, w.partition, w.epoch)) return true;
          bytes += b.replicas.appendedBytes(w.topic, w.partition) - w.bytesAtStart;
        }
        return bytes >= request.minBytes;
      },
      onComplete: () => resolve(readAll(request, rc, b, replicaId).body),
    };
    b.delayed.tryCompleteElseWatch(op, request.maxWaitMs);
  });
}

function safeEpoch(b: BrokerContext, topic: string, partition: number): number {
  try {
    return b.replicas.leaderEpochOf(topic, partition);
  } catch {
    return -1;
  }
}
