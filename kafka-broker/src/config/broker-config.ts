// server.properties -> a frozen BrokerConfig. Every key is declared once in BROKER_KEYS with its type,
// Kafka's default and one line of help; a wrong value is a ConfigError naming the key and line.
// Time keys with several units (log.retention.ms/minutes/hours, log.roll.ms/hours) resolve as Kafka
// does: the finest unit given wins.

import { readFileSync } from 'node:fs';
import { ConfigError, KeySpec, PropertyEntry, applyTable, configTypes as t, parseProperties } from '../../../shared/src';
import { MESSAGE_BYTES_MAX, SOCKET_REQUEST_BYTES_MAX } from '../limits';

const optionalInt = (opts: { min?: number; max?: number } = {}) => t.int(opts);

const BROKER_KEYS = {
  'broker.id': { parse: t.int({ min: -1 }), default: -1, doc: 'this broker\'s id (-1: generated from /brokers/seqid)' },
  listeners: { parse: t.list, default: ['PLAINTEXT://:9092'], doc: 'listener URIs, e.g. PLAINTEXT://127.0.0.1:9092' },
  'advertised.listeners': { parse: t.list, default: [] as string[], doc: 'what clients are told to connect to (default: listeners)' },
  'log.dirs': { parse: t.list, default: [] as string[], doc: 'directories for partition logs (comma list)' },
  'log.dir': { parse: t.nonEmpty, default: '/tmp/kafka-logs', doc: 'used when log.dirs is not set' },
  'num.partitions': { parse: t.int({ min: 1 }), default: 1, doc: 'partitions of an auto-created topic' },
  'default.replication.factor': { parse: t.int({ min: 1 }), default: 1, doc: 'replicas of an auto-created topic' },
  'zookeeper.connect': { parse: t.nonEmpty, doc: 'host:port[,host:port...][/chroot]' },
  'zookeeper.session.timeout.ms': { parse: t.int({ min: 1 }), default: 18000, doc: 'ZooKeeper session timeout' },
  'zookeeper.connection.timeout.ms': { parse: t.int({ min: 1 }), default: 18000, doc: 'how long to wait for ZooKeeper at start' },
  'log.segment.bytes': { parse: t.int({ min: 14 }), default: 1073741824, doc: 'segment size before a roll' },
  'log.roll.ms': { parse: optionalInt({ min: 1 }), default: 0, doc: 'segment age before a roll (overrides log.roll.hours)' },
  'log.roll.hours': { parse: t.int({ min: 1 }), default: 168, doc: 'segment age before a roll' },
  'log.retention.ms': { parse: optionalInt({ min: -1 }), default: 0, doc: 'retention time (-1: forever)' },
  'log.retention.minutes': { parse: optionalInt({ min: -1 }), default: 0, doc: 'retention time in minutes' },
  'log.retention.hours': { parse: t.int({ min: -1 }), default: 168, doc: 'retention time in hours' },
  'log.retention.bytes': { parse: t.int({ min: -1 }), default: -1, doc: 'retention size per partition (-1: none)' },
  'log.retention.check.interval.ms': { parse: t.int({ min: 1 }), default: 300000, doc: 'how often retention runs' },
  'log.index.interval.bytes': { parse: t.int({ min: 0 }), default: 4096, doc: 'bytes between offset index entries' },
  'log.index.size.max.bytes': { parse: t.int({ min: 12 }), default: 10485760, doc: 'index file size' },
  'log.flush.interval.messages': { parse: t.int({ min: 1 }), default: Number.MAX_SAFE_INTEGER, doc: 'fsync after this many messages' },
  'log.flush.interval.ms': { parse: optionalInt({ min: 0 }), default: Number.MAX_SAFE_INTEGER, doc: 'fsync after this many ms' },
  'log.message.timestamp.type': { parse: parseTimestampType, default: 'CreateTime' as const, doc: 'CreateTime or LogAppendTime' },
  'auto.create.topics.enable': { parse: t.bool, default: true, doc: 'create a topic when a client first uses it' },
  'delete.topic.enable': { parse: t.bool, default: true, doc: 'allow topic deletion' },
  'message.max.bytes': { parse: t.int({ min: 0 }), default: MESSAGE_BYTES_MAX, doc: 'largest record batch accepted' },
  'socket.request.max.bytes': { parse: t.int({ min: 1 }), default: SOCKET_REQUEST_BYTES_MAX, doc: 'largest request accepted' },
  'offsets.topic.replication.factor': { parse: t.int({ min: 1 }), default: 3, doc: 'kept for compatibility; offsets live in ZooKeeper' },
  'group.initial.rebalance.delay.ms': { parse: t.int({ min: 0 }), default: 3000, doc: 'wait for more members before the first rebalance' },
  'group.min.session.timeout.ms': { parse: t.int({ min: 0 }), default: 6000, doc: 'smallest session timeout a member may ask for' },
  'group.max.session.timeout.ms': { parse: t.int({ min: 0 }), default: 1800000, doc: 'largest session timeout a member may ask for' },
  'num.network.threads': { parse: t.int({ min: 1 }), default: 3, doc: 'accepted for compatibility; one event loop serves all' },
  'num.io.threads': { parse: t.int({ min: 1 }), default: 8, doc: 'accepted for compatibility' },
  'num.recovery.threads.per.data.dir': { parse: t.int({ min: 1 }), default: 1, doc: 'accepted for compatibility' },
  'socket.send.buffer.bytes': { parse: t.int({ min: -1 }), default: 102400, doc: 'accepted for compatibility' },
  'socket.receive.buffer.bytes': { parse: t.int({ min: -1 }), default: 102400, doc: 'accepted for compatibility' },
  'transaction.state.log.replication.factor': { parse: t.int({ min: 1 }), default: 3, doc: 'accepted for compatibility' },
  'transaction.state.log.min.isr': { parse: t.int({ min: 1 }), default: 2, doc: 'accepted for compatibility' },
  'offsets.topic.num.partitions': { parse: t.int({ min: 1 }), default: 50, doc: 'accepted for compatibility' },
  'replica.lag.time.max.ms': { parse: t.int({ min: 1 }), default: 30000, doc: 'a follower this far behind leaves the ISR' },
  'min.insync.replicas': { parse: t.int({ min: 1 }), default: 1, doc: 'replicas that must have a write for acks=all' },
} satisfies Record<string, KeySpec<unknown>>;

