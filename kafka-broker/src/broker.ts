// The composition root of the broker: config -> ZooKeeper session (chroot created when missing,
// persistent paths, cluster id, broker id) -> log manager -> replica manager, metadata cache,
// controller, topic manager, group coordinator, producer ids, dispatcher -> listeners bound ->
// registration in /brokers/ids -> metadata loaded -> controller election -> group coordinator
// started -> background tasks. Everything is built here from the frozen config and passed down;
// nothing else creates a ZooKeeper client or a listener.
//
// A lost ZooKeeper session (expiry) is replaced by a new one: registration, metadata watches and
// the controller election are redone in it while the logs keep serving. stop() is the clean
// shutdown: listeners closed, waiting requests answered, controller given up, logs closed with
// their clean-shutdown marker, registration removed, session closed.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clock, ConfigError, Logger, parseProperties, SystemClock, ZkClient } from '../../shared/src';
import { BrokerContext } from './api/context';
import { Dispatcher } from './api/dispatcher';
import { HANDLERS } from './api/handlers';
import {
  deregisterBroker,
  ensureClusterId,
  ensurePersistentPaths,
  generateBrokerId,
  registerBroker,
} from './cluster/broker-registration';
import { Controller } from './cluster/controller';
import { MetadataCache } from './cluster/metadata-cache';
import { applyTopicConfigs } from './cluster/topic-config';
import { TopicManager } from './cluster/topic-manager';
import { BrokerConfig, Endpoint, parseBrokerConfig } from './config/broker-config';
import { GroupCoordinator } from './coordinator/group-coordinator';
import { ZkOffsetStore } from './coordinator/offset-store';
import { ProducerIdManager } from './coordinator/producer-ids';
import { LogManager, makeLogConfig, makeLogManagerConfig } from './log';
import { KafkaListener } from './network/kafka-listener';
import { DelayedOperations } from './replication/delayed-operations';
import { ReplicaManager } from './replication/replica-manager';

/** Delay between attempts to open a new ZooKeeper session after the old one expired. */
export const ZK_RECONNECT_DELAY_MS = 1000;
const SUPPORTED_SECURITY_PROTOCOL = 'PLAINTEXT';
const META_PROPERTIES_FILE = 'meta.properties';
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['', '0.0.0.0', '::']);

export interface BrokerOptions {
  readonly clock?: Clock;
  /** Uniform integer in [0, n) for replica placement. */
  readonly randomInt?: (n: number) => number;
}

interface Services {
  readonly logManager: LogManager;
  readonly cache: MetadataCache;
  readonly delayed: DelayedOperations;
  readonly replicas: ReplicaManager;
  readonly controller: Controller;
  readonly topics: TopicManager;
  readonly groups: GroupCoordinator;
  readonly producerIds: ProducerIdManager;
}

export class Broker {
  private zk: ZkClient | null = null;
  private services: Services | null = null;
  private listeners: KafkaListener[] = [];
  private advertised: Endpoint[] = [];
  private brokerIdValue = -1;
  private clusterIdValue = '';
  private stopping = false;
  private reconnecting = false;
  private readonly clock: Clock;
  private readonly logger: Logger;

  private constructor(
    readonly config: BrokerConfig,
    logger: Logger,
    private readonly options: BrokerOptions,
  ) {
    this.clock = options.clock ?? new SystemClock();
    this.logger = logger;
  }

  /** Starts a broker; resolves once it is registered, has loaded the cluster metadata and serves. */
  static async start(config: BrokerConfig, logger: Logger, options: BrokerOptions = {}): Promise<Broker> {
    checkListeners(config);
    const broker = new Broker(config, logger, options);
    try {
      await broker.startUp();
    } catch (e) {
      await broker.stop();
      throw e;
    }
    return broker;
  }

  get brokerId(): number {
    return this.brokerIdValue;
  }

  get clusterId(): string {
    return this.clusterIdValue;
  }

  /** The endpoints registered in ZooKeeper (bound ports filled in). */
  get endpoints(): readonly Endpoint[] {
    return this.advertised;
  }

