// Consumer groups in ZooKeeper, in Kafka 0.8's layout (kafka.md 5.1), through the shared ZkClient
// with paths from cluster/zk-paths.ts:
//
//   /consumers/G/offsets/T/P            P  plain decimal of the next offset to consume ("42"); "-1" = none
//   /consumers/G/offsets-metadata/T/P   P  the commit's metadata string, only while it is not empty
//   /consumers/G/ids/M                  E  {"version":1,"subscription":{"T":1},"pattern":"static","timestamp":".."}
//   /consumers/G/owners/T/P             E  the member id owning T-P since the last completed rebalance
//
// Offsets of a topic are kept contiguous from partition 0 (Burrow reads partitions 0..count-1):
// the first commit of a topic also creates "-1" for its other partitions. Ephemerals belong to the
// broker's ZooKeeper session; a new session (or a restarted broker) writes them again. Names that
// ZooKeeper cannot hold ('/', control characters, "." and "..") are percent-encoded.
//
// Writes of one group run one at a time, in order; a burst of commits queued behind a running one
// is merged (last offset per partition wins) into one multi, and at most GROUP_WRITERS_MAX groups
// write at once, so the ZooKeeper load stays bounded however many commits arrive. A commit is
// answered only once its multi succeeded. Reads go to ZooKeeper every time: nothing here caches
// offsets, only which znodes exist.

import { Clock, Logger, ZkClient, ZkError, ZkMultiOp } from '../../../shared/src';
import { ConsumerRegistrationJson, ZkPaths } from '../cluster/zk-paths';
import { KafkaError } from '../protocol';
import { withDeadline } from './deadline';

/** offset.metadata.max.bytes default: longer commit metadata gets OFFSET_METADATA_TOO_LARGE. */
export const OFFSET_METADATA_BYTES_MAX = 4096;
/** Operations per ZooKeeper multi (each is well under jute.maxbuffer at this count). */
export const ZK_MULTI_OPS_MAX = 1000;
/** Groups writing to ZooKeeper at the same time; the others queue. */
export const GROUP_WRITERS_MAX = 16;
/** Distinct partitions merged into one commit write. */
export const COMMIT_BATCH_PARTITIONS_MAX = 2000;
/** ZooKeeper reads in flight for one OffsetFetch. */
export const ZK_READS_IN_FLIGHT_MAX = 256;
/** Tries at writing a group's members and owners (each re-reads what exists). */
const PUBLISH_ATTEMPTS_MAX = 2;

const NO_OFFSET = '-1';
const DECIMAL = /^-?\d+$/;

export interface OffsetCommitEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** "" when the client sent none (null). */
  readonly metadata: string;
}

export type CommittedOffset = OffsetCommitEntry;

/** What ZooKeeper shows of a group's members: registrations and partition owners. */
export interface PublishedGroup {
  readonly members: readonly { memberId: string; subscription: readonly string[]; joinedAtMs: number }[];
  readonly owners: readonly { topic: string; partition: number; memberId: string }[];
}

export interface TopicPartitions {
  readonly name: string;
  readonly partitions: readonly number[];
}

/** Where the coordinator keeps offsets and shows members; rejections are KafkaErrors. */
export interface GroupStore {
  commitOffsets(groupId: string, entries: readonly OffsetCommitEntry[]): Promise<void>;
  /** Committed offsets (none for partitions without one); topics null = every committed topic. */
  fetchOffsets(groupId: string, topics: readonly TopicPartitions[] | null): Promise<CommittedOffset[]>;
  /** Makes ZooKeeper show `view` (queued behind the group's commits; failures are logged). */
  publish(groupId: string, view: PublishedGroup): void;
  /** Removes everything of the group; false when it had nothing. */
  deleteGroup(groupId: string): Promise<boolean>;
  groupIds(): Promise<string[]>;
  groupExists(groupId: string): Promise<boolean>;
  /** A new ZooKeeper session: the ephemerals written so far are gone. */
  sessionStarted(): void;
  /** Finishes queued writes; later ones are refused. */
  close(): Promise<void>;
}

