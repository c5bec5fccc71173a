// PURE: one consumer group's state machine, Kafka's classic group protocol (GroupCoordinator and
// GroupMetadata of Kafka 2.x-3.x): Empty -> PreparingRebalance -> CompletingRebalance -> Stable,
// and Dead once unloaded or deleted. Inputs are the group requests (JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup, an OffsetCommit's member check) and tick(nowMs); outputs are effects:
// replies to waiting JoinGroup/SyncGroup requests (addressed by the request id the caller chose)
// and notices that the members or the owners changed. Time arrives only as nowMs arguments and
// member ids are made by the caller, so the same inputs always give the same outputs. Imports no
// timer, socket, file or clock; never throws for anything a client can send.
//
// Rules kept from Kafka: JoinGroup v4+ without a member id gets MEMBER_ID_REQUIRED with a fresh id
// (a pending member until it re-joins or its session timeout passes); the join phase ends when
// every known member and no pending one is waiting, or at the largest rebalance timeout, dropping
// dynamic members that did not re-join; a group leaving Empty first waits
// group.initial.rebalance.delay.ms, extended by each new member up to the rebalance timeout; the
// generation then bumps, the protocol is chosen by member votes, and only the leader gets the
// member list. The leader's SyncGroup makes the group Stable and every member gets its own
// assignment. Members not heard from within their session timeout (while not waiting on a join or
// sync) are removed; members that do not send SyncGroup within the rebalance timeout too. Static
// members (group.instance.id) keep their place across restarts: a re-join with a new member id
// fences the old id (FENCED_INSTANCE_ID) and, in a Stable group whose protocol does not change,
// gets the current generation back without a rebalance.

import { ErrorCode } from '../protocol';

export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupLimits {
  /** group.min.session.timeout.ms / group.max.session.timeout.ms. */
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms. */
  readonly initialRebalanceDelayMs: number;
}

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinInput {
  /** Chosen by the caller; the reply effect carries it. */
  readonly requestId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  /** -1 (JoinGroup v0): the session timeout. */
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
  /** JoinGroup v4+: a member without an id first gets one with MEMBER_ID_REQUIRED. */
  readonly requireKnownMemberId: boolean;
  /** The id a new member gets (the caller makes it: `<clientId>-<uuid>`). */
  readonly newMemberId: string;
}

export interface JoinReply {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leader: string;
  readonly memberId: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncInput {
  readonly requestId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly generationId: number;
  readonly assignments: readonly { memberId: string; assignment: Buffer }[];
}

export interface SyncReply {
  readonly errorCode: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

export interface MemberRef {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export type GroupEffect =
  | { readonly kind: 'join-reply'; readonly requestId: number; readonly reply: JoinReply }
  | { readonly kind: 'sync-reply'; readonly requestId: number; readonly reply: SyncReply }
  /** A generation formed or members left: the registrations under /consumers/G/ids follow. */
  | { readonly kind: 'members-changed' }
  /** The group became Stable (assignments known) or lost its members: /consumers/G/owners follows. */
  | { readonly kind: 'owners-changed' };

/** A member as DescribeGroups and the ZooKeeper registrations show it. */
export interface MemberView {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /** Metadata for the group's protocol (or the member's first one before a protocol is chosen). */
  readonly metadata: Buffer;
  readonly assignment: Buffer;
  readonly joinedAtMs: number;
}

interface Member {
  memberId: string;
  readonly groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly GroupProtocol[];
  assignment: Buffer;
  lastHeartbeatMs: number;
  joinedAtMs: number;
  /** The JoinGroup waiting for the end of the join phase. */
  joinRequest: number | null;
  /** The SyncGroup waiting for the leader's assignment. */
  syncRequest: number | null;
}

const EMPTY_BYTES = Buffer.alloc(0);

export class Group {
  private stateValue: GroupStateName = 'Empty';
  private generation = 0;
  private protocolTypeValue: string | null = null;
  private protocolNameValue: string | null = null;
  private leaderValue: string | null = null;
  /** Insertion ordered: the first member becomes leader when the leader goes. */
  private readonly members = new Map<string, Member>();
  /** group.instance.id -> member id. */
  private readonly staticMembers = new Map<string, string>();
  /** Ids handed out with MEMBER_ID_REQUIRED -> when they lapse. */
  private readonly pendingMembers = new Map<string, number>();
  private joinDeadlineMs: number | null = null;
  /** Set while the initial delay of a group leaving Empty runs. */
  private initialDelayUntilMs: number | null = null;
  private initialDelayLeftMs = 0;
  private newMemberAdded = false;
  /** Members of the current generation that have not sent SyncGroup yet. */
  private readonly pendingSync = new Set<string>();
  private syncDeadlineMs: number | null = null;
  private out: GroupEffect[] = [];

