// What the leader and learner state machines may see and do through their ZabNode: read the log
// and the epochs, and record effects (writes, messages, commits) into the next Ready. Only ZabNode
// implements it; nothing here does I/O. Also the node's configuration with its named defaults.

import { LoggedTxn, TxnHistory } from './history';
import { PeerMessage } from './messages';
import { MemberSpec, QuorumVerifier } from './quorum-verifier';
import { StateSnapshot } from './ready';

export interface ZabConfig {
  readonly myId: number;
  readonly members: readonly MemberSpec[];
  /** Ticks a leader waits for each of discovery and synchronisation; a learner for both. */
  readonly initLimitTicks: number;
  /** Ticks of silence after which a leader drops a learner and a learner leaves its leader. */
  readonly syncLimitTicks: number;
  readonly finalizeWaitTicks?: number;
  readonly electionRetryTicksMin?: number;
  readonly electionRetryTicksMax?: number;
  /** Applied txns kept in memory for DIFF syncs (upstream's committedLog holds 500). */
  readonly committedLogMax?: number;
  /** Proposals the leader lets wait for their quorum before propose() refuses. */
  readonly outstandingProposalsMax?: number;
  /** Ensemble config bytes sent in notifications and NEWLEADER (`server.N=...`, `version=0`). */
  readonly configBytes?: Buffer;
}

export const ZAB_DEFAULTS = {
  finalizeWaitTicks: 1,
  electionRetryTicksMin: 1,
  electionRetryTicksMax: 60,
  committedLogMax: 500,
  outstandingProposalsMax: 1000,
} as const;

export type ResolvedZabConfig = Required<ZabConfig>;

export function resolveZabConfig(cfg: ZabConfig): ResolvedZabConfig {
  return {
    finalizeWaitTicks: ZAB_DEFAULTS.finalizeWaitTicks,
    electionRetryTicksMin: ZAB_DEFAULTS.electionRetryTicksMin,
    electionRetryTicksMax: ZAB_DEFAULTS.electionRetryTicksMax,
    committedLogMax: ZAB_DEFAULTS.committedLogMax,
    outstandingProposalsMax: ZAB_DEFAULTS.outstandingProposalsMax,
    configBytes: Buffer.alloc(0),
    ...stripUndefined(cfg),
  } as ResolvedZabConfig;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface NodeContext {
  readonly cfg: ResolvedZabConfig;
  readonly qv: QuorumVerifier;
  readonly myId: number;
  /** Every logged txn kept in memory, pending writes included; change it only through the methods. */
  readonly history: TxnHistory;
  /** Ticks since the node started. */
  readonly now: number;
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  readonly committedZxid: bigint;
  readonly appliedZxid: bigint;
  /** Last zxid known durable in our own log (confirmed by advance). */
  readonly persistedZxid: bigint;
  setAcceptedEpoch(epoch: number): void;
  setCurrentEpoch(epoch: number): void;
  appendTxn(txn: LoggedTxn): void;
  truncateLog(zxid: bigint): void;
  installSnapshot(snapshot: StateSnapshot): void;
  /** Everything up to `zxid` is committed; it is applied in order through later Readies. */
  commitTo(zxid: bigint): void;
  send(to: number, message: PeerMessage): void;
  close(peer: number): void;
  /** The state machine as last applied (at appliedZxid), for a SNAP. */
  snapshot(): StateSnapshot;
  /** updateElectionVote: the epoch our election vote reports once the new epoch is known. */
  updateVoteEpoch(epoch: number): void;
  /** Leader: the epoch is established. Learner: UPTODATE received. */
  setServing(): void;
  /** Give up the current role; the node goes LOOKING once the current input is handled. */
  fail(reason: string): void;
  note(line: string): void;
}
