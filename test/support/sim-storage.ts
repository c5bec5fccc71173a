// PeerStorage for simulations: the durable state of one member (epoch files, last snapshot, txn
// log) survives crashes; writes are buffered until a sync completes after a seeded delay. A crash
// loses every unsynced write, or with `tornWrites` keeps a random prefix of them, as a disk that
// wrote some of the buffered pages in order would.

import { assert, Rng } from '../../shared/src';
import { LoggedTxn } from '../../zk-server/src/quorum/core/history';
import { EpochFiles, StateSnapshot } from '../../zk-server/src/quorum/core/ready';
import { PeerStorage, PeerStorageWrite, RecoveredPeer } from '../../zk-server/src/quorum/runtime/peer-runtime';
import { hexZxid } from '../../zk-server/src/quorum/core/zxid';
import { SimClock } from './sim-clock';

type Write = PeerStorageWrite;

export interface DurableState {
  acceptedEpoch: number;
  currentEpoch: number;
  snapshot: StateSnapshot | null;
  log: LoggedTxn[];
}

export interface SimStorageOptions {
  /** fsync latency, drawn uniformly from [min, max] ms; may change while running (a slow disk). */
  syncDelayMs: readonly [number, number];
}

export class SimStorage implements PeerStorage {
  readonly durable: DurableState = { acceptedEpoch: 0, currentEpoch: 0, snapshot: null, log: [] };
  private buffered: Write[] = [];
  /** Writes handed to a sync that has not completed yet, oldest batch first. */
  private syncing: Write[][] = [];
  private lastSyncAt = 0;
  private incarnation = 0;
  syncs = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly rng: Rng,
    readonly options: SimStorageOptions,
  ) {}

  recover(): RecoveredPeer {
    const { snapshot, log } = this.durable;
    const base = snapshot?.zxid ?? 0n;
    return {
      acceptedEpoch: this.durable.acceptedEpoch,
      currentEpoch: this.durable.currentEpoch,
      snapshot,
      txns: log.filter((t) => t.zxid > base),
    };
  }

  installSnapshot(snapshot: StateSnapshot): void {
    this.buffered.push({ kind: 'install', snapshot });
  }

  truncateLogTo(zxid: bigint): void {
    this.buffered.push({ kind: 'truncate', zxid });
  }

  appendTxns(txns: readonly LoggedTxn[]): void {
    this.buffered.push({ kind: 'append', txns: [...txns] });
  }

  writeEpochs(epochs: EpochFiles): void {
    this.buffered.push({ kind: 'epochs', epochs: { ...epochs } });
  }

  saveSnapshot(snapshot: StateSnapshot): void {
    this.buffered.push({ kind: 'snapshot', snapshot });
  }

  sync(done: (error?: Error) => void): void {
    const batch = this.buffered;
    this.buffered = [];
    this.syncing.push(batch);
    this.syncs++;
    const [min, max] = this.options.syncDelayMs;
    // completions keep their order, as one disk queue would
    const at = Math.max(this.clock.nowMs() + min + this.rng.int(max - min + 1), this.lastSyncAt);
    this.lastSyncAt = at;
    const incarnation = this.incarnation;
    this.clock.setTimer(at - this.clock.nowMs(), () => {
      if (incarnation !== this.incarnation) return;
      const written = this.syncing.shift();
      assert(written === batch, 'syncs complete in order');
      for (const w of written) this.apply(w);
      done();
    });
  }

  /** The process dies: unsynced writes are lost (all, or all but a random prefix when torn). */
  crash(tornWrites: boolean): number {
    const unsynced = [...this.syncing.flat(), ...this.buffered];
    this.syncing = [];
    this.buffered = [];
    this.incarnation++;
    const kept = tornWrites ? this.rng.int(unsynced.length + 1) : 0;
    for (const w of unsynced.slice(0, kept)) this.apply(w);
    return unsynced.length - kept;
  }

  private apply(w: Write): void {
    const d = this.durable;
    switch (w.kind) {
      case 'install':
        d.snapshot = w.snapshot;
        d.log = [];
        return;
      case 'snapshot':
        assert(w.snapshot.zxid >= (d.snapshot?.zxid ?? 0n), 'local snapshots move forward');
        d.snapshot = w.snapshot;
        d.log = d.log.filter((t) => t.zxid > w.snapshot.zxid);
        return;
      case 'truncate':
        assert(w.zxid >= (d.snapshot?.zxid ?? 0n), `truncate to ${hexZxid(w.zxid)} below the snapshot`);
        d.log = d.log.filter((t) => t.zxid <= w.zxid);
        return;
      case 'append':
        for (const t of w.txns) {
          assert(t.zxid > this.durableLastZxid(), `log append ${hexZxid(t.zxid)} after ${hexZxid(this.durableLastZxid())}`);
          d.log.push(t);
        }
        return;
      case 'epochs':
        if (w.epochs.acceptedEpoch !== undefined) d.acceptedEpoch = w.epochs.acceptedEpoch;
        if (w.epochs.currentEpoch !== undefined) d.currentEpoch = w.epochs.currentEpoch;
        assert(d.currentEpoch <= d.acceptedEpoch, 'durable currentEpoch above acceptedEpoch');
        return;
    }
  }

  durableLastZxid(): bigint {
    const { log, snapshot } = this.durable;
    return log.length > 0 ? log[log.length - 1]!.zxid : (snapshot?.zxid ?? 0n);
  }

  /** Whether the txn `zxid` with these bytes is durable here (in the log, or under the snapshot). */
  durablyHolds(zxid: bigint, bytes: Buffer): boolean {
    const { snapshot, log } = this.durable;
    if (snapshot !== null && snapshot.zxid >= zxid) return true;
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (log[mid]!.zxid < zxid) lo = mid + 1;
      else hi = mid;
    }
    return lo < log.length && log[lo]!.zxid === zxid && log[lo]!.bytes.equals(bytes);
  }
}