  private async startUp(): Promise<void> {
    const zk = await this.connectZooKeeper();
    this.zk = zk;
    await ensurePersistentPaths(zk);
    this.clusterIdValue = await ensureClusterId(zk);
    this.brokerIdValue =
      this.config.brokerId >= 0
        ? this.config.brokerId
        : (storedBrokerId(this.config.logDirs) ?? (await generateBrokerId(zk)));
    const services = this.buildServices();
    this.services = services;
    const dispatcher = new Dispatcher(HANDLERS, this.brokerContext(services), this.logger);
    const bound = await this.bindListeners(dispatcher);
    this.advertised = advertisedEndpoints(this.config, bound);
    await this.joinCluster(zk, services);
    this.warnAboutStrayLogs(services);
    services.logManager.startBackgroundTasks();
    const where = this.advertised.map((e) => `${e.listenerName}://${e.host}:${e.port}`).join(', ');
    this.logger.info(
      `[KafkaServer id=${this.brokerIdValue}] started; listening on ${where} (cluster ${this.clusterIdValue})`,
    );
  }

  private buildServices(): Services {
    const c = this.config;
    const clock = this.clock;
    const logger = this.logger;
    const cache = new MetadataCache(clock, logger);
    const topicOverrides = (topic: string) => applyTopicConfigs(cache.topicConfig(topic) ?? {});
    const logManager = LogManager.open({
      config: this.logManagerConfig(),
      clock,
      logger,
      topicConfig: (t) => topicOverrides(t).log,
    });
    const delayed = new DelayedOperations(clock);
    const brokerId = this.brokerIdValue;
    const minInsyncReplicas = (t: string): number =>
      topicOverrides(t).minInsyncReplicas ?? c.minInsyncReplicas;
    const replicas = new ReplicaManager({
      brokerId,
      logManager,
      cache,
      delayed,
      minInsyncReplicas,
      clock,
      logger,
    });
    const controller = new Controller({
      brokerId,
      deleteTopicEnable: c.deleteTopicEnable,
      cache,
      clock,
      logger,
    });
    const topics = new TopicManager({
      cache,
      defaultPartitions: c.numPartitions,
      defaultReplicationFactor: c.defaultReplicationFactor,
      deleteTopicEnable: c.deleteTopicEnable,
      zk: () => this.requireZk(),
      randomInt: this.options.randomInt ?? ((n) => Math.floor(Math.random() * n)),
      logger,
    });
    const { groups, producerIds } = this.buildCoordinators(cache);
    return { logManager, cache, delayed, replicas, controller, topics, groups, producerIds };
  }

  /** The group coordinator (offsets and members in ZooKeeper) and the producer id blocks. */
  private buildCoordinators(cache: MetadataCache): Pick<Services, 'groups' | 'producerIds'> {
    const c = this.config;
    const zk = (): ZkClient => this.requireZk();
    const operationTimeoutMs = c.zookeeperSessionTimeoutMs;
    const store = new ZkOffsetStore({
      zk,
      partitionCount: (t) => cache.partitionCount(t),
      operationTimeoutMs,
      clock: this.clock,
      logger: this.logger,
    });
    const groups = new GroupCoordinator({
      brokerId: this.brokerIdValue,
      limits: {
        minSessionTimeoutMs: c.groupMinSessionTimeoutMs,
        maxSessionTimeoutMs: c.groupMaxSessionTimeoutMs,
        initialRebalanceDelayMs: c.groupInitialRebalanceDelayMs,
      },
      liveBrokerIds: () => [...cache.liveBrokerIds()],
      store,
      clock: this.clock,
      logger: this.logger,
    });
    cache.addListener({ onBrokersChanged: () => groups.onBrokersChanged() });
    const producerIds = new ProducerIdManager({
      brokerId: this.brokerIdValue,
      zk,
      operationTimeoutMs,
      clock: this.clock,
      logger: this.logger,
    });
    return { groups, producerIds };
  }

