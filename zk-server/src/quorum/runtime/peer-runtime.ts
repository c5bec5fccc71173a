// The shell that drives one ZabNode: ticks from a Clock, messages and closed connections from a
// Transport, and each Ready executed in order: (1) storage writes, then fsync and wait for it,
// (2) send, (3) apply to the state machine, (4) advance. Inputs that arrive while a Ready is being
// executed wait in a queue and are stepped together afterwards, which also batches fsyncs.
// Generic over Transport, Storage, Clock and StateMachine, so the simulation runs this very code
// over simulated network, disk and time, and the server will run it over node:net and node:fs.

import { assert, Clock, TimerHandle } from '../../../../shared/src';
import { LoggedTxn } from '../core/history';
import { ProposeResult } from '../core/leader-state';
import { OpaqueMessage, PeerMessage } from '../core/messages';
import { EpochFiles, Outbound, Ready, RoleInfo, StateSnapshot } from '../core/ready';
import { ProposeInput, ZabNode, ZabStatus } from '../core/zab-node';
import { ZabConfig } from '../core/node-context';

export interface TransportReceiver {
  message(from: number, message: PeerMessage): void;
  /** The quorum connection with `peer` closed (either side closed it, or it broke). */
  disconnected(peer: number): void;
}

/**
 * Links to the other members. Notifications travel on the election channel (port 3888 in
 * zoo.cfg terms); quorum packets on the quorum connection with the peer (port 2888), which the
 * learner opens by sending FOLLOWERINFO or OBSERVERINFO and which keeps packets in order until
 * it closes. A packet for a peer without an open quorum connection is dropped.
 */
export interface PeerTransport {
  send(to: number, message: PeerMessage): void;
  /** Closes the quorum connection with `peer`, if any. */
  close(peer: number): void;
  listen(receiver: TransportReceiver): void;
  shutdown(): void;
}

export interface RecoveredPeer {
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  readonly snapshot: StateSnapshot | null;
  /** Logged txns after the snapshot, in zxid order. */
  readonly txns: readonly LoggedTxn[];
}

/**
 * The durable log of txns, the last snapshot and the two epoch files. Writes are buffered in the
 * order they are made; `sync` makes all of them durable and then calls `done` (with an error if
 * it failed). Writes not yet synced may be lost, from some point on, by a crash.
 */
export interface PeerStorage {
  recover(): RecoveredPeer;
  /** Replaces snapshot and log (a SNAP from the leader). */
  installSnapshot(snapshot: StateSnapshot): void;
  truncateLogTo(zxid: bigint): void;
  appendTxns(txns: readonly LoggedTxn[]): void;
  writeEpochs(epochs: EpochFiles): void;
  /** A local snapshot of applied state; the log up to its zxid is no longer needed. */
  saveSnapshot(snapshot: StateSnapshot): void;
  sync(done: (error?: Error) => void): void;
}

/** One buffered PeerStorage write, as storages queue them until `sync`. */
export type PeerStorageWrite =
  | { readonly kind: 'install'; readonly snapshot: StateSnapshot }
  | { readonly kind: 'snapshot'; readonly snapshot: StateSnapshot }
  | { readonly kind: 'truncate'; readonly zxid: bigint }
  | { readonly kind: 'append'; readonly txns: readonly LoggedTxn[] }
  | { readonly kind: 'epochs'; readonly epochs: EpochFiles };

/** The replicated state: a data tree in the server, a model in tests. */
export interface StateMachine {
  /** Starts over from `snapshot` (null: the empty initial state). */
  restore(snapshot: StateSnapshot | null): void;
  apply(txn: LoggedTxn): void;
  /** The state as of the last applied txn. */
  snapshot(): StateSnapshot;
}

export interface PeerRuntimeOptions {
  readonly zab: ZabConfig;
  /** Milliseconds per core tick (a ping interval: upstream pings every tickTime / 2). */
  readonly tickMs: number;
  /** Take a local snapshot after this many applied txns (upstream snapCount); 0 = never. */
  readonly snapshotEveryTxns?: number;
}

