// Re-arming ZooKeeper watches for one session. ZooKeeper watches fire once; a WatchScope reads a
// node (or its children) with a watch, hands the result to a callback, and reads again with a new
// watch whenever it fires, until the handle or the whole scope is closed. A node that does not
// exist yet is watched with exists() so its creation is seen. Failed reads (a connection loss) are
// retried on the Clock until the scope closes; a new session gets a new scope.
// Never writes to ZooKeeper.

import { Clock, Logger, ZkClient, ZkError, ZkStat } from '../../../shared/src';

/** Delay before a failed watched read is tried again. */
export const WATCH_RETRY_DELAY_MS = 500;
/** Immediate re-reads when a node appears between getData's NoNode and exists(). */
const RACE_REREADS_MAX = 3;
const noop = (): void => undefined;

export interface NodeData {
  readonly data: Buffer | null;
  readonly stat: ZkStat;
}

export interface WatchHandle {
  cancel(): void;
}

/** Called with the current content after every change; null when the node is absent. */
export type DataCallback = (node: NodeData | null) => void | Promise<void>;
/** Called with the current children after every change; null when the node is absent. */
export type ChildrenCallback = (children: string[] | null) => void | Promise<void>;

export class WatchScope {
  private open = true;

  constructor(
    readonly zk: ZkClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  close(): void {
    this.open = false;
  }

  /** Watches a node's data; the promise settles after the first callback has run. */
  watchData(path: string, onData: DataCallback): { handle: WatchHandle; first: Promise<void> } {
    const handle = new Handle();
    const read = async (): Promise<void> => {
      if (!this.live(handle)) return;
      let node = await this.readData(path, () => void this.guard(path, read));
      for (let i = 0; node === 'retry' && i < RACE_REREADS_MAX; i++) node = await this.readData(path, noop);
      if (node === 'retry') return this.retryLater(path, read);
      if (this.live(handle)) await onData(node);
    };
    return { handle, first: this.guard(path, read) };
  }

  /** Watches a node's children; the promise settles after the first callback has run. */
  watchChildren(path: string, onChildren: ChildrenCallback): { handle: WatchHandle; first: Promise<void> } {
    const handle = new Handle();
    const read = async (): Promise<void> => {
      if (!this.live(handle)) return;
      let children = await this.readChildren(path, () => void this.guard(path, read));
      for (let i = 0; children === 'retry' && i < RACE_REREADS_MAX; i++)
        children = await this.readChildren(path, noop);
      if (children === 'retry') return this.retryLater(path, read);
      if (this.live(handle)) await onChildren(children);
    };
    return { handle, first: this.guard(path, read) };
  }

  private live(handle: Handle): boolean {
    return this.open && !handle.cancelled;
  }

  private async readData(path: string, rearm: () => void): Promise<NodeData | null | 'retry'> {
    try {
      return await this.zk.getData(path, rearm);
    } catch (e) {
      if (!(e instanceof ZkError && e.isNoNode)) throw e;
    }
    const stat = await this.zk.exists(path, rearm);
    return stat === null ? null : 'retry';
  }

  private async readChildren(path: string, rearm: () => void): Promise<string[] | null | 'retry'> {
    try {
      return await this.zk.getChildren(path, rearm);
    } catch (e) {
      if (!(e instanceof ZkError && e.isNoNode)) throw e;
    }
    const stat = await this.zk.exists(path, rearm);
    return stat === null ? null : 'retry';
  }

  /** Runs a read; a failure is logged and retried later instead of escaping. */
  private async guard(path: string, read: () => Promise<void>): Promise<void> {
    try {
      await read();
    } catch (e) {
      if (!this.open) return;
      this.logger.warn(`watched read of ${path} failed, retrying: ${(e as Error).message}`);
      this.retryLater(path, read);
    }
  }

  private retryLater(path: string, read: () => Promise<void>): void {
    if (!this.open) return;
    this.clock.setTimer(WATCH_RETRY_DELAY_MS, () => void this.guard(path, read));
  }
}

class Handle implements WatchHandle {
  cancelled = false;
  cancel(): void {
    this.cancelled = true;
  }
}
