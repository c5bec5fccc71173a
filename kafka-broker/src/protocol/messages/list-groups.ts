// ListGroups (key 16): group ids and protocol types on this coordinator. v3+ flexible, v4 adds a
// state filter. kafkajs/kafka-python v2 (librdkafka v3/v4 if advertised).

import { message } from '../schema';
import { MessageInput, MessageValue } from '../types';

export const ListGroupsRequest = message({
  apiKey: 16,
  type: 'request',
  name: 'ListGroupsRequest',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'statesFilter', type: '[]string', versions: '4+' },
    { name: 'typesFilter', type: '[]string', versions: '5+' },
  ],
});
export type ListGroupsRequest = MessageValue<typeof ListGroupsRequest>;
export type ListGroupsRequestInput = MessageInput<typeof ListGroupsRequest>;

export const ListGroupsResponse = message({
  apiKey: 16,
  type: 'response',
  name: 'ListGroupsResponse',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'groups', type: '[]ListedGroup', versions: '0+', fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'protocolType', type: 'string', versions: '0+' },
      { name: 'groupState', type: 'string', versions: '4+', ignorable: true },
      { name: 'groupType', type: 'string', versions: '5+', ignorable: true },
    ] },
  ],
});
export type ListGroupsResponse = MessageValue<typeof ListGroupsResponse>;
export type ListGroupsResponseInput = MessageInput<typeof ListGroupsResponse>;