function parseTimestampType(raw: string): 'CreateTime' | 'LogAppendTime' {
  if (raw === 'CreateTime' || raw === 'LogAppendTime') return raw;
  throw new Error(`"${raw}" is not CreateTime or LogAppendTime`);
}

export interface Endpoint {
  readonly listenerName: string;
  readonly securityProtocol: string;
  readonly host: string;
  readonly port: number;
}

export interface BrokerConfig {
  readonly source: string;
  readonly brokerId: number;
  readonly listeners: readonly Endpoint[];
  readonly advertisedListeners: readonly Endpoint[];
  readonly logDirs: readonly string[];
  readonly numPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly zookeeperConnect: string;
  readonly zookeeperSessionTimeoutMs: number;
  readonly zookeeperConnectionTimeoutMs: number;
  readonly logSegmentBytes: number;
  readonly logRollMs: number;
  readonly logRetentionMs: number;
  readonly logRetentionBytes: number;
  readonly logRetentionCheckIntervalMs: number;
  readonly logIndexIntervalBytes: number;
  readonly logIndexSizeMaxBytes: number;
  readonly logFlushIntervalMessages: number;
  readonly logFlushIntervalMs: number;
  readonly logMessageTimestampType: 'CreateTime' | 'LogAppendTime';
  readonly autoCreateTopicsEnable: boolean;
  readonly deleteTopicEnable: boolean;
  readonly messageMaxBytes: number;
  readonly socketRequestMaxBytes: number;
  readonly groupInitialRebalanceDelayMs: number;
  readonly groupMinSessionTimeoutMs: number;
  readonly groupMaxSessionTimeoutMs: number;
  readonly replicaLagTimeMaxMs: number;
  readonly minInsyncReplicas: number;
  /** Keys not in the table (kept, reported as a warning by the broker). */
  readonly unknownKeys: readonly string[];
}

