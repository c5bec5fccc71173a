#!/usr/bin/env node
// null-broker: a Kafka listener that stores nothing, so that a load generator pointed at it shows
// what the generator itself reaches (the benchmark's ceiling). It answers ApiVersions, Metadata
// (every topic exists with this node as leader; a topic named `...-p<N>` has N partitions, others
// one), Produce (success, offsets counted per partition, the bytes dropped), Fetch (one batch of
// about 1 MB built at start, as librdkafka's producer batches are, served again and again with its
// base offset patched to the fetch offset), ListOffsets and FindCoordinator
// (COORDINATOR_NOT_AVAILABLE). Never touches a disk.
//
//   node dist/kafka-broker/src/bench/null-broker.js [--port 0] [--batch-records 9000] [--record-bytes 100]
// prints `null broker listening on 127.0.0.1:<port>` once bound; SIGTERM stops it.

import { createServer, Socket } from 'node:net';
import { FrameSplitter } from '../../../shared/src';
import { BatchField, LOG_OVERHEAD_BYTES, setBaseOffset } from '../protocol/batch-header';
import {
  APIS,
  ApiName,
  buildRecordBatch,
  decodeRequestFrame,
  DecodedRequest,
  encodeRecordBatch,
  encodeResponseFrame,
  ErrorCode,
  FetchRequest,
  ListOffsetsRequest,
  MetadataRequest,
  ProduceRequest,
  ResponseBodyInput,
} from '../protocol';

const HOST = '127.0.0.1';
const NODE_ID = 0;
/** Frames up to Kafka's socket.request.max.bytes default. */
const REQUEST_BYTES_MAX = 100 * 1024 * 1024;
const PARTITIONS_SUFFIX = /-p(\d+)$/;
const TOPIC_PARTITIONS_MAX = 1000;
/** The APIs a producer and an assign()-ing consumer need; nothing else is advertised. */
const SERVED: readonly ApiName[] = ['Produce', 'Fetch', 'ListOffsets', 'Metadata', 'FindCoordinator', 'ApiVersions'];

export interface NullBrokerOptions {
  readonly port: number;
  /** Records in the pre-built fetch batch. */
  readonly batchRecords: number;
  /** Value bytes of each record in it. */
  readonly recordBytes: number;
}

export class NullBroker {
  /** Next offset per `topic/partition`: Produce counts records here. */
  private readonly nextOffsets = new Map<string, bigint>();
  private readonly topics = new Set<string>();
  private readonly batch: Buffer;
  /** Per `topic/partition`, its own copy of the batch, patched for each fetch before it is encoded. */
  private readonly fetchBatches = new Map<string, Buffer>();
  private port = 0;

  constructor(options: NullBrokerOptions) {
    const value = Buffer.alloc(options.recordBytes, 0x78);
    const records = Array.from({ length: options.batchRecords }, () => ({ value }));
    this.batch = encodeRecordBatch(buildRecordBatch(records, { baseTimestamp: BigInt(Date.now()) }));
  }

