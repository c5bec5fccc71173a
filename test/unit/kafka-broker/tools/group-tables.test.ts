// kafka-consumer-groups' tables, byte for byte as Kafka 2.8 formats them.

import {
  lagOf,
  membersTable,
  offsetsTable,
  resetTable,
  stateTable,
} from '../../../../kafka-broker/src/tools/group-tables';

test('the offsets table: blank line, header, columns at least 15 wide and widened by long values', () => {
  const out = offsetsTable([
    {
      group: 'g',
      topic: 't',
      partition: 0,
      offset: 3n,
      logEndOffset: 7n,
      consumerId: null,
      host: null,
      clientId: null,
    },
    {
      group: 'g',
      topic: 't',
      partition: 1,
      offset: null,
      logEndOffset: 5n,
      consumerId: 'consumer-1-0123456789',
      host: '/127.0.0.1',
      clientId: 'consumer-1',
    },
  ]);
  expect(out).toBe(
    '\n' +
      'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID           HOST            CLIENT-ID\n' +
      'g               t               0          3               7               4               -                     -               -\n' +
      'g               t               1          -               5               -               consumer-1-0123456789 /127.0.0.1      consumer-1\n',
  );
});

test('lag needs both offsets, and -1 counts as none', () => {
  expect(lagOf(3n, 10n)).toBe(7n);
  expect(lagOf(-1n, 10n)).toBeNull();
  expect(lagOf(3n, null)).toBeNull();
});

test('--members (trailing blank after #PARTITIONS) and --verbose assignments', () => {
  const rows = [
    {
      group: 'g',
      consumerId: 'c1',
      groupInstanceId: '',
      host: '/h',
      clientId: 'x',
      assignment: new Map([
        ['t', [1, 0]],
        ['a', [2]],
      ]),
    },
  ];
  expect(membersTable(rows, false)).toBe(
    '\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     \n' +
      'g               c1              /h              x               3               \n',
  );
  expect(membersTable(rows, true).split('\n')[2]).toBe(
    'g               c1              /h              x               3               a(2), t(0,1)',
  );
});

test('--state and the reset plan', () => {
  expect(
    stateTable({
      group: 'g',
      coordinator: '127.0.0.1:9092 (0)',
      assignmentStrategy: 'range',
      state: 'Stable',
      members: 1,
    }),
  ).toBe(
    '\nGROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS' +
      '\ng                         127.0.0.1:9092 (0)        range                Stable          1\n',
  );
  expect(resetTable([{ group: 'g', topic: 't', partition: 0, offset: 5n }])).toBe(
    '\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n' +
      'g                              t                              0          5              \n',
  );
});
