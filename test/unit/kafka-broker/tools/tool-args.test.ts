// The tools' argument rules, as Kafka 2.8's: kafka-topics' checkArgs, the console producer's line
// reader and settings, the console consumer's option checks, kafka-consumer-groups' checks and its
// time formats, key=value lists, and which processes kafka-server-stop takes for brokers.

import {
  checkGroupsArgs,
  parseDateTime,
  parseDuration,
} from '../../../../kafka-broker/src/tools/consumer-groups';
import { planConsumer } from '../../../../kafka-broker/src/tools/console-consumer';
import { parseAcks, parseLine, producerSettings } from '../../../../kafka-broker/src/tools/console-producer';
import { checkTopicsArgs } from '../../../../kafka-broker/src/tools/kafka-topics';
import { brokerConfigOf, brokerProcesses } from '../../../../kafka-broker/src/tools/server-stop';
import { parseKeyValues, UsageError } from '../../../../kafka-broker/src/tools/tool-io';
import { parseReplicaAssignment } from '../../../../kafka-broker/src/tools/topic-service';

describe('kafka-topics', () => {
  const b = { bootstrapServer: 'h:1' };
  test('exactly one action, exactly one of --bootstrap-server and --zookeeper', () => {
    expect(checkTopicsArgs({ ...b, list: true })).toBe('list');
    expect(() => checkTopicsArgs({ ...b })).toThrow('Command must include exactly one action');
    expect(() => checkTopicsArgs({ list: true })).toThrow(
      'Only one of --bootstrap-server or --zookeeper must be specified',
    );
    expect(() => checkTopicsArgs({ ...b, zookeeper: 'z:1', list: true })).toThrow(UsageError);
  });

  test('required and refused options', () => {
    expect(() => checkTopicsArgs({ ...b, create: true })).toThrow('Missing required argument "[topic]"');
    expect(checkTopicsArgs({ ...b, create: true, topic: 't' })).toBe('create');
    expect(() => checkTopicsArgs({ zookeeper: 'z:1', create: true, topic: 't', partitions: 1 })).toThrow(
      '"[replication-factor]"',
    );
    expect(() => checkTopicsArgs({ ...b, alter: true, topic: 't', config: ['a=b'], partitions: 2 })).toThrow(
      'can\'t be used with option "[alter]"',
    );
    expect(() => checkTopicsArgs({ ...b, list: true, partitions: 2 })).toThrow(
      'Option "[partitions]" can\'t be used with option "[list]"',
    );
  });

  test('--replica-assignment', () => {
    expect(parseReplicaAssignment('1:2,2:3')).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(() => parseReplicaAssignment('1:1')).toThrow('may not contain duplicate entries: 1');
    expect(() => parseReplicaAssignment('1:2,3')).toThrow('Partition 1 has different replication factor');
  });
});

describe('kafka-console-producer', () => {
  const reader = { parseKey: true, keySeparator: '::', ignoreError: false };
  test('lines split at the first key separator; an empty value when the line ends with it', () => {
    expect(parseLine('k::v::w', 1, reader)).toEqual({ key: Buffer.from('k'), value: Buffer.from('v::w') });
    expect(parseLine('k::', 1, reader)).toEqual({ key: Buffer.from('k'), value: Buffer.from('') });
    expect(() => parseLine('kv', 3, reader)).toThrow('No key found on line 3: kv');
    expect(parseLine('kv', 3, { ...reader, ignoreError: true })).toEqual({
      key: null,
      value: Buffer.from('kv'),
    });
    expect(parseLine('a\tb', 1, { ...reader, parseKey: false })).toEqual({
      key: null,
      value: Buffer.from('a\tb'),
    });
  });

  test('settings: file, then --producer-property, then options given, then the defaults', () => {
    const file = () => 'acks=0\nlinger.ms=7\n';
    const s = producerSettings(
      { producerConfig: 'p', producerProperty: ['acks=all', 'batch.size=10'], timeout: 3 },
      file,
    );
    expect(Object.fromEntries(s)).toMatchObject({
      acks: 'all',
      'linger.ms': '3',
      'batch.size': '10',
      'request.timeout.ms': '1500',
      'compression.type': 'none',
      'client.id': 'console-producer',
    });
    expect(producerSettings({ compressionCodec: '' }, file).get('compression.type')).toBe('gzip');
    expect(
      producerSettings({ producerProperty: ['compression.type=lz4'] }, file).get('compression.type'),
    ).toBe('lz4');
    expect([parseAcks('all'), parseAcks('-1'), parseAcks('0'), parseAcks('1')]).toEqual([-1, -1, 0, 1]);
    expect(() => parseAcks('2')).toThrow('String must be one of: all, -1, 0, 1');
  });
});

