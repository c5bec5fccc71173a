// fitToVersion: one request body serves every version, the fields a version lacks dropped (nested
// ones too), so the codec never sees a value it cannot send.

import { fitToVersion } from '../../../../kafka-broker/src/client/broker-connection';
import { parseEndpoints } from '../../../../kafka-broker/src/client/kafka-client';
import { APIS, encodeRequestFrame } from '../../../../kafka-broker/src/protocol';

test('FindCoordinator keeps key below v4 and coordinatorKeys from v4', () => {
  const body = { key: 'g', keyType: 0, coordinatorKeys: ['g'] };
  const fields = APIS.FindCoordinator.request.spec.fields;
  expect(fitToVersion(fields, 2, body)).toEqual({ key: 'g', keyType: 0 });
  expect(fitToVersion(fields, 4, body)).toEqual({ keyType: 0, coordinatorKeys: ['g'] });
  expect(fitToVersion(fields, 0, body)).toEqual({ key: 'g' });
});

test('nested structs: LeaveGroup members from v3, memberId below; the result encodes', () => {
  const body = {
    groupId: 'g',
    memberId: 'm',
    members: [{ memberId: 'm', groupInstanceId: null, reason: 'bye' }],
  };
  const fields = APIS.LeaveGroup.request.spec.fields;
  expect(fitToVersion(fields, 1, body)).toEqual({ groupId: 'g', memberId: 'm' });
  expect(fitToVersion(fields, 3, body)).toEqual({
    groupId: 'g',
    members: [{ memberId: 'm', groupInstanceId: null }],
  });
  for (const v of [0, 1, 2, 3]) {
    expect(() =>
      encodeRequestFrame('LeaveGroup', v, 1, 'c', fitToVersion(fields, v, body) as never),
    ).not.toThrow();
  }
});

test('parseEndpoints takes host:port lists, IPv6 in brackets, and names the bad entry', () => {
  expect(parseEndpoints('a:1, 127.0.0.1:9092,[::1]:9093')).toEqual([
    { host: 'a', port: 1 },
    { host: '127.0.0.1', port: 9092 },
    { host: '::1', port: 9093 },
  ]);
  expect(() => parseEndpoints('localhost')).toThrow('"localhost" is not host:port');
  expect(() => parseEndpoints('h:0')).toThrow();
});
