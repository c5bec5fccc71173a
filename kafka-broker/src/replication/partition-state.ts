// PURE: the replication arithmetic of one partition led by this broker: the high watermark from the
// log end offsets of the in-sync replicas, the ISR shrink and expand decisions, the acks=all
// admission rule (min.insync.replicas) and when a waiting acks=all produce is satisfied.
// No clocks, no I/O: times arrive as nowMs arguments, the state is plain immutable data.
//
// Offsets (kafka.md section 6): LEO = next offset a replica will write; HW = min LEO over the ISR,
// never moving backwards while the leader keeps its epoch. A single broker's ISR is [self], so its
// HW follows its own LEO.

/** What the controller decided for a partition (its state znode), as this broker sees it. */
export interface LeaderAndIsr {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** The assignment, preferred leader first. */
  readonly replicas: readonly number[];
  readonly controllerEpoch: number;
  /** zkVersion of the state znode, for conditional ISR updates. */
  readonly zkVersion: number;
}

/** What the leader knows of one follower, from its fetch requests. */
export interface FollowerProgress {
  readonly brokerId: number;
  /** The fetch offset of the follower's last fetch (its LEO); -1n before the first fetch. */
  readonly logEndOffset: bigint;
  /** When the follower last reached the leader's LEO (Kafka's lastCaughtUpTimeMs). */
  readonly lastCaughtUpMs: number;
}

/** Leader-side view: the leadership plus follower progress and the current high watermark. */
export interface LeaderState {
  readonly brokerId: number;
  readonly leadership: LeaderAndIsr;
  readonly followers: ReadonlyMap<number, FollowerProgress>;
  readonly highWatermark: bigint;
}

export function isLeader(state: LeaderAndIsr, brokerId: number): boolean {
  return state.leader === brokerId;
}

/** A fresh leader state: followers start unknown (LEO -1, caught up "now", as Kafka resets them). */
export function becomeLeader(
  brokerId: number,
  leadership: LeaderAndIsr,
  highWatermark: bigint,
  nowMs: number,
): LeaderState {
  const followers = new Map<number, FollowerProgress>();
  for (const id of leadership.replicas) {
    if (id !== brokerId) followers.set(id, { brokerId: id, logEndOffset: -1n, lastCaughtUpMs: nowMs });
  }
  return { brokerId, leadership, followers, highWatermark };
}

/**
 * The high watermark for a leader whose own LEO is `leaderLogEnd`: the smallest LEO over the ISR,
 * never below the current one (the HW only moves forward under one leader epoch).
 */
export function computeHighWatermark(state: LeaderState, leaderLogEnd: bigint): bigint {
  let hw = leaderLogEnd;
  for (const id of state.leadership.isr) {
    if (id === state.brokerId) continue;
    const leo = state.followers.get(id)?.logEndOffset ?? -1n;
    if (leo < hw) hw = leo;
  }
  return hw > state.highWatermark ? hw : state.highWatermark;
}

/** The state with `hw` applied when it moved; the same object otherwise. */
export function withHighWatermark(state: LeaderState, leaderLogEnd: bigint): LeaderState {
  const hw = computeHighWatermark(state, leaderLogEnd);
  return hw === state.highWatermark ? state : { ...state, highWatermark: hw };
}

/**
 * A follower fetched at `fetchOffset`: its LEO is recorded and, when it reached the leader's LEO,
 * its caught-up time moves to now.
 */
export function recordFollowerFetch(
  state: LeaderState,
  followerId: number,
  fetchOffset: bigint,
  leaderLogEnd: bigint,
  nowMs: number,
): LeaderState {
  const previous = state.followers.get(followerId);
  if (previous === undefined) return state;
  const caughtUp = fetchOffset >= leaderLogEnd;
  const progress: FollowerProgress = {
    brokerId: followerId,
    logEndOffset: fetchOffset,
    lastCaughtUpMs: caughtUp ? nowMs : previous.lastCaughtUpMs,
  };
  const followers = new Map(state.followers);
  followers.set(followerId, progress);
  return withHighWatermark({ ...state, followers }, leaderLogEnd);
}

/**
 * ISR members that have not caught up with the leader for longer than `lagTimeMaxMs`
 * (replica.lag.time.max.ms): the controller-visible shrink the leader should propose. The leader
 * itself never leaves its own ISR.
 */
export function laggingReplicas(state: LeaderState, nowMs: number, lagTimeMaxMs: number): number[] {
  const out: number[] = [];
  for (const id of state.leadership.isr) {
    if (id === state.brokerId) continue;
    const f = state.followers.get(id);
    if (f === undefined || nowMs - f.lastCaughtUpMs > lagTimeMaxMs) out.push(id);
  }
  return out;
}

/**
 * Replicas outside the ISR that may join it: assigned, caught up to the high watermark, and
 * fetching under the current leader epoch (the caller only records fetches of this epoch).
 */
export function replicasToAddToIsr(state: LeaderState): number[] {
  const isr = new Set(state.leadership.isr);
  const out: number[] = [];
  for (const f of state.followers.values()) {
    if (!isr.has(f.brokerId) && f.logEndOffset >= state.highWatermark) out.push(f.brokerId);
  }
  return out;
}

export type AcksAllAdmission = 'ok' | 'NOT_ENOUGH_REPLICAS';

/** acks=all is refused before the append when the ISR is smaller than min.insync.replicas. */
export function admitAcksAll(state: LeaderAndIsr, minInsyncReplicas: number): AcksAllAdmission {
  return state.isr.length < minInsyncReplicas ? 'NOT_ENOUGH_REPLICAS' : 'ok';
}

export type AcksAllOutcome = 'waiting' | 'done' | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';

/**
 * A waiting acks=all produce whose last offset is `lastOffset`: done once the high watermark passed
 * it; failed (the data stays in the log) if the ISR shrank below min.insync.replicas meanwhile.
 */
export function acksAllOutcome(
  highWatermark: bigint,
  lastOffset: bigint,
  isrSize: number,
  minInsyncReplicas: number,
): AcksAllOutcome {
  if (highWatermark > lastOffset) return 'done';
  if (isrSize < minInsyncReplicas) return 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';
  return 'waiting';
}

/**
 * The leader the controller elects: the first assigned replica that is alive and in the ISR, or -1
 * (offline; unclean election is not done). Pure so the controller's choice is testable.
 */
export function electLeader(
  replicas: readonly number[],
  isr: readonly number[],
  live: ReadonlySet<number>,
): number {
  for (const id of replicas) if (live.has(id) && isr.includes(id)) return id;
  return -1;
}

/**
 * The ISR after the replicas in `dead` are gone: Kafka keeps the last member even when it is dead,
 * so that it can lead again when it returns without an unclean election.
 */
export function isrWithout(isr: readonly number[], dead: ReadonlySet<number>): number[] {
  const kept = isr.filter((id) => !dead.has(id));
  return kept.length > 0 ? kept : isr.slice(-1);
}
