// Idempotent producer state of a partition: sequence checks, retried batches answered with their
// first offsets, epoch fencing, producer id -1 left alone, and the rebuild from a real partition log.

import path from 'node:path';
import { silentLogger } from '../../../../shared/src';
import {
  BatchInfo,
  lastSequenceOf,
  ProducerStateTable,
  readBatchInfos,
  rebuildProducerState,
} from '../../../../kafka-broker/src/coordinator/producer-state';
import { makeLogConfig, PartitionLog } from '../../../../kafka-broker/src/log';
import { buildRecordBatch, encodeRecordBatch, KafkaError } from '../../../../kafka-broker/src/protocol';
import { makeTempDir, ManualClock, removeTempDir } from '../log/log-test-support';

function info(producerId: bigint, producerEpoch: number, baseSequence: number, count: number): BatchInfo {
  return { producerId, producerEpoch, baseSequence, offsetCount: count, baseOffset: 0n };
}

function batch(producerId: bigint, producerEpoch: number, baseSequence: number, count: number): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`v${baseSequence + i}`) }));
  return encodeRecordBatch(
    buildRecordBatch(records, { baseTimestamp: 1_000n, producerId, producerEpoch, baseSequence }),
  );
}

function errorName(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as KafkaError).code;
  }
  return 'none';
}

/** checkAppend then onAppended at `baseOffset`, as the replica manager does. */
function append(table: ProducerStateTable, batches: BatchInfo[], baseOffset: bigint): ReturnType<ProducerStateTable['checkAppend']> {
  const check = table.checkAppend(batches);
  if (check.kind === 'append') table.onAppended(batches, baseOffset);
  return check;
}

describe('sequence checks', () => {
  test('a new producer starts at sequence 0 and each batch must follow the last', () => {
    const t = new ProducerStateTable();
    expect(append(t, [info(7n, 0, 0, 3)], 0n).kind).toBe('append');
    expect(append(t, [info(7n, 0, 3, 2)], 3n).kind).toBe('append');
    expect(t.lastOf(7n)).toEqual({ epoch: 0, lastSequence: 4 });
    expect(errorName(() => t.checkAppend([info(7n, 0, 6, 1)]))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(errorName(() => t.checkAppend([info(8n, 0, 5, 1)]))).toBe('UNKNOWN_PRODUCER_ID');
  });

  test('a retried batch answers the offsets of its first append, for any of the last five', () => {
    const t = new ProducerStateTable();
    for (let i = 0; i < 6; i++) append(t, [info(7n, 0, i * 10, 10)], BigInt(100 + i * 10));
    expect(t.checkAppend([info(7n, 0, 50, 10)])).toEqual({ kind: 'duplicate', firstOffset: 150n, lastOffset: 159n });
    expect(t.checkAppend([info(7n, 0, 10, 10)])).toEqual({ kind: 'duplicate', firstOffset: 110n, lastOffset: 119n });
    // The sixth batch back is forgotten: it is just out of order now.
    expect(errorName(() => t.checkAppend([info(7n, 0, 0, 10)]))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
  });

  test('an older epoch is fenced; a newer one starts again at sequence 0', () => {
    const t = new ProducerStateTable();
    append(t, [info(7n, 3, 0, 5)], 0n);
    expect(errorName(() => t.checkAppend([info(7n, 2, 5, 1)]))).toBe('INVALID_PRODUCER_EPOCH');
    expect(errorName(() => t.checkAppend([info(7n, 4, 5, 1)]))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(append(t, [info(7n, 4, 0, 1)], 5n).kind).toBe('append');
    expect(t.lastOf(7n)).toEqual({ epoch: 4, lastSequence: 0 });
  });

  test('batches without a producer id are never checked (kafkajs sends -1/0/0, librdkafka -1/-1/-1)', () => {
    const t = new ProducerStateTable();
    expect(append(t, [info(-1n, 0, 0, 5), info(-1n, 0, 0, 5), info(-1n, -1, -1, 2)], 0n).kind).toBe('append');
    expect(t.size).toBe(0);
  });

  test('several batches of one producer in one append follow each other', () => {
    const t = new ProducerStateTable();
    expect(append(t, [info(7n, 0, 0, 2), info(-1n, 0, 0, 1), info(7n, 0, 2, 2)], 0n).kind).toBe('append');
    // Offsets: 0-1 for the first batch, 2 for the anonymous one, 3-4 for the second.
    expect(t.checkAppend([info(7n, 0, 2, 2)])).toEqual({ kind: 'duplicate', firstOffset: 3n, lastOffset: 4n });
    expect(errorName(() => t.checkAppend([info(9n, 0, 0, 1), info(9n, 0, 2, 1)]))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
  });

  test('sequences wrap from 2^31-1 to 0', () => {
    expect(lastSequenceOf(2147483646, 3)).toBe(0);
    const t = new ProducerStateTable();
    t.replay({ producerId: 7n, producerEpoch: 0, baseSequence: 2147483640, offsetCount: 8, baseOffset: 0n });
    expect(t.lastOf(7n)!.lastSequence).toBe(2147483647);
    expect(t.checkAppend([info(7n, 0, 0, 1)]).kind).toBe('append');
  });
});

describe('batch headers', () => {
  test('readBatchInfos reads producer fields of whole v2 batches and refuses anything else', () => {
    const buf = Buffer.concat([batch(5n, 1, 0, 3), batch(-1n, -1, -1, 2)]);
    expect(readBatchInfos(buf)).toEqual([
      { producerId: 5n, producerEpoch: 1, baseSequence: 0, offsetCount: 3, baseOffset: 0n },
      { producerId: -1n, producerEpoch: -1, baseSequence: -1, offsetCount: 2, baseOffset: 0n },
    ]);
    expect(readBatchInfos(buf.subarray(0, buf.length - 1))).toBeNull();
  });
});

describe('rebuilding from the log', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeTempDir(dir));

  function openLog(): PartitionLog {
    return PartitionLog.open({
      dir: path.join(dir, 't-0'),
      topic: 't',
      partition: 0,
      config: makeLogConfig({ segmentIndexBytes: 4096, segmentBytes: 4096 }),
      clock: new ManualClock(),
      logger: silentLogger(),
    });
  }

  test('finds the last batches of every producer in the log, across segments and a reopen', () => {
    const log = openLog();
    for (let i = 0; i < 40; i++) {
      log.append(batch(100n + BigInt(i % 3), 0, Math.floor(i / 3) * 4, 4));
      log.append(batch(-1n, 0, 0, 2));
    }
    expect(log.segmentCount).toBeGreaterThan(1);
    log.close();
    const reopened = openLog();
    const t = rebuildProducerState(reopened);
    expect(t.size).toBe(3);
    // Producer 100 appended batches i = 0, 3, ..., 39 (14 of them, sequences 0..55); the last at i = 39.
    expect(t.lastOf(100n)).toEqual({ epoch: 0, lastSequence: 55 });
    const lastOffsetOfI39 = 39n * 6n + 3n;
    expect(t.checkAppend([info(100n, 0, 52, 4)])).toEqual({
      kind: 'duplicate',
      firstOffset: lastOffsetOfI39 - 3n,
      lastOffset: lastOffsetOfI39,
    });
    expect(t.checkAppend([info(101n, 0, 52, 4)]).kind).toBe('append');
    reopened.close();
  });

  test('an empty log gives an empty table', () => {
    const log = openLog();
    expect(rebuildProducerState(log).size).toBe(0);
    log.close();
  });
});