  constructor(
    readonly groupId: string,
    private readonly limits: GroupLimits,
  ) {}

  // ---- reading -------------------------------------------------------------------------------

  get state(): GroupStateName {
    return this.stateValue;
  }

  get generationId(): number {
    return this.generation;
  }

  get protocolType(): string | null {
    return this.protocolTypeValue;
  }

  get protocolName(): string | null {
    return this.protocolNameValue;
  }

  get leaderId(): string | null {
    return this.leaderValue;
  }

  get memberCount(): number {
    return this.members.size;
  }

  /** True when nothing ties the group to memory: Empty, and no member id handed out is pending. */
  get isIdle(): boolean {
    return this.stateValue === 'Empty' && this.pendingMembers.size === 0;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  memberViews(): MemberView[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      sessionTimeoutMs: m.sessionTimeoutMs,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      metadata: this.metadataOf(m, this.protocolNameValue ?? m.protocols[0]?.name ?? ''),
      assignment: m.assignment,
      joinedAtMs: m.joinedAtMs,
    }));
  }

  /** The earliest time tick() has something to do, or null. */
  nextDeadlineMs(): number | null {
    let next: number | null = null;
    const consider = (t: number | null): void => {
      if (t !== null && (next === null || t < next)) next = t;
    };
    for (const m of this.members.values()) {
      if (m.joinRequest === null && m.syncRequest === null) consider(m.lastHeartbeatMs + m.sessionTimeoutMs);
    }
    for (const until of this.pendingMembers.values()) consider(until);
    if (this.stateValue === 'PreparingRebalance') {
      consider(this.initialDelayUntilMs ?? this.joinDeadlineMs);
    }
    if (this.pendingSync.size > 0) consider(this.syncDeadlineMs);
    return next;
  }

  // ---- inputs --------------------------------------------------------------------------------

  join(input: JoinInput, nowMs: number): GroupEffect[] {
    const error = this.joinError(input);
    if (error !== null) {
      this.replyJoinError(input.requestId, input.memberId, error);
      return this.drain();
    }
    if (input.memberId === '') this.joinUnknown(input, nowMs);
    else if (this.pendingMembers.has(input.memberId)) {
      this.pendingMembers.delete(input.memberId);
      this.addMember(input.memberId, input, nowMs);
    } else if (this.isFenced(input.memberId, input.groupInstanceId)) {
      this.replyJoinError(input.requestId, input.memberId, ErrorCode.FENCED_INSTANCE_ID);
    } else {
      const member = this.members.get(input.memberId);
      if (member === undefined) this.replyJoinError(input.requestId, input.memberId, ErrorCode.UNKNOWN_MEMBER_ID);
      else this.joinKnown(member, input, nowMs);
    }
    return this.drain();
  }

