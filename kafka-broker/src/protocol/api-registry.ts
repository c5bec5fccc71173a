// The APIs this broker serves: name -> request and response schemas and the version range it
// advertises. The ApiVersions response is derived from this table and nothing else.
// The ranges are those the installed clients need (kafka.md table 2.3): capped below Kafka's
// flexible thresholds except ApiVersions v3, so librdkafka, kafka-python, sarama and kafkajs all
// stay on versions they handle, while the schemas themselves declare every version Kafka 3.8 has.

import { assert } from '../../../shared/src';
import { ErrorCode } from './error-codes';
import { ApiVersionsResponse, ApiVersionsResponseInput } from './messages/api-versions';
import { CreatePartitionsRequest, CreatePartitionsResponse } from './messages/create-partitions';
import { CreateTopicsRequest, CreateTopicsResponse } from './messages/create-topics';
import { DeleteGroupsRequest, DeleteGroupsResponse } from './messages/delete-groups';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './messages/delete-topics';
import { DescribeConfigsRequest, DescribeConfigsResponse } from './messages/describe-configs';
import { DescribeGroupsRequest, DescribeGroupsResponse } from './messages/describe-groups';
import { FetchRequest, FetchResponse } from './messages/fetch';
import { FindCoordinatorRequest, FindCoordinatorResponse } from './messages/find-coordinator';
import { HeartbeatRequest, HeartbeatResponse } from './messages/heartbeat';
import { InitProducerIdRequest, InitProducerIdResponse } from './messages/init-producer-id';
import { JoinGroupRequest, JoinGroupResponse } from './messages/join-group';
import { LeaveGroupRequest, LeaveGroupResponse } from './messages/leave-group';
import { ListGroupsRequest, ListGroupsResponse } from './messages/list-groups';
import { ListOffsetsRequest, ListOffsetsResponse } from './messages/list-offsets';
import { MetadataRequest, MetadataResponse } from './messages/metadata';
import { OffsetCommitRequest, OffsetCommitResponse } from './messages/offset-commit';
import { OffsetFetchRequest, OffsetFetchResponse } from './messages/offset-fetch';
import { ProduceRequest, ProduceResponse } from './messages/produce';
import { ApiVersionsRequest } from './messages/api-versions';
import { SyncGroupRequest, SyncGroupResponse } from './messages/sync-group';
import { MessageSchema } from './schema';
import { MessageInput, MessageSpec, MessageValue } from './types';

export interface ApiSpec<Req extends MessageSpec = MessageSpec, Res extends MessageSpec = MessageSpec> {
  readonly apiKey: number;
  readonly name: string;
  readonly request: MessageSchema<Req>;
  readonly response: MessageSchema<Res>;
  /** The range advertised in ApiVersions and accepted on the wire. */
  readonly minVersion: number;
  readonly maxVersion: number;
}

function api<Req extends MessageSpec, Res extends MessageSpec>(
  name: string,
  request: MessageSchema<Req>,
  response: MessageSchema<Res>,
  minVersion: number,
  maxVersion: number,
): ApiSpec<Req, Res> {
  assert(
    request.apiKey !== undefined && request.apiKey === response.apiKey,
    `${name}: request and response keys differ`,
  );
  assert(
    request.hasVersion(minVersion) && request.hasVersion(maxVersion),
    `${name}: request lacks ${minVersion}..${maxVersion}`,
  );
  assert(
    response.hasVersion(minVersion) && response.hasVersion(maxVersion),
    `${name}: response lacks ${minVersion}..${maxVersion}`,
  );
  return Object.freeze({ apiKey: request.apiKey, name, request, response, minVersion, maxVersion });
}