  private logManagerConfig(): ReturnType<typeof makeLogManagerConfig> {
    const c = this.config;
    const defaultLogConfig = makeLogConfig({
      segmentBytes: c.logSegmentBytes,
      segmentMs: c.logRollMs,
      retentionMs: c.logRetentionMs,
      retentionBytes: c.logRetentionBytes,
      indexIntervalBytes: c.logIndexIntervalBytes,
      segmentIndexBytes: c.logIndexSizeMaxBytes,
      flushIntervalMessages: c.logFlushIntervalMessages,
      flushIntervalMs: c.logFlushIntervalMs,
      messageTimestampType: c.logMessageTimestampType,
      maxMessageBytes: c.messageMaxBytes,
    });
    return makeLogManagerConfig({
      logDirs: c.logDirs,
      brokerId: this.brokerIdValue,
      clusterId: this.clusterIdValue,
      retentionCheckIntervalMs: c.logRetentionCheckIntervalMs,
      defaultLogConfig,
    });
  }

  private brokerContext(s: Services): BrokerContext {
    return {
      brokerId: this.brokerIdValue,
      clusterId: this.clusterIdValue,
      config: this.config,
      kafkaDefaults: parseBrokerConfig('zookeeper.connect=localhost:2181', '(Kafka defaults)'),
      cache: s.cache,
      replicas: s.replicas,
      topics: s.topics,
      controller: s.controller,
      groups: s.groups,
      producerIds: s.producerIds,
      delayed: s.delayed,
      clock: this.clock,
      logger: this.logger,
    };
  }

  private async bindListeners(dispatcher: Dispatcher): Promise<Map<string, number>> {
    const bound = new Map<string, number>();
    for (const endpoint of this.config.listeners) {
      const listener = new KafkaListener(
        { endpoint, requestBytesMax: this.config.socketRequestMaxBytes },
        dispatcher,
        this.logger,
      );
      this.listeners.push(listener);
      const address = await listener.listen();
      bound.set(endpoint.listenerName, address.port);
      this.logger.info(`listener ${endpoint.listenerName} bound to ${address.host}:${address.port}`);
    }
    return bound;
  }

  /** Registration, metadata and controller election in a (new) session. */
  private async joinCluster(zk: ZkClient, s: Services): Promise<void> {
    await registerBroker(zk, {
      brokerId: this.brokerIdValue,
      endpoints: this.advertised,
      rack: null,
      staleWaitMs: this.config.zookeeperSessionTimeoutMs + this.config.zookeeperConnectionTimeoutMs,
      clock: this.clock,
      logger: this.logger,
    });
    await s.cache.start(zk);
    await s.controller.start(zk);
    s.groups.start();
  }

  private warnAboutStrayLogs(s: Services): void {
    const stray = s.replicas.strayLogs();
    if (stray.length > 0) {
      this.logger.warn(`logs of topics unknown to ZooKeeper are kept but not served: ${stray.join(', ')}`);
    }
  }

  private requireZk(): ZkClient {
    if (this.zk === null) throw new ConfigError('no ZooKeeper session at the moment; retry');
    return this.zk;
  }

  // ---- ZooKeeper sessions -----------------------------------------------------------------------

  private async connectZooKeeper(): Promise<ZkClient> {
    const c = this.config;
    const { servers, chroot } = splitChroot(c.zookeeperConnect);
    const options = {
      sessionTimeoutMs: c.zookeeperSessionTimeoutMs,
      connectTimeoutMs: c.zookeeperConnectionTimeoutMs,
    };
    if (chroot !== null) {
      const root = await ZkClient.connect(servers, options);
      try {
        await root.mkdirp(chroot);
      } finally {
        root.close();
      }
    }
    const zk = await ZkClient.connect(c.zookeeperConnect, {
      ...options,
      onExpired: () => void this.replaceSession(),
    });
    this.logger.info(`connected to ZooKeeper at ${c.zookeeperConnect} (session 0x${zk.sessionId})`);
    return zk;
  }

