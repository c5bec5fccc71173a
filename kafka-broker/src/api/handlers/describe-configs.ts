// DescribeConfigs (key 32): the effective configs of topics (resource type 2: override from
// /config/topics/T, else the broker's value) and of this broker (type 4: its server.properties
// values, read-only), with their source and, when asked, synonyms. The table of topic keys is
// cluster/topic-config.ts; the broker keys shown are listed below.

import { BrokerConfig } from '../../config/broker-config';
import { ConfigSource, describeTopicConfigs, DescribedConfig } from '../../cluster/topic-config';
import { DescribeConfigsRequest, DescribeConfigsResponseInput, ErrorCode } from '../../protocol';
import { BrokerContext, Handler } from '../context';

type ResourceResult = NonNullable<DescribeConfigsResponseInput['results']>[number];
type ConfigResult = NonNullable<ResourceResult['configs']>[number];
type Resource = DescribeConfigsRequest['resources'][number];

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
const SYNONYMS_FIRST_VERSION = 1;

/** Broker keys DescribeConfigs shows, with how to read each from the parsed config. */
const BROKER_KEYS: readonly (readonly [string, (c: BrokerConfig) => string | number | boolean])[] = [
  ['broker.id', (c) => c.brokerId],
  ['listeners', (c) => c.listeners.map((e) => `${e.listenerName}://${e.host}:${e.port}`).join(',')],
  [
    'advertised.listeners',
    (c) => c.advertisedListeners.map((e) => `${e.listenerName}://${e.host}:${e.port}`).join(','),
  ],
  ['log.dirs', (c) => c.logDirs.join(',')],
  ['zookeeper.connect', (c) => c.zookeeperConnect],
  ['zookeeper.session.timeout.ms', (c) => c.zookeeperSessionTimeoutMs],
  ['num.partitions', (c) => c.numPartitions],
  ['default.replication.factor', (c) => c.defaultReplicationFactor],
  ['auto.create.topics.enable', (c) => c.autoCreateTopicsEnable],
  ['delete.topic.enable', (c) => c.deleteTopicEnable],
  ['message.max.bytes', (c) => c.messageMaxBytes],
  ['socket.request.max.bytes', (c) => c.socketRequestMaxBytes],
  ['log.segment.bytes', (c) => c.logSegmentBytes],
  ['log.roll.ms', (c) => c.logRollMs],
  ['log.retention.ms', (c) => c.logRetentionMs],
  ['log.retention.bytes', (c) => c.logRetentionBytes],
  ['log.retention.check.interval.ms', (c) => c.logRetentionCheckIntervalMs],
  ['log.index.interval.bytes', (c) => c.logIndexIntervalBytes],
  ['log.index.size.max.bytes', (c) => c.logIndexSizeMaxBytes],
  ['log.message.timestamp.type', (c) => c.logMessageTimestampType],
  ['min.insync.replicas', (c) => c.minInsyncReplicas],
  ['replica.lag.time.max.ms', (c) => c.replicaLagTimeMaxMs],
  ['group.initial.rebalance.delay.ms', (c) => c.groupInitialRebalanceDelayMs],
  ['group.min.session.timeout.ms', (c) => c.groupMinSessionTimeoutMs],
  ['group.max.session.timeout.ms', (c) => c.groupMaxSessionTimeoutMs],
];

export const handleDescribeConfigs: Handler<'DescribeConfigs'> = (request, rc, b) => ({
  throttleTimeMs: 0,
  results: request.resources.map((r) => describeResource(b, r, rc.apiVersion, request.includeSynonyms)),
});

function describeResource(b: BrokerContext, r: Resource, version: number, synonyms: boolean): ResourceResult {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  const fail = (errorCode: number, errorMessage: string): ResourceResult => ({
    ...base,
    errorCode,
    errorMessage,
    configs: [],
  });
  let entries: DescribedConfig[];
  if (r.resourceType === RESOURCE_TOPIC) {
    const overrides = b.cache.topicConfig(r.resourceName);
    if (overrides === undefined)
      return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${r.resourceName} does not exist`);
    entries = describeTopicConfigs(overrides, b.config, b.kafkaDefaults);
  } else if (r.resourceType === RESOURCE_BROKER) {
    if (r.resourceName !== '' && r.resourceName !== String(b.brokerId)) {
      return fail(
        ErrorCode.INVALID_REQUEST,
        `Unexpected broker id, expected ${b.brokerId} or empty string, but received ${r.resourceName}`,
      );
    }
    entries = describeBroker(b);
  } else {
    return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType}`);
  }
  const wanted = r.configurationKeys === null ? null : new Set(r.configurationKeys);
  const configs = entries
    .filter((e) => wanted === null || wanted.has(e.name))
    .map((e) => configResult(e, r.resourceType, version, synonyms));
  return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
}

function describeBroker(b: BrokerContext): DescribedConfig[] {
  return BROKER_KEYS.map(([name, read]) => {
    const value = String(read(b.config));
    const source =
      value === String(read(b.kafkaDefaults))
        ? ConfigSource.DEFAULT_CONFIG
        : ConfigSource.STATIC_BROKER_CONFIG;
    return { name, value, source, brokerKey: null, brokerValue: value, type: 0, doc: '' };
  });
}

function configResult(
  e: DescribedConfig,
  resourceType: number,
  version: number,
  withSynonyms: boolean,
): ConfigResult {
  const result: ConfigResult = {
    name: e.name,
    value: e.value,
    readOnly: resourceType === RESOURCE_BROKER,
    configSource: e.source,
    isSensitive: false,
  };
  if (version < SYNONYMS_FIRST_VERSION)
    result.isDefault =
      e.source === ConfigSource.DEFAULT_CONFIG ||
      (resourceType === RESOURCE_TOPIC && e.source !== ConfigSource.DYNAMIC_TOPIC_CONFIG);
  if (withSynonyms && version >= SYNONYMS_FIRST_VERSION) result.synonyms = synonymsOf(e);
  return result;
}

function synonymsOf(e: DescribedConfig): NonNullable<ConfigResult['synonyms']> {
  const out: NonNullable<ConfigResult['synonyms']> = [];
  if (e.source === ConfigSource.DYNAMIC_TOPIC_CONFIG)
    out.push({ name: e.name, value: e.value, source: e.source });
  if (e.brokerKey !== null) {
    const source = e.source === ConfigSource.DYNAMIC_TOPIC_CONFIG ? ConfigSource.DEFAULT_CONFIG : e.source;
    out.push({ name: e.brokerKey, value: e.brokerValue, source });
  } else if (e.source !== ConfigSource.DYNAMIC_TOPIC_CONFIG)
    out.push({ name: e.name, value: e.value, source: e.source });
  return out;
}