export interface ZkOffsetStoreOptions {
  /** The current session; throws when there is none. */
  readonly zk: () => ZkClient;
  /** Partition count of a topic (0 when unknown): how far the offsets are filled. */
  readonly partitionCount: (topic: string) => number;
  /** How long one write or read may take (the ZooKeeper session timeout): see deadline.ts. */
  readonly operationTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

type Op =
  | {
      readonly kind: 'commit';
      readonly entries: readonly OffsetCommitEntry[];
      readonly resolve: () => void;
      readonly reject: (e: unknown) => void;
    }
  | { readonly kind: 'publish'; readonly view: PublishedGroup }
  | { readonly kind: 'delete'; readonly resolve: (existed: boolean) => void; readonly reject: (e: unknown) => void };

interface GroupQueue {
  readonly ops: Op[];
  running: boolean;
}

/** Which offset znodes of a topic exist (learned once per topic, then kept by our own writes). */
interface TopicNodes {
  readonly offsets: Set<number>;
  readonly metadata: Set<number>;
  metadataParent: boolean;
}

export class ZkOffsetStore implements GroupStore {
  private readonly queues = new Map<string, GroupQueue>();
  /** Groups with queued work waiting for a writer slot, oldest first. */
  private readonly waiting = new Set<string>();
  private writers = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly nodes = new Map<string, Map<string, TopicNodes>>();
  /** Ephemerals this session wrote, path -> data. */
  private readonly ours = new Map<string, string>();
  private readonly logger: Logger;

  constructor(private readonly o: ZkOffsetStoreOptions) {
    this.logger = o.logger.child({ component: 'offset-store' });
  }

  // ---- the GroupStore surface ------------------------------------------------------------------

  commitOffsets(groupId: string, entries: readonly OffsetCommitEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.enqueue(groupId, { kind: 'commit', entries, resolve, reject }));
  }

  publish(groupId: string, view: PublishedGroup): void {
    if (!this.closed) this.enqueue(groupId, { kind: 'publish', view });
  }

  deleteGroup(groupId: string): Promise<boolean> {
    return new Promise((resolve, reject) => this.enqueue(groupId, { kind: 'delete', resolve, reject }));
  }

