// The sync step: appends each prepared txn to the durable log and, once per batch, waits for the
// log to be on disk (group commit: every txn that arrived while the previous fsync ran shares the
// next one). Only then does the batch move on to be applied and answered, batches strictly in
// order. Without a log (a server run purely in memory) a batch moves on at the next turn of the
// event loop.

import { TxnDigest, TxnHeader } from '../protocol/records/txn';
import { txnToBytes } from '../protocol/txn-codec';
import { PreparedTxn } from './request';

/** What the sync step needs of a transaction log. */
export interface DurableLog {
  /** Buffers a txn; true when a snapshot is due once the txns so far are applied. */
  append(txn: { header: TxnHeader; body: Buffer; digest: TxnDigest | null }): boolean | void;
  /** Resolves once everything appended is on disk; rejects if it cannot be made durable. */
  commit(): Promise<void>;
}

export class SyncStage<T extends { prepared: PreparedTxn }> {
  private batch: T[] = [];
  /** Durable batches not yet handed on, oldest first. */
  private readonly durable: T[][] = [];
  private committing = false;
  private commitScheduled = false;
  private handOnScheduled = false;
  private failure: Error | null = null;
  private snapshotDue = false;

  constructor(
    private readonly log: DurableLog | null,
    private readonly onDurable: (batch: T[]) => void,
    private readonly onFailure: (error: Error) => void,
    private readonly onSnapshotDue: () => void = () => undefined,
  ) {}

  submit(item: T): void {
    if (this.failure !== null) return;
    if (this.log !== null) {
      const { header, txn } = item.prepared;
      if (this.log.append({ header, body: txnToBytes(txn), digest: null }) === true) this.snapshotDue = true;
    }
    this.batch.push(item);
    this.scheduleCommit();
  }

  /** Txns accepted but not yet durable and applied. */
  get pending(): number {
    return this.batch.length;
  }

  private scheduleCommit(): void {
    if (this.commitScheduled || this.committing) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      this.startCommit();
    });
  }

  /** Takes the waiting txns as one batch and starts their commit; false when there was none to start. */
  private startCommit(): boolean {
    if (this.batch.length === 0 || this.failure !== null) return false;
    const batch = this.batch;
    this.batch = [];
    if (this.log === null) {
      this.durable.push(batch);
      this.handOn();
      return false;
    }
    this.committing = true;
    this.log.commit().then(
      () => this.committed(batch),
      (e: unknown) => this.failed(e),
    );
    return true;
  }

  private committed(batch: T[]): void {
    this.committing = false;
    this.durable.push(batch);
    // The next batch's write and fsync start before this one is applied and answered, so the disk
    // works while the CPU does. The log only issues that fsync once the current microtasks have
    // run, so the hand-on waits for the next turn of the loop; otherwise it would run first.
    if (this.startCommit()) this.scheduleHandOn();
    else this.handOn();
  }

  private failed(e: unknown): void {
    this.committing = false;
    this.failure = e instanceof Error ? e : new Error(String(e));
    this.onFailure(this.failure);
  }

  private scheduleHandOn(): void {
    if (this.handOnScheduled) return;
    this.handOnScheduled = true;
    setImmediate(() => {
      this.handOnScheduled = false;
      this.handOn();
    });
  }

  /** Hands every durable batch on, in commit order. */
  private handOn(): void {
    for (let batch = this.durable.shift(); batch !== undefined; batch = this.durable.shift()) {
      this.onDurable(batch);
      if (this.snapshotDue) {
        this.snapshotDue = false;
        this.onSnapshotDue();
      }
    }
  }
}
