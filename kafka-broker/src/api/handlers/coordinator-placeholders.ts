// Answers for the advertised APIs that need a coordinator this broker does not run yet: consumer
// groups (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch,
// DescribeGroups, ListGroups, DeleteGroups) and producer ids (InitProducerId) get the retriable
// COORDINATOR_NOT_AVAILABLE. The group coordinator replaces these entries of the handler table
// (api/handlers/index.ts) one by one.

import { ErrorCode } from '../../protocol';
import { Handler } from '../context';

const UNAVAILABLE = ErrorCode.COORDINATOR_NOT_AVAILABLE;
const OFFSET_FETCH_TOP_ERROR_FIRST_VERSION = 2;
const LEAVE_GROUP_MEMBERS_FIRST_VERSION = 3;

export const handleFindCoordinator: Handler<'FindCoordinator'> = (request) => ({
  throttleTimeMs: 0,
  errorCode: UNAVAILABLE,
  errorMessage: 'The coordinator is not available.',
  nodeId: -1,
  host: '',
  port: -1,
  coordinators: request.coordinatorKeys.map((key) => ({
    key,
    nodeId: -1,
    host: '',
    port: -1,
    errorCode: UNAVAILABLE,
  })),
});

export const handleJoinGroup: Handler<'JoinGroup'> = () => ({
  errorCode: UNAVAILABLE,
  generationId: -1,
  protocolName: '',
  leader: '',
  memberId: '',
  members: [],
});

export const handleSyncGroup: Handler<'SyncGroup'> = () => ({
  errorCode: UNAVAILABLE,
  assignment: Buffer.alloc(0),
});

export const handleHeartbeat: Handler<'Heartbeat'> = () => ({ errorCode: UNAVAILABLE });

export const handleLeaveGroup: Handler<'LeaveGroup'> = (request, rc) => ({
  errorCode: UNAVAILABLE,
  members:
    rc.apiVersion < LEAVE_GROUP_MEMBERS_FIRST_VERSION
      ? []
      : request.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          errorCode: UNAVAILABLE,
        })),
});

export const handleOffsetCommit: Handler<'OffsetCommit'> = (request) => ({
  topics: request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: UNAVAILABLE })),
  })),
});

export const handleOffsetFetch: Handler<'OffsetFetch'> = (request, rc) => ({
  errorCode: rc.apiVersion >= OFFSET_FETCH_TOP_ERROR_FIRST_VERSION ? UNAVAILABLE : ErrorCode.NONE,
  topics: (request.topics ?? []).map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      committedOffset: -1n,
      metadata: null,
      errorCode: UNAVAILABLE,
    })),
  })),
});

export const handleDescribeGroups: Handler<'DescribeGroups'> = (request) => ({
  groups: request.groups.map((groupId) => ({
    errorCode: UNAVAILABLE,
    groupId,
    groupState: '',
    protocolType: '',
    protocolData: '',
    members: [],
  })),
});

export const handleListGroups: Handler<'ListGroups'> = () => ({ errorCode: UNAVAILABLE, groups: [] });

export const handleDeleteGroups: Handler<'DeleteGroups'> = (request) => ({
  throttleTimeMs: 0,
  results: request.groupsNames.map((groupId) => ({ groupId, errorCode: UNAVAILABLE })),
});

export const handleInitProducerId: Handler<'InitProducerId'> = () => ({
  errorCode: UNAVAILABLE,
  producerId: -1n,
  producerEpoch: -1,
});
