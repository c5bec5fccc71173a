// The broker's watched view of the cluster in ZooKeeper: live brokers (/brokers/ids), the active
// controller, topics with their assignments (/brokers/topics/T), partition leader/ISR states
// (.../partitions/P/state) and topic configs (/config/topics/T). Metadata requests, routing of
// produce/fetch and the controller read it; the replica manager follows its events to lead or stop
// hosting partitions. It is rebuilt from scratch in each ZooKeeper session (start()/stop()), and
// reports removals only by comparing whole children lists, so a reload never invents a deletion.
// Never writes to ZooKeeper.

import { Clock, Logger, ZkClient } from '../../../shared/src';
import { Endpoint } from '../config/broker-config';
import { LeaderAndIsr } from '../replication/partition-state';
import {
  BrokerRegistrationJson,
  ControllerJson,
  PartitionStateJson,
  TopicAssignmentJson,
  TopicConfigJson,
  ZkPaths,
} from './zk-paths';
import { NodeData, WatchHandle, WatchScope } from './zk-watch';

export interface BrokerInfo {
  readonly id: number;
  readonly rack: string | null;
  readonly endpoints: readonly Endpoint[];
  /** czxid of the registration znode: Kafka's broker epoch. */
  readonly epoch: bigint;
}

export interface PartitionMetadata {
  readonly partition: number;
  /** Assigned replicas, preferred leader first. */
  readonly replicas: readonly number[];
  /** Null until the controller has written the state znode. */
  readonly state: LeaderAndIsr | null;
}

export interface TopicMetadata {
  readonly name: string;
  /** Index = partition id (assignments are contiguous from 0). */
  readonly partitions: readonly PartitionMetadata[];
  /** Version of /brokers/topics/T, for conditional assignment updates. */
  readonly zkVersion: number;
  /** /config/topics/T overrides, values as strings. */
  readonly config: Readonly<Record<string, string>>;
}

/** What the cache tells its followers. Every callback is optional and must not throw. */
export interface MetadataListener {
  onBrokersChanged?(): void;
  onControllerChanged?(controllerId: number): void;
  /** A topic appeared or its assignment (partition count) changed. */
  onTopicChanged?(topic: string): void;
  onTopicRemoved?(topic: string): void;
  onPartitionStateChanged?(topic: string, partition: number, state: LeaderAndIsr | null): void;
  onTopicConfigChanged?(topic: string): void;
}

interface TopicEntry {
  name: string;
  zkVersion: number;
  replicas: number[][];
  states: (LeaderAndIsr | null)[];
  config: Record<string, string>;
  handles: WatchHandle[];
  stateHandles: WatchHandle[];
}

interface Waiter {
  readonly predicate: () => boolean;
  readonly resolve: (held: boolean) => void;
  timer: unknown;
}

