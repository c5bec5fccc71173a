// kafka-topics --describe lines and filters, and the --topic pattern (Kafka's IncludeList).

import {
  partitionLine,
  printsPartitionLine,
  printsTopicLine,
  topicLine,
  topicMatcher,
} from '../../../../kafka-broker/src/tools/topic-description';

const none = {
  underReplicatedPartitions: false,
  unavailablePartitions: false,
  underMinIsrPartitions: false,
  atMinIsrPartitions: false,
  topicsWithOverrides: false,
};
const p = {
  topic: 't',
  partition: 0,
  leader: 1 as number | null,
  replicas: [1, 2],
  isr: [1],
  markedForDeletion: false,
  minIsr: 2 as number | null,
};

test('the topic line, with TopicId only when known and MarkedForDeletion while pending', () => {
  const t = {
    topic: 't',
    topicId: null,
    partitionCount: 2,
    replicationFactor: 1,
    configs: [
      ['a', '1'],
      ['b', '2'],
    ] as [string, string][],
    markedForDeletion: false,
  };
  expect(topicLine(t)).toBe('Topic: t\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: a=1,b=2\n');
  expect(topicLine({ ...t, topicId: 'AbCdEfGhIjKlMnOpQrStUv', configs: [], markedForDeletion: true })).toBe(
    'Topic: t\tTopicId: AbCdEfGhIjKlMnOpQrStUv\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: \tMarkedForDeletion: true\n',
  );
});

test('the partition line; "none" without a leader', () => {
  expect(partitionLine(p)).toBe('\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1\n');
  expect(partitionLine({ ...p, leader: null, isr: [] })).toBe(
    '\tTopic: t\tPartition: 0\tLeader: none\tReplicas: 1,2\tIsr: \n',
  );
});

test("the filters pick partitions as Kafka's DescribeOptions do", () => {
  const live = new Set([1, 2]);
  expect(printsPartitionLine(none, p, live)).toBe(true);
  expect(printsPartitionLine({ ...none, underReplicatedPartitions: true }, p, live)).toBe(true);
  expect(printsPartitionLine({ ...none, underReplicatedPartitions: true }, { ...p, isr: [1, 2] }, live)).toBe(
    false,
  );
  expect(printsPartitionLine({ ...none, unavailablePartitions: true }, p, new Set([2]))).toBe(true);
  expect(printsPartitionLine({ ...none, underMinIsrPartitions: true }, p, live)).toBe(true);
  expect(printsPartitionLine({ ...none, atMinIsrPartitions: true }, { ...p, isr: [1, 2] }, live)).toBe(true);
  expect(printsPartitionLine({ ...none, topicsWithOverrides: true }, p, live)).toBe(false);
  expect(printsTopicLine({ ...none, topicsWithOverrides: true }, false)).toBe(false);
  expect(printsTopicLine({ ...none, underReplicatedPartitions: true }, true)).toBe(false);
});

test('--topic is a whole-name regular expression; commas mean "or"', () => {
  const m = topicMatcher('orders.*,pay');
  expect(['orders', 'orders-eu', 'pay', 'payments', 'xorders'].filter(m)).toEqual([
    'orders',
    'orders-eu',
    'pay',
  ]);
  expect(topicMatcher(undefined)('anything')).toBe(true);
  expect(topicMatcher('"quoted"')('quoted')).toBe(true);
});
