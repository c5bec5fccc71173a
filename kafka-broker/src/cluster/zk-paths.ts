// The one table of znode paths the broker uses, with Kafka's names (kafka.zk.ZkData), and the JSON
// each holds. Paths are relative to the chroot of zookeeper.connect.

export const ZkPaths = {
  clusterId: '/cluster/id',
  controller: '/controller',
  controllerEpoch: '/controller_epoch',
  brokerIds: '/brokers/ids',
  broker: (id: number) => `/brokers/ids/${id}`,
  brokerSeqId: '/brokers/seqid',
  topics: '/brokers/topics',
  topic: (topic: string) => `/brokers/topics/${topic}`,
  partitions: (topic: string) => `/brokers/topics/${topic}/partitions`,
  partition: (topic: string, partition: number) => `/brokers/topics/${topic}/partitions/${partition}`,
  partitionState: (topic: string, partition: number) => `/brokers/topics/${topic}/partitions/${partition}/state`,
  configTopics: '/config/topics',
  configTopic: (topic: string) => `/config/topics/${topic}`,
  configChanges: '/config/changes',
  deleteTopics: '/admin/delete_topics',
  deleteTopic: (topic: string) => `/admin/delete_topics/${topic}`,
  isrChangeNotification: '/isr_change_notification',
  latestProducerIdBlock: '/latest_producer_id_block',
  logDirEventNotification: '/log_dir_event_notification',
  consumers: '/consumers',
  consumerGroup: (group: string) => `/consumers/${group}`,
  consumerIds: (group: string) => `/consumers/${group}/ids`,
  consumerId: (group: string, member: string) => `/consumers/${group}/ids/${member}`,
  consumerOwnersRoot: (group: string) => `/consumers/${group}/owners`,
  consumerOwners: (group: string, topic: string) => `/consumers/${group}/owners/${topic}`,
  consumerOwner: (group: string, topic: string, partition: number) => `/consumers/${group}/owners/${topic}/${partition}`,
  consumerOffsetsRoot: (group: string) => `/consumers/${group}/offsets`,
  consumerOffsets: (group: string, topic: string) => `/consumers/${group}/offsets/${topic}`,
  consumerOffset: (group: string, topic: string, partition: number) => `/consumers/${group}/offsets/${topic}/${partition}`,
  /** Commit metadata beside the offsets (not in Kafka's 0.8 layout, which dropped it): the raw string. */
  consumerOffsetsMetadata: (group: string, topic: string) => `/consumers/${group}/offsets-metadata/${topic}`,
  consumerOffsetMetadata: (group: string, topic: string, partition: number) =>
    `/consumers/${group}/offsets-metadata/${topic}/${partition}`,
} as const;

/** Created at broker start if missing, as Kafka does. */
export const PERSISTENT_PATHS = [
  ZkPaths.consumers,
  ZkPaths.brokerIds,
  ZkPaths.topics,
  ZkPaths.configChanges,
  ZkPaths.deleteTopics,
  ZkPaths.brokerSeqId,
  ZkPaths.isrChangeNotification,
  ZkPaths.latestProducerIdBlock,
  ZkPaths.logDirEventNotification,
  ZkPaths.configTopics,
  '/config/clients',
  '/config/users',
  '/config/brokers',
] as const;

/** /brokers/ids/N, version 4. */
export interface BrokerRegistrationJson {
  version: 4;
  host: string | null;
  port: number;
  jmx_port: number;
  timestamp: string;
  endpoints: string[];
  listener_security_protocol_map: Record<string, string>;
  rack?: string;
}

/** /brokers/topics/T, version 2. */
export interface TopicAssignmentJson {
  version: number;
  partitions: Record<string, number[]>;
  adding_replicas?: Record<string, number[]>;
  removing_replicas?: Record<string, number[]>;
}

/** /brokers/topics/T/partitions/P/state. */
export interface PartitionStateJson {
  controller_epoch: number;
  leader: number;
  version: 1;
  leader_epoch: number;
  isr: number[];
}

/** /controller. */
export interface ControllerJson {
  version: 1;
  brokerid: number;
  timestamp: string;
}

/** /consumers/G/ids/C (Kafka 0.8's ZookeeperConsumerConnector registration). */
export interface ConsumerRegistrationJson {
  version: 1;
  subscription: Record<string, number>;
  pattern: 'static' | 'white_list' | 'black_list';
  timestamp: string;
}

/** /latest_producer_id_block: the last block of producer ids handed out (strings, inclusive). */
export interface ProducerIdBlockJson {
  version: 1;
  broker: number;
  block_start: string;
  block_end: string;
}

/** /config/topics/T. */
export interface TopicConfigJson {
  version: 1;
  config: Record<string, string>;
}