describe('kafka-console-consumer', () => {
  const base = { bootstrapServer: 'h:1', topic: 't' };
  test('offsets and reset policy', () => {
    expect(planConsumer({ ...base }, {}).props.get('auto.offset.reset')).toBe('latest');
    expect(planConsumer({ ...base, fromBeginning: true }, {}).props.get('auto.offset.reset')).toBe(
      'earliest',
    );
    expect(planConsumer({ ...base, partition: 0, offset: '5' }, {}).startOffset).toBe(5n);
    expect(() => planConsumer({ ...base, offset: '5' }, {})).toThrow(
      'The partition is required when offset is specified.',
    );
    expect(() => planConsumer({ ...base, partition: 0, offset: 'x' }, {})).toThrow(
      "The provided offset value 'x' is incorrect.",
    );
    expect(() =>
      planConsumer({ ...base, fromBeginning: true, consumerProperty: ['auto.offset.reset=latest'] }, {}),
    ).toThrow("Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest'");
  });

  test('group ids: one place or matching; none means no auto-commit; never with --partition', () => {
    expect(planConsumer({ ...base, group: 'g', consumerProperty: ['group.id=g'] }, {}).groupId).toBe('g');
    expect(() => planConsumer({ ...base, group: 'g', consumerProperty: ['group.id=h'] }, {})).toThrow(
      "Detected group ids: 'g', 'h'",
    );
    expect(planConsumer({ ...base }, {}).props.get('enable.auto.commit')).toBe('false');
    expect(planConsumer({ ...base, group: 'g' }, {}).props.get('enable.auto.commit')).toBe('true');
    expect(() => planConsumer({ ...base, group: 'g', partition: 0 }, {})).toThrow(
      'Options group and partition cannot be specified together.',
    );
    expect(() => planConsumer({ bootstrapServer: 'h:1' }, {})).toThrow(
      'Exactly one of whitelist/topic is required.',
    );
  });
});

describe('kafka-consumer-groups', () => {
  const b = { bootstrapServer: 'h:1' };
  test('actions and their required options', () => {
    expect(checkGroupsArgs({ ...b, list: true })).toBe('list');
    expect(() => checkGroupsArgs({ ...b, describe: true })).toThrow(
      'Option [describe] takes one of these options: [all-groups], [group]',
    );
    expect(() => checkGroupsArgs({ ...b, resetOffsets: true, group: ['g'], topic: ['t'] })).toThrow(
      'requires one of the following scenarios',
    );
    expect(() => checkGroupsArgs({ ...b, resetOffsets: true, group: ['g'], toLatest: true })).toThrow(
      'One of the reset scopes should be defined',
    );
    expect(() =>
      checkGroupsArgs({
        ...b,
        resetOffsets: true,
        group: ['g'],
        toLatest: true,
        allTopics: true,
        execute: true,
        dryRun: true,
      }),
    ).toThrow('only accepts one of');
    expect(
      checkGroupsArgs({ ...b, resetOffsets: true, allGroups: true, toLatest: true, allTopics: true }),
    ).toBe('reset');
  });

  test('--to-datetime and --by-duration', () => {
    expect(parseDateTime('2024-01-02T03:04:05.678Z', 0)).toBe(BigInt(Date.UTC(2024, 0, 2, 3, 4, 5, 678)));
    expect(parseDateTime('2024-01-02T03:04:05.000+01:00', 0)).toBe(BigInt(Date.UTC(2024, 0, 2, 2, 4, 5)));
    expect(parseDateTime('2024-01-02T03:04:05', 0)).toBe(BigInt(new Date(2024, 0, 2, 3, 4, 5).getTime()));
    expect(() => parseDateTime('yesterday', 0)).toThrow(UsageError);
    expect(parseDuration('PT1H30M')).toBe(5_400_000n);
    expect(parseDuration('P1DT0.5S')).toBe(86_400_500n);
    expect(() => parseDuration('P')).toThrow(UsageError);
  });
});

test('key=value lists split at the first "="', () => {
  expect(Object.fromEntries(parseKeyValues(['a=b=c', 'key.separator==', 'flag', '']))).toEqual({
    a: 'b=c',
    'key.separator': '=',
    flag: '',
  });
});

test('kafka-server-stop takes broker processes (not -daemon launchers, not itself) and reads their config', () => {
  const procs = [
    {
      pid: 1,
      argv: [
        'node',
        '/x/dist/kafka-broker/src/bin/kafka-server-start.js',
        'conf/server.properties',
        '--override',
        'a=b',
      ],
      cwd: '/w',
    },
    { pid: 2, argv: ['node', '/x/kafka-server-start.js', '-daemon', 'c.properties'], cwd: '/w' },
    { pid: 3, argv: ['node', '/x/zk-server.js', 'start-foreground'], cwd: '/w' },
    {
      pid: 4,
      argv: ['node', '/x/kafka-server-start.js', '--log-level', 'debug', '/abs/s.properties'],
      cwd: null,
    },
  ];
  expect(brokerProcesses(procs, 4).map((p) => p.pid)).toEqual([1]);
  expect(brokerConfigOf(procs[0]!)).toBe('/w/conf/server.properties');
  expect(brokerConfigOf(procs[3]!)).toBe('/abs/s.properties');
});
