// The group coordinator: the I/O shell around the pure group state machines (group-state.ts). It
// keeps the groups this broker coordinates (coordinator-choice.ts) in memory, turns requests into
// state machine inputs and their effects into replies for the waiting JoinGroup and SyncGroup
// requests, runs one Clock timer per group at the machine's next deadline (sessions, join phase,
// late SyncGroups), and shows members and owners in ZooKeeper through the GroupStore after each
// change. Offsets go to and come from the GroupStore only; nothing here touches ZooKeeper or a
// socket itself. Group membership lives in memory: after a broker restart members re-join (their
// old ids get UNKNOWN_MEMBER_ID) and resume from the offsets kept in ZooKeeper.

import { randomUUID } from 'node:crypto';
import { Clock, Logger } from '../../../shared/src';
import { ErrorCode } from '../protocol';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, decodeSubscription } from './consumer-protocol';
import { coordinatorFor } from './coordinator-choice';
import {
  Group,
  GroupEffect,
  GroupLimits,
  GroupStateName,
  JoinInput,
  JoinReply,
  MemberRef,
  MemberView,
  SyncInput,
  SyncReply,
} from './group-state';
import { CommittedOffset, GroupStore, OffsetCommitEntry, PublishedGroup, TopicPartitions } from './offset-store';

export interface GroupCoordinatorOptions {
  readonly brokerId: number;
  readonly limits: GroupLimits;
  /** Ids of the live brokers, as the metadata cache sees them. */
  readonly liveBrokerIds: () => readonly number[];
  readonly store: GroupStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A new member's id; default `<clientId>-<uuid>` as Kafka makes it. */
  readonly newMemberId?: (clientId: string) => string;
}

export type JoinRequest = Omit<JoinInput, 'requestId' | 'newMemberId'> & { readonly groupId: string };
export type SyncRequest = Omit<SyncInput, 'requestId'> & { readonly groupId: string };

export interface GroupDescription {
  readonly groupId: string;
  readonly state: GroupStateName;
  readonly protocolType: string;
  /** The chosen protocol while Stable, else "". */
  readonly protocolName: string;
  /** While Stable with metadata and assignments, else without (as Kafka describes groups). */
  readonly members: readonly MemberView[];
}

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  readonly state: GroupStateName;
}

type Waiter = (reply: JoinReply | SyncReply) => void;

interface GroupTimer {
  readonly handle: unknown;
  readonly atMs: number;
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly waiters = new Map<number, Waiter>();
  private readonly timers = new Map<string, GroupTimer>();
  /** Owners shown for each group since its last completed rebalance. */
  private readonly owners = new Map<string, PublishedGroup['owners']>();
  private nextRequestId = 1;
  private stopping = false;
  private readonly logger: Logger;

  constructor(private readonly o: GroupCoordinatorOptions) {
    this.logger = o.logger.child({ component: 'group-coordinator' });
  }

  // ---- who coordinates -------------------------------------------------------------------------

  /** The broker coordinating `groupId`, or null while no broker is known to be live. */
  coordinatorOf(groupId: string): number | null {
    return coordinatorFor(groupId, this.o.liveBrokerIds());
  }