  async fetchOffsets(groupId: string, topics: readonly TopicPartitions[] | null): Promise<CommittedOffset[]> {
    return this.guarded(`reading offsets of group ${groupId}`, async () => {
      const zk = this.o.zk();
      const g = znodeName(groupId);
      const wanted = topics ?? (await this.committedTopics(zk, g));
      const found = await mapLimit(
        wanted.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p }))),
        ZK_READS_IN_FLIGHT_MAX,
        async ({ topic, partition }) => {
          const node = await zk.getDataIfExists(ZkPaths.consumerOffset(g, topic, partition));
          const offset = node === null ? null : this.parseOffset(node.data, groupId, topic, partition);
          return offset === null || offset < 0n ? null : { topic, partition, offset, metadata: '' };
        },
      );
      const committed = found.filter((f): f is CommittedOffset => f !== null);
      return this.withMetadata(zk, g, committed);
    });
  }

  async groupIds(): Promise<string[]> {
    return this.guarded('listing groups', async () =>
      (await this.o.zk().getChildrenIfExists(ZkPaths.consumers)).map(fromZnodeName),
    );
  }

  async groupExists(groupId: string): Promise<boolean> {
    return this.guarded(`looking up group ${groupId}`, async () =>
      (await this.o.zk().exists(ZkPaths.consumerGroup(znodeName(groupId)))) !== null,
    );
  }

  sessionStarted(): void {
    this.ours.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.queues.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** ZooKeeper work under the deadline, failures as COORDINATOR_NOT_AVAILABLE. */
  private guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
    return unavailableOnFailure(what, () => withDeadline(this.o.clock, this.o.operationTimeoutMs, what, work));
  }

  // ---- queueing ------------------------------------------------------------------------------

  private enqueue(groupId: string, op: Op): void {
    if (this.closed && op.kind !== 'publish') {
      op.reject(new KafkaError('COORDINATOR_NOT_AVAILABLE', 'the broker is shutting down'));
      return;
    }
    let q = this.queues.get(groupId);
    if (q === undefined) this.queues.set(groupId, (q = { ops: [], running: false }));
    q.ops.push(op);
    this.kick(groupId);
  }

  private kick(groupId: string): void {
    const q = this.queues.get(groupId);
    if (q === undefined || q.running || q.ops.length === 0) return;
    if (this.writers >= GROUP_WRITERS_MAX) {
      this.waiting.add(groupId);
      return;
    }
    q.running = true;
    this.writers++;
    void this.runOne(groupId, q).finally(() => {
      q.running = false;
      this.writers--;
      if (q.ops.length > 0) this.waiting.add(groupId);
      else this.queues.delete(groupId);
      this.kickWaiting();
      if (this.queues.size === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  private kickWaiting(): void {
    for (const groupId of [...this.waiting]) {
      if (this.writers >= GROUP_WRITERS_MAX) return;
      this.waiting.delete(groupId);
      this.kick(groupId);
    }
  }

  /** Runs the op at the head of the queue, merged with the like ops right behind it. */
  private async runOne(groupId: string, q: GroupQueue): Promise<void> {
    const head = q.ops[0]!;
    switch (head.kind) {
      case 'commit':
        return this.runCommits(groupId, q);
      case 'publish': {
        let last = head;
        while (q.ops.length > 0 && q.ops[0]!.kind === 'publish') last = q.ops.shift() as typeof head;
        return this.runPublish(groupId, last.view);
      }
      case 'delete':
        q.ops.shift();
        try {
          head.resolve(await this.deleteNow(groupId));
        } catch (e) {
          head.reject(e);
        }
        return;
    }
  }

  private async runCommits(groupId: string, q: GroupQueue): Promise<void> {
    const taken: Extract<Op, { kind: 'commit' }>[] = [];
    const merged = new Map<string, OffsetCommitEntry>();
    while (q.ops.length > 0 && q.ops[0]!.kind === 'commit') {
      const op = q.ops[0] as Extract<Op, { kind: 'commit' }>;
      if (taken.length > 0 && merged.size + op.entries.length > COMMIT_BATCH_PARTITIONS_MAX) break;
      q.ops.shift();
      taken.push(op);
      for (const e of op.entries) merged.set(`${e.partition}\u0000${e.topic}`, e);
    }
    try {
      await this.guarded(`committing offsets of group ${groupId}`, () =>
        this.writeOffsets(groupId, [...merged.values()]),
      );
      for (const op of taken) op.resolve();
    } catch (e) {
      for (const op of taken) op.reject(e);
    }
  }

  private async runPublish(groupId: string, view: PublishedGroup): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.guarded(`showing the members of group ${groupId}`, () => this.writePublished(groupId, view));
        return;
      } catch (e) {
        if (attempt >= PUBLISH_ATTEMPTS_MAX || this.closed) {
          this.logger.warn(`could not show the members of group ${groupId} in ZooKeeper: ${(e as Error).message}`);
          return;
        }
      }
    }
  }

  // ---- offsets -------------------------------------------------------------------------------

  private async writeOffsets(groupId: string, entries: readonly OffsetCommitEntry[]): Promise<void> {
    const zk = this.o.zk();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.tryWriteOffsets(zk, groupId, entries);
        return;
      } catch (e) {
        // Our picture of which znodes exist was wrong (someone else wrote or deleted): reload once.
        this.nodes.delete(groupId);
        if (attempt > 0 || !(e instanceof ZkError && (e.isNodeExists || e.isNoNode))) throw e;
      }
    }
  }

  private async tryWriteOffsets(zk: ZkClient, groupId: string, entries: readonly OffsetCommitEntry[]): Promise<void> {
    const g = znodeName(groupId);
    const ops: ZkMultiOp[] = [];
    const onSuccess: (() => void)[] = [];
    for (const [topic, list] of groupByTopic(entries)) {
      const nodes = await this.topicNodes(zk, groupId, topic);
      const given = new Map(list.map((e) => [e.partition, e]));
      let last = this.o.partitionCount(topic) - 1;
      for (const e of list) last = Math.max(last, e.partition);
      for (let p = 0; p <= last; p++) {
        const e = given.get(p);
        const path = ZkPaths.consumerOffset(g, topic, p);
        if (e !== undefined) ops.push(writeOp(nodes.offsets.has(p), path, String(e.offset)));
        else if (!nodes.offsets.has(p)) ops.push({ op: 'create', path, data: Buffer.from(NO_OFFSET) });
      }
      for (const e of list) {
        const path = ZkPaths.consumerOffsetMetadata(g, topic, e.partition);
        if (e.metadata !== '') {
          if (!nodes.metadataParent) {
            await zk.mkdirp(ZkPaths.consumerOffsetsMetadata(g, topic));
            nodes.metadataParent = true;
          }
          ops.push(writeOp(nodes.metadata.has(e.partition), path, e.metadata));
        } else if (nodes.metadata.has(e.partition)) ops.push({ op: 'delete', path });
      }
      onSuccess.push(() => {
        for (let p = 0; p <= last; p++) nodes.offsets.add(p);
        for (const e of list) {
          if (e.metadata !== '') nodes.metadata.add(e.partition);
          else nodes.metadata.delete(e.partition);
        }
      });
    }
    for (let i = 0; i < ops.length; i += ZK_MULTI_OPS_MAX) await zk.multi(ops.slice(i, i + ZK_MULTI_OPS_MAX));
    for (const f of onSuccess) f();
  }

  private async topicNodes(zk: ZkClient, groupId: string, topic: string): Promise<TopicNodes> {
    let byTopic = this.nodes.get(groupId);
    if (byTopic === undefined) this.nodes.set(groupId, (byTopic = new Map()));
    const known = byTopic.get(topic);
    if (known !== undefined) return known;
    const g = znodeName(groupId);
    await zk.mkdirp(ZkPaths.consumerOffsets(g, topic));
    const offsets = partitionNumbers(await zk.getChildren(ZkPaths.consumerOffsets(g, topic)));
    const metadataChildren = await zk.getChildrenIfExists(ZkPaths.consumerOffsetsMetadata(g, topic));
    const nodes: TopicNodes = {
      offsets: new Set(offsets),
      metadata: new Set(partitionNumbers(metadataChildren)),
      metadataParent: metadataChildren.length > 0,
    };
    byTopic.set(topic, nodes);
    return nodes;
  }

  private async committedTopics(zk: ZkClient, g: string): Promise<TopicPartitions[]> {
    const names = await zk.getChildrenIfExists(ZkPaths.consumerOffsetsRoot(g));
    return Promise.all(
      names.map(async (name) => ({
        name,
        partitions: partitionNumbers(await zk.getChildrenIfExists(ZkPaths.consumerOffsets(g, name))),
      })),
    );
  }

  private async withMetadata(zk: ZkClient, g: string, committed: CommittedOffset[]): Promise<CommittedOffset[]> {
    const topics = [...new Set(committed.map((c) => c.topic))];
    const withMetadata = new Set<string>();
    await Promise.all(
      topics.map(async (topic) => {
        for (const p of await zk.getChildrenIfExists(ZkPaths.consumerOffsetsMetadata(g, topic))) {
          withMetadata.add(`${topic}/${p}`);
        }
      }),
    );
    return mapLimit(committed, ZK_READS_IN_FLIGHT_MAX, async (c) => {
      if (!withMetadata.has(`${c.topic}/${c.partition}`)) return c;
      const node = await zk.getDataIfExists(ZkPaths.consumerOffsetMetadata(g, c.topic, c.partition));
      return { ...c, metadata: node?.data?.toString('utf8') ?? '' };
    });
  }

  private parseOffset(data: Buffer | null, groupId: string, topic: string, partition: number): bigint | null {
    const text = data?.toString('latin1') ?? '';
    if (DECIMAL.test(text)) return BigInt(text);
    this.logger.warn(`offset of group ${groupId} for ${topic}-${partition} is not a number: ${JSON.stringify(text)}`);
    return null;
  }

  // ---- members and owners --------------------------------------------------------------------

  private async writePublished(groupId: string, view: PublishedGroup): Promise<void> {
    const zk = this.o.zk();
    const g = znodeName(groupId);
    const desired = desiredEphemerals(g, view);
    if (desired.size === 0 && (await zk.exists(ZkPaths.consumerGroup(g))) === null) return;
    const existing = await this.existingEphemerals(zk, g);
    if (view.members.length > 0) await zk.mkdirp(ZkPaths.consumerIds(g));
    for (const topic of new Set(view.owners.map((o) => o.topic))) await zk.mkdirp(ZkPaths.consumerOwners(g, topic));
    const ops: ZkMultiOp[] = [];
    for (const path of existing) if (!desired.has(path)) ops.push({ op: 'delete', path });
    for (const [path, data] of desired) {
      const mine = this.ours.get(path);
      if (existing.has(path) && mine === data) continue;
      if (existing.has(path) && mine !== undefined) {
        ops.push({ op: 'setData', path, data: Buffer.from(data) });
        continue;
      }
      // Left by an earlier session or process: replaced, so that it lives as long as our session.
      if (existing.has(path)) ops.push({ op: 'delete', path });
      ops.push({ op: 'create', path, data: Buffer.from(data), mode: 'ephemeral' });
    }
    for (let i = 0; i < ops.length; ) {
      let end = Math.min(ops.length, i + ZK_MULTI_OPS_MAX);
      if (end < ops.length && ops[end - 1]!.op === 'delete' && ops[end]!.op === 'create') end--;
      await zk.multi(ops.slice(i, end));
      i = end;
    }
    for (const path of existing) if (!desired.has(path)) this.ours.delete(path);
    for (const [path, data] of desired) this.ours.set(path, data);
  }

  private async existingEphemerals(zk: ZkClient, g: string): Promise<Set<string>> {
    const existing = new Set<string>();
    for (const id of await zk.getChildrenIfExists(ZkPaths.consumerIds(g))) {
      existing.add(ZkPaths.consumerId(g, id));
    }
    for (const topic of await zk.getChildrenIfExists(ZkPaths.consumerOwnersRoot(g))) {
      for (const p of partitionNumbers(await zk.getChildrenIfExists(ZkPaths.consumerOwners(g, topic)))) {
        existing.add(ZkPaths.consumerOwner(g, topic, p));
      }
    }
    return existing;
  }

  private async deleteNow(groupId: string): Promise<boolean> {
    return this.guarded(`deleting group ${groupId}`, async () => {
      const zk = this.o.zk();
      const path = ZkPaths.consumerGroup(znodeName(groupId));
      this.nodes.delete(groupId);
      for (const p of [...this.ours.keys()]) if (p.startsWith(`${path}/`)) this.ours.delete(p);
      if ((await zk.exists(path)) === null) return false;
      await zk.removeRecursive(path);
      return true;
    });
  }
}

