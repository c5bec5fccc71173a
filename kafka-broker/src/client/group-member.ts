// One member of a consumer group on the classic protocol (kafka.md section 7): FindCoordinator,
// JoinGroup (with the MEMBER_ID_REQUIRED round trip of v4+), the range assignment when this member
// is the leader, SyncGroup, Heartbeat on a timer, OffsetFetch/OffsetCommit with the generation,
// LeaveGroup. A heartbeat answered with REBALANCE_IN_PROGRESS (or a lost membership) raises
// `needsRejoin`; the consumer commits and calls join() again. Errors a retry cannot cure
// (INVALID_SESSION_TIMEOUT, INCONSISTENT_GROUP_PROTOCOL, GROUP_AUTHORIZATION_FAILED, ...) are thrown.

import { ErrorCode, errorName } from '../protocol';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from './consumer-protocol';
import {
  KafkaClient,
  TopicPartition,
  isRetriableError,
  kafkaErrorOf,
  sleep,
  topicPartitionKey,
} from './kafka-client';
import { RANGE_ASSIGNOR_NAME, rangeAssign } from './range-assignor';

/** Extra time a JoinGroup request may take beyond the rebalance timeout (as the Java consumer). */
const JOIN_REQUEST_SLACK_MS = 5_000;
const UNKNOWN_GENERATION = -1;
/** Codes after which the member looks up the coordinator again and retries. */
const COORDINATOR_ERRORS: readonly number[] = [
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
];

export interface GroupMemberOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

export type Assignment = Map<string, number[]>;

export class GroupMember {
  memberId = '';
  generationId = UNKNOWN_GENERATION;
  assignment: Assignment = new Map();
  private rejoin = true;
  private heartbeat: NodeJS.Timeout | null = null;
  private heartbeatInFlight = false;
  private stopped = false;

  constructor(
    private readonly client: KafkaClient,
    private readonly o: GroupMemberOptions,
  ) {}

  get needsRejoin(): boolean {
    return this.rejoin;
  }

  /** Joins (or rejoins) the group; resolves with this member's partitions. */
  async join(deadlineMs: number): Promise<Assignment> {
    this.stopHeartbeats();
    for (;;) {
      if (Date.now() >= deadlineMs)
        throw kafkaErrorOf(ErrorCode.REQUEST_TIMED_OUT, `joining group ${this.o.groupId} timed out`);
      const joined = await this.joinOnce(deadlineMs);
      if (joined === null) continue;
      const assignment = await this.syncOnce(joined, deadlineMs);
      if (assignment === null) continue;
      this.assignment = assignment;
      this.rejoin = false;
      this.startHeartbeats();
      return assignment;
    }
  }

  /** A retriable group error: look the coordinator up again after a pause (null = retry). */
  private async retryAfter(errorCode: number, what: string): Promise<null> {
    if (COORDINATOR_ERRORS.includes(errorCode)) {
      this.client.forgetCoordinator(this.o.groupId);
      this.client.warnOnce(
        `coordinator ${this.o.groupId} ${errorCode}`,
        `${what} for group ${this.o.groupId}: ${errorName(errorCode)}; retrying`,
      );
    }
    await sleep(this.client.retryBackoffMs);
    return null;
  }

  private async joinOnce(
    deadlineMs: number,
  ): Promise<{ leader: boolean; members: { memberId: string; metadata: Buffer }[] } | null> {
    let r;
    try {
      r = await this.client.groupRequest(
        this.o.groupId,
        'JoinGroup',
        {
          groupId: this.o.groupId,
          sessionTimeoutMs: this.o.sessionTimeoutMs,
          rebalanceTimeoutMs: this.o.rebalanceTimeoutMs,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols: [{ name: RANGE_ASSIGNOR_NAME, metadata: encodeSubscription(this.o.topics) }],
        },
        deadlineMs,
        this.o.rebalanceTimeoutMs + JOIN_REQUEST_SLACK_MS,
      );
    } catch (e) {
      return this.retryOrThrow(e, 'JoinGroup');
    }
    switch (r.errorCode) {
      case ErrorCode.NONE:
        this.memberId = r.memberId;
        this.generationId = r.generationId;
        return { leader: r.leader === r.memberId, members: r.members };
      case ErrorCode.MEMBER_ID_REQUIRED:
        this.memberId = r.memberId;
        return null;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.memberId = '';
        return null;
      case ErrorCode.REBALANCE_IN_PROGRESS:
      case ErrorCode.ILLEGAL_GENERATION:
        return null;
      default:
        if (COORDINATOR_ERRORS.includes(r.errorCode)) return this.retryAfter(r.errorCode, 'JoinGroup');
        throw kafkaErrorOf(
          r.errorCode,
          `JoinGroup for group ${this.o.groupId} failed: ${errorName(r.errorCode)}`,
        );
    }
  }