  listen(port: number): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, HOST, () => {
        const address = server.address();
        this.port = typeof address === 'object' && address !== null ? address.port : 0;
        resolve(this.port);
      });
    });
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const splitter = new FrameSplitter(REQUEST_BYTES_MAX);
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = splitter.push(chunk);
      } catch (e) {
        process.stderr.write(`null broker: bad framing: ${(e as Error).message}\n`);
        socket.destroy();
        return;
      }
      if (frames.length > 1) socket.cork();
      for (const frame of frames) {
        const out = this.answer(frame);
        if (out === null) {
          socket.destroy();
          return;
        }
        if (out.length > 0) socket.write(out);
      }
      if (frames.length > 1) socket.uncork();
    });
    socket.on('error', () => socket.destroy());
  }

  /** The response frame; empty for acks=0 produce; null closes the connection. */
  private answer(frame: Buffer): Buffer | null {
    try {
      return this.decodeAndAnswer(frame);
    } catch (e) {
      process.stderr.write(`null broker: closing the connection: ${(e as Error).message}\n`);
      return null;
    }
  }

  private decodeAndAnswer(frame: Buffer): Buffer | null {
    const request = decodeRequestFrame(frame);
    if (request.kind === 'unsupported-version' && request.api === 'ApiVersions') {
      return this.respond('ApiVersions', 0, request.header.correlationId, this.apiVersions(35));
    }
    if (request.kind !== 'request' || !SERVED.includes(request.api)) {
      process.stderr.write(`null broker: closing on ${JSON.stringify({ kind: request.kind, key: request.apiKey })}\n`);
      return null;
    }
    return this.dispatch(request);
  }

  private dispatch(r: DecodedRequest): Buffer | null {
    const corr = r.header.correlationId;
    switch (r.api) {
      case 'ApiVersions':
        return this.respond(r.api, r.apiVersion, corr, this.apiVersions(ErrorCode.NONE));
      case 'Metadata':
        return this.respond(r.api, r.apiVersion, corr, this.metadata(r.body));
      case 'Produce': {
        const body = this.produce(r.body);
        return r.body.acks === 0 ? Buffer.alloc(0) : this.respond(r.api, r.apiVersion, corr, body);
      }
      case 'Fetch':
        return this.respond(r.api, r.apiVersion, corr, this.fetch(r.body, r.apiVersion));
      case 'ListOffsets':
        return this.respond(r.api, r.apiVersion, corr, this.listOffsets(r.body, r.apiVersion));
      case 'FindCoordinator':
        return this.respond(r.api, r.apiVersion, corr, {
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
          nodeId: -1,
          host: '',
          port: -1,
        });
      default:
        return null;
    }
  }

  private respond<N extends ApiName>(api: N, version: number, corr: number, body: ResponseBodyInput<N>): Buffer {
    return encodeResponseFrame(api, version, corr, body);
  }

  private apiVersions(errorCode: number): ResponseBodyInput<'ApiVersions'> {
    const apiKeys = SERVED.map((n) => ({ apiKey: APIS[n].apiKey, minVersion: APIS[n].minVersion, maxVersion: APIS[n].maxVersion }));
    apiKeys.sort((a, b) => a.apiKey - b.apiKey);
    return { errorCode, apiKeys, throttleTimeMs: 0 };
  }

  private metadata(request: MetadataRequest): ResponseBodyInput<'Metadata'> {
    const names = request.topics === null || request.topics.length === 0 ? [...this.topics] : request.topics.map((t) => t.name ?? '');
    const topics = names.map((name) => {
      this.topics.add(name);
      const partitions = Array.from({ length: partitionCount(name) }, (_, p) => ({
        errorCode: ErrorCode.NONE,
        partitionIndex: p,
        leaderId: NODE_ID,
        leaderEpoch: 0,
        replicaNodes: [NODE_ID],
        isrNodes: [NODE_ID],
        offlineReplicas: [],
      }));
      return { errorCode: ErrorCode.NONE, name, isInternal: false, partitions };
    });
    return {
      brokers: [{ nodeId: NODE_ID, host: HOST, port: this.port, rack: null }],
      clusterId: 'null-broker',
      controllerId: NODE_ID,
      topics,
    };
  }

  private produce(request: ProduceRequest): ResponseBodyInput<'Produce'> {
    const responses = request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => {
        const key = `${t.name}/${p.index}`;
        const baseOffset = this.nextOffsets.get(key) ?? 0n;
        this.nextOffsets.set(key, baseOffset + BigInt(countRecords(p.records)));
        return { index: p.index, errorCode: ErrorCode.NONE, baseOffset, logAppendTimeMs: -1n, logStartOffset: 0n };
      }),
    }));
    return { responses, throttleTimeMs: 0 };
  }

  private fetch(request: FetchRequest, version: number): ResponseBodyInput<'Fetch'> {
    let budget = version >= 3 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
    const responses = request.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const records = budget > 0 ? this.batchAt(`${t.topic}/${p.partition}`, p.fetchOffset) : Buffer.alloc(0);
        budget -= records.length;
        return {
          partitionIndex: p.partition,
          errorCode: ErrorCode.NONE,
          highWatermark: p.fetchOffset + BigInt(1_000_000_000),
          lastStableOffset: p.fetchOffset + BigInt(1_000_000_000),
          logStartOffset: 0n,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records,
        };
      }),
    }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses };
  }

  /**
   * The pre-built batch with base offset `offset`, in the partition's own buffer: the response
   * encoder copies it before the next fetch of that partition patches it again.
   */
  private batchAt(key: string, offset: bigint): Buffer {
    let batch = this.fetchBatches.get(key);
    if (batch === undefined) this.fetchBatches.set(key, (batch = Buffer.from(this.batch)));
    setBaseOffset(batch, 0, offset);
    return batch;
  }

  private listOffsets(request: ListOffsetsRequest, version: number): ResponseBodyInput<'ListOffsets'> {
    const topics = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const offset = p.timestamp === -1n ? (this.nextOffsets.get(`${t.name}/${p.partitionIndex}`) ?? 0n) : 0n;
        const found = version === 0 ? { oldStyleOffsets: [offset] } : { timestamp: -1n, offset };
        return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, ...found };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  }
}

function partitionCount(topic: string): number {
  const m = PARTITIONS_SUFFIX.exec(topic);
  return m === null ? 1 : Math.min(TOPIC_PARTITIONS_MAX, Math.max(1, Number(m[1])));
}

/** Records in a v2 record set: the sum of lastOffsetDelta + 1 over its batch headers. */
function countRecords(records: Buffer | null): number {
  if (records === null) return 0;
  let count = 0;
  for (let at = 0; at + BatchField.LastOffsetDelta + 4 <= records.length; ) {
    count += records.readInt32BE(at + BatchField.LastOffsetDelta) + 1;
    at += LOG_OVERHEAD_BYTES + records.readInt32BE(at + BatchField.BatchLength);
  }
  return count;
}

function option(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} needs a whole number`);
  return value;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const options: NullBrokerOptions = {
    port: option(args, 'port', 0),
    batchRecords: option(args, 'batch-records', 9000),
    recordBytes: option(args, 'record-bytes', 100),
  };
  const broker = new NullBroker(options);
  broker.listen(options.port).then(
    (port) => console.log(`null broker listening on ${HOST}:${port}`),
    (e: unknown) => {
      console.error(`null broker: ${(e as Error).message}`);
      process.exit(1);
    },
  );
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}