/** The registration of a member as Kafka 0.8's consumers wrote it. */
export function registrationJson(member: PublishedGroup['members'][number]): ConsumerRegistrationJson {
  const subscription: Record<string, number> = {};
  for (const topic of member.subscription) subscription[topic] = 1;
  return { version: 1, subscription, pattern: 'static', timestamp: String(member.joinedAtMs) };
}

function desiredEphemerals(g: string, view: PublishedGroup): Map<string, string> {
  const desired = new Map<string, string>();
  for (const m of view.members) {
    desired.set(ZkPaths.consumerId(g, znodeName(m.memberId)), JSON.stringify(registrationJson(m)));
  }
  for (const o of view.owners) desired.set(ZkPaths.consumerOwner(g, o.topic, o.partition), o.memberId);
  return desired;
}

function writeOp(exists: boolean, path: string, value: string): ZkMultiOp {
  const data = Buffer.from(value);
  return exists ? { op: 'setData', path, data } : { op: 'create', path, data };
}

function groupByTopic(entries: readonly OffsetCommitEntry[]): Map<string, OffsetCommitEntry[]> {
  const out = new Map<string, OffsetCommitEntry[]>();
  for (const e of entries) {
    let list = out.get(e.topic);
    if (list === undefined) out.set(e.topic, (list = []));
    list.push(e);
  }
  return out;
}

