// A promise wrapper over node-zookeeper-client with typed errors, for the broker and the CLIs.
// One ZkClient is one session; when the session expires the owner is told (onExpired) and builds a
// new client, as Kafka's ZooKeeper client re-registers after expiry.

import * as zookeeper from 'node-zookeeper-client';
import { BaseError } from '../errors';

export type CreateMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

const MODES: Record<CreateMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  persistent_sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral_sequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

export interface ZkStat {
  version: number;
  cversion: number;
  czxid: bigint;
  mzxid: bigint;
  mtime: number;
  ctime: number;
  ephemeralOwner: bigint;
  numChildren: number;
  dataLength: number;
}

/** A ZooKeeper error with its KeeperException name (NO_NODE, NODE_EXISTS, BAD_VERSION, ...). */
export class ZkError extends BaseError {
  constructor(
    readonly zkCode: number,
    name: string,
    readonly path: string,
  ) {
    super(name, `${name} for ${path}`);
  }
  get isNoNode(): boolean {
    return this.zkCode === zookeeper.Exception.NO_NODE;
  }
  get isNodeExists(): boolean {
    return this.zkCode === zookeeper.Exception.NODE_EXISTS;
  }
  get isBadVersion(): boolean {
    return this.zkCode === zookeeper.Exception.BAD_VERSION;
  }
}

function wrap(err: unknown, path: string): Error {
  if (err instanceof zookeeper.Exception) return new ZkError(err.getCode(), err.getName(), path);
  return err instanceof Error ? err : new Error(String(err));
}

function toStat(s: zookeeper.Stat): ZkStat {
  const big = (b: Buffer): bigint => b.readBigInt64BE(0);
  return {
    version: s.version,
    cversion: s.cversion,
    czxid: big(s.czxid),
    mzxid: big(s.mzxid),
    ctime: Number(big(s.ctime)),
    mtime: Number(big(s.mtime)),
    ephemeralOwner: big(s.ephemeralOwner),
    numChildren: s.numChildren,
    dataLength: s.dataLength,
  };
}

export type MultiOp =
  | { op: 'create'; path: string; data?: Buffer; mode?: CreateMode }
  | { op: 'setData'; path: string; data: Buffer; version?: number }
  | { op: 'delete'; path: string; version?: number }
  | { op: 'check'; path: string; version: number };

export interface ZkClientOptions {
  sessionTimeoutMs?: number;
  connectTimeoutMs?: number;
  onExpired?: () => void;
  onDisconnected?: () => void;
}

export class ZkClient {
  private constructor(private readonly client: zookeeper.Client) {}

  /** Connects (chroot allowed: host:port/chroot); rejects if not connected within the timeout. */
  static connect(connectString: string, options: ZkClientOptions = {}): Promise<ZkClient> {
    const client = zookeeper.createClient(connectString, { sessionTimeout: options.sessionTimeoutMs ?? 18000, retries: 1 });
    const wrapper = new ZkClient(client);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new Error(`cannot connect to ZooKeeper at ${connectString} within ${options.connectTimeoutMs ?? 18000} ms`));
      }, options.connectTimeoutMs ?? 18000);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve(wrapper);
      });
      client.on('expired', () => options.onExpired?.());
      client.on('disconnected', () => options.onDisconnected?.());
      client.connect();
    });
  }

  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  close(): void {
    this.client.close();
  }

  create(path: string, data: Buffer | null = null, mode: CreateMode = 'persistent'): Promise<string> {
    return new Promise((resolve, reject) =>
      this.client.create(path, data as Buffer, MODES[mode], (err, created) => (err ? reject(wrap(err, path)) : resolve(created))),
    );
  }

  /** Creates the path and any missing parents; no error if it exists. */
  mkdirp(path: string, data: Buffer | null = null): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.mkdirp(path, data as Buffer, (err) => (err ? reject(wrap(err, path)) : resolve())),
    );
  }

  getData(path: string, watcher?: (event: zookeeper.Event) => void): Promise<{ data: Buffer | null; stat: ZkStat }> {
    return new Promise((resolve, reject) => {
      const cb = (err: Error | zookeeper.Exception | null, data: Buffer, stat: zookeeper.Stat): void =>
        err ? reject(wrap(err, path)) : resolve({ data: data ?? null, stat: toStat(stat) });
      if (watcher) this.client.getData(path, watcher, cb);
      else this.client.getData(path, cb);
    });
  }

  /** The data, or null when the node does not exist. */
  async getDataIfExists(path: string): Promise<{ data: Buffer | null; stat: ZkStat } | null> {
    try {
      return await this.getData(path);
    } catch (e) {
      if (e instanceof ZkError && e.isNoNode) return null;
      throw e;
    }
  }

  setData(path: string, data: Buffer, version = -1): Promise<ZkStat> {
    return new Promise((resolve, reject) =>
      this.client.setData(path, data, version, (err, stat) => (err ? reject(wrap(err, path)) : resolve(toStat(stat)))),
    );
  }

  exists(path: string, watcher?: (event: zookeeper.Event) => void): Promise<ZkStat | null> {
    return new Promise((resolve, reject) => {
      const cb = (err: Error | zookeeper.Exception | null, stat: zookeeper.Stat): void =>
        err ? reject(wrap(err, path)) : resolve(stat ? toStat(stat) : null);
      if (watcher) this.client.exists(path, watcher, cb);
      else this.client.exists(path, cb);
    });
  }

  getChildren(path: string, watcher?: (event: zookeeper.Event) => void): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const cb = (err: Error | zookeeper.Exception | null, children: string[]): void => (err ? reject(wrap(err, path)) : resolve(children));
      if (watcher) this.client.getChildren(path, watcher, cb);
      else this.client.getChildren(path, cb);
    });
  }

  /** Children, or [] when the node does not exist. */
  async getChildrenIfExists(path: string): Promise<string[]> {
    try {
      return await this.getChildren(path);
    } catch (e) {
      if (e instanceof ZkError && e.isNoNode) return [];
      throw e;
    }
  }

  remove(path: string, version = -1): Promise<void> {
    return new Promise((resolve, reject) => this.client.remove(path, version, (err) => (err ? reject(wrap(err, path)) : resolve())));
  }

  /** Deletes a subtree, children first, with an explicit stack (no recursion over remote data). */
  async removeRecursive(path: string): Promise<void> {
    const order: string[] = [];
    const stack = [path];
    while (stack.length > 0) {
      const at = stack.pop()!;
      order.push(at);
      for (const child of await this.getChildrenIfExists(at)) stack.push(`${at}/${child}`);
    }
    for (const p of order.reverse()) {
      try {
        await this.remove(p);
      } catch (e) {
        if (!(e instanceof ZkError && e.isNoNode)) throw e;
      }
    }
  }

  /** All-or-nothing; rejects with the first failing op's error. */
  multi(ops: readonly MultiOp[]): Promise<void> {
    let tx = this.client.transaction();
    for (const o of ops) {
      if (o.op === 'create') tx = tx.create(o.path, o.data ?? (null as unknown as Buffer), MODES[o.mode ?? 'persistent']);
      else if (o.op === 'setData') tx = tx.setData(o.path, o.data, o.version ?? -1);
      else if (o.op === 'delete') tx = tx.remove(o.path, o.version ?? -1);
      else tx = tx.check(o.path, o.version);
    }
    return new Promise((resolve, reject) =>
      tx.commit((err) => (err ? reject(wrap(err, ops.map((o) => o.path).join(','))) : resolve())),
    );
  }
}
