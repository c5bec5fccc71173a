// The handler of every served API, in one table the dispatcher indexes by API name. The
// coordinator placeholders are the entries a group coordinator will take over.

import { HandlerTable } from '../context';
import { handleApiVersions } from './api-versions';
import {
  handleDeleteGroups,
  handleDescribeGroups,
  handleFindCoordinator,
  handleHeartbeat,
  handleInitProducerId,
  handleJoinGroup,
  handleLeaveGroup,
  handleListGroups,
  handleOffsetCommit,
  handleOffsetFetch,
  handleSyncGroup,
} from './coordinator-placeholders';
import { handleCreatePartitions } from './create-partitions';
import { handleCreateTopics } from './create-topics';
import { handleDeleteTopics } from './delete-topics';
import { handleDescribeConfigs } from './describe-configs';
import { handleFetch } from './fetch';
import { handleListOffsets } from './list-offsets';
import { handleMetadata } from './metadata';
import { handleProduce } from './produce';

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