  private async retryOrThrow(e: unknown, what: string): Promise<null> {
    if (!isRetriableError(e)) throw e;
    return this.retryAfter(ErrorCode.COORDINATOR_NOT_AVAILABLE, what);
  }

  private async syncOnce(
    joined: { leader: boolean; members: { memberId: string; metadata: Buffer }[] },
    deadlineMs: number,
  ): Promise<Assignment | null> {
    const assignments = joined.leader ? await this.assign(joined.members, deadlineMs) : [];
    let r;
    try {
      r = await this.client.groupRequest(
        this.o.groupId,
        'SyncGroup',
        {
          groupId: this.o.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: RANGE_ASSIGNOR_NAME,
          assignments,
        },
        deadlineMs,
        this.o.rebalanceTimeoutMs + JOIN_REQUEST_SLACK_MS,
      );
    } catch (e) {
      return this.retryOrThrow(e, 'SyncGroup');
    }
    if (r.errorCode === ErrorCode.NONE) return decodeAssignment(r.assignment);
    if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
    if (r.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID)
      return null;
    if (r.errorCode === ErrorCode.ILLEGAL_GENERATION) return null;
    if (COORDINATOR_ERRORS.includes(r.errorCode)) return this.retryAfter(r.errorCode, 'SyncGroup');
    throw kafkaErrorOf(
      r.errorCode,
      `SyncGroup for group ${this.o.groupId} failed: ${errorName(r.errorCode)}`,
    );
  }

  /** The leader's work: the range assignment of every member's subscription. */
  private async assign(
    members: { memberId: string; metadata: Buffer }[],
    deadlineMs: number,
  ): Promise<{ memberId: string; assignment: Buffer }[]> {
    const subscriptions = members.map((m) => ({
      memberId: m.memberId,
      topics: decodeSubscription(m.metadata).topics,
    }));
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
    const metadata = await this.client.refreshMetadata(topics, false, deadlineMs);
    const counts = new Map<string, number>();
    for (const name of topics) {
      const t = metadata.topics.get(name);
      if (t !== undefined && t.errorCode === ErrorCode.NONE && t.partitions.length > 0)
        counts.set(name, t.partitions.length);
    }
    const plan = rangeAssign(subscriptions, counts);
    return subscriptions.map((s) => ({
      memberId: s.memberId,
      assignment: encodeAssignment(plan.get(s.memberId) ?? new Map()),
    }));
  }

  private startHeartbeats(): void {
    this.stopHeartbeats();
    this.heartbeat = setInterval(() => void this.sendHeartbeat(), this.o.heartbeatIntervalMs);
  }

