// The handler of every served API, in one table the dispatcher indexes by API name.

import { HandlerTable } from '../context';
import { handleApiVersions } from './api-versions';
import { handleCreatePartitions } from './create-partitions';
import { handleCreateTopics } from './create-topics';
import { handleDeleteGroups } from './delete-groups';
import { handleDeleteTopics } from './delete-topics';
import { handleDescribeConfigs } from './describe-configs';
import { handleDescribeGroups } from './describe-groups';
import { handleFetch } from './fetch';
import { handleFindCoordinator } from './find-coordinator';
import { handleHeartbeat } from './heartbeat';
import { handleInitProducerId } from './init-producer-id';
import { handleJoinGroup } from './join-group';
import { handleLeaveGroup } from './leave-group';
import { handleListGroups } from './list-groups';
import { handleListOffsets } from './list-offsets';
import { handleMetadata } from './metadata';
import { handleOffsetCommit } from './offset-commit';
import { handleOffsetFetch } from './offset-fetch';
import { handleProduce } from './produce';
import { handleSyncGroup } from './sync-group';

export const HANDLERS: HandlerTable = Object.freeze({
  Produce: handleProduce,
  Fetch: handleFetch,
  ListOffsets: handleListOffsets,
  Metadata: handleMetadata,
  OffsetCommit: handleOffsetCommit,
  OffsetFetch: handleOffsetFetch,
  FindCoordinator: handleFindCoordinator,
  JoinGroup: handleJoinGroup,
  Heartbeat: handleHeartbeat,
  LeaveGroup: handleLeaveGroup,
  SyncGroup: handleSyncGroup,
  DescribeGroups: handleDescribeGroups,
  ListGroups: handleListGroups,
  ApiVersions: handleApiVersions,
  CreateTopics: handleCreateTopics,
  DeleteTopics: handleDeleteTopics,
  InitProducerId: handleInitProducerId,
  DescribeConfigs: handleDescribeConfigs,
  CreatePartitions: handleCreatePartitions,
  DeleteGroups: handleDeleteGroups,
});
