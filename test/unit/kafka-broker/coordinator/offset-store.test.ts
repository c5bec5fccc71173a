// The pure parts of the ZooKeeper group store: group and member ids as znode names, and the
// registration JSON of Kafka 0.8's consumers.

import { fromZnodeName, registrationJson, znodeName } from '../../../../kafka-broker/src/coordinator/offset-store';

describe('znode names', () => {
  test('ordinary ids are kept as they are', () => {
    for (const id of ['billing', 'rdkafka-1b2c-uuid', 'console-consumer-42', 'a.b_c-d']) {
      expect(znodeName(id)).toBe(id);
      expect(fromZnodeName(id)).toBe(id);
    }
  });

  test("'/', '%', control characters, '.' and '..' are percent-encoded and come back", () => {
    const cases: [string, string][] = [
      ['team/a', 'team%2Fa'],
      ['100%', '100%25'],
      ['tab\there', 'tab%09here'],
      ['.', '%2E'],
      ['..', '%2E%2E'],
      ['emoji-\u{1F600}', 'emoji-%F0%9F%98%80'],
      ['private-\ue000', 'private-%EE%80%80'],
    ];
    for (const [id, name] of cases) {
      expect(znodeName(id)).toBe(name);
      expect(fromZnodeName(name)).toBe(id);
    }
  });

  test('names written by other tools with a stray % are read as they are', () => {
    expect(fromZnodeName('50%off')).toBe('50%off');
  });
});

describe('member registrations', () => {
  test('carry the subscription as Kafka 0.8 wrote it', () => {
    expect(registrationJson({ memberId: 'm', subscription: ['a', 'b'], joinedAtMs: 1700000000000 })).toEqual({
      version: 1,
      subscription: { a: 1, b: 1 },
      pattern: 'static',
      timestamp: '1700000000000',
    });
  });
});
