// DeleteGroups (key 42): delete empty groups and their committed offsets. v2+ flexible.

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const DeleteGroupsRequest = message({
  apiKey: 42,
  type: 'request',
  name: 'DeleteGroupsRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'groupsNames', type: '[]string', versions: '0+' },
  ],
});
export type DeleteGroupsRequest = MessageValue<typeof DeleteGroupsRequest>;
export type DeleteGroupsRequestInput = MessageInput<typeof DeleteGroupsRequest>;

export const DeleteGroupsResponse = message({
  apiKey: 42,
  type: 'response',
  name: 'DeleteGroupsResponse',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'results', type: '[]DeletableGroupResult', versions: '0+', fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ] },
  ],
});
export type DeleteGroupsResponse = MessageValue<typeof DeleteGroupsResponse>;
export type DeleteGroupsResponseInput = MessageInput<typeof DeleteGroupsResponse>;
