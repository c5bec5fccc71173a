// Topic-level configs (the keys of /config/topics/T and of CreateTopics), declared once: Kafka's
// name, the broker setting that supplies the default, how the text maps onto the log's LogConfig
// (when the storage layer applies it), and a check. CreateTopics validation, DescribeConfigs and
// the log manager's per-topic overrides are all derived from this table. Pure: no I/O.

import { BrokerConfig } from '../config/broker-config';
import { LogConfig, TimestampType } from '../log';

/** DescribeConfigs ConfigSource values (Kafka's DescribeConfigsResponse.ConfigSource). */
export const ConfigSource = Object.freeze({
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const);

/** DescribeConfigs v3+ ConfigType values. */
const ConfigType = Object.freeze({
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
});

export interface TopicConfigKey {
  readonly name: string;
  /** The broker key whose value is the default (synonym), if any. */
  readonly brokerKey: string | null;
  readonly type: number;
  readonly doc: string;
  /** The default as Kafka prints it, from the broker config. */
  brokerDefault(config: BrokerConfig): string;
  /** Throws an Error naming what is wrong; returns the LogConfig fields it sets (none when not applied). */
  parse(value: string): Partial<Writable<LogConfig>> & { minInsyncReplicas?: number };
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

function long(raw: string, min: number): number {
  if (!/^[-+]?\d+$/.test(raw)) throw new Error(`"${raw}" is not an integer`);
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min) throw new Error(`${raw} is below the minimum ${min}`);
  return v;
}

const INT32_MAX = 2_147_483_647;

function int(raw: string, min: number): number {
  const v = long(raw, min);
  if (v > INT32_MAX) throw new Error(`${raw} is above the maximum ${INT32_MAX}`);
  return v;
}

function oneOf(raw: string, allowed: readonly string[]): string {
  if (!allowed.includes(raw)) throw new Error(`"${raw}" is not one of ${allowed.join(', ')}`);
  return raw;
}

function key(
  name: string,
  brokerKey: string | null,
  type: number,
  doc: string,
  brokerDefault: (c: BrokerConfig) => string | number | boolean,
  parse: TopicConfigKey['parse'],
): TopicConfigKey {
  return { name, brokerKey, type, doc, brokerDefault: (c) => String(brokerDefault(c)), parse };
}

const LONG_MAX_TEXT = '9223372036854775807';
const T = ConfigType;

/** Every topic config Kafka 3.x knows; the applied ones change how the partition logs behave. */
export const TOPIC_CONFIG_KEYS: readonly TopicConfigKey[] = Object.freeze([
  key(
    'cleanup.policy',
    'log.cleanup.policy',
    T.LIST,
    'delete or compact (compaction is not performed)',
    () => 'delete',
    (v) => {
      v.split(',').forEach((p) => oneOf(p.trim(), ['delete', 'compact']));
      return {};
    },
  ),
  key(
    'compression.type',
    'compression.type',
    T.STRING,
    'codec of stored batches (batches are kept as produced)',
    () => 'producer',
    (v) => {
      oneOf(v, ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']);
      return {};
    },
  ),
  key(
    'delete.retention.ms',
    'log.cleaner.delete.retention.ms',
    T.LONG,
    'tombstone retention (compaction)',
    () => 86400000,
    (v) => (long(v, 0), {}),
  ),
  key(
    'file.delete.delay.ms',
    'log.segment.delete.delay.ms',
    T.LONG,
    'delay before a deleted segment is unlinked',
    () => 60000,
    (v) => (long(v, 0), {}),
  ),
  key(
    'flush.messages',
    'log.flush.interval.messages',
    T.LONG,
    'fsync after this many messages',
    (c) => longText(c.logFlushIntervalMessages),
    (v) => ({ flushIntervalMessages: clampLong(long(v, 1)) }),
  ),
  key(
    'flush.ms',
    'log.flush.interval.ms',
    T.LONG,
    'fsync after this many ms',
    (c) => longText(c.logFlushIntervalMs),
    (v) => ({ flushIntervalMs: clampLong(long(v, 0)) }),
  ),
  key(
    'index.interval.bytes',
    'log.index.interval.bytes',
    T.INT,
    'bytes between offset index entries',
    (c) => c.logIndexIntervalBytes,
    (v) => ({ indexIntervalBytes: int(v, 0) }),
  ),
  key(
    'max.compaction.lag.ms',
    'log.cleaner.max.compaction.lag.ms',
    T.LONG,
    'compaction lag bound',
    () => LONG_MAX_TEXT,
    (v) => (long(v, 1), {}),
  ),
  key(
    'max.message.bytes',
    'message.max.bytes',
    T.INT,
    'largest record batch accepted',
    (c) => c.messageMaxBytes,
    (v) => ({ maxMessageBytes: int(v, 0) }),
  ),
  key(
    'message.downconversion.enable',
    'log.message.downconversion.enable',
    T.BOOLEAN,
    'serve old fetch versions',
    () => true,
    (v) => (oneOf(v, ['true', 'false']), {}),
  ),
  key(
    'message.format.version',
    'log.message.format.version',
    T.STRING,
    'stored format (always v2)',
    () => '3.0-IV1',
    () => ({}),
  ),
  key(
    'message.timestamp.difference.max.ms',
    'log.message.timestamp.difference.max.ms',
    T.LONG,
    'accepted timestamp skew (not checked)',
    () => LONG_MAX_TEXT,
    (v) => (long(v, 0), {}),
  ),
  key(
    'message.timestamp.type',
    'log.message.timestamp.type',
    T.STRING,
    'CreateTime or LogAppendTime',
    (c) => c.logMessageTimestampType,
    (v) => ({ messageTimestampType: oneOf(v, ['CreateTime', 'LogAppendTime']) as TimestampType }),
  ),
  key(
    'min.cleanable.dirty.ratio',
    'log.cleaner.min.cleanable.ratio',
    T.DOUBLE,
    'compaction trigger',
    () => 0.5,
    (v) => {
      if (!/^\d*\.?\d+$/.test(v) || Number(v) > 1) throw new Error(`"${v}" is not a ratio in [0, 1]`);
      return {};
    },
  ),
  key(
    'min.compaction.lag.ms',
    'log.cleaner.min.compaction.lag.ms',
    T.LONG,
    'compaction lag',
    () => 0,
    (v) => (long(v, 0), {}),
  ),
  key(
    'min.insync.replicas',
    'min.insync.replicas',
    T.INT,
    'replicas that must have a write for acks=all',
    (c) => c.minInsyncReplicas,
    (v) => ({ minInsyncReplicas: int(v, 1) }),
  ),
  key(
    'preallocate',
    'log.preallocate',
    T.BOOLEAN,
    'preallocate segment files',
    () => false,
    (v) => (oneOf(v, ['true', 'false']), {}),
  ),
  key(
    'retention.bytes',
    'log.retention.bytes',
    T.LONG,
    'retention size per partition (-1: none)',
    (c) => c.logRetentionBytes,
    (v) => ({ retentionBytes: clampLong(long(v, -1)) }),
  ),
  key(
    'retention.ms',
    'log.retention.ms',
    T.LONG,
    'retention time (-1: forever)',
    (c) => c.logRetentionMs,
    (v) => ({ retentionMs: clampLong(long(v, -1)) }),
  ),
  key(
    'segment.bytes',
    'log.segment.bytes',
    T.INT,
    'segment size before a roll',
    (c) => c.logSegmentBytes,
    (v) => ({ segmentBytes: int(v, 14) }),
  ),
  key(
    'segment.index.bytes',
    'log.index.size.max.bytes',
    T.INT,
    'index file size',
    (c) => c.logIndexSizeMaxBytes,
    (v) => ({ segmentIndexBytes: int(v, 12) }),
  ),
  key(
    'segment.jitter.ms',
    'log.roll.jitter.ms',
    T.LONG,
    'random roll jitter (not applied)',
    () => 0,
    (v) => (long(v, 0), {}),
  ),
  key(
    'segment.ms',
    'log.roll.ms',
    T.LONG,
    'segment age before a roll',
    (c) => c.logRollMs,
    (v) => ({ segmentMs: clampLong(long(v, 1)) }),
  ),
  key(
    'unclean.leader.election.enable',
    'unclean.leader.election.enable',
    T.BOOLEAN,
    'elect out-of-sync replicas (never done)',
    () => false,
    (v) => (oneOf(v, ['true', 'false']), {}),
  ),
]);

const BY_NAME: ReadonlyMap<string, TopicConfigKey> = new Map(TOPIC_CONFIG_KEYS.map((k) => [k.name, k]));

export function topicConfigKey(name: string): TopicConfigKey | undefined {
  return BY_NAME.get(name);
}

/** Kafka prints Long.MAX_VALUE for "never"; our configs hold Number.MAX_SAFE_INTEGER for it. */
function longText(v: number): string {
  return v >= Number.MAX_SAFE_INTEGER ? LONG_MAX_TEXT : String(v);
}

function clampLong(v: number): number {
  return Math.min(v, Number.MAX_SAFE_INTEGER);
}

/**
 * Checks a set of topic configs (CreateTopics, /config/topics/T); the first problem is returned as
 * `key: reason`, nothing when all are valid.
 */
export function validateTopicConfigs(configs: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(configs)) {
    const k = BY_NAME.get(name);
    if (k === undefined) return `unknown topic config name: ${name}`;
    try {
      k.parse(value);
    } catch (e) {
      return `invalid value ${value} for configuration ${name}: ${(e as Error).message}`;
    }
  }
  return undefined;
}

export interface AppliedTopicConfig {
  readonly log: Partial<LogConfig>;
  readonly minInsyncReplicas: number | undefined;
}

/** The overrides the storage and replication layers apply; invalid entries are skipped. */
export function applyTopicConfigs(configs: Readonly<Record<string, string>>): AppliedTopicConfig {
  const log: Partial<Writable<LogConfig>> = {};
  let minInsyncReplicas: number | undefined;
  for (const [name, value] of Object.entries(configs)) {
    const k = BY_NAME.get(name);
    if (k === undefined) continue;
    try {
      const { minInsyncReplicas: isr, ...fields } = k.parse(value);
      Object.assign(log, fields);
      if (isr !== undefined) minInsyncReplicas = isr;
    } catch {
      // validated on the way in; a hand-edited bad value keeps the broker default
    }
  }
  return { log, minInsyncReplicas };
}

export interface DescribedConfig {
  readonly name: string;
  readonly value: string;
  readonly source: number;
  readonly brokerKey: string | null;
  readonly brokerValue: string;
  readonly type: number;
  readonly doc: string;
}

/**
 * The effective configs of a topic: its override (DYNAMIC_TOPIC_CONFIG) or the broker's value
 * (STATIC_BROKER_CONFIG when server.properties changed Kafka's default, else DEFAULT_CONFIG).
 */
export function describeTopicConfigs(
  overrides: Readonly<Record<string, string>>,
  broker: BrokerConfig,
  kafkaDefaults: BrokerConfig,
): DescribedConfig[] {
  return TOPIC_CONFIG_KEYS.map((k) => {
    const brokerValue = k.brokerDefault(broker);
    const staticSource =
      brokerValue === k.brokerDefault(kafkaDefaults)
        ? ConfigSource.DEFAULT_CONFIG
        : ConfigSource.STATIC_BROKER_CONFIG;
    const override = overrides[k.name];
    return {
      name: k.name,
      value: override ?? brokerValue,
      source: override !== undefined ? ConfigSource.DYNAMIC_TOPIC_CONFIG : staticSource,
      brokerKey: k.brokerKey,
      brokerValue,
      type: k.type,
      doc: k.doc,
    };
  });
}