function partitionNumbers(children: readonly string[]): number[] {
  return children.filter((c) => /^\d+$/.test(c)).map(Number);
}

/** Runs fn over items with at most `limit` in flight; results in item order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** ZooKeeper trouble (or no session) becomes the retriable COORDINATOR_NOT_AVAILABLE. */
async function unavailableOnFailure<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof KafkaError) throw e;
    throw new KafkaError('COORDINATOR_NOT_AVAILABLE', `${what} failed: ${(e as Error).message}`, { cause: e });
  }
}

// ---- znode names ---------------------------------------------------------------------------

/** Characters ZooKeeper refuses in a node name (Java's \ud800-\uf8ff covers astral ones), '/' and '%'. */
const UNSAFE = /[%/\u{0}-\u{1f}\u{7f}-\u{9f}\u{d800}-\u{f8ff}\u{fff0}-\u{ffff}\u{10000}-\u{10ffff}]/gu;

/** A group or member id as a znode name: '%', '/', control and reserved characters percent-encoded. */
export function znodeName(id: string): string {
  if (id === '.' || id === '..') return id.replace(/\./g, '%2E');
  return id.replace(UNSAFE, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: U+FFFD, as a UTF-8 decoder would have made it
    }
  });
}

export function fromZnodeName(name: string): string {
  if (!name.includes('%')) return name;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
