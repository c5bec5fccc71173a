// The controller: one broker of the cluster, elected through the ephemeral /controller znode with
// /controller_epoch bumped in the same multi (kafka.md section 5). While active it keeps every
// partition's state znode in line with the assignment and the live brokers: it creates the state
// of new partitions (leader = first live replica, ISR = live replicas, leader epoch 0), elects a
// new leader from the ISR when the leader's broker is gone (no unclean election), drops dead
// brokers from ISRs, and carries out topic deletions requested under /admin/delete_topics.
// Every write is a multi fenced by a check of /controller_epoch's version, and state updates are
// conditional on the znode's version, so a deposed controller cannot overwrite a newer decision.
// Brokers learn the decisions by watching the state znodes (metadata-cache.ts); no LeaderAndIsr
// requests are sent. Reads its view from the metadata cache; never touches logs.

import { Clock, Logger, ZkClient, ZkError, ZkMultiOp } from '../../../shared/src';
import { electLeader, isrWithout, LeaderAndIsr } from '../replication/partition-state';
import { MetadataCache, MetadataListener } from './metadata-cache';
import { PartitionStateJson, ZkPaths } from './zk-paths';
import { WatchScope } from './zk-watch';

const CONTROLLER_JSON_VERSION = 1;
const STATE_JSON_VERSION = 1;
const INITIAL_CONTROLLER_EPOCH = 0;
/** Delay before a reconciliation that failed on a ZooKeeper error runs again. */
const RECONCILE_RETRY_DELAY_MS = 500;

export interface ControllerOptions {
  readonly brokerId: number;
  readonly deleteTopicEnable: boolean;
  readonly cache: MetadataCache;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface ActiveTerm {
  readonly zk: ZkClient;
  readonly epoch: number;
  /** Version of /controller_epoch after our election: the fence of every write. */
  readonly epochZkVersion: number;
}

export class Controller implements MetadataListener {
  private scope: WatchScope | null = null;
  private term: ActiveTerm | null = null;
  private reconciling = false;
  private reconcileAgain = false;
  private retryTimer: unknown = null;
  /** Topics whose deletion is under way: their partitions are left alone. */
  private readonly deleting = new Set<string>();
  private readonly logger: Logger;

  constructor(private readonly o: ControllerOptions) {
    this.logger = o.logger.child({ component: 'controller' });
    o.cache.addListener(this);
  }

  get isActive(): boolean {
    return this.term !== null;
  }

  get epoch(): number {
    return this.term?.epoch ?? -1;
  }

  /** Joins the election in this session: wins it, or watches /controller until it is free. */
  async start(zk: ZkClient): Promise<void> {
    this.stop();
    const scope = new WatchScope(zk, this.o.clock, this.logger);
    this.scope = scope;
    await scope.watchData(ZkPaths.controller, async (node) => {
      if (node === null && this.term === null) await this.elect(scope);
    }).first;
  }

  /** Leaves the election without touching ZooKeeper (session lost or shutting down). */
  stop(): void {
    this.scope?.close();
    this.scope = null;
    if (this.term !== null) this.logger.info(`resigned as controller (epoch ${this.term.epoch})`);
    this.term = null;
    if (this.retryTimer !== null) this.o.clock.clearTimer(this.retryTimer);
    this.retryTimer = null;
  }

  /** Clean shutdown: gives /controller up so another broker can take over at once. */
  async resign(): Promise<void> {
    const term = this.term;
    this.stop();
    if (term === null) return;
    try {
      const node = await term.zk.getDataIfExists(ZkPaths.controller);
      const json = node?.data ? (JSON.parse(node.data.toString('utf8')) as { brokerid?: number }) : null;
      if (json?.brokerid === this.o.brokerId) await term.zk.remove(ZkPaths.controller);
    } catch (e) {
      this.logger.warn(`could not remove ${ZkPaths.controller}: ${(e as Error).message}`);
    }
  }