  sync(input: SyncInput, nowMs: number): GroupEffect[] {
    const member = this.members.get(input.memberId);
    const error = this.memberError(input.memberId, input.groupInstanceId, input.generationId);
    if (error !== null || member === undefined) {
      this.replySync(input.requestId, error ?? ErrorCode.UNKNOWN_MEMBER_ID, EMPTY_BYTES);
      return this.drain();
    }
    member.lastHeartbeatMs = nowMs;
    switch (this.stateValue) {
      case 'PreparingRebalance':
        this.replySync(input.requestId, ErrorCode.REBALANCE_IN_PROGRESS, EMPTY_BYTES);
        break;
      case 'CompletingRebalance':
        if (member.syncRequest !== null) {
          this.replySync(member.syncRequest, ErrorCode.REBALANCE_IN_PROGRESS, EMPTY_BYTES);
        }
        member.syncRequest = input.requestId;
        this.pendingSync.delete(member.memberId);
        if (member.memberId === this.leaderValue) this.completeSync(input.assignments);
        break;
      case 'Stable':
        this.pendingSync.delete(member.memberId);
        this.replySync(input.requestId, ErrorCode.NONE, member.assignment);
        break;
      case 'Empty':
      case 'Dead':
        this.replySync(input.requestId, ErrorCode.UNKNOWN_MEMBER_ID, EMPTY_BYTES);
        break;
    }
    return this.drain();
  }

