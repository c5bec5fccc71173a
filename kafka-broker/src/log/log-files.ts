// Names on disk: segment files, partition directories, checkpoint and marker files. Pure string
// work; nothing here touches the file system.
//
//   <log.dir>/meta.properties, recovery-point-offset-checkpoint, replication-offset-checkpoint,
//             log-start-offset-checkpoint, .kafka_cleanshutdown
//   <log.dir>/<topic>-<partition>/<20-digit base offset>.log | .index | .timeindex
//   <log.dir>/<topic>-<partition>.<uuid without dashes>-delete   (a partition being removed)

export const LOG_FILE_SUFFIX = '.log';
export const INDEX_FILE_SUFFIX = '.index';
export const TIME_INDEX_FILE_SUFFIX = '.timeindex';
/** Left by an interrupted deletion (ours) or compaction (Kafka's); removed on load. */
export const LEFTOVER_FILE_SUFFIXES: readonly string[] = ['.deleted', '.cleaned', '.swap'];
export const DELETED_FILE_SUFFIX = '.deleted';
export const TEMP_FILE_SUFFIX = '.tmp';

export const DELETE_DIR_SUFFIX = '-delete';
export const FUTURE_DIR_SUFFIX = '-future';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const META_PROPERTIES_FILE = 'meta.properties';
export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT_FILE = 'replication-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';

export const OFFSET_FILE_NAME_DIGITS = 20;
/** Kafka's limit (249) keeps `<topic>-<partition>.<32 hex>-delete` within a 255-byte file name. */
export const TOPIC_NAME_LENGTH_MAX = 249;
export const PARTITION_MAX = 2_147_483_647;

const SEGMENT_FILE_PATTERN = /^(\d{20})(\.[a-z]+)$/;
const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;
const PARTITION_DIR_PATTERN = /^(.+)-(\d+)$/;

export function offsetFileName(offset: bigint, suffix: string): string {
  return offset.toString().padStart(OFFSET_FILE_NAME_DIGITS, '0') + suffix;
}

/** `00000000000000000042.index` -> {42n, '.index'}; null for any other name. */
export function parseSegmentFileName(name: string): { baseOffset: bigint; suffix: string } | null {
  const m = SEGMENT_FILE_PATTERN.exec(name);
  if (m === null) return null;
  return { baseOffset: BigInt(m[1]!), suffix: m[2]! };
}

export function isLegalTopicName(topic: string): boolean {
  return (
    topic.length > 0 &&
    topic.length <= TOPIC_NAME_LENGTH_MAX &&
    topic !== '.' &&
    topic !== '..' &&
    TOPIC_NAME_PATTERN.test(topic)
  );
}

export function isLegalPartition(partition: number): boolean {
  return Number.isInteger(partition) && partition >= 0 && partition <= PARTITION_MAX;
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** `orders-eu-3` -> {topic 'orders-eu', partition 3}; null when it is not a live partition directory. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  if (name.endsWith(DELETE_DIR_SUFFIX) || name.endsWith(FUTURE_DIR_SUFFIX)) return null;
  const m = PARTITION_DIR_PATTERN.exec(name);
  if (m === null) return null;
  const topic = m[1]!;
  const partition = Number(m[2]!);
  if (!isLegalTopicName(topic) || !isLegalPartition(partition)) return null;
  return { topic, partition };
}

export function deleteDirName(topic: string, partition: number, uuidHex: string): string {
  return `${partitionDirName(topic, partition)}.${uuidHex}${DELETE_DIR_SUFFIX}`;
}

/** Map key of one partition: topic names cannot contain spaces, so this is unambiguous. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic} ${partition}`;
}
