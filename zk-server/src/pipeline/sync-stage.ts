// The sync step: appends each prepared txn to the durable log and, once per batch, waits for the
// log to be on disk (group commit: every txn that arrived while the previous fsync ran shares the
// next one). Only then does the batch move on to be applied and answered. Without a log (a server
// run purely in memory) a batch moves on at the next turn of the event loop.

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
  private flushing = false;
  private scheduled = false;
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
    this.schedule();
  }

  /** Txns accepted but not yet durable and applied. */
  get pending(): number {
    return this.batch.length;
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0 || this.failure !== null) return;
    const batch = this.batch;
    this.batch = [];
    this.flushing = true;
    try {
      if (this.log !== null) await this.log.commit();
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.flushing = false;
      this.onFailure(this.failure);
      return;
    }
    this.flushing = false;
    this.onDurable(batch);
    if (this.snapshotDue) {
      this.snapshotDue = false;
      this.onSnapshotDue();
    }
    if (this.batch.length > 0) this.schedule();
  }
}