export interface PeerRuntimeEvents {
  onApplied?(txn: LoggedTxn): void;
  onRole?(info: RoleInfo): void;
  onNote?(line: string): void;
  onFatal?(error: Error): void;
  /**
   * A REQUEST, REVALIDATE or SYNC packet: client traffic the core does not route. Delivered in
   * arrival order with the packets around it, after the core has stepped every earlier one.
   */
  onClientTraffic?(from: number, message: ClientTraffic): void;
  /** A learner's PING answer reached the leader: its data lists the sessions it kept alive. */
  onLearnerPing?(from: number, data: Buffer | null): void;
  /** The data a learner puts in its PING answer (upstream: the sessions touched since the last one). */
  learnerPingData?(): Buffer | null;
}

export type ClientTrafficType = 'REQUEST' | 'REVALIDATE' | 'SYNC';
export type ClientTraffic = OpaqueMessage & { readonly type: ClientTrafficType };
const CLIENT_TRAFFIC: ReadonlySet<string> = new Set<ClientTrafficType>(['REQUEST', 'REVALIDATE', 'SYNC']);

type Input =
  | { readonly kind: 'tick' }
  | { readonly kind: 'message'; readonly from: number; readonly message: PeerMessage }
  | { readonly kind: 'disconnected'; readonly peer: number };

export class PeerRuntime {
  private node: ZabNode | null = null;
  private timer: TimerHandle | null = null;
  private busy = false;
  private stopped = false;
  private readonly inbox: Input[] = [];
  private appliedSinceSnapshot = 0;
  private role: RoleInfo | null = null;
  /** The Ready in flight still has messages to send once its writes are durable. */
  private lateMessagesPending = false;

  constructor(
    private readonly options: PeerRuntimeOptions,
    private readonly transport: PeerTransport,
    private readonly storage: PeerStorage,
    private readonly clock: Clock,
    private readonly stateMachine: StateMachine,
    private readonly events: PeerRuntimeEvents = {},
  ) {
    assert(options.tickMs > 0, 'tickMs must be positive');
  }

  start(): void {
    assert(this.node === null, 'started twice');
    const recovered = this.storage.recover();
    this.stateMachine.restore(recovered.snapshot);
    this.node = new ZabNode(
      this.options.zab,
      {
        acceptedEpoch: recovered.acceptedEpoch,
        currentEpoch: recovered.currentEpoch,
        snapshotZxid: recovered.snapshot?.zxid ?? 0n,
        txns: recovered.txns,
      },
      () => this.stateMachine.snapshot(),
    );
    this.transport.listen({
      message: (from, message) => this.input({ kind: 'message', from, message }),
      disconnected: (peer) => this.input({ kind: 'disconnected', peer }),
    });
    this.scheduleTick();
    this.pump();
  }

  /** Stops at once: no more sends, writes or applies (what a crash or a shutdown leaves). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.transport.shutdown();
  }

  get running(): boolean {
    return this.node !== null && !this.stopped;
  }

  status(): ZabStatus {
    assert(this.node !== null, 'not started');
    return this.node.status();
  }

  /** Proposes a txn if this member is the serving leader; the zxid is assigned at once. */
  propose(txn: ProposeInput): ProposeResult {
    if (this.node === null || this.stopped) return { ok: false, reason: 'not-leader', leader: null };
    const result = this.node.propose(txn);
    // while the previous batch is being made durable, its PROPOSALs are already out: this one
    // follows at once instead of waiting for that fsync
    if (this.busy && !this.lateMessagesPending) this.send(this.node.takeSendFirst());
    this.pump();
    return result;
  }

  /** On the serving leader: the zxid the next propose() will assign, or null if it would refuse. */
  nextProposalZxid(): bigint | null {
    if (this.node === null || this.stopped) return null;
    return this.node.nextProposalZxid();
  }

  /**
   * Sends client traffic (REQUEST, REVALIDATE, SYNC) at once, outside any Ready. It overtakes no
   * packet of an earlier Ready: those were sent before their txns were applied.
   */
  sendClientTraffic(to: number, message: ClientTraffic): void {
    if (this.stopped) return;
    this.transport.send(to, message);
  }

