// A small Kafka client on the broker's own protocol schemas, for the command-line tools: bootstrap
// from a host:port list, ApiVersions on every connection (broker-connection.ts), Metadata, and
// the requests routed where Kafka routes them: Produce, Fetch and ListOffsets to partition
// leaders, CreateTopics/DeleteTopics/CreatePartitions to the controller, group APIs to the group's
// coordinator (FindCoordinator), ListGroups to every broker. Retriable errors (Kafka's retriable
// codes, lost connections, timeouts) are retried with fresh metadata until the caller's deadline.
// No background work: nothing happens between calls. The producer, consumer and group member
// built on it live in producer.ts, consumer.ts and group-member.ts.

import {
  ApiName,
  ErrorCode,
  KafkaError,
  RequestBodyInput,
  ResponseBody,
  ZERO_UUID,
  errorByCode,
  errorName,
} from '../protocol';
import { BrokerConnection, ClientError, ConnectionOptions, Endpoint } from './broker-connection';

export { ClientError } from './broker-connection';
export type { Endpoint } from './broker-connection';

export const REQUEST_TIMEOUT_MS_DEFAULT = 30_000;
export const CONNECT_TIMEOUT_MS_DEFAULT = 10_000;
export const RETRY_BACKOFF_MS_DEFAULT = 100;
/** Longest pause between two attempts of a retried operation. */
export const RETRY_BACKOFF_MS_MAX = 1_000;
/** How long an operation without its own deadline keeps retrying (Kafka's default.api.timeout.ms). */
export const API_TIMEOUT_MS_DEFAULT = 60_000;
/** ListOffsets timestamps: the log end (high watermark) and the log start. */
export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;
/** DescribeConfigs resource type of a topic, and the ConfigSource of a value nobody set. */
const RESOURCE_TYPE_TOPIC = 2;
const CONFIG_SOURCE_DEFAULT = 5;
const COORDINATOR_KEY_TYPE_GROUP = 0;
/** The node id Kafka's clients give a bootstrap server before metadata names it. */
const BOOTSTRAP_NODE_ID = -1;

export interface KafkaClientOptions {
  readonly bootstrapServers: readonly Endpoint[];
  readonly clientId: string;
  readonly requestTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly retryBackoffMs?: number;
  /** Told about conditions a person should see (a broker that cannot be reached), once each. */
  readonly onWarning?: (text: string) => void;
}

export interface BrokerNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionMetadata {
  readonly partition: number;
  readonly errorCode: number;
  /** -1 when the partition has no leader. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface TopicMetadata {
  readonly name: string;
  readonly errorCode: number;
  readonly isInternal: boolean;
  /** Only Metadata v10+ carries it. */
  readonly topicId: string | null;
  /** Sorted by partition. */
  readonly partitions: readonly PartitionMetadata[];
}

export interface ClusterMetadata {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: ReadonlyMap<number, BrokerNode>;
  readonly topics: ReadonlyMap<string, TopicMetadata>;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface NewTopic {
  readonly name: string;
  /** -1: the broker's num.partitions. */
  readonly numPartitions: number;
  /** -1: the broker's default.replication.factor. */
  readonly replicationFactor: number;
  /** Replicas of partitions 0..n-1, when given instead of counts. */
  readonly assignment?: readonly (readonly number[])[];
  readonly configs?: Readonly<Record<string, string>>;
}

/** The outcome of one item of an admin request: null when it succeeded. */
export type ItemError = { readonly errorCode: number; readonly message: string } | null;

export interface ConfigEntry {
  readonly name: string;
  readonly value: string | null;
  readonly isDefault: boolean;
  readonly readOnly: boolean;
  readonly isSensitive: boolean;
}

export interface FetchRequestPartition extends TopicPartition {
  readonly offset: bigint;
}

export interface FetchOptions {
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly partitionMaxBytes: number;
  /** 0 read_uncommitted, 1 read_committed. */
  readonly isolationLevel: number;
}

export interface FetchedPartition extends TopicPartition {
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
  readonly records: Buffer | null;
}

export interface ProducePartition extends TopicPartition {
  readonly records: Buffer;
}

export interface ProducedPartition extends TopicPartition {
  readonly errorCode: number;
  readonly baseOffset: bigint;
  readonly errorMessage: string | null;
}

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
}

