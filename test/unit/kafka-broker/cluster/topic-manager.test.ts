// Pure parts of topic administration: Kafka's replica placement, topic name rules, the
// controller's partition state decisions, and the topic config table.

import { KafkaError } from '../../../../kafka-broker/src/protocol';
import { nextState } from '../../../../kafka-broker/src/cluster/controller';
import { assignReplicasToBrokers, checkTopicName } from '../../../../kafka-broker/src/cluster/topic-manager';
import {
  applyTopicConfigs,
  ConfigSource,
  describeTopicConfigs,
  validateTopicConfigs,
} from '../../../../kafka-broker/src/cluster/topic-config';
import { parseBrokerConfig } from '../../../../kafka-broker/src/config/broker-config';
import { LeaderAndIsr } from '../../../../kafka-broker/src/replication/partition-state';

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  }
  return undefined;
}

describe('replica placement', () => {
  test("matches Kafka's AdminUtils example (5 brokers, 10 partitions, 3 replicas, start 0)", () => {
    expect(assignReplicasToBrokers([0, 1, 2, 3, 4], 10, 3, 0, 0)).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 0],
      [4, 0, 1],
      [0, 2, 3],
      [1, 3, 4],
      [2, 4, 0],
      [3, 0, 1],
      [4, 1, 2],
    ]);
  });

  test('a single broker takes every partition', () => {
    expect(assignReplicasToBrokers([7], 3, 1, 0, 0)).toEqual([[7], [7], [7]]);
  });

  test('new partitions continue from the existing count', () => {
    const all = assignReplicasToBrokers([0, 1, 2], 5, 2, 1, 1);
    expect(assignReplicasToBrokers([0, 1, 2], 2, 2, 1, 1, 3).slice(3)).toEqual(all.slice(3));
  });
});

describe('topic names', () => {
  test.each([
    ['a-valid.topic_1', undefined],
    ['', 'INVALID_TOPIC_EXCEPTION'],
    ['.', 'INVALID_TOPIC_EXCEPTION'],
    ['..', 'INVALID_TOPIC_EXCEPTION'],
    ['has space', 'INVALID_TOPIC_EXCEPTION'],
    ['x'.repeat(250), 'INVALID_TOPIC_EXCEPTION'],
    ['existing', 'TOPIC_ALREADY_EXISTS'],
    ['my_topic', 'INVALID_TOPIC_EXCEPTION'],
  ])('%s -> %s', (name, code) => {
    expect(codeOf(() => checkTopicName(name, ['existing', 'my.topic']))).toBe(code);
  });
});

describe('controller decisions', () => {
  const live = (...ids: number[]) => new Set(ids);
  const state = (leader: number, isr: number[], epoch = 4): LeaderAndIsr => ({
    leader,
    leaderEpoch: epoch,
    isr,
    replicas: [1, 2, 3],
    controllerEpoch: 1,
    zkVersion: 2,
  });

  test('a new partition is led by its first live replica with every live replica in the ISR', () => {
    expect(nextState([1, 2, 3], null, live(2, 3))).toEqual({ leader: 2, leaderEpoch: 0, isr: [2, 3] });
  });

  test('a healthy partition is left alone', () => {
    expect(nextState([1, 2, 3], state(1, [1, 2, 3]), live(1, 2, 3))).toBeNull();
  });

  test('a dead leader is replaced from the ISR with a new epoch', () => {
    expect(nextState([1, 2, 3], state(1, [1, 3]), live(2, 3))).toEqual({
      leader: 3,
      leaderEpoch: 5,
      isr: [3],
    });
  });

  test('a dead follower leaves the ISR', () => {
    expect(nextState([1, 2, 3], state(1, [1, 2]), live(1, 3))).toEqual({
      leader: 1,
      leaderEpoch: 5,
      isr: [1],
    });
  });

  test('with the whole ISR dead the partition goes offline, keeping its last ISR member', () => {
    expect(nextState([1, 2, 3], state(1, [1]), live(2, 3))).toEqual({ leader: -1, leaderEpoch: 5, isr: [1] });
    expect(nextState([1, 2, 3], state(-1, [1], 5), live(2, 3))).toBeNull();
    expect(nextState([1, 2, 3], state(-1, [1], 5), live(1))).toEqual({ leader: 1, leaderEpoch: 6, isr: [1] });
  });
});

describe('topic configs', () => {
  const broker = parseBrokerConfig(
    'zookeeper.connect=z:2181\nlog.segment.bytes=1048576\n',
    'server.properties',
  );
  const defaults = parseBrokerConfig('zookeeper.connect=z:2181\n', 'defaults');

  test('known keys with valid values pass; others name the problem', () => {
    expect(
      validateTopicConfigs({ 'retention.ms': '1000', 'cleanup.policy': 'compact,delete' }),
    ).toBeUndefined();
    expect(validateTopicConfigs({ 'retention.msx': '1' })).toMatch(
      /unknown topic config name: retention.msx/,
    );
    expect(validateTopicConfigs({ 'segment.bytes': '10' })).toMatch(/segment.bytes/);
    expect(validateTopicConfigs({ 'message.timestamp.type': 'Now' })).toMatch(/message.timestamp.type/);
  });

  test('applied overrides reach the log config and min.insync.replicas', () => {
    expect(
      applyTopicConfigs({ 'retention.ms': '1000', 'min.insync.replicas': '2', 'cleanup.policy': 'compact' }),
    ).toEqual({
      log: { retentionMs: 1000 },
      minInsyncReplicas: 2,
    });
  });

  test('described values come from the override, the broker file or the default', () => {
    const described = new Map(
      describeTopicConfigs({ 'retention.ms': '5' }, broker, defaults).map((d) => [d.name, d]),
    );
    expect(described.get('retention.ms')).toMatchObject({
      value: '5',
      source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
    });
    expect(described.get('segment.bytes')).toMatchObject({
      value: '1048576',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      brokerKey: 'log.segment.bytes',
    });
    expect(described.get('max.message.bytes')).toMatchObject({
      value: '1048588',
      source: ConfigSource.DEFAULT_CONFIG,
    });
    expect(described.get('flush.ms')?.value).toBe('9223372036854775807');
  });
});