  private async elect(scope: WatchScope): Promise<void> {
    const zk = scope.zk;
    const current = await readControllerEpoch(zk);
    const epoch = current.epoch + 1;
    const json = {
      version: CONTROLLER_JSON_VERSION,
      brokerid: this.o.brokerId,
      timestamp: String(this.o.clock.nowMs()),
    };
    try {
      await zk.multi([
        {
          op: 'create',
          path: ZkPaths.controller,
          data: Buffer.from(JSON.stringify(json)),
          mode: 'ephemeral',
        },
        {
          op: 'setData',
          path: ZkPaths.controllerEpoch,
          data: Buffer.from(String(epoch)),
          version: current.zkVersion,
        },
      ]);
    } catch (e) {
      if (e instanceof ZkError && (e.isNodeExists || e.isBadVersion)) return; // lost: the watch stays armed
      throw e;
    }
    if (!scope.isOpen) return;
    this.term = { zk, epoch, epochZkVersion: current.zkVersion + 1 };
    this.logger.info(`broker ${this.o.brokerId} is the controller (epoch ${epoch})`);
    await this.watchDeletions(scope);
    this.requestReconcile();
  }

  private async watchDeletions(scope: WatchScope): Promise<void> {
    await scope.watchChildren(ZkPaths.deleteTopics, async (topics) => {
      for (const topic of topics ?? []) await this.deleteTopic(topic);
    }).first;
  }

  // ---- metadata events --------------------------------------------------------------------------

  onBrokersChanged(): void {
    this.requestReconcile();
  }

  onTopicChanged(): void {
    this.requestReconcile();
  }

  onPartitionStateChanged(topic: string, _partition: number, state: LeaderAndIsr | null): void {
    if (state === null && !this.deleting.has(topic)) this.requestReconcile();
  }

  /** Serialises reconciliations; a request during one runs another afterwards. */
  private requestReconcile(): void {
    if (this.term === null) return;
    if (this.reconciling) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = true;
    void this.reconcileLoop();
  }

  private async reconcileLoop(): Promise<void> {
    try {
      do {
        this.reconcileAgain = false;
        const term = this.term;
        if (term === null) return;
        await this.reconcile(term);
      } while (this.reconcileAgain);
    } catch (e) {
      this.logger.warn(`partition state update failed, retrying: ${(e as Error).message}`);
      this.retryTimer = this.o.clock.setTimer(RECONCILE_RETRY_DELAY_MS, () => {
        this.retryTimer = null;
        this.requestReconcile();
      });
    } finally {
      this.reconciling = false;
    }
  }

  /** One pass over every partition the cache knows: create missing states, re-elect, shrink ISRs. */
  private async reconcile(term: ActiveTerm): Promise<void> {
    const live = this.o.cache.liveBrokerIds();
    for (const name of this.o.cache.topicNames()) {
      const topic = this.o.cache.topic(name);
      if (topic === undefined || this.deleting.has(name)) continue;
      for (const p of topic.partitions) {
        if (this.term !== term) return;
        const next = nextState(p.replicas, p.state, live);
        if (next === null) continue;
        await this.writeState(term, name, p.partition, p.state, next);
      }
    }
  }

  private async writeState(
    term: ActiveTerm,
    topic: string,
    partition: number,
    previous: LeaderAndIsr | null,
    next: { leader: number; leaderEpoch: number; isr: number[] },
  ): Promise<void> {
    const json: PartitionStateJson = {
      controller_epoch: term.epoch,
      leader: next.leader,
      version: STATE_JSON_VERSION,
      leader_epoch: next.leaderEpoch,
      isr: next.isr,
    };
    const data = Buffer.from(JSON.stringify(json));
    const path = ZkPaths.partitionState(topic, partition);
    const fence: ZkMultiOp = { op: 'check', path: ZkPaths.controllerEpoch, version: term.epochZkVersion };
    const ops: ZkMultiOp[] =
      previous === null
        ? [...(await missingParents(term.zk, topic, partition)), { op: 'create', path, data }]
        : [{ op: 'setData', path, data, version: previous.zkVersion }];
    try {
      await term.zk.multi([fence, ...ops]);
    } catch (e) {
      if (e instanceof ZkError && (e.isNodeExists || e.isBadVersion || e.isNoNode)) {
        this.logger.debug(
          `state of ${topic}-${partition} changed under us (${e.message}); the watch brings it`,
        );
        return;
      }
      throw e;
    }
    const what = previous === null ? 'created' : 'updated';
    this.logger.info(
      `${what} state of ${topic}-${partition}: leader ${next.leader}, epoch ${next.leaderEpoch}, isr [${next.isr}]`,
    );
  }