/** Kafka's name of an error code with its usual sentence, e.g. "UNKNOWN_TOPIC_OR_PARTITION". */
export function errorText(errorCode: number, message?: string | null): string {
  return message ? `${errorName(errorCode)}: ${message}` : errorName(errorCode);
}

/**
 * A KafkaError for a wire code (UNKNOWN_SERVER_ERROR for codes the table lacks); the message is
 * the context followed by the error's name.
 */
export function kafkaErrorOf(errorCode: number, context?: string | null): KafkaError {
  const name = errorByCode(errorCode)?.name;
  const known = name === undefined || name === 'NONE' ? 'UNKNOWN_SERVER_ERROR' : name;
  const message = context ? (context.includes(known) ? context : `${context}: ${known}`) : known;
  return new KafkaError(known, message);
}

/** Whether another attempt may succeed: a retriable Kafka error, a lost connection or a timeout. */
export function isRetriableError(e: unknown): boolean {
  if (e instanceof KafkaError) return e.retriable;
  return e instanceof ClientError && (e.code === 'CONNECTION' || e.code === 'TIMEOUT');
}

/** "h1:p1,h2:p2" -> endpoints; throws Error naming the bad entry. */
export function parseEndpoints(list: string): Endpoint[] {
  const out: Endpoint[] = [];
  for (const raw of list.split(',')) {
    const item = raw.trim();
    const m = /^(\[[^\]]+\]|[^:\s]+):(\d+)$/.exec(item);
    const port = m === null ? NaN : Number(m[2]);
    if (m === null || port <= 0 || port > 65535) throw new Error(`"${item}" is not host:port`);
    out.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return out;
}