  /** The session expired: its ephemerals are gone, so registration and election start over. */
  private async replaceSession(): Promise<void> {
    const s = this.services;
    if (this.stopping || this.reconnecting || s === null) return;
    this.reconnecting = true;
    this.logger.warn('ZooKeeper session expired; opening a new one and registering again');
    s.controller.stop();
    s.cache.stop();
    this.zk?.close();
    this.zk = null;
    while (!this.stopping) {
      let zk: ZkClient | null = null;
      try {
        zk = await this.connectZooKeeper();
        this.zk = zk;
        await ensurePersistentPaths(zk);
        await this.joinCluster(zk, s);
        break;
      } catch (e) {
        this.logger.error(`rejoining the cluster failed, retrying: ${(e as Error).message}`);
        zk?.close();
        this.zk = null;
        await new Promise((resolve) => this.clock.setTimer(ZK_RECONNECT_DELAY_MS, () => resolve(undefined)));
      }
    }
    this.reconnecting = false;
  }

  // ---- shutdown ---------------------------------------------------------------------------------

  /** Clean shutdown; safe to call more than once and after a failed start. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info(`[KafkaServer id=${this.brokerIdValue}] shutting down`);
    await Promise.all(this.listeners.map((l) => l.close()));
    const s = this.services;
    const zk = this.zk;
    if (s !== null) {
      s.delayed.expireAll();
      await s.groups.shutdown();
      if (zk !== null) await s.controller.resign();
      s.controller.stop();
      s.cache.close();
      await s.logManager.close();
    }
    if (zk !== null) {
      await deregisterBroker(zk, this.brokerIdValue).catch((e: unknown) => {
        this.logger.warn(`could not remove the registration: ${(e as Error).message}`);
      });
      zk.close();
    }
    this.zk = null;
    this.logger.info(`[KafkaServer id=${this.brokerIdValue}] shut down completed`);
  }
}

function checkListeners(config: BrokerConfig): void {
  for (const e of config.listeners) {
    if (e.securityProtocol !== SUPPORTED_SECURITY_PROTOCOL) {
      throw new ConfigError(
        `${config.source}: listener ${e.listenerName}: only ${SUPPORTED_SECURITY_PROTOCOL} listeners are supported`,
      );
    }
  }
  for (const e of config.advertisedListeners) {
    if (!config.listeners.some((l) => l.listenerName === e.listenerName)) {
      throw new ConfigError(
        `${config.source}: advertised.listeners names ${e.listenerName}, which listeners lacks`,
      );
    }
  }
}

/** What clients are told: advertised.listeners (or listeners), with bound ports and a real host name. */
export function advertisedEndpoints(
  config: BrokerConfig,
  boundPorts: ReadonlyMap<string, number>,
): Endpoint[] {
  return config.advertisedListeners.map((e) => ({
    ...e,
    host: WILDCARD_HOSTS.has(e.host) ? os.hostname() : e.host,
    port: e.port === 0 ? (boundPorts.get(e.listenerName) ?? 0) : e.port,
  }));
}

/** `host:port,host:port/chroot` -> servers and chroot (null when none or "/"). */
export function splitChroot(connect: string): { servers: string; chroot: string | null } {
  const slash = connect.indexOf('/');
  if (slash < 0) return { servers: connect, chroot: null };
  const chroot = connect.slice(slash).replace(/\/+$/, '');
  return { servers: connect.slice(0, slash), chroot: chroot === '' ? null : chroot };
}

/** broker.id stored in meta.properties of a log dir (for broker.id=-1 restarts), if any. */
function storedBrokerId(logDirs: readonly string[]): number | undefined {
  for (const dir of logDirs) {
    let text: string;
    try {
      text = readFileSync(path.join(dir, META_PROPERTIES_FILE), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new ConfigError(`cannot read ${path.join(dir, META_PROPERTIES_FILE)}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const entry = parseProperties(text).find((e) => e.key === 'broker.id');
    const id = Number(entry?.value);
    if (entry !== undefined && Number.isInteger(id) && id >= 0) return id;
  }
  return undefined;
}