  private stopHeartbeats(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private async sendHeartbeat(): Promise<void> {
    if (this.heartbeatInFlight || this.stopped || this.rejoin) return;
    this.heartbeatInFlight = true;
    try {
      const r = await this.client.groupRequest(
        this.o.groupId,
        'Heartbeat',
        {
          groupId: this.o.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: null,
        },
        Date.now() + this.o.sessionTimeoutMs,
      );
      this.onGroupError(r.errorCode);
    } catch {
      // a lost coordinator shows up again on the next heartbeat or commit
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  /** Error codes that end the current generation for this member. */
  private onGroupError(errorCode: number): void {
    if (errorCode === ErrorCode.NONE) return;
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
    if (COORDINATOR_ERRORS.includes(errorCode)) this.client.forgetCoordinator(this.o.groupId);
    if (
      errorCode === ErrorCode.REBALANCE_IN_PROGRESS ||
      errorCode === ErrorCode.ILLEGAL_GENERATION ||
      errorCode === ErrorCode.UNKNOWN_MEMBER_ID ||
      COORDINATOR_ERRORS.includes(errorCode)
    ) {
      this.rejoin = true;
      this.stopHeartbeats();
    }
  }

  /** Committed offsets of these partitions (-1 where none); keys are topicPartitionKey(). */
  async committed(
    partitions: readonly TopicPartition[],
    deadlineMs: number,
  ): Promise<Map<string, CommittedOffset>> {
    return fetchCommittedOffsets(this.client, this.o.groupId, partitions, deadlineMs);
  }

  /** Commits offsets (the next offset to read) with this member's generation. */
  async commit(
    offsets: ReadonlyMap<string, TopicPartition & { offset: bigint }>,
    deadlineMs: number,
  ): Promise<void> {
    if (offsets.size === 0) return;
    const errors = await commitOffsets(this.client, this.o.groupId, offsets, deadlineMs, {
      generationId: this.generationId,
      memberId: this.memberId,
    });
    const first = [...errors.values()].find((code) => code !== ErrorCode.NONE);
    if (first !== undefined) {
      this.onGroupError(first);
      throw kafkaErrorOf(first, `OffsetCommit for group ${this.o.groupId} failed: ${errorName(first)}`);
    }
  }

  /** Leaves the group (LeaveGroup) and stops heartbeating; errors are ignored, as on close. */
  async leave(deadlineMs: number): Promise<void> {
    this.stopped = true;
    this.stopHeartbeats();
    if (this.memberId === '') return;
    try {
      await this.client.groupRequest(
        this.o.groupId,
        'LeaveGroup',
        {
          groupId: this.o.groupId,
          memberId: this.memberId,
          members: [{ memberId: this.memberId, groupInstanceId: null }],
        },
        deadlineMs,
      );
    } catch {
      // the session timeout removes the member anyway
    }
  }
}

export type CommittedOffset = TopicPartition & { readonly offset: bigint };

/**
 * OffsetFetch: committed offsets of a group's partitions (null: every partition it has offsets
 * for), -1 where none; keys are topicPartitionKey().
 */
export async function fetchCommittedOffsets(
  client: KafkaClient,
  groupId: string,
  partitions: readonly TopicPartition[] | null,
  deadlineMs: number,
): Promise<Map<string, CommittedOffset>> {
  return client.retrying('OffsetFetch', deadlineMs, async () => {
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions ?? [])
      byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const r = await client.groupRequest(
      groupId,
      'OffsetFetch',
      {
        groupId,
        topics:
          partitions === null
            ? null
            : [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
        requireStable: false,
      },
      deadlineMs,
    );
    if (r.errorCode !== ErrorCode.NONE) {
      if (COORDINATOR_ERRORS.includes(r.errorCode)) client.forgetCoordinator(groupId);
      throw kafkaErrorOf(r.errorCode, `OffsetFetch for group ${groupId}: ${errorName(r.errorCode)}`);
    }
    const out = new Map<string, CommittedOffset>();
    for (const t of r.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== ErrorCode.NONE) {
          if (COORDINATOR_ERRORS.includes(p.errorCode)) client.forgetCoordinator(groupId);
          throw kafkaErrorOf(
            p.errorCode,
            `OffsetFetch ${t.name}-${p.partitionIndex}: ${errorName(p.errorCode)}`,
          );
        }
        const tp = { topic: t.name, partition: p.partitionIndex };
        out.set(topicPartitionKey(tp), { ...tp, offset: p.committedOffset });
      }
    }
    return out;
  });
}

/**
 * OffsetCommit; without a member (generation -1, member "") it is the standalone commit admin
 * tools make for a group with no active members. Returns each partition's error code.
 */
export async function commitOffsets(
  client: KafkaClient,
  groupId: string,
  offsets: ReadonlyMap<string, TopicPartition & { offset: bigint }>,
  deadlineMs: number,
  member: { generationId: number; memberId: string } = { generationId: UNKNOWN_GENERATION, memberId: '' },
): Promise<Map<string, number>> {
  return client.retrying('OffsetCommit', deadlineMs, async () => {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const o of offsets.values()) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    const r = await client.groupRequest(
      groupId,
      'OffsetCommit',
      {
        groupId,
        generationIdOrMemberEpoch: member.generationId,
        memberId: member.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [...byTopic].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => ({
            partitionIndex: p.partition,
            committedOffset: p.offset,
            committedMetadata: '',
          })),
        })),
      },
      deadlineMs,
    );
    const out = new Map<string, number>();
    for (const t of r.topics) {
      for (const p of t.partitions) {
        if (COORDINATOR_ERRORS.includes(p.errorCode)) {
          client.forgetCoordinator(groupId);
          throw kafkaErrorOf(p.errorCode, `OffsetCommit for group ${groupId}: ${errorName(p.errorCode)}`);
        }
        out.set(topicPartitionKey({ topic: t.name, partition: p.partitionIndex }), p.errorCode);
      }
    }
    return out;
  });
}