const LISTENER = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/;

function parseListener(uri: string, key: string, source: string): Endpoint {
  const m = LISTENER.exec(uri);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port < 0 || port > 65535) {
    throw new ConfigError(`${source}: invalid value for ${key}: "${uri}" is not NAME://host:port`);
  }
  return { listenerName: m[1]!, securityProtocol: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

export function parseBrokerConfig(text: string, source: string, overrides: readonly PropertyEntry[] = []): BrokerConfig {
  const entries = [...parseProperties(text), ...overrides];
  const { values: v, unknown } = applyTable(BROKER_KEYS, entries, source);
  const listeners = v.listeners.map((u) => parseListener(u, 'listeners', source));
  if (listeners.length === 0) throw new ConfigError(`${source}: invalid value for listeners: no listener given`);
  const advertised = v['advertised.listeners'].length > 0 ? v['advertised.listeners'].map((u) => parseListener(u, 'advertised.listeners', source)) : listeners;
  const given = new Set(entries.map((e) => e.key));
  const retentionMs = given.has('log.retention.ms')
    ? v['log.retention.ms']
    : given.has('log.retention.minutes')
      ? v['log.retention.minutes'] * 60_000
      : v['log.retention.hours'] * 3_600_000;
  const rollMs = given.has('log.roll.ms') ? v['log.roll.ms'] : v['log.roll.hours'] * 3_600_000;
  return Object.freeze({
    source,
    brokerId: v['broker.id'],
    listeners,
    advertisedListeners: advertised,
    logDirs: v['log.dirs'].length > 0 ? v['log.dirs'] : [v['log.dir']],
    numPartitions: v['num.partitions'],
    defaultReplicationFactor: v['default.replication.factor'],
    zookeeperConnect: v['zookeeper.connect'],
    zookeeperSessionTimeoutMs: v['zookeeper.session.timeout.ms'],
    zookeeperConnectionTimeoutMs: v['zookeeper.connection.timeout.ms'],
    logSegmentBytes: v['log.segment.bytes'],
    logRollMs: rollMs,
    logRetentionMs: retentionMs < 0 ? -1 : retentionMs,
    logRetentionBytes: v['log.retention.bytes'],
    logRetentionCheckIntervalMs: v['log.retention.check.interval.ms'],
    logIndexIntervalBytes: v['log.index.interval.bytes'],
    logIndexSizeMaxBytes: v['log.index.size.max.bytes'],
    logFlushIntervalMessages: v['log.flush.interval.messages'],
    logFlushIntervalMs: v['log.flush.interval.ms'],
    logMessageTimestampType: v['log.message.timestamp.type'],
    autoCreateTopicsEnable: v['auto.create.topics.enable'],
    deleteTopicEnable: v['delete.topic.enable'],
    messageMaxBytes: v['message.max.bytes'],
    socketRequestMaxBytes: v['socket.request.max.bytes'],
    groupInitialRebalanceDelayMs: v['group.initial.rebalance.delay.ms'],
    groupMinSessionTimeoutMs: v['group.min.session.timeout.ms'],
    groupMaxSessionTimeoutMs: v['group.max.session.timeout.ms'],
    replicaLagTimeMaxMs: v['replica.lag.time.max.ms'],
    minInsyncReplicas: v['min.insync.replicas'],
    unknownKeys: unknown.map((e) => e.key),
  });
}

export function loadBrokerConfig(path: string, overrides: readonly PropertyEntry[] = []): BrokerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseBrokerConfig(text, path, overrides);
}

/** `--override key=value` arguments as property entries (line 0: the command line). */
export function overridesFromArgs(args: readonly string[]): PropertyEntry[] {
  return args.map((a) => {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--override ${a}: expected key=value`);
    return { key: a.slice(0, eq).trim(), value: a.slice(eq + 1).trim(), line: 0 };
  });
}

export function brokerConfigHelp(): string {
  return Object.entries(BROKER_KEYS)
    .map(([key, spec]) => `  ${key.padEnd(42)} ${spec.doc}${'default' in spec ? ` (default ${JSON.stringify(spec.default)})` : ''}`)
    .join('\n');
}