  private scheduleTick(): void {
    this.timer = this.clock.setTimer(this.options.tickMs, () => {
      this.timer = null;
      if (this.stopped) return;
      this.scheduleTick();
      this.input({ kind: 'tick' });
    });
  }

  private input(input: Input): void {
    if (this.stopped) return;
    if (this.busy) {
      this.inbox.push(input);
      return;
    }
    this.feed(input);
    this.pump();
  }

  private feed(input: Input): void {
    const node = this.node!;
    switch (input.kind) {
      case 'tick':
        return node.tick();
      case 'message': {
        const { from, message } = input;
        node.step(from, message);
        if (CLIENT_TRAFFIC.has(message.type)) {
          this.events.onClientTraffic?.(from, message as ClientTraffic);
        } else if (message.type === 'PING' && this.events.onLearnerPing !== undefined && node.status().role === 'leading') {
          this.events.onLearnerPing(from, message.data);
        }
        return;
      }
      case 'disconnected':
        return node.disconnected(input.peer);
    }
  }

  private pump(): void {
    while (!this.stopped && !this.busy && this.node!.hasReady()) {
      const ready = this.node!.ready();
      this.busy = true;
      if (ready.roleChange !== undefined) this.role = ready.roleChange;
      this.persist(ready);
      this.send(ready.sendFirst);
      this.lateMessagesPending = ready.messages.length > 0;
      if (!ready.mustSync) {
        this.finish(ready);
        continue;
      }
      let returned = false;
      let doneInline = false;
      this.storage.sync((error) => {
        if (this.stopped) return;
        if (error !== undefined) return this.fatal(error);
        if (!returned) {
          doneInline = true;
          return;
        }
        this.finish(ready);
        this.pump();
      });
      returned = true;
      if (!doneInline) return;
      this.finish(ready);
    }
  }

  private persist(ready: Ready): void {
    if (ready.snapshotToInstall !== undefined) this.storage.installSnapshot(ready.snapshotToInstall);
    if (ready.truncateLogTo !== undefined) this.storage.truncateLogTo(ready.truncateLogTo);
    if (ready.appendTxns.length > 0) this.storage.appendTxns(ready.appendTxns);
    if (ready.persistEpochs !== undefined) this.storage.writeEpochs(ready.persistEpochs);
  }

  /** Steps (2) to (4), then the inputs that waited. */
  private finish(ready: Ready): void {
    this.send(ready.messages);
    this.lateMessagesPending = false;
    if (ready.snapshotToInstall !== undefined) {
      this.stateMachine.restore(ready.snapshotToInstall);
      this.appliedSinceSnapshot = 0;
    }
    for (const txn of ready.committed) {
      this.stateMachine.apply(txn);
      this.events.onApplied?.(txn);
    }
    for (const line of ready.notes) this.events.onNote?.(line);
    if (ready.roleChange !== undefined) this.events.onRole?.(ready.roleChange);
    this.node!.advance(ready);
    this.maybeSnapshot(ready.committed.length);
    this.busy = false;
    while (this.inbox.length > 0 && !this.stopped) this.feed(this.inbox.shift()!);
  }

  private send(messages: readonly Outbound[]): void {
    for (const out of messages) {
      if (out.kind === 'close') this.transport.close(out.to);
      else if (out.message.type === 'PING' && this.events.learnerPingData !== undefined && out.to === this.leaderId()) {
        this.transport.send(out.to, { ...out.message, data: this.events.learnerPingData() });
      } else this.transport.send(out.to, out.message);
    }
  }

  /** The leader this member follows, or null when it leads or looks. */
  private leaderId(): number | null {
    return this.role !== null && (this.role.role === 'following' || this.role.role === 'observing') ? this.role.leader : null;
  }

  private maybeSnapshot(applied: number): void {
    const every = this.options.snapshotEveryTxns ?? 0;
    if (every <= 0) return;
    this.appliedSinceSnapshot += applied;
    if (this.appliedSinceSnapshot < every) return;
    this.appliedSinceSnapshot = 0;
    // durable with the next sync; until then the log still covers it
    this.storage.saveSnapshot(this.stateMachine.snapshot());
  }

  private fatal(error: Error): void {
    this.stop();
    this.events.onFatal?.(error);
  }
}
