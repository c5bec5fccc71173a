// Client-side helpers for the broker tests: a kafkajs client tuned for tests, reading a partition
// with kafkajs' own Fetch (its consumer needs consumer groups, which the broker does not serve yet,
// so the kafkajs cluster/broker layer is driven directly: kafkajs still negotiates versions, encodes
// the requests and decodes batches, gzip, keys and headers), reading znodes as JSON, and a raw
// protocol connection on our own codecs for wire-level checks (error codes, old versions).

import * as net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { FrameSplitter, ZkClient } from '../../shared/src';
import {
  ApiName,
  decodeResponseFrame,
  encodeRequestFrame,
  RequestBodyInput,
  ResponseBody,
} from '../../kafka-broker/src/protocol';
import { waitFor, withTimeout } from './wait-for';

// kafkajs internals used for assign-style reads (stable in kafkajs 2.x).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const KafkajsCluster = require('kafkajs/src/cluster') as new (
  options: Record<string, unknown>,
) => KafkajsClusterApi;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createLogger: createKafkajsLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger: (o: { level: number; logCreator: unknown }) => unknown;
  LEVELS: { NOTHING: number };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const defaultSocketFactory = require('kafkajs/src/network/socketFactory') as () => unknown;

interface KafkajsClusterApi {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(o: { nodeId: number }): Promise<KafkajsBrokerApi>;
}

interface KafkajsBrokerApi {
  fetch(o: {
    replicaId?: number;
    isolationLevel?: number;
    maxWaitTime?: number;
    minBytes?: number;
    maxBytes?: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: KafkajsFetchedPartition[] }[] }>;
}

interface KafkajsFetchedPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  messages: KafkajsMessage[];
}

export interface KafkajsMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | undefined>;
  timestamp: string;
}

const FETCH_PARTITION_BYTES = 1024 * 1024;
const CONSUME_TIMEOUT_MS_DEFAULT = 20_000;

export function kafkajsClient(bootstrap: string, clientId = 'broker-tests'): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/**
 * Reads `count` records of one partition from `fromOffset` with kafkajs' Fetch (latest version it
 * negotiates, v11 against this broker). Returns them in offset order.
 */
export async function fetchWithKafkajs(
  bootstrap: string,
  topic: string,
  partition: number,
  count: number,
  fromOffset = 0n,
  timeoutMs = CONSUME_TIMEOUT_MS_DEFAULT,
): Promise<KafkajsMessage[]> {
  const logger = createKafkajsLogger({ level: LEVELS.NOTHING, logCreator: () => () => undefined });
  const cluster = new KafkajsCluster({
    logger,
    socketFactory: defaultSocketFactory(),
    brokers: [bootstrap],
    clientId: 'broker-tests-fetch',
    connectionTimeout: 5000,
    retry: { retries: 5 },
    allowAutoTopicCreation: false,
    maxInFlightRequests: 1,
    metadataMaxAge: 300000,
  });
  await cluster.connect();
  try {
    await cluster.addTargetTopic(topic);
    const leader = cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition)?.leader;
    if (leader === undefined) throw new Error(`no metadata for ${topic}-${partition}`);
    const broker = await cluster.findBroker({ nodeId: leader });
    const out: KafkajsMessage[] = [];
    let offset = fromOffset;
    await waitFor(
      async () => {
        const response = await broker.fetch({
          isolationLevel: 1,
          maxWaitTime: 200,
          minBytes: 1,
          topics: [
            {
              topic,
              partitions: [{ partition, fetchOffset: offset.toString(), maxBytes: FETCH_PARTITION_BYTES }],
            },
          ],
        });
        const p = response.responses[0]?.partitions[0];
        if (p === undefined) throw new Error('empty fetch response');
        if (p.errorCode !== 0) throw new Error(`fetch error ${p.errorCode}`);
        for (const m of p.messages) {
          if (BigInt(m.offset) < offset) continue;
          out.push(m);
          offset = BigInt(m.offset) + 1n;
        }
        return out.length >= count;
      },
      { description: `${count} records of ${topic}-${partition} via kafkajs`, timeoutMs, intervalMs: 1 },
    );
    return out;
  } finally {
    await cluster.disconnect();
  }
}

/** The JSON in a znode, or null when it does not exist. */
export async function readZnodeJson<T = unknown>(zk: ZkClient, path: string): Promise<T | null> {
  const node = await zk.getDataIfExists(path);
  if (node === null || node.data === null) return null;
  return JSON.parse(node.data.toString('utf8')) as T;
}

// ---- a raw protocol client (our own codecs), for wire-level tests ------------------------------

export class RawKafkaConnection {
  private readonly splitter = new FrameSplitter(RAW_FRAME_BYTES_MAX);
  private readonly waiting: { resolve: (frame: Buffer) => void; reject: (e: Error) => void }[] = [];
  private nextCorrelationId = 1;
  private closedValue = false;
  private readonly closedPromise: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) this.waiting.shift()?.resolve(frame);
    });
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', () => {
        this.closedValue = true;
        for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed by the broker'));
        resolve();
      });
    });
    socket.on('error', () => undefined);
  }

  static connect(bootstrap: string): Promise<RawKafkaConnection> {
    const [host, port] = bootstrap.split(':');
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port: Number(port) }, () => resolve(new RawKafkaConnection(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedValue;
  }

  /** Resolves when the broker closes the connection (rejects after timeoutMs). */
  waitClosed(timeoutMs = 5000): Promise<void> {
    return withTimeout(this.closedPromise, timeoutMs, 'the broker to close the connection');
  }

  /** Sends one request and decodes its response in the same version. */
  async request<N extends ApiName>(
    api: N,
    version: number,
    body: RequestBodyInput<N>,
  ): Promise<ResponseBody<N>> {
    const frame = await this.requestFrame(
      encodeRequestFrame(api, version, this.nextCorrelationId++, 'raw-test', body),
    );
    return decodeResponseFrame(api, version, frame).body;
  }

  /** Sends bytes (a whole frame with its size) and resolves with the next response frame. */
  requestFrame(bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(bytes);
    });
  }

  /** Sends a request that gets no response (acks=0 produce). */
  sendOnly<N extends ApiName>(api: N, version: number, body: RequestBodyInput<N>): void {
    this.socket.write(encodeRequestFrame(api, version, this.nextCorrelationId++, 'raw-test', body));
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

const RAW_FRAME_BYTES_MAX = 256 * 1024 * 1024;
