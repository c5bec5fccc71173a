// Helpers of the consumer-group and idempotence tests: what ZooKeeper shows of a group, the lag of
// a group as an admin tool computes it (DescribeGroups + OffsetFetch + ListOffsets), and a
// loopback TCP proxy that cuts a connection after the broker answered a Produce request and before
// the answer reaches the client (so the client retries a batch the broker already appended).

import * as net from 'node:net';
import { Admin } from 'kafkajs';
import { FrameSplitter, ZkClient } from '../../shared/src';
import { decodeAssignment } from '../../kafka-broker/src/coordinator/consumer-protocol';
import { waitFor } from '../support/wait-for';

/** /consumers/G as it stands: member registrations, partition owners and offsets of one topic. */
export interface GroupZnodes {
  readonly ids: Map<string, { version: number; subscription: Record<string, number>; pattern: string; timestamp: string }>;
  readonly owners: Map<number, string>;
  readonly offsets: Map<number, bigint>;
}

export async function readGroupZnodes(zk: ZkClient, group: string, topic: string): Promise<GroupZnodes> {
  const ids: GroupZnodes['ids'] = new Map();
  for (const id of await zk.getChildrenIfExists(`/consumers/${group}/ids`)) {
    const node = await zk.getDataIfExists(`/consumers/${group}/ids/${id}`);
    if (node?.data) ids.set(id, JSON.parse(node.data.toString('utf8')));
  }
  const owners = new Map<number, string>();
  for (const p of await zk.getChildrenIfExists(`/consumers/${group}/owners/${topic}`)) {
    const node = await zk.getDataIfExists(`/consumers/${group}/owners/${topic}/${p}`);
    if (node?.data) owners.set(Number(p), node.data.toString('utf8'));
  }
  const offsets = new Map<number, bigint>();
  for (const p of await zk.getChildrenIfExists(`/consumers/${group}/offsets/${topic}`)) {
    const node = await zk.getDataIfExists(`/consumers/${group}/offsets/${topic}/${p}`);
    if (node?.data) offsets.set(Number(p), BigInt(node.data.toString('latin1')));
  }
  return { ids, owners, offsets };
}

/** A group as DescribeGroups shows it, with each member's partitions of `topic` decoded. */
export interface DescribedGroup {
  readonly state: string;
  readonly protocol: string;
  readonly members: Map<string, number[]>;
}

export async function describeGroup(admin: Admin, group: string, topic: string): Promise<DescribedGroup> {
  const { groups } = await admin.describeGroups([group]);
  const g = groups[0]!;
  const members = new Map<string, number[]>();
  for (const m of g.members) {
    const assigned = decodeAssignment(m.memberAssignment).value.assignedPartitions;
    members.set(m.memberId, assigned.filter((a) => a.topic === topic).flatMap((a) => a.partitions).sort((x, y) => x - y));
  }
  return { state: g.state, protocol: g.protocol, members };
}

/** Per partition: committed offset (OffsetFetch), log end (ListOffsets latest) and their difference. */
export async function groupLag(
  admin: Admin,
  group: string,
  topic: string,
): Promise<{ partition: number; committed: bigint; end: bigint; lag: bigint }[]> {
  const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  return ends
    .map((e) => {
      const c = BigInt(committed!.partitions.find((p) => p.partition === e.partition)?.offset ?? '-1');
      const end = BigInt(e.high);
      return { partition: e.partition, committed: c, end, lag: c < 0n ? end : end - c };
    })
    .sort((a, b) => a.partition - b.partition);
}

/**
 * At a stable point ZooKeeper shows one registration per member (with the topic subscribed), the
 * owner of every partition as the assignment says, and the offsets OffsetFetch reports.
 */
export async function expectZookeeperAgrees(
  zk: ZkClient,
  admin: Admin,
  group: string,
  topic: string,
  partitions: number,
  assignment: Map<string, number[]>,
): Promise<void> {
  const committed = await groupLag(admin, group, topic);
  const expectedOwners = new Map<number, string>();
  for (const [member, owned] of assignment) for (const p of owned) expectedOwners.set(p, member);
  const z = await waitFor(
    async () => {
      const z = await readGroupZnodes(zk, group, topic);
      const idsMatch = [...z.ids.keys()].sort().join() === [...assignment.keys()].sort().join();
      const ownersMatch = z.owners.size === partitions && [...expectedOwners].every(([p, m]) => z.owners.get(p) === m);
      return idsMatch && ownersMatch ? z : undefined;
    },
    { description: 'ZooKeeper to show the members and owners of the assignment', timeoutMs: 5000, intervalMs: 50 },
  );
  for (const c of committed) expect(z.offsets.get(c.partition)).toBe(c.committed);
  for (const registration of z.ids.values()) {
    expect(registration).toMatchObject({ version: 1, subscription: { [topic]: 1 }, pattern: 'static' });
    expect(registration.timestamp).toMatch(/^\d+$/);
  }
}

const FRAME_BYTES_MAX = 256 * 1024 * 1024;
const PRODUCE_API_KEY = 0;

/**
 * Forwards Kafka connections to a broker. While `cutsLeft` > 0, the next Produce request is passed
 * on, and when the broker's answer to it comes back the connection is cut instead of answering.
 */
export class ProduceCuttingProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  cutsLeft = 0;
  cuts = 0;
  producesSeen = 0;
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => this.accept(client));
  }

  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
      s.setNoDelay(true);
    }
    const cutOn = new Set<number>();
    const requests = new FrameSplitter(FRAME_BYTES_MAX);
    const responses = new FrameSplitter(FRAME_BYTES_MAX);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      for (const frame of requests.push(chunk)) {
        if (frame.readInt16BE(0) === PRODUCE_API_KEY) {
          this.producesSeen++;
          if (this.cutsLeft > 0) {
            this.cutsLeft--;
            cutOn.add(frame.readInt32BE(4));
          }
        }
        upstream.write(sized(frame));
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const frame of responses.push(chunk)) {
        if (cutOn.has(frame.readInt32BE(0))) {
          this.cuts++;
          cut();
          return;
        }
        client.write(sized(frame));
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function sized(frame: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length, 0);
  return Buffer.concat([size, frame]);
}

/** Forwards TCP to a target until cut(); while cut, every connection is dropped at once. */
export class CuttableProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private cutOff = false;
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => this.accept(client));
  }

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve(this.port);
      }),
    );
  }

  private accept(client: net.Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
  }

  heal(): void {
    this.cutOff = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