  // ---- deletion ---------------------------------------------------------------------------------

  private async deleteTopic(topic: string): Promise<void> {
    const term = this.term;
    if (term === null) return;
    if (!this.o.deleteTopicEnable) {
      this.logger.warn(`deletion of ${topic} requested but delete.topic.enable is false; left pending`);
      return;
    }
    const zk = term.zk;
    this.deleting.add(topic);
    try {
      await zk.removeRecursive(ZkPaths.topic(topic));
      await removeIfExists(zk, ZkPaths.configTopic(topic));
      await removeIfExists(zk, ZkPaths.deleteTopic(topic));
    } finally {
      this.deleting.delete(topic);
    }
    this.logger.info(`deleted topic ${topic}`);
  }
}

/**
 * PURE: the state a partition should move to, or null when it is fine as it is. New partitions get
 * leader epoch 0 with every live replica in the ISR; a dead leader is replaced by the first live
 * ISR member (epoch + 1); dead followers leave the ISR (epoch + 1, as Kafka's controller does).
 */
export function nextState(
  replicas: readonly number[],
  state: LeaderAndIsr | null,
  live: ReadonlySet<number>,
): { leader: number; leaderEpoch: number; isr: number[] } | null {
  if (state === null) {
    const isr = replicas.filter((id) => live.has(id));
    const leader = isr.length > 0 ? isr[0]! : -1;
    return { leader, leaderEpoch: 0, isr: isr.length > 0 ? isr : [...replicas] };
  }
  const dead = new Set(state.isr.filter((id) => !live.has(id)));
  const leaderAlive = state.leader >= 0 && live.has(state.leader);
  if (leaderAlive && dead.size === 0) return null;
  if (leaderAlive)
    return { leader: state.leader, leaderEpoch: state.leaderEpoch + 1, isr: isrWithout(state.isr, dead) };
  const leader = electLeader(replicas, state.isr, live);
  if (leader < 0) {
    if (state.leader < 0) return null;
    return { leader: -1, leaderEpoch: state.leaderEpoch + 1, isr: isrWithout(state.isr, dead) };
  }
  return { leader, leaderEpoch: state.leaderEpoch + 1, isr: isrWithout(state.isr, dead) };
}

async function readControllerEpoch(zk: ZkClient): Promise<{ epoch: number; zkVersion: number }> {
  for (;;) {
    const node = await zk.getDataIfExists(ZkPaths.controllerEpoch);
    if (node !== null) {
      const epoch = Number(node.data?.toString('utf8') ?? '');
      return {
        epoch: Number.isInteger(epoch) ? epoch : INITIAL_CONTROLLER_EPOCH,
        zkVersion: node.stat.version,
      };
    }
    try {
      await zk.create(ZkPaths.controllerEpoch, Buffer.from(String(INITIAL_CONTROLLER_EPOCH)));
    } catch (e) {
      if (!(e instanceof ZkError && e.isNodeExists)) throw e;
    }
  }
}

/** Creates of /brokers/topics/T/partitions[/P] that do not exist yet, for the multi. */
async function missingParents(zk: ZkClient, topic: string, partition: number): Promise<ZkMultiOp[]> {
  const ops: ZkMultiOp[] = [];
  for (const path of [ZkPaths.partitions(topic), ZkPaths.partition(topic, partition)]) {
    if ((await zk.exists(path)) === null) ops.push({ op: 'create', path });
  }
  return ops;
}

async function removeIfExists(zk: ZkClient, path: string): Promise<void> {
  try {
    await zk.remove(path);
  } catch (e) {
    if (!(e instanceof ZkError && e.isNoNode)) throw e;
  }
}
