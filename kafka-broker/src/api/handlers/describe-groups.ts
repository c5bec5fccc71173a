// DescribeGroups (key 15): state, protocol and members of groups this broker coordinates. As Kafka,
// members carry their metadata and assignment only while the group is Stable; a group known only
// by its offsets in ZooKeeper is Empty, and an unknown one Dead (error NONE, as Kafka 2.x answers).

import { ErrorCode, DescribeGroupsResponseInput } from '../../protocol';
import { BrokerContext, Handler } from '../context';
import { errorCodeFor, isUnexpected } from '../errors';

type DescribedGroup = NonNullable<DescribeGroupsResponseInput['groups']>[number];

/** Kafka's "not requested" marker for authorizedOperations. */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export const handleDescribeGroups: Handler<'DescribeGroups'> = async (request, _rc, b) => ({
  throttleTimeMs: 0,
  groups: await Promise.all(request.groups.map((groupId) => describeOne(b, groupId))),
});

async function describeOne(b: BrokerContext, groupId: string): Promise<DescribedGroup> {
  const failed = (errorCode: number): DescribedGroup => ({
    errorCode,
    groupId,
    groupState: '',
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  });
  const error = b.groups.coordinatorError(groupId);
  if (error !== ErrorCode.NONE) return failed(error);
  try {
    const d = await b.groups.describe(groupId);
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: d.state,
      protocolType: d.protocolType,
      protocolData: d.protocolName,
      members: d.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.metadata,
        memberAssignment: m.assignment,
      })),
      authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
  } catch (e) {
    if (isUnexpected(e)) b.logger.error(`DescribeGroups of ${groupId} failed: ${(e as Error).stack ?? String(e)}`);
    return failed(errorCodeFor(e));
  }
}