export class MetadataCache {
  private scope: WatchScope | null = null;
  private readonly brokers = new Map<number, BrokerInfo>();
  private readonly brokerHandles = new Map<number, WatchHandle>();
  private readonly topics = new Map<string, TopicEntry>();
  private controller = -1;
  private readonly listeners: MetadataListener[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly logger: Logger;

  constructor(
    private readonly clock: Clock,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'metadata-cache' });
  }

  addListener(listener: MetadataListener): void {
    this.listeners.push(listener);
  }

  // ---- reading --------------------------------------------------------------------------------------

  get controllerId(): number {
    return this.controller;
  }

  liveBrokers(): BrokerInfo[] {
    return [...this.brokers.values()].sort((a, b) => a.id - b.id);
  }

  liveBrokerIds(): Set<number> {
    return new Set(this.brokers.keys());
  }

  broker(id: number): BrokerInfo | undefined {
    return this.brokers.get(id);
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  hasTopic(name: string): boolean {
    return this.topics.has(name);
  }

  topic(name: string): TopicMetadata | undefined {
    const t = this.topics.get(name);
    if (t === undefined) return undefined;
    return {
      name: t.name,
      zkVersion: t.zkVersion,
      config: t.config,
      partitions: t.replicas.map((replicas, partition) => ({
        partition,
        replicas,
        state: t.states[partition] ?? null,
      })),
    };
  }

  partitionState(topic: string, partition: number): LeaderAndIsr | null {
    return this.topics.get(topic)?.states[partition] ?? null;
  }

  partitionCount(topic: string): number {
    return this.topics.get(topic)?.replicas.length ?? 0;
  }

  topicConfig(topic: string): Readonly<Record<string, string>> | undefined {
    return this.topics.get(topic)?.config;
  }

  /** True when every partition of every named topic has a live leader. */
  leadersKnown(topics: readonly string[]): boolean {
    return topics.every((name) => {
      const t = this.topics.get(name);
      if (t === undefined || t.replicas.length === 0) return false;
      return t.replicas.every((_r, p) => {
        const leader = t.states[p]?.leader ?? -1;
        return leader >= 0 && this.brokers.has(leader);
      });
    });
  }

  /** Resolves true as soon as `predicate` holds after a change (or now), false after timeoutMs. */
  waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = { predicate, resolve, timer: null };
      waiter.timer = this.clock.setTimer(timeoutMs, () => {
        this.waiters.delete(waiter);
        resolve(predicate());
      });
      this.waiters.add(waiter);
    });
  }

  // ---- lifecycle ------------------------------------------------------------------------------------

  /** Loads everything of this session and arms the watches; resolves once the first load is done. */
  async start(zk: ZkClient): Promise<void> {
    this.stop();
    const scope = new WatchScope(zk, this.clock, this.logger);
    this.scope = scope;
    const controller = scope.watchData(ZkPaths.controller, (node) => this.onController(node));
    const brokers = scope.watchChildren(ZkPaths.brokerIds, (ids) => this.onBrokerIds(scope, ids ?? []));
    const topics = scope.watchChildren(ZkPaths.topics, (names) => this.onTopicNames(scope, names ?? []));
    await Promise.all([controller.first, brokers.first, topics.first]);
    this.logger.info(`loaded ${this.brokers.size} broker(s) and ${this.topics.size} topic(s) from ZooKeeper`);
  }

  /** Stops following ZooKeeper (session lost or shutdown); the view stays as it was. */
  stop(): void {
    this.scope?.close();
    this.scope = null;
    for (const h of this.brokerHandles.values()) h.cancel();
    this.brokerHandles.clear();
    for (const t of this.topics.values()) {
      for (const h of [...t.handles, ...t.stateHandles]) h.cancel();
      t.handles = [];
      t.stateHandles = [];
    }
  }

  /** Ends every pending waitUntil (shutdown). */
  close(): void {
    this.stop();
    for (const w of this.waiters) {
      this.clock.clearTimer(w.timer);
      w.resolve(w.predicate());
    }
    this.waiters.clear();
  }

  // ---- watch callbacks ------------------------------------------------------------------------------

  private onController(node: NodeData | null): void {
    const json = node === null ? null : parseJson<ControllerJson>(node.data, ZkPaths.controller, this.logger);
    const id = json !== null && typeof json.brokerid === 'number' ? json.brokerid : -1;
    if (id === this.controller) return;
    this.controller = id;
    this.emit((l) => l.onControllerChanged?.(id));
  }

  private async onBrokerIds(scope: WatchScope, children: string[]): Promise<void> {
    const ids = new Set(children.map(Number).filter((n) => Number.isInteger(n) && n >= 0));
    let changed = false;
    for (const id of [...this.brokers.keys()]) {
      if (ids.has(id)) continue;
      this.brokers.delete(id);
      changed = true;
    }
    for (const [id, h] of [...this.brokerHandles]) {
      if (ids.has(id)) continue;
      h.cancel();
      this.brokerHandles.delete(id);
    }
    const firsts: Promise<void>[] = [];
    for (const id of ids) {
      if (this.brokerHandles.has(id)) continue;
      const w = scope.watchData(ZkPaths.broker(id), (node) => this.onBroker(id, node));
      this.brokerHandles.set(id, w.handle);
      firsts.push(w.first);
    }
    await Promise.all(firsts);
    if (changed) this.brokersChanged();
  }

  private onBroker(id: number, node: NodeData | null): void {
    const json =
      node === null ? null : parseJson<BrokerRegistrationJson>(node.data, ZkPaths.broker(id), this.logger);
    if (node === null || json === null) {
      if (this.brokers.delete(id)) this.brokersChanged();
      return;
    }
    this.brokers.set(id, {
      id,
      rack: typeof json.rack === 'string' ? json.rack : null,
      endpoints: parseEndpoints(json),
      epoch: node.stat.czxid,
    });
    this.brokersChanged();
  }

  private brokersChanged(): void {
    this.emit((l) => l.onBrokersChanged?.());
  }

  private async onTopicNames(scope: WatchScope, names: string[]): Promise<void> {
    const present = new Set(names);
    for (const name of [...this.topics.keys()]) if (!present.has(name)) this.removeTopic(name);
    const firsts: Promise<void>[] = [];
    for (const name of names) {
      const known = this.topics.get(name);
      if (known !== undefined && known.handles.length > 0) continue;
      firsts.push(this.watchTopic(scope, name));
    }
    await Promise.all(firsts);
  }

  private async watchTopic(scope: WatchScope, name: string): Promise<void> {
    const entry: TopicEntry = this.topics.get(name) ?? {
      name,
      zkVersion: -1,
      replicas: [],
      states: [],
      config: {},
      handles: [],
      stateHandles: [],
    };
    entry.handles = [];
    entry.stateHandles = [];
    this.topics.set(name, entry);
    const config = scope.watchData(ZkPaths.configTopic(name), (node) => this.onTopicConfig(entry, node));
    const assignment = scope.watchData(ZkPaths.topic(name), (node) => this.onAssignment(scope, entry, node));
    entry.handles.push(config.handle, assignment.handle);
    await Promise.all([config.first, assignment.first]);
  }

  private removeTopic(name: string): void {
    const entry = this.topics.get(name);
    if (entry === undefined) return;
    for (const h of [...entry.handles, ...entry.stateHandles]) h.cancel();
    this.topics.delete(name);
    this.logger.info(`topic ${name} is gone from ZooKeeper`);
    this.emit((l) => l.onTopicRemoved?.(name));
  }

  private onTopicConfig(entry: TopicEntry, node: NodeData | null): void {
    const json =
      node === null
        ? null
        : parseJson<TopicConfigJson>(node.data, ZkPaths.configTopic(entry.name), this.logger);
    const config: Record<string, string> = {};
    if (json !== null && typeof json.config === 'object' && json.config !== null) {
      for (const [k, v] of Object.entries(json.config)) if (typeof v === 'string') config[k] = v;
    }
    if (sameRecord(config, entry.config)) return;
    entry.config = config;
    if (this.topics.get(entry.name) === entry) this.emit((l) => l.onTopicConfigChanged?.(entry.name));
  }

  private async onAssignment(scope: WatchScope, entry: TopicEntry, node: NodeData | null): Promise<void> {
    if (node === null) return; // deletion shows up in the children of /brokers/topics
    const json = parseJson<TopicAssignmentJson>(node.data, ZkPaths.topic(entry.name), this.logger);
    const replicas = json === null ? null : parseAssignment(json);
    if (replicas === null) {
      this.logger.warn(`ignoring malformed assignment of topic ${entry.name}`);
      return;
    }
    entry.zkVersion = node.stat.version;
    const firsts: Promise<void>[] = [];
    for (let p = entry.stateHandles.length; p < replicas.length; p++) {
      const w = scope.watchData(ZkPaths.partitionState(entry.name, p), (n) =>
        this.onPartitionState(entry, p, n),
      );
      entry.stateHandles.push(w.handle);
      firsts.push(w.first);
    }
    entry.replicas = replicas;
    entry.states = entry.states.map((st, p) => (st === null ? null : { ...st, replicas: replicas[p] ?? [] }));
    await Promise.all(firsts);
    if (this.topics.get(entry.name) === entry) this.emit((l) => l.onTopicChanged?.(entry.name));
  }

  private onPartitionState(entry: TopicEntry, partition: number, node: NodeData | null): void {
    const path = ZkPaths.partitionState(entry.name, partition);
    const json = node === null ? null : parseJson<PartitionStateJson>(node.data, path, this.logger);
    const state =
      node === null || json === null
        ? null
        : toLeaderAndIsr(json, entry.replicas[partition] ?? [], node.stat.version);
    entry.states[partition] = state;
    if (this.topics.get(entry.name) !== entry) return;
    this.emit((l) => l.onPartitionStateChanged?.(entry.name, partition, state));
  }

  private emit(call: (l: MetadataListener) => void): void {
    for (const l of this.listeners) {
      try {
        call(l);
      } catch (e) {
        this.logger.error(`metadata listener failed: ${(e as Error).stack ?? String(e)}`);
      }
    }
    for (const w of [...this.waiters]) {
      if (!w.predicate()) continue;
      this.waiters.delete(w);
      this.clock.clearTimer(w.timer);
      w.resolve(true);
    }
  }
}

