// What request handlers see: the broker's services (BrokerContext, built once by the composition
// root) and the request at hand (RequestContext), plus the shape of a handler and its outcomes.
// Handlers never touch sockets; the connection turns outcomes into frames or silence.

import { Clock, Logger } from '../../../shared/src';
import { Controller } from '../cluster/controller';
import { MetadataCache } from '../cluster/metadata-cache';
import { TopicManager } from '../cluster/topic-manager';
import { BrokerConfig } from '../config/broker-config';
import { GroupCoordinator } from '../coordinator/group-coordinator';
import { ProducerIdManager } from '../coordinator/producer-ids';
import { ApiName, RequestBody, RequestHeader, ResponseBodyInput } from '../protocol';
import { DelayedOperations } from '../replication/delayed-operations';
import { ReplicaManager } from '../replication/replica-manager';

export interface BrokerContext {
  readonly brokerId: number;
  readonly clusterId: string;
  readonly config: BrokerConfig;
  /** BrokerConfig with nothing but Kafka's defaults: tells DescribeConfigs what was changed. */
  readonly kafkaDefaults: BrokerConfig;
  readonly cache: MetadataCache;
  readonly replicas: ReplicaManager;
  readonly topics: TopicManager;
  readonly controller: Controller;
  /** Consumer groups this broker coordinates, with their offsets in ZooKeeper. */
  readonly groups: GroupCoordinator;
  /** Producer ids for InitProducerId. */
  readonly producerIds: ProducerIdManager;
  readonly delayed: DelayedOperations;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RequestContext {
  readonly apiVersion: number;
  readonly header: RequestHeader;
  /** The listener the request came in on: Metadata answers with that listener's endpoints. */
  readonly listenerName: string;
  readonly clientAddress: string;
}

/** Produce with acks=0: nothing goes back. */
export const NO_RESPONSE = Symbol('no-response');

/** Kafka closes the connection instead of answering (acks=0 produce that failed). */
export class CloseConnection {
  constructor(readonly reason: string) {}
}

export type HandlerOutcome<N extends ApiName> = ResponseBodyInput<N> | typeof NO_RESPONSE | CloseConnection;

export type Handler<N extends ApiName> = (
  request: RequestBody<N>,
  rc: RequestContext,
  broker: BrokerContext,
) => HandlerOutcome<N> | Promise<HandlerOutcome<N>>;

export type HandlerTable = { readonly [N in ApiName]: Handler<N> };