export const topicPartitionKey = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class KafkaClient {
  private readonly connectionOptions: ConnectionOptions;
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  private readonly coordinators = new Map<string, BrokerNode>();
  private readonly warned = new Set<string>();
  private current: ClusterMetadata = {
    clusterId: null,
    controllerId: -1,
    brokers: new Map(),
    topics: new Map(),
  };
  private closed = false;

  private constructor(private readonly o: KafkaClientOptions) {
    this.connectionOptions = {
      clientId: o.clientId,
      connectTimeoutMs: o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS_DEFAULT,
      requestTimeoutMs: o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT,
    };
  }

  /**
   * Connects to the first bootstrap server that answers and loads the cluster's metadata, trying
   * them in turn until `deadlineMs` (an absolute Date.now() time) passes.
   */
  static async connect(
    o: KafkaClientOptions,
    deadlineMs = Date.now() + API_TIMEOUT_MS_DEFAULT,
  ): Promise<KafkaClient> {
    if (o.bootstrapServers.length === 0) throw new Error('no bootstrap servers given');
    const client = new KafkaClient(o);
    try {
      await client.refreshMetadata(null, false, deadlineMs);
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** A client that connects on first use (as Kafka's producer does); connect() checks at once. */
  static create(o: KafkaClientOptions): KafkaClient {
    if (o.bootstrapServers.length === 0) throw new Error('no bootstrap servers given');
    return new KafkaClient(o);
  }

  get metadataSnapshot(): ClusterMetadata {
    return this.current;
  }

  get retryBackoffMs(): number {
    return this.o.retryBackoffMs ?? RETRY_BACKOFF_MS_DEFAULT;
  }

  close(): void {
    this.closed = true;
    for (const p of this.connections.values())
      p.then(
        (c) => c.close(),
        () => undefined,
      );
    this.connections.clear();
  }

  // ---- connections and metadata -------------------------------------------------------------

  warnOnce(key: string, text: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.o.onWarning?.(text);
  }

  private async connectionTo(endpoint: Endpoint, nodeId: number): Promise<BrokerConnection> {
    if (this.closed) throw new ClientError('CONNECTION', 'the client is closed');
    const key = `${endpoint.host}:${endpoint.port}`;
    const existing = this.connections.get(key);
    if (existing !== undefined) {
      const c = await existing.catch(() => null);
      if (c !== null && c.isOpen) return c;
      if (this.connections.get(key) === existing) this.connections.delete(key);
    }
    const opening = BrokerConnection.open(endpoint, this.connectionOptions);
    this.connections.set(key, opening);
    try {
      return await opening;
    } catch (e) {
      if (this.connections.get(key) === opening) this.connections.delete(key);
      if (e instanceof ClientError && e.code === 'CONNECTION') {
        this.warnOnce(
          `connect ${key}`,
          `Connection to node ${nodeId} (${key}) could not be established. Broker may not be available.`,
        );
      }
      throw e;
    }
  }

  /** A connection to the broker with this id (metadata is refreshed once if the id is unknown). */
  async nodeConnection(nodeId: number): Promise<BrokerConnection> {
    let node = this.current.brokers.get(nodeId);
    if (node === undefined) {
      await this.refreshMetadata(null, false);
      node = this.current.brokers.get(nodeId);
    }
    if (node === undefined)
      throw kafkaErrorOf(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the cluster metadata`);
    return this.connectionTo(node, nodeId);
  }

  /** A connection to any broker: a known one first, else the bootstrap servers in turn. */
  async anyConnection(): Promise<BrokerConnection> {
    const candidates: [Endpoint, number][] = [
      ...[...this.current.brokers.values()].map((b): [Endpoint, number] => [b, b.nodeId]),
      ...this.o.bootstrapServers.map((e): [Endpoint, number] => [e, BOOTSTRAP_NODE_ID]),
    ];
    let last: unknown;
    for (const [endpoint, nodeId] of candidates) {
      try {
        return await this.connectionTo(endpoint, nodeId);
      } catch (e) {
        last = e;
      }
    }
    throw last ?? new ClientError('CONNECTION', 'no broker to connect to');
  }

  /**
   * Metadata of `topics` (null: all topics) from any broker, retried while no broker answers.
   * Updates the broker list and the controller the client routes by. Topic errors are returned,
   * not thrown (see waitForTopics).
   */
  async refreshMetadata(
    topics: readonly string[] | null,
    allowAutoTopicCreation: boolean,
    deadlineMs = Date.now() + API_TIMEOUT_MS_DEFAULT,
  ): Promise<ClusterMetadata> {
    return this.retrying('Metadata', deadlineMs, async () => {
      const connection = await this.anyConnection();
      const version = connection.versionFor('Metadata');
      const response = await connection.request('Metadata', {
        topics: topics === null ? (version === 0 ? [] : null) : topics.map((name) => ({ name })),
        allowAutoTopicCreation,
      });
      this.current = toClusterMetadata(response, this.current, topics === null);
      return this.current;
    });
  }

  /**
   * Metadata of topics that must exist with a leader for every partition (auto-created when
   * allowed): retried while the answer is a retriable error (LEADER_NOT_AVAILABLE while a topic is
   * being created, UNKNOWN_TOPIC_OR_PARTITION) or a partition has no leader, until `deadlineMs`.
   */
  async waitForTopics(
    topics: readonly string[],
    allowAutoTopicCreation: boolean,
    deadlineMs: number,
  ): Promise<ClusterMetadata> {
    return this.retrying('Metadata', deadlineMs, async () => {
      const metadata = await this.refreshMetadata(topics, allowAutoTopicCreation, deadlineMs);
      for (const name of topics) {
        const t = metadata.topics.get(name);
        if (t === undefined)
          throw kafkaErrorOf(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} not present in metadata`);
        if (t.errorCode !== ErrorCode.NONE)
          throw kafkaErrorOf(t.errorCode, `Topic ${name}: ${errorName(t.errorCode)}`);
        if (t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)) {
          throw kafkaErrorOf(ErrorCode.LEADER_NOT_AVAILABLE, `Topic ${name} has partitions without a leader`);
        }
      }
      return metadata;
    });
  }

  /**
   * Runs `attempt` until it succeeds, fails with a non-retriable error, or `deadlineMs` passes (then
   * the last error is thrown). Metadata is refreshed between attempts after routing errors.
   */
  async retrying<T>(what: string, deadlineMs: number, attempt: () => Promise<T>): Promise<T> {
    let backoff = this.retryBackoffMs;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (!isRetriableError(e) || this.closed || Date.now() + backoff >= deadlineMs) {
          if (isRetriableError(e) && !this.closed) throw timedOut(what, e);
          throw e;
        }
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, RETRY_BACKOFF_MS_MAX);
    }
  }

  private async leaderOf(tp: TopicPartition): Promise<number> {
    const find = (): number =>
      this.current.topics.get(tp.topic)?.partitions.find((p) => p.partition === tp.partition)?.leader ?? -1;
    let leader = find();
    if (leader < 0) {
      await this.refreshMetadata([tp.topic], false);
      leader = find();
    }
    if (leader < 0)
      throw kafkaErrorOf(ErrorCode.LEADER_NOT_AVAILABLE, `no leader for ${topicPartitionKey(tp)}`);
    return leader;
  }

  /** Groups partitions by their leader's node id. */
  async byLeader<T extends TopicPartition>(items: readonly T[]): Promise<Map<number, T[]>> {
    const out = new Map<number, T[]>();
    for (const item of items) {
      const leader = await this.leaderOf(item);
      const list = out.get(leader) ?? [];
      list.push(item);
      out.set(leader, list);
    }
    return out;
  }

  private async controllerConnection(): Promise<BrokerConnection> {
    if (this.current.controllerId < 0) await this.refreshMetadata(null, false);
    if (this.current.controllerId < 0)
      throw kafkaErrorOf(ErrorCode.NOT_CONTROLLER, 'no controller known yet');
    return this.nodeConnection(this.current.controllerId);
  }

  // ---- topic administration (the controller) ------------------------------------------------

  async createTopics(
    topics: readonly NewTopic[],
    options: { timeoutMs: number; validateOnly?: boolean },
  ): Promise<Map<string, ItemError>> {
    return this.retrying(
      'CreateTopics',
      Date.now() + options.timeoutMs + API_TIMEOUT_MS_DEFAULT,
      async () => {
        const connection = await this.controllerConnection();
        const response = await connection.request(
          'CreateTopics',
          {
            topics: topics.map((t) => ({
              name: t.name,
              numPartitions: t.assignment === undefined ? t.numPartitions : -1,
              replicationFactor: t.assignment === undefined ? t.replicationFactor : -1,
              assignments: (t.assignment ?? []).map((brokerIds, partitionIndex) => ({
                partitionIndex,
                brokerIds: [...brokerIds],
              })),
              configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
            })),
            timeoutMs: options.timeoutMs,
            validateOnly: options.validateOnly ?? false,
          },
          { timeoutMs: options.timeoutMs + this.connectionOptions.requestTimeoutMs },
        );
        return this.itemResults(response.topics.map((t) => [t.name, t.errorCode, t.errorMessage ?? null]));
      },
    );
  }

  async deleteTopics(names: readonly string[], timeoutMs: number): Promise<Map<string, ItemError>> {
    return this.retrying('DeleteTopics', Date.now() + timeoutMs + API_TIMEOUT_MS_DEFAULT, async () => {
      const connection = await this.controllerConnection();
      const response = await connection.request(
        'DeleteTopics',
        { topicNames: [...names], topics: names.map((name) => ({ name, topicId: ZERO_UUID })), timeoutMs },
        { timeoutMs: timeoutMs + this.connectionOptions.requestTimeoutMs },
      );
      return this.itemResults(
        response.responses.map((r) => [r.name ?? '', r.errorCode, r.errorMessage ?? null]),
      );
    });
  }

  async createPartitions(
    items: readonly { name: string; count: number; assignment?: readonly (readonly number[])[] }[],
    options: { timeoutMs: number; validateOnly?: boolean },
  ): Promise<Map<string, ItemError>> {
    return this.retrying(
      'CreatePartitions',
      Date.now() + options.timeoutMs + API_TIMEOUT_MS_DEFAULT,
      async () => {
        const connection = await this.controllerConnection();
        const response = await connection.request(
          'CreatePartitions',
          {
            topics: items.map((i) => ({
              name: i.name,
              count: i.count,
              assignments:
                i.assignment === undefined ? null : i.assignment.map((b) => ({ brokerIds: [...b] })),
            })),
            timeoutMs: options.timeoutMs,
            validateOnly: options.validateOnly ?? false,
          },
          { timeoutMs: options.timeoutMs + this.connectionOptions.requestTimeoutMs },
        );
        return this.itemResults(response.results.map((r) => [r.name, r.errorCode, r.errorMessage ?? null]));
      },
    );
  }

  /** Per-item outcomes; NOT_CONTROLLER anywhere makes the whole request retry at the new controller. */
  private async itemResults(items: [string, number, string | null][]): Promise<Map<string, ItemError>> {
    if (items.some(([, code]) => code === ErrorCode.NOT_CONTROLLER)) {
      await this.refreshMetadata(null, false);
      throw kafkaErrorOf(ErrorCode.NOT_CONTROLLER, 'the controller moved');
    }
    return new Map(
      items.map(([name, errorCode, message]) => [
        name,
        errorCode === ErrorCode.NONE ? null : { errorCode, message: message ?? errorName(errorCode) },
      ]),
    );
  }

  /** The configs of topics (DescribeConfigs to any broker). */
  async describeTopicConfigs(
    names: readonly string[],
  ): Promise<Map<string, { error: ItemError; entries: ConfigEntry[] }>> {
    return this.retrying('DescribeConfigs', Date.now() + API_TIMEOUT_MS_DEFAULT, async () => {
      const connection = await this.anyConnection();
      const version = connection.versionFor('DescribeConfigs');
      const response = await connection.request('DescribeConfigs', {
        resources: names.map((resourceName) => ({
          resourceType: RESOURCE_TYPE_TOPIC,
          resourceName,
          configurationKeys: null,
        })),
        includeSynonyms: false,
      });
      const out = new Map<string, { error: ItemError; entries: ConfigEntry[] }>();
      for (const r of response.results) {
        const entries = r.configs.map((c) => ({
          name: c.name,
          value: c.value,
          isDefault: version === 0 ? c.isDefault : c.configSource === CONFIG_SOURCE_DEFAULT,
          readOnly: c.readOnly,
          isSensitive: c.isSensitive,
        }));
        const error =
          r.errorCode === ErrorCode.NONE
            ? null
            : { errorCode: r.errorCode, message: r.errorMessage ?? errorName(r.errorCode) };
        out.set(r.resourceName, { error, entries });
      }
      return out;
    });
  }

  // ---- data: produce, fetch, offsets (partition leaders) ------------------------------------

  /** One Produce request to `nodeId`; null for acks=0, which gets no response. */
  async produce(
    nodeId: number,
    partitions: readonly ProducePartition[],
    options: { acks: number; timeoutMs: number },
  ): Promise<ProducedPartition[] | null> {
    const connection = await this.nodeConnection(nodeId);
    const byTopic = new Map<string, ProducePartition[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    const body = {
      transactionalId: null,
      acks: options.acks,
      timeoutMs: options.timeoutMs,
      topicData: [...byTopic].map(([name, list]) => ({
        name,
        partitionData: list.map((p) => ({ index: p.partition, records: p.records })),
      })),
    };
    if (options.acks === 0) {
      connection.sendOnly('Produce', body);
      return null;
    }
    const response = await connection.request('Produce', body, {
      timeoutMs: options.timeoutMs + this.connectionOptions.requestTimeoutMs,
    });
    return response.responses.flatMap((t) =>
      t.partitionResponses.map((p) => ({
        topic: t.name,
        partition: p.index,
        errorCode: p.errorCode,
        baseOffset: p.baseOffset,
        errorMessage: p.errorMessage ?? null,
      })),
    );
  }

  /** One Fetch request to `nodeId` for these partitions. */
  async fetch(
    nodeId: number,
    partitions: readonly FetchRequestPartition[],
    o: FetchOptions,
  ): Promise<FetchedPartition[]> {
    const connection = await this.nodeConnection(nodeId);
    const byTopic = new Map<string, FetchRequestPartition[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    const response = await connection.request(
      'Fetch',
      {
        replicaId: -1,
        maxWaitMs: o.maxWaitMs,
        minBytes: o.minBytes,
        maxBytes: o.maxBytes,
        isolationLevel: o.isolationLevel,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...byTopic].map(([topic, list]) => ({
          topic,
          partitions: list.map((p) => ({
            partition: p.partition,
            fetchOffset: p.offset,
            partitionMaxBytes: o.partitionMaxBytes,
          })),
        })),
        forgottenTopicsData: [],
        rackId: '',
      },
      { timeoutMs: o.maxWaitMs + this.connectionOptions.requestTimeoutMs },
    );
    return response.responses.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.topic,
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        highWatermark: p.highWatermark,
        logStartOffset: p.logStartOffset,
        records: p.records,
      })),
    );
  }

  /**
   * Offsets for timestamps (LATEST_TIMESTAMP, EARLIEST_TIMESTAMP or a time in ms) from each
   * partition's leader; retried until `deadlineMs`. Keys are topicPartitionKey(); -1 when the log
   * has no offset for the time.
   */
  async listOffsets(
    items: readonly (TopicPartition & { timestamp: bigint })[],
    deadlineMs = Date.now() + API_TIMEOUT_MS_DEFAULT,
    isolationLevel = 0,
  ): Promise<Map<string, bigint>> {
    return this.retrying('ListOffsets', deadlineMs, async () => {
      const out = new Map<string, bigint>();
      const groups = await this.byLeader(items);
      await Promise.all(
        [...groups].map(async ([nodeId, list]) => {
          const connection = await this.nodeConnection(nodeId);
          const version = connection.versionFor('ListOffsets');
          const byTopic = new Map<string, (TopicPartition & { timestamp: bigint })[]>();
          for (const p of list) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
          const response = await connection.request('ListOffsets', {
            replicaId: -1,
            isolationLevel,
            topics: [...byTopic].map(([name, ps]) => ({
              name,
              partitions: ps.map((p) => ({
                partitionIndex: p.partition,
                timestamp: p.timestamp,
                maxNumOffsets: 1,
              })),
            })),
          });
          for (const t of response.topics) {
            for (const p of t.partitions) {
              if (p.errorCode !== ErrorCode.NONE) {
                if (errorByCode(p.errorCode)?.retriable) await this.refreshMetadata([t.name], false);
                throw kafkaErrorOf(p.errorCode, `ListOffsets ${t.name}-${p.partitionIndex}`);
              }
              const offset = version === 0 ? (p.oldStyleOffsets[0] ?? -1n) : p.offset;
              out.set(topicPartitionKey({ topic: t.name, partition: p.partitionIndex }), offset);
            }
          }
        }),
      );
      return out;
    });
  }

  // ---- groups (the coordinator) ---------------------------------------------------------------

  /** The coordinator of a group; retries COORDINATOR_NOT_AVAILABLE until `deadlineMs`. */
  async findCoordinator(groupId: string, deadlineMs: number): Promise<BrokerNode> {
    const known = this.coordinators.get(groupId);
    if (known !== undefined) return known;
    return this.retrying('FindCoordinator', deadlineMs, async () => {
      const connection = await this.anyConnection();
      const r = await connection.request('FindCoordinator', {
        key: groupId,
        keyType: COORDINATOR_KEY_TYPE_GROUP,
        coordinatorKeys: [groupId],
      });
      const entry = r.coordinators[0] ?? r;
      if (entry.errorCode !== ErrorCode.NONE) {
        throw kafkaErrorOf(entry.errorCode, `FindCoordinator ${groupId}: ${errorName(entry.errorCode)}`);
      }
      const node: BrokerNode = { nodeId: entry.nodeId, host: entry.host, port: entry.port, rack: null };
      this.coordinators.set(groupId, node);
      return node;
    });
  }

  /** Forgets a group's coordinator (after NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE). */
  forgetCoordinator(groupId: string): void {
    this.coordinators.delete(groupId);
  }

  /** Sends a group API request to the group's coordinator; error codes in the body are the caller's. */
  async groupRequest<N extends ApiName>(
    groupId: string,
    api: N,
    body: RequestBodyInput<N>,
    deadlineMs: number,
    timeoutMs?: number,
  ): Promise<ResponseBody<N>> {
    const coordinator = await this.findCoordinator(groupId, deadlineMs);
    try {
      const connection = await this.connectionTo(coordinator, coordinator.nodeId);
      return await connection.request(api, body, timeoutMs === undefined ? {} : { timeoutMs });
    } catch (e) {
      if (isRetriableError(e)) this.forgetCoordinator(groupId);
      throw e;
    }
  }

  /** The version a group request to this group's coordinator will use. */
  async groupVersion(groupId: string, api: ApiName, deadlineMs: number): Promise<number> {
    const coordinator = await this.findCoordinator(groupId, deadlineMs);
    return (await this.connectionTo(coordinator, coordinator.nodeId)).versionFor(api);
  }

  /** Every group every broker knows (ListGroups to each broker), with the brokers' error codes. */
  async listGroups(deadlineMs: number): Promise<ListedGroup[]> {
    const metadata = await this.refreshMetadata(null, false, deadlineMs);
    const lists = await Promise.all(
      [...metadata.brokers.values()].map((b) =>
        this.retrying('ListGroups', deadlineMs, async () => {
          const r = await (
            await this.connectionTo(b, b.nodeId)
          ).request('ListGroups', { statesFilter: [], typesFilter: [] });
          if (r.errorCode !== ErrorCode.NONE)
            throw kafkaErrorOf(r.errorCode, `ListGroups on broker ${b.nodeId}`);
          return r.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType }));
        }),
      ),
    );
    return lists.flat();
  }
}

function timedOut(what: string, cause: unknown): Error {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ClientError('DEADLINE', `${what} did not succeed in time: ${reason}`, { cause });
}

/** The Kafka error behind `e` (following causes), if any. */
export function kafkaErrorIn(e: unknown): KafkaError | undefined {
  for (let at: unknown = e, depth = 0; at instanceof Error && depth < 10; at = at.cause, depth++) {
    if (at instanceof KafkaError) return at;
  }
  return undefined;
}

function toClusterMetadata(
  r: ResponseBody<'Metadata'>,
  previous: ClusterMetadata,
  allTopics: boolean,
): ClusterMetadata {
  const brokers = new Map<number, BrokerNode>(
    r.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null }]),
  );
  const topics = new Map<string, TopicMetadata>(allTopics ? [] : previous.topics);
  for (const t of r.topics) {
    if (t.name === null) continue;
    topics.set(t.name, {
      name: t.name,
      errorCode: t.errorCode,
      isInternal: t.isInternal,
      topicId: t.topicId !== undefined && t.topicId !== ZERO_UUID ? t.topicId : null,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
        }))
        .sort((a, b) => a.partition - b.partition),
    });
  }
  return { clusterId: r.clusterId ?? null, controllerId: r.controllerId, brokers, topics };
}