/** Every API served, by Kafka's name. Ranges: kafka.md 2.3 ("implement" column). */
export const APIS = Object.freeze({
  Produce: api('Produce', ProduceRequest, ProduceResponse, 0, 7),
  Fetch: api('Fetch', FetchRequest, FetchResponse, 0, 11),
  ListOffsets: api('ListOffsets', ListOffsetsRequest, ListOffsetsResponse, 0, 3),
  Metadata: api('Metadata', MetadataRequest, MetadataResponse, 0, 6),
  OffsetCommit: api('OffsetCommit', OffsetCommitRequest, OffsetCommitResponse, 0, 7),
  OffsetFetch: api('OffsetFetch', OffsetFetchRequest, OffsetFetchResponse, 0, 5),
  FindCoordinator: api('FindCoordinator', FindCoordinatorRequest, FindCoordinatorResponse, 0, 2),
  JoinGroup: api('JoinGroup', JoinGroupRequest, JoinGroupResponse, 0, 5),
  Heartbeat: api('Heartbeat', HeartbeatRequest, HeartbeatResponse, 0, 3),
  LeaveGroup: api('LeaveGroup', LeaveGroupRequest, LeaveGroupResponse, 0, 3),
  SyncGroup: api('SyncGroup', SyncGroupRequest, SyncGroupResponse, 0, 3),
  DescribeGroups: api('DescribeGroups', DescribeGroupsRequest, DescribeGroupsResponse, 0, 4),
  ListGroups: api('ListGroups', ListGroupsRequest, ListGroupsResponse, 0, 2),
  ApiVersions: api('ApiVersions', ApiVersionsRequest, ApiVersionsResponse, 0, 3),
  CreateTopics: api('CreateTopics', CreateTopicsRequest, CreateTopicsResponse, 0, 4),
  DeleteTopics: api('DeleteTopics', DeleteTopicsRequest, DeleteTopicsResponse, 0, 3),
  InitProducerId: api('InitProducerId', InitProducerIdRequest, InitProducerIdResponse, 0, 1),
  DescribeConfigs: api('DescribeConfigs', DescribeConfigsRequest, DescribeConfigsResponse, 0, 2),
  CreatePartitions: api('CreatePartitions', CreatePartitionsRequest, CreatePartitionsResponse, 0, 1),
  DeleteGroups: api('DeleteGroups', DeleteGroupsRequest, DeleteGroupsResponse, 0, 1),
});

type Apis = typeof APIS;
export type ApiName = keyof Apis;
type RequestSchemaOf<N extends ApiName> = Apis[N]['request'];
type ResponseSchemaOf<N extends ApiName> = Apis[N]['response'];
export type RequestBody<N extends ApiName> = MessageValue<RequestSchemaOf<N>>;
export type RequestBodyInput<N extends ApiName> = MessageInput<RequestSchemaOf<N>>;
export type ResponseBody<N extends ApiName> = MessageValue<ResponseSchemaOf<N>>;
export type ResponseBodyInput<N extends ApiName> = MessageInput<ResponseSchemaOf<N>>;

/** Name -> key, e.g. ApiKey.Fetch === 1. */
export const ApiKey = Object.freeze(
  Object.fromEntries(Object.entries(APIS).map(([name, spec]) => [name, spec.apiKey])),
) as { readonly [N in ApiName]: RequestSchemaOf<N>['spec']['apiKey'] & number };

export const API_NAMES: readonly ApiName[] = Object.freeze(
  (Object.keys(APIS) as ApiName[]).sort((a, b) => APIS[a].apiKey - APIS[b].apiKey),
);

const BY_KEY: ReadonlyMap<number, ApiName> = new Map(API_NAMES.map((n) => [APIS[n].apiKey, n]));

/** The served API with this key, if any. */
export function apiNameOf(apiKey: number): ApiName | undefined {
  return BY_KEY.get(apiKey);
}

export function isVersionSupported(name: ApiName, version: number): boolean {
  const spec = APIS[name];
  return version >= spec.minVersion && version <= spec.maxVersion;
}

function apiKeyList(): ApiVersionsResponse['apiKeys'] {
  return API_NAMES.map((n) => ({
    apiKey: APIS[n].apiKey,
    minVersion: APIS[n].minVersion,
    maxVersion: APIS[n].maxVersion,
  }));
}

/** The ApiVersions response body: every served key with its range, ascending by key. */
export function apiVersionsBody(throttleTimeMs = 0): ApiVersionsResponseInput {
  return { errorCode: ErrorCode.NONE, apiKeys: apiKeyList(), throttleTimeMs };
}

/**
 * The body answering an ApiVersions request of a version we do not serve: error 35
 * UNSUPPORTED_VERSION plus the full key list, to be encoded as ApiVersions v0 (KIP-511), so the
 * client can read our range for key 18 and retry with a version we have.
 */
export function unsupportedApiVersionsBody(): ApiVersionsResponseInput {
  return { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: apiKeyList(), throttleTimeMs: 0 };
}

/** The version an unsupported-version ApiVersions answer is encoded with. */
export const API_VERSIONS_FALLBACK_VERSION = 0;