// ---- JSON of the znodes -----------------------------------------------------------------------------

function parseJson<T>(data: Buffer | null, path: string, logger: Logger): T | null {
  if (data === null || data.length === 0) return null;
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as T) : null;
  } catch (e) {
    logger.warn(`ignoring malformed JSON in ${path}: ${(e as Error).message}`);
    return null;
  }
}

const ENDPOINT = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/;

/** `endpoints` of a registration, with their security protocols from the listener map. */
export function parseEndpoints(json: BrokerRegistrationJson): Endpoint[] {
  const map = json.listener_security_protocol_map ?? {};
  const out: Endpoint[] = [];
  for (const uri of Array.isArray(json.endpoints) ? json.endpoints : []) {
    const m = ENDPOINT.exec(String(uri));
    if (m === null) continue;
    const listenerName = m[1]!;
    out.push({
      listenerName,
      securityProtocol: map[listenerName] ?? listenerName,
      host: m[2]!.replace(/^\[|\]$/g, ''),
      port: Number(m[3]),
    });
  }
  if (out.length === 0 && typeof json.host === 'string' && typeof json.port === 'number' && json.port >= 0) {
    out.push({ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: json.host, port: json.port });
  }
  return out;
}

/** Partition -> replicas, contiguous from 0; null when the JSON does not say that. */
export function parseAssignment(json: TopicAssignmentJson): number[][] | null {
  if (typeof json.partitions !== 'object' || json.partitions === null) return null;
  const entries = Object.entries(json.partitions);
  const out: number[][] = [];
  for (const [key, replicas] of entries) {
    const p = Number(key);
    if (!Number.isInteger(p) || p < 0 || p >= entries.length) return null;
    if (!Array.isArray(replicas) || !replicas.every((r) => Number.isInteger(r))) return null;
    out[p] = replicas;
  }
  return out.length === entries.length ? out : null;
}

export function toLeaderAndIsr(
  json: PartitionStateJson,
  replicas: readonly number[],
  zkVersion: number,
): LeaderAndIsr | null {
  if (typeof json.leader !== 'number' || typeof json.leader_epoch !== 'number' || !Array.isArray(json.isr))
    return null;
  return {
    leader: json.leader,
    leaderEpoch: json.leader_epoch,
    isr: json.isr,
    replicas,
    controllerEpoch: typeof json.controller_epoch === 'number' ? json.controller_epoch : 0,
    zkVersion,
  };
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
