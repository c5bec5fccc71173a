// Metadata (key 3): live brokers with their endpoints on the listener the client came in on, the
// cluster id, the controller, and per topic the partition leaders, replicas and ISR from the
// metadata cache. All topics when the list is null (v1+) or empty (v0). An unknown topic is
// auto-created when the request allows it (v4+ flag, always before) and auto.create.topics.enable
// is set; it is then reported LEADER_NOT_AVAILABLE, as Kafka does, and clients ask again.

import { BrokerInfo } from '../../cluster/metadata-cache';
import { checkTopicName } from '../../cluster/topic-manager';
import { ErrorCode, KafkaError, MetadataResponseInput } from '../../protocol';
import { BrokerContext, Handler, RequestContext } from '../context';
import { errorCodeFor, isUnexpected } from '../errors';

type TopicResult = NonNullable<MetadataResponseInput['topics']>[number];
type BrokerResult = NonNullable<MetadataResponseInput['brokers']>[number];

/** Metadata v0 has no null: an empty list means every topic. */
const EMPTY_MEANS_ALL_BEFORE_VERSION = 1;
const AUTO_CREATE_FLAG_VERSION = 4;

export const handleMetadata: Handler<'Metadata'> = async (request, rc, b) => {
  const all =
    request.topics === null ||
    (rc.apiVersion < EMPTY_MEANS_ALL_BEFORE_VERSION && request.topics.length === 0);
  const names = all ? b.cache.topicNames() : unique((request.topics ?? []).map((t) => t.name ?? ''));
  const allowAutoCreate =
    (rc.apiVersion < AUTO_CREATE_FLAG_VERSION || request.allowAutoTopicCreation) &&
    b.config.autoCreateTopicsEnable;
  const topics: TopicResult[] = [];
  for (const name of names) {
    topics.push(
      b.cache.hasTopic(name) ? topicMetadata(b, name) : await unknownTopic(b, name, allowAutoCreate),
    );
  }
  return {
    brokers: brokersFor(b, rc),
    clusterId: b.clusterId,
    controllerId: b.cache.controllerId,
    topics,
  };
};

function brokersFor(b: BrokerContext, rc: RequestContext): BrokerResult[] {
  const out: BrokerResult[] = [];
  for (const broker of b.cache.liveBrokers()) {
    const endpoint = endpointOf(broker, rc.listenerName);
    if (endpoint !== undefined)
      out.push({ nodeId: broker.id, host: endpoint.host, port: endpoint.port, rack: broker.rack });
  }
  return out;
}

function endpointOf(broker: BrokerInfo, listenerName: string): { host: string; port: number } | undefined {
  return broker.endpoints.find((e) => e.listenerName === listenerName);
}

export function topicMetadata(b: BrokerContext, name: string): TopicResult {
  const topic = b.cache.topic(name)!;
  const live = b.cache.liveBrokerIds();
  const partitions = topic.partitions.map((p) => {
    const leader = p.state !== null && live.has(p.state.leader) ? p.state.leader : -1;
    return {
      errorCode: leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: leader,
      leaderEpoch: p.state?.leaderEpoch ?? -1,
      replicaNodes: [...p.replicas],
      isrNodes: [...(p.state?.isr ?? [])],
      offlineReplicas: p.replicas.filter((id) => !live.has(id)),
    };
  });
  return { errorCode: ErrorCode.NONE, name, isInternal: false, partitions };
}

async function unknownTopic(b: BrokerContext, name: string, allowAutoCreate: boolean): Promise<TopicResult> {
  const result = (errorCode: number): TopicResult => ({ errorCode, name, isInternal: false, partitions: [] });
  try {
    checkTopicName(name, []);
  } catch (e) {
    return result(errorCodeFor(e));
  }
  if (!allowAutoCreate) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  try {
    await b.topics.autoCreateTopic(name);
    return result(ErrorCode.LEADER_NOT_AVAILABLE);
  } catch (e) {
    if (isUnexpected(e)) b.logger.warn(`auto-creation of topic ${name} failed: ${(e as Error).message}`);
    return result(e instanceof KafkaError ? e.errorCode : ErrorCode.LEADER_NOT_AVAILABLE);
  }
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