  /** Heartbeat: the error code to answer (the member's session is refreshed when it is known). */
  heartbeat(member: MemberRef, generationId: number, nowMs: number): number {
    const error = this.memberError(member.memberId, member.groupInstanceId, generationId);
    if (error !== null) return error;
    this.members.get(member.memberId)!.lastHeartbeatMs = nowMs;
    return this.stateValue === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** LeaveGroup: one error code per member, in order. */
  leave(leaving: readonly MemberRef[], nowMs: number): { errorCodes: number[]; effects: GroupEffect[] } {
    const errorCodes = leaving.map((ref) => this.leaveOne(ref, nowMs));
    return { errorCodes, effects: this.drain() };
  }

  /**
   * OffsetCommit's check of the committing member: NONE when the commit may be stored. Commits of
   * a generation still being joined (PreparingRebalance) are allowed, so members can commit what
   * they consumed before giving their partitions up; generation -1 commits only into an Empty group.
   */
  commitError(member: MemberRef, generationId: number, nowMs: number): number {
    if (this.stateValue === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && this.stateValue === 'Empty') return ErrorCode.NONE;
    if (this.isFenced(member.memberId, member.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const m = this.members.get(member.memberId);
    if (m === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (this.stateValue === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    m.lastHeartbeatMs = nowMs;
    return ErrorCode.NONE;
  }

  /** Expires sessions, pending member ids, the join phase and late SyncGroups that are due. */
  tick(nowMs: number): GroupEffect[] {
    for (const [id, until] of [...this.pendingMembers]) if (nowMs >= until) this.pendingMembers.delete(id);
    for (const m of [...this.members.values()]) {
      const waiting = m.joinRequest !== null || m.syncRequest !== null;
      if (!waiting && nowMs >= m.lastHeartbeatMs + m.sessionTimeoutMs && this.members.has(m.memberId)) {
        this.removeMember(m);
        this.afterRemoval(nowMs);
      }
    }
    if (this.stateValue === 'PreparingRebalance') this.tickJoinPhase(nowMs);
    if (this.syncDeadlineMs !== null && nowMs >= this.syncDeadlineMs) this.expireLateSyncs(nowMs);
    return this.drain();
  }

  /** Unload or delete: every waiting request gets `errorCode`, the members go, the group is Dead. */
  markDead(errorCode: number): GroupEffect[] {
    for (const m of this.members.values()) {
      if (m.joinRequest !== null) this.replyJoinError(m.joinRequest, m.memberId, errorCode);
      if (m.syncRequest !== null) this.replySync(m.syncRequest, errorCode, EMPTY_BYTES);
    }
    const hadMembers = this.members.size > 0;
    this.members.clear();
    this.staticMembers.clear();
    this.pendingMembers.clear();
    this.pendingSync.clear();
    this.leaderValue = null;
    this.joinDeadlineMs = null;
    this.initialDelayUntilMs = null;
    this.syncDeadlineMs = null;
    this.stateValue = 'Dead';
    if (hadMembers) this.out.push({ kind: 'members-changed' }, { kind: 'owners-changed' });
    return this.drain();
  }

  // ---- join ----------------------------------------------------------------------------------

  private joinError(input: JoinInput): number | null {
    if (this.stateValue === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const t = input.sessionTimeoutMs;
    if (t < this.limits.minSessionTimeoutMs || t > this.limits.maxSessionTimeoutMs) {
      return ErrorCode.INVALID_SESSION_TIMEOUT;
    }
    if (!this.supportsProtocols(input)) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    return null;
  }

  /** Kafka's supportsProtocols: a type and a protocol every current member also supports. */
  private supportsProtocols(input: JoinInput): boolean {
    if (input.protocolType === '' || input.protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    if (input.protocolType !== this.protocolTypeValue) return false;
    const candidates = this.candidateProtocols();
    return input.protocols.some((p) => candidates.includes(p.name));
  }

  private joinUnknown(input: JoinInput, nowMs: number): void {
    if (input.groupInstanceId !== null) {
      const existing = this.staticMembers.get(input.groupInstanceId);
      if (existing !== undefined) this.replaceStaticMember(this.members.get(existing)!, input, nowMs);
      else this.addMember(input.newMemberId, input, nowMs);
      return;
    }
    if (input.requireKnownMemberId) {
      this.pendingMembers.set(input.newMemberId, nowMs + input.sessionTimeoutMs);
      this.replyJoinError(input.requestId, input.newMemberId, ErrorCode.MEMBER_ID_REQUIRED);
      return;
    }
    this.addMember(input.newMemberId, input, nowMs);
  }

  private addMember(memberId: string, input: JoinInput, nowMs: number): void {
    if (this.members.size === 0) this.protocolTypeValue = input.protocolType;
    const member: Member = {
      memberId,
      groupInstanceId: input.groupInstanceId,
      clientId: input.clientId,
      clientHost: input.clientHost,
      sessionTimeoutMs: input.sessionTimeoutMs,
      rebalanceTimeoutMs: rebalanceTimeoutOf(input),
      protocols: input.protocols,
      assignment: EMPTY_BYTES,
      lastHeartbeatMs: nowMs,
      joinedAtMs: nowMs,
      joinRequest: input.requestId,
      syncRequest: null,
    };
    this.members.set(memberId, member);
    if (input.groupInstanceId !== null) this.staticMembers.set(input.groupInstanceId, memberId);
    this.leaderValue ??= memberId;
    if (this.stateValue === 'PreparingRebalance') this.newMemberAdded = true;
    else this.prepareRebalance(nowMs);
    this.maybeCompleteJoin(nowMs);
  }

  private joinKnown(member: Member, input: JoinInput, nowMs: number): void {
    const sameProtocols = protocolsEqual(member.protocols, input.protocols);
    const current = this.stateValue;
    if (current === 'CompletingRebalance' && sameProtocols) {
      // A retry of a join whose reply got lost: the current generation again.
      this.replyJoin(input.requestId, member.memberId, member.memberId === this.leaderValue);
      return;
    }
    if (current === 'Stable' && sameProtocols && member.memberId !== this.leaderValue) {
      this.replyJoin(input.requestId, member.memberId, false);
      return;
    }
    this.updateMember(member, input, nowMs);
    if (current !== 'PreparingRebalance') this.prepareRebalance(nowMs);
    this.maybeCompleteJoin(nowMs);
  }

  private updateMember(member: Member, input: JoinInput, nowMs: number): void {
    member.protocols = input.protocols;
    member.sessionTimeoutMs = input.sessionTimeoutMs;
    member.rebalanceTimeoutMs = rebalanceTimeoutOf(input);
    member.clientId = input.clientId;
    member.clientHost = input.clientHost;
    member.lastHeartbeatMs = nowMs;
    if (member.joinRequest !== null) {
      this.replyJoinError(member.joinRequest, member.memberId, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    member.joinRequest = input.requestId;
  }

  /** A static member re-joined without its old id (a restart): the new id takes the old one's place. */
  private replaceStaticMember(old: Member, input: JoinInput, nowMs: number): void {
    const oldId = old.memberId;
    const leaderBefore = this.leaderValue;
    if (old.joinRequest !== null) this.replyJoinError(old.joinRequest, oldId, ErrorCode.FENCED_INSTANCE_ID);
    if (old.syncRequest !== null) this.replySync(old.syncRequest, ErrorCode.FENCED_INSTANCE_ID, EMPTY_BYTES);
    old.joinRequest = null;
    old.syncRequest = null;
    const newId = input.newMemberId;
    this.members.delete(oldId);
    old.memberId = newId;
    this.members.set(newId, old);
    this.staticMembers.set(input.groupInstanceId!, newId);
    if (this.leaderValue === oldId) this.leaderValue = newId;
    if (this.pendingSync.delete(oldId)) this.pendingSync.add(newId);
    this.out.push({ kind: 'members-changed' });
    const keepsProtocol =
      this.stateValue === 'Stable' && this.selectProtocolWith(old, input.protocols) === this.protocolNameValue;
    if (keepsProtocol) {
      this.updateMember(old, input, nowMs);
      old.joinRequest = null;
      // The old leader id is returned so that the new id does not take itself for the leader and
      // run an assignment a Stable group would not hand out.
      this.out.push({
        kind: 'join-reply',
        requestId: input.requestId,
        reply: this.joinReplyBody(newId, leaderBefore ?? '', false),
      });
      this.out.push({ kind: 'owners-changed' });
      return;
    }
    this.updateMember(old, input, nowMs);
    if (this.stateValue !== 'PreparingRebalance') this.prepareRebalance(nowMs);
    this.maybeCompleteJoin(nowMs);
  }

  private prepareRebalance(nowMs: number): void {
    if (this.stateValue === 'CompletingRebalance') {
      for (const m of this.members.values()) {
        m.assignment = EMPTY_BYTES;
        if (m.syncRequest !== null) this.replySync(m.syncRequest, ErrorCode.REBALANCE_IN_PROGRESS, EMPTY_BYTES);
        m.syncRequest = null;
      }
    }
    const rebalanceTimeoutMs = this.rebalanceTimeoutMs();
    if (this.stateValue === 'Empty') {
      const delay = Math.min(this.limits.initialRebalanceDelayMs, rebalanceTimeoutMs);
      this.initialDelayUntilMs = delay > 0 ? nowMs + delay : null;
      this.initialDelayLeftMs = rebalanceTimeoutMs - delay;
      this.newMemberAdded = false;
    } else {
      this.initialDelayUntilMs = null;
    }
    this.stateValue = 'PreparingRebalance';
    this.joinDeadlineMs = nowMs + rebalanceTimeoutMs;
    this.pendingSync.clear();
    this.syncDeadlineMs = null;
  }

  private rebalanceTimeoutMs(): number {
    let t = 0;
    for (const m of this.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t;
  }

  private tickJoinPhase(nowMs: number): void {
    if (this.initialDelayUntilMs !== null) {
      if (nowMs < this.initialDelayUntilMs) return;
      if (this.newMemberAdded && this.initialDelayLeftMs > 0) {
        const step = Math.min(this.limits.initialRebalanceDelayMs, this.initialDelayLeftMs);
        this.initialDelayUntilMs = nowMs + step;
        this.initialDelayLeftMs -= step;
        this.newMemberAdded = false;
        return;
      }
      this.initialDelayUntilMs = null;
      this.completeJoin(nowMs);
      return;
    }
    if (this.joinDeadlineMs !== null && nowMs >= this.joinDeadlineMs) this.completeJoin(nowMs);
    else this.maybeCompleteJoin(nowMs);
  }

  private maybeCompleteJoin(nowMs: number): void {
    if (this.stateValue !== 'PreparingRebalance' || this.initialDelayUntilMs !== null) return;
    if (this.allMembersJoined() || (this.joinDeadlineMs !== null && nowMs >= this.joinDeadlineMs)) {
      this.completeJoin(nowMs);
    }
  }

  private allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (m.joinRequest === null) return false;
    return true;
  }

  private completeJoin(nowMs: number): void {
    for (const m of [...this.members.values()]) {
      if (m.joinRequest === null && m.groupInstanceId === null) this.removeMember(m);
    }
    this.joinDeadlineMs = null;
    this.initialDelayUntilMs = null;
    if (this.members.size === 0) {
      this.generation++;
      this.protocolNameValue = null;
      this.stateValue = 'Empty';
      this.out.push({ kind: 'members-changed' }, { kind: 'owners-changed' });
      return;
    }
    if (!this.electJoinedLeader()) {
      // Only static members that have not re-joined are left: wait for them (or their sessions).
      this.joinDeadlineMs = nowMs + this.rebalanceTimeoutMs();
      return;
    }
    this.generation++;
    this.protocolNameValue = this.selectProtocol();
    this.stateValue = 'CompletingRebalance';
    this.pendingSync.clear();
    for (const m of this.members.values()) {
      this.pendingSync.add(m.memberId);
      m.lastHeartbeatMs = nowMs;
      if (m.joinRequest === null) continue;
      const request = m.joinRequest;
      m.joinRequest = null;
      this.out.push({
        kind: 'join-reply',
        requestId: request,
        reply: this.joinReplyBody(m.memberId, this.leaderValue!, m.memberId === this.leaderValue),
      });
    }
    this.syncDeadlineMs = nowMs + this.rebalanceTimeoutMs();
    this.out.push({ kind: 'members-changed' });
  }

  /** Keeps the leader when it re-joined, else picks a member that did; false when none did. */
  private electJoinedLeader(): boolean {
    const leader = this.leaderValue === null ? undefined : this.members.get(this.leaderValue);
    if (leader !== undefined && leader.joinRequest !== null) return true;
    for (const m of this.members.values()) {
      if (m.joinRequest !== null) {
        this.leaderValue = m.memberId;
        return true;
      }
    }
    return false;
  }

  // ---- sync ----------------------------------------------------------------------------------

  private completeSync(assignments: SyncInput['assignments']): void {
    const given = new Map<string, Buffer>();
    for (const a of assignments) given.set(a.memberId, a.assignment);
    for (const m of this.members.values()) m.assignment = given.get(m.memberId) ?? EMPTY_BYTES;
    this.stateValue = 'Stable';
    for (const m of this.members.values()) {
      if (m.syncRequest === null) continue;
      this.replySync(m.syncRequest, ErrorCode.NONE, m.assignment);
      m.syncRequest = null;
    }
    this.out.push({ kind: 'owners-changed' });
  }

  private expireLateSyncs(nowMs: number): void {
    this.syncDeadlineMs = null;
    if (this.pendingSync.size === 0) return;
    for (const id of [...this.pendingSync]) {
      const m = this.members.get(id);
      if (m !== undefined) this.removeMember(m);
    }
    this.pendingSync.clear();
    this.afterRemoval(nowMs);
  }

  // ---- leave and removal ---------------------------------------------------------------------

  private leaveOne(ref: MemberRef, nowMs: number): number {
    let memberId = ref.memberId;
    if (memberId === '' && ref.groupInstanceId !== null) {
      memberId = this.staticMembers.get(ref.groupInstanceId) ?? '';
      if (memberId === '') return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    if (this.stateValue === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.isFenced(memberId, ref.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (this.pendingMembers.delete(memberId)) {
      this.maybeCompleteJoin(nowMs);
      return ErrorCode.NONE;
    }
    const member = this.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(member);
    this.afterRemoval(nowMs);
    return ErrorCode.NONE;
  }

  private removeMember(m: Member): void {
    if (m.joinRequest !== null) this.replyJoinError(m.joinRequest, m.memberId, ErrorCode.UNKNOWN_MEMBER_ID);
    if (m.syncRequest !== null) this.replySync(m.syncRequest, ErrorCode.UNKNOWN_MEMBER_ID, EMPTY_BYTES);
    m.joinRequest = null;
    m.syncRequest = null;
    this.members.delete(m.memberId);
    if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === m.memberId) {
      this.staticMembers.delete(m.groupInstanceId);
    }
    this.pendingSync.delete(m.memberId);
    if (this.leaderValue === m.memberId) this.leaderValue = this.members.keys().next().value ?? null;
    this.out.push({ kind: 'members-changed' });
  }

  private afterRemoval(nowMs: number): void {
    switch (this.stateValue) {
      case 'Stable':
      case 'CompletingRebalance':
        this.prepareRebalance(nowMs);
        this.maybeCompleteJoin(nowMs);
        break;
      case 'PreparingRebalance':
        this.maybeCompleteJoin(nowMs);
        break;
      case 'Empty':
      case 'Dead':
        break;
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** The error for a request naming a member and generation, or null when it is current. */
  private memberError(memberId: string, groupInstanceId: string | null, generationId: number): number | null {
    if (this.stateValue === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.isFenced(memberId, groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (!this.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    return null;
  }

  private isFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const known = this.staticMembers.get(groupInstanceId);
    return known !== undefined && known !== memberId;
  }

  /** Protocols every member supports, in the order of the first member's preference. */
  private candidateProtocols(): string[] {
    const all = [...this.members.values()];
    if (all.length === 0) return [];
    return all[0]!.protocols
      .map((p) => p.name)
      .filter((name) => all.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /** Each member votes for its most preferred candidate; ties go to the earlier candidate. */
  private selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name));
      if (choice !== undefined) votes.set(choice.name, votes.get(choice.name)! + 1);
    }
    let best = candidates[0] ?? '';
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /** The protocol the group would choose if `member` supported `protocols` instead. */
  private selectProtocolWith(member: Member, protocols: readonly GroupProtocol[]): string {
    const saved = member.protocols;
    member.protocols = protocols;
    const chosen = this.selectProtocol();
    member.protocols = saved;
    return chosen;
  }

  private metadataOf(m: Member, protocol: string): Buffer {
    return m.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY_BYTES;
  }

  private joinReplyBody(memberId: string, leader: string, withMembers: boolean): JoinReply {
    const protocol = this.protocolNameValue ?? '';
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generation,
      protocolType: this.protocolTypeValue,
      protocolName: this.protocolNameValue,
      leader,
      memberId,
      members: withMembers
        ? [...this.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: this.metadataOf(m, protocol),
          }))
        : [],
    };
  }

  private replyJoin(requestId: number, memberId: string, withMembers: boolean): void {
    this.out.push({
      kind: 'join-reply',
      requestId,
      reply: this.joinReplyBody(memberId, this.leaderValue ?? '', withMembers),
    });
  }

  private replyJoinError(requestId: number, memberId: string, errorCode: number): void {
    this.out.push({
      kind: 'join-reply',
      requestId,
      reply: {
        errorCode,
        generationId: -1,
        protocolType: null,
        protocolName: null,
        leader: '',
        memberId,
        members: [],
      },
    });
  }

  private replySync(requestId: number, errorCode: number, assignment: Buffer): void {
    this.out.push({
      kind: 'sync-reply',
      requestId,
      reply: {
        errorCode,
        protocolType: this.protocolTypeValue,
        protocolName: this.protocolNameValue,
        assignment,
      },
    });
  }

  private drain(): GroupEffect[] {
    const effects = this.out;
    this.out = [];
    return effects;
  }
}

function rebalanceTimeoutOf(input: JoinInput): number {
  return input.rebalanceTimeoutMs > 0 ? input.rebalanceTimeoutMs : input.sessionTimeoutMs;
}

function protocolsEqual(a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}