  /** NONE when this broker coordinates the group, else the error every group request answers. */
  coordinatorError(groupId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (this.stopping) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const id = this.coordinatorOf(groupId);
    if (id === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return id === this.o.brokerId ? ErrorCode.NONE : ErrorCode.NOT_COORDINATOR;
  }

  // ---- membership ------------------------------------------------------------------------------

  join(request: JoinRequest): Promise<JoinReply> {
    const group = this.groupFor(request.groupId);
    const requestId = this.nextRequestId++;
    const reply = this.waitFor<JoinReply>(requestId);
    const newMemberId = (this.o.newMemberId ?? defaultMemberId)(request.clientId);
    this.settle(group, group.join({ ...request, requestId, newMemberId }, this.o.clock.nowMs()));
    return reply;
  }

  sync(request: SyncRequest): Promise<SyncReply> {
    const group = this.groups.get(request.groupId);
    if (group === undefined) {
      return Promise.resolve({
        errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      });
    }
    const requestId = this.nextRequestId++;
    const reply = this.waitFor<SyncReply>(requestId);
    this.settle(group, group.sync({ ...request, requestId }, this.o.clock.nowMs()));
    return reply;
  }

  heartbeat(groupId: string, member: MemberRef, generationId: number): number {
    const group = this.groups.get(groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    const errorCode = group.heartbeat(member, generationId, this.o.clock.nowMs());
    this.settle(group, []);
    return errorCode;
  }

  /** One error code per leaving member. */
  leave(groupId: string, members: readonly MemberRef[]): number[] {
    const group = this.groups.get(groupId);
    if (group === undefined) return members.map(() => ErrorCode.UNKNOWN_MEMBER_ID);
    const { errorCodes, effects } = group.leave(members, this.o.clock.nowMs());
    this.settle(group, effects);
    return errorCodes;
  }

  // ---- offsets ---------------------------------------------------------------------------------

  /**
   * Checks the committing member against the group (Kafka's rules, group-state.ts commitError) and
   * stores the offsets. Returns the group-level error code (NONE when stored); a storage failure
   * rejects with a KafkaError.
   */
  async commitOffsets(
    groupId: string,
    member: MemberRef,
    generationId: number,
    entries: readonly OffsetCommitEntry[],
  ): Promise<number> {
    const group = this.groups.get(groupId);
    let errorCode: number;
    if (group !== undefined) {
      errorCode = group.commitError(member, generationId, this.o.clock.nowMs());
      this.settle(group, []);
    } else {
      // No such group in memory: only commits outside group management (generation -1) are kept.
      errorCode = generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    }
    if (errorCode !== ErrorCode.NONE) return errorCode;
    await this.o.store.commitOffsets(groupId, entries);
    return ErrorCode.NONE;
  }

  fetchOffsets(groupId: string, topics: readonly TopicPartitions[] | null): Promise<CommittedOffset[]> {
    return this.o.store.fetchOffsets(groupId, topics);
  }

  // ---- administration --------------------------------------------------------------------------

  async describe(groupId: string): Promise<GroupDescription> {
    const group = this.groups.get(groupId);
    if (group !== undefined && group.state !== 'Dead') {
      const stable = group.state === 'Stable';
      const members = group.memberViews().map((m) =>
        stable ? m : { ...m, metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) },
      );
      return {
        groupId,
        state: group.state,
        protocolType: group.protocolType ?? '',
        protocolName: stable ? (group.protocolName ?? '') : '',
        members,
      };
    }
    const state: GroupStateName = (await this.o.store.groupExists(groupId)) ? 'Empty' : 'Dead';
    return { groupId, state, protocolType: '', protocolName: '', members: [] };
  }

  /** The groups this broker coordinates: in memory, and those ZooKeeper keeps offsets of. */
  async list(): Promise<ListedGroup[]> {
    const out = new Map<string, ListedGroup>();
    for (const id of await this.o.store.groupIds()) {
      if (this.coordinatorOf(id) === this.o.brokerId) out.set(id, { groupId: id, protocolType: '', state: 'Empty' });
    }
    for (const g of this.groups.values()) {
      if (g.state === 'Dead') continue;
      out.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state });
    }
    return [...out.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** DeleteGroups for one group: NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when unknown. */
  async deleteGroup(groupId: string): Promise<number> {
    const group = this.groups.get(groupId);
    if (group !== undefined && group.memberCount > 0) return ErrorCode.NON_EMPTY_GROUP;
    if (group !== undefined) this.settle(group, group.markDead(ErrorCode.GROUP_ID_NOT_FOUND));
    const existed = await this.o.store.deleteGroup(groupId);
    const rejoined = this.groups.get(groupId);
    if (rejoined !== undefined) this.publish(rejoined);
    return existed || group !== undefined ? ErrorCode.NONE : ErrorCode.GROUP_ID_NOT_FOUND;
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /** A (new) ZooKeeper session: the ephemerals are written again for every group. */
  start(): void {
    this.o.store.sessionStarted();
    for (const g of this.groups.values()) this.publish(g);
  }

  /** The live brokers changed: groups now coordinated elsewhere are given up. */
  onBrokersChanged(): void {
    for (const g of [...this.groups.values()]) {
      const id = this.coordinatorOf(g.groupId);
      if (id === null || id === this.o.brokerId) continue;
      this.logger.info(`group ${g.groupId} moves to broker ${id}`);
      this.settle(g, g.markDead(ErrorCode.NOT_COORDINATOR));
    }
  }

  /** Clean shutdown: waiting requests get NOT_COORDINATOR, queued commits are finished. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const g of [...this.groups.values()]) this.settle(g, g.markDead(ErrorCode.NOT_COORDINATOR));
    for (const t of this.timers.values()) this.o.clock.clearTimer(t.handle);
    this.timers.clear();
    await this.o.store.close();
  }

  /** Groups in memory (for tests and the benchmark). */
  group(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  // ---- the shell -------------------------------------------------------------------------------

  private groupFor(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (group === undefined || group.state === 'Dead') {
      group = new Group(groupId, this.o.limits);
      this.groups.set(groupId, group);
    }
    return group;
  }

  private waitFor<R extends JoinReply | SyncReply>(requestId: number): Promise<R> {
    return new Promise<R>((resolve) => this.waiters.set(requestId, resolve as Waiter));
  }

  /** Applies effects, then re-arms the group's timer or lets an idle group go. */
  private settle(group: Group, effects: readonly GroupEffect[]): void {
    let publish = false;
    for (const e of effects) {
      switch (e.kind) {
        case 'join-reply':
        case 'sync-reply': {
          const waiter = this.waiters.get(e.requestId);
          this.waiters.delete(e.requestId);
          waiter?.(e.reply);
          break;
        }
        case 'owners-changed':
          this.owners.set(group.groupId, group.state === 'Stable' ? this.ownersOf(group) : []);
          publish = true;
          break;
        case 'members-changed':
          publish = true;
          break;
      }
    }
    if (publish) this.publish(group);
    const current = this.groups.get(group.groupId) === group;
    if (current && (group.isIdle || group.state === 'Dead')) {
      this.groups.delete(group.groupId);
      this.owners.delete(group.groupId);
    }
    this.reschedule(group);
  }

  private reschedule(group: Group): void {
    const live = this.groups.get(group.groupId) === group && !this.stopping;
    const at = live ? group.nextDeadlineMs() : null;
    const timer = this.timers.get(group.groupId);
    if (timer !== undefined && timer.atMs === at) return;
    if (timer !== undefined) {
      this.o.clock.clearTimer(timer.handle);
      this.timers.delete(group.groupId);
    }
    if (at === null) return;
    const delayMs = Math.max(0, at - this.o.clock.nowMs());
    const handle = this.o.clock.setTimer(delayMs, () => {
      if (this.timers.get(group.groupId)?.handle !== handle) return;
      this.timers.delete(group.groupId);
      if (this.groups.get(group.groupId) === group) this.settle(group, group.tick(this.o.clock.nowMs()));
    });
    this.timers.set(group.groupId, { handle, atMs: at });
  }

  private publish(group: Group): void {
    if (this.stopping) return;
    const consumer = group.protocolType === CONSUMER_PROTOCOL_TYPE;
    const members = group.memberViews().map((m) => ({
      memberId: m.memberId,
      subscription: consumer ? this.subscriptionOf(group.groupId, m) : [],
      joinedAtMs: m.joinedAtMs,
    }));
    const owners = group.state === 'Dead' ? [] : (this.owners.get(group.groupId) ?? []);
    this.o.store.publish(group.groupId, { members, owners });
  }

  private subscriptionOf(groupId: string, m: MemberView): string[] {
    if (m.metadata.length === 0) return [];
    try {
      return decodeSubscription(m.metadata).value.topics;
    } catch (e) {
      this.logger.warn(`group ${groupId}: undecodable subscription of ${m.memberId}: ${(e as Error).message}`);
      return [];
    }
  }

  /** Partition owners from the members' ConsumerProtocol assignments (other protocols own nothing). */
  private ownersOf(group: Group): PublishedGroup['owners'] {
    if (group.protocolType !== CONSUMER_PROTOCOL_TYPE) return [];
    const owners = new Map<string, { topic: string; partition: number; memberId: string }>();
    for (const m of group.memberViews()) {
      let assigned;
      try {
        assigned = decodeAssignment(m.assignment).value.assignedPartitions;
      } catch (e) {
        this.logger.warn(`group ${group.groupId}: undecodable assignment of ${m.memberId}: ${(e as Error).message}`);
        continue;
      }
      for (const tp of assigned) {
        for (const partition of tp.partitions) {
          owners.set(`${tp.topic}/${partition}`, { topic: tp.topic, partition, memberId: m.memberId });
        }
      }
    }
    return [...owners.values()];
  }
}

function defaultMemberId(clientId: string): string {
  return `${clientId}-${randomUUID()}`;
}
