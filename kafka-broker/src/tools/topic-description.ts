// PURE: what `kafka-topics --describe` prints and which lines it prints, shared by the
// --bootstrap-server and --zookeeper forms (Kafka 2.8's TopicCommand.TopicDescription,
// PartitionDescription and DescribeOptions). Tabs separate the fields:
//   Topic: t\tTopicId: <id>\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: k=v,k2=v2
//   \tTopic: t\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0
// TopicId only when known; "Leader: none" without a leader; "\tMarkedForDeletion: true" while a
// deletion is pending.

export interface TopicSummary {
  readonly topic: string;
  readonly topicId: string | null;
  readonly partitionCount: number;
  readonly replicationFactor: number;
  /** The values that differ from the defaults, in the order to print. */
  readonly configs: readonly (readonly [string, string])[];
  readonly markedForDeletion: boolean;
}

export interface PartitionSummary {
  readonly topic: string;
  readonly partition: number;
  /** null: no leader. */
  readonly leader: number | null;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly markedForDeletion: boolean;
  /** The topic's min.insync.replicas where known (the --bootstrap-server form). */
  readonly minIsr: number | null;
}

/** The --describe filters of the command line. */
export interface DescribeFilters {
  readonly underReplicatedPartitions: boolean;
  readonly unavailablePartitions: boolean;
  readonly underMinIsrPartitions: boolean;
  readonly atMinIsrPartitions: boolean;
  readonly topicsWithOverrides: boolean;
}

export function topicLine(d: TopicSummary): string {
  const configs = d.configs.map(([k, v]) => `${k}=${v}`).join(',');
  return (
    `Topic: ${d.topic}` +
    (d.topicId !== null ? `\tTopicId: ${d.topicId}` : '') +
    `\tPartitionCount: ${d.partitionCount}` +
    `\tReplicationFactor: ${d.replicationFactor}` +
    `\tConfigs: ${configs}` +
    (d.markedForDeletion ? '\tMarkedForDeletion: true' : '') +
    '\n'
  );
}

export function partitionLine(p: PartitionSummary): string {
  return (
    `\tTopic: ${p.topic}` +
    `\tPartition: ${p.partition}` +
    `\tLeader: ${p.leader === null ? 'none' : p.leader}` +
    `\tReplicas: ${p.replicas.join(',')}` +
    `\tIsr: ${p.isr.join(',')}` +
    (p.markedForDeletion ? '\tMarkedForDeletion: true' : '') +
    '\n'
  );
}

/** Whether the topic line is printed at all (no partition-only filter given). */
export function describesConfigs(f: DescribeFilters): boolean {
  return (
    !f.unavailablePartitions &&
    !f.underReplicatedPartitions &&
    !f.underMinIsrPartitions &&
    !f.atMinIsrPartitions
  );
}

export function printsTopicLine(f: DescribeFilters, hasOverrides: boolean): boolean {
  return describesConfigs(f) && (!f.topicsWithOverrides || hasOverrides);
}

export function printsPartitionLine(
  f: DescribeFilters,
  p: PartitionSummary,
  liveBrokers: ReadonlySet<number>,
): boolean {
  if (f.topicsWithOverrides) return false;
  if (describesConfigs(f)) return true;
  const hasLeader = p.leader !== null;
  const underReplicated = p.replicas.length - p.isr.length > 0;
  const unavailable = !hasLeader || !liveBrokers.has(p.leader!);
  const underMinIsr = !hasLeader || (p.minIsr !== null && p.isr.length < p.minIsr);
  const atMinIsr = p.minIsr !== null && p.isr.length === p.minIsr;
  return (
    (f.underReplicatedPartitions && underReplicated) ||
    (f.unavailablePartitions && unavailable) ||
    (f.underMinIsrPartitions && underMinIsr) ||
    (f.atMinIsrPartitions && atMinIsr)
  );
}

/**
 * Kafka's IncludeList: the --topic value as a regular expression matched against whole names
 * (commas mean "or", blanks and surrounding quotes are dropped).
 */
export function topicMatcher(raw: string | undefined): (topic: string) => boolean {
  if (raw === undefined) return () => true;
  const pattern = raw
    .trim()
    .replace(/,/g, '|')
    .replace(/ /g, '')
    .replace(/^["']+/, '')
    .replace(/["']+$/, '');
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    return (topic) => topic === raw;
  }
  return (topic) => re.test(topic);
}
