// The Ready record: everything a ZabNode asks its runtime to do, in the order the runtime must do it:
//   1. persist: install `snapshotToInstall`, truncate the log to `truncateLogTo`, append
//      `appendTxns`, write `persistEpochs`; then, when `mustSync`, fsync and wait for it;
//   2. send `messages` in order (a `close` ends the quorum connection to that peer);
//   3. apply: restore the state machine from `snapshotToInstall`, then apply `committed` in order;
//   4. call advance(ready).
// ACKs, ACKEPOCHs and NEWLEADER ACKs ride in `messages`, so they leave only once what they vouch
// for is durable. Messages that vouch for nothing of this member's disk (a leader's PROPOSAL,
// COMMIT and INFORM, PINGs) ride in `sendFirst` while nothing else was queued before them: the
// runtime sends them before it persists, so the followers' fsyncs run alongside the leader's, as
// upstream's leader sends a proposal before logging it itself. A COMMIT is only decided on acks
// that are already durable, so it never depends on this Ready's writes either. ReadyBuilder merges the writes a node makes between two Readies so that this
// fixed order has the same effect as the order they were made in.

import { assert } from '../../../../shared/src';
import { LoggedTxn } from './history';
import { PeerMessage } from './messages';

/** A serialized state machine at `zxid` (the SNAP body: sessions, ACL cache, nodes). */
export interface StateSnapshot {
  readonly zxid: bigint;
  readonly data: Buffer;
}

/** New values of the `acceptedEpoch` and `currentEpoch` files. */
export interface EpochFiles {
  readonly acceptedEpoch?: number;
  readonly currentEpoch?: number;
}

export type Role = 'looking' | 'following' | 'leading' | 'observing';

export interface RoleInfo {
  readonly role: Role;
  readonly leader: number | null;
  /** The epoch being established or served (the current epoch while looking). */
  readonly epoch: number;
  /** Leader: the epoch is established. Learner: UPTODATE received. */
  readonly serving: boolean;
}

export type Outbound =
  | { readonly kind: 'send'; readonly to: number; readonly message: PeerMessage }
  | { readonly kind: 'close'; readonly to: number };

export interface Ready {
  readonly snapshotToInstall?: StateSnapshot;
  readonly truncateLogTo?: bigint;
  /** To the log, fsynced before any message of this Ready leaves. */
  readonly appendTxns: readonly LoggedTxn[];
  readonly persistEpochs?: EpochFiles;
  /** Something above must be durable before the messages are sent. */
  readonly mustSync: boolean;
  /** Sent before persisting: they come before every message of `messages`. */
  readonly sendFirst: readonly Outbound[];
  readonly messages: readonly Outbound[];
  /** Committed txns, in zxid order, to apply after the messages are sent. */
  readonly committed: readonly LoggedTxn[];
  /** The role as it stands now, when it changed since the previous Ready. */
  readonly roleChange?: RoleInfo;
  /** Human-readable lines about decisions taken (elections, sync plans, giving up). */
  readonly notes: readonly string[];
}

/** Packets that vouch for nothing on this member's disk, so they may leave before it is written. */
const SEND_FIRST_TYPES: ReadonlySet<string> = new Set(['PROPOSAL', 'COMMIT', 'INFORM', 'PING']);

export class ReadyBuilder {
  private snapshot: StateSnapshot | undefined;
  private truncateTo: bigint | undefined;
  private appends: LoggedTxn[] = [];
  private epochs: { acceptedEpoch?: number; currentEpoch?: number } = {};
  private first: Outbound[] = [];
  private outbound: Outbound[] = [];
  private notes: string[] = [];

  /** A snapshot replaces the log: earlier writes of this batch no longer matter. */
  installSnapshot(snapshot: StateSnapshot): void {
    this.snapshot = snapshot;
    this.truncateTo = undefined;
    this.appends = [];
  }

  truncate(zxid: bigint): void {
    if (this.snapshot !== undefined) assert(zxid >= this.snapshot.zxid, 'truncation below an installed snapshot');
    this.appends = this.appends.filter((t) => t.zxid <= zxid);
    // appends that survive are above every durable txn, so truncating first is equivalent
    if (this.snapshot === undefined && (this.truncateTo === undefined || zxid < this.truncateTo)) this.truncateTo = zxid;
  }

  append(txn: LoggedTxn): void {
    this.appends.push(txn);
  }

  setAcceptedEpoch(epoch: number): void {
    this.epochs.acceptedEpoch = epoch;
  }

  setCurrentEpoch(epoch: number): void {
    this.epochs.currentEpoch = epoch;
  }

  send(to: number, message: PeerMessage): void {
    // once a message has to wait for the disk, every later one waits behind it, keeping the order
    if (this.outbound.length === 0 && SEND_FIRST_TYPES.has(message.type)) this.first.push({ kind: 'send', to, message });
    else this.outbound.push({ kind: 'send', to, message });
  }

  /**
   * Hands out the messages queued to be sent first, for a runtime whose previous Ready has sent
   * all of its messages already (so these overtake nothing).
   */
  takeSendFirst(): Outbound[] {
    const first = this.first;
    this.first = [];
    return first;
  }

  close(to: number): void {
    this.outbound.push({ kind: 'close', to });
  }

  note(line: string): void {
    this.notes.push(line);
  }

  get hasWork(): boolean {
    return (
      this.snapshot !== undefined ||
      this.truncateTo !== undefined ||
      this.appends.length > 0 ||
      this.epochs.acceptedEpoch !== undefined ||
      this.epochs.currentEpoch !== undefined ||
      this.first.length > 0 ||
      this.outbound.length > 0 ||
      this.notes.length > 0
    );
  }

  /** Hands everything gathered so far to a Ready and starts a new batch. */
  take(committed: readonly LoggedTxn[], roleChange: RoleInfo | undefined): Ready {
    const hasEpochs = this.epochs.acceptedEpoch !== undefined || this.epochs.currentEpoch !== undefined;
    const mustSync = this.snapshot !== undefined || this.truncateTo !== undefined || this.appends.length > 0 || hasEpochs;
    const ready: Ready = {
      ...(this.snapshot !== undefined ? { snapshotToInstall: this.snapshot } : {}),
      ...(this.truncateTo !== undefined ? { truncateLogTo: this.truncateTo } : {}),
      appendTxns: this.appends,
      ...(hasEpochs ? { persistEpochs: { ...this.epochs } } : {}),
      mustSync,
      sendFirst: this.first,
      messages: this.outbound,
      committed,
      ...(roleChange !== undefined ? { roleChange } : {}),
      notes: this.notes,
    };
    this.snapshot = undefined;
    this.truncateTo = undefined;
    this.appends = [];
    this.epochs = {};
    this.first = [];
    this.outbound = [];
    this.notes = [];
    return ready;
  }
}
