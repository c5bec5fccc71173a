// The network of a simulated ensemble, every choice drawn from the seeded Rng. Every message is
// encoded to its wire bytes when sent and decoded when delivered.
// - Election channel: datagram-like; each notification may be dropped, duplicated or delayed
//   (delays reorder them). Partitioned links drop them.
// - Quorum channel: one connection per pair of members, opened by the learner's FOLLOWERINFO or
//   OBSERVERINFO (replacing any older one), in order and without loss or duplication, as TCP.
//   Faults are connection resets: the packet and everything in flight on that connection are lost
//   and both ends are told. A partition holds packets (they flow again at heal, unless an end
//   closed the connection meanwhile). A close or reset reaches the other end as `disconnected`,
//   itself held by a partition. A packet sent without an open connection is lost and its sender
//   is told the connection is gone.
// - A crashed member receives nothing; with `rst` its peers learn at once that its connections
//   closed (a process crash), without it they must notice by themselves (a machine crash).

import { assert, Rng } from '../../shared/src';
import {
  Channel,
  channelOf,
  decodePeerMessage,
  encodePeerMessage,
  PeerMessage,
} from '../../zk-server/src/quorum/core/messages';
import { PeerTransport, TransportReceiver } from '../../zk-server/src/quorum/runtime/peer-runtime';
import { SimClock } from './sim-clock';

export interface NetworkFaults {
  /** Probability that a notification is lost. */
  dropRate: number;
  /** Probability that a notification arrives twice. */
  duplicateRate: number;
  /** Probability that sending a quorum packet resets its connection instead. */
  resetRate: number;
  /** Usual one-way latency, uniform in [min, max] ms. */
  delayMs: [number, number];
  /** Probability of a slow message, and how slow it may be. */
  slowRate: number;
  slowDelayMaxMs: number;
}

export const NO_FAULTS: NetworkFaults = { dropRate: 0, duplicateRate: 0, resetRate: 0, delayMs: [1, 1], slowRate: 0, slowDelayMaxMs: 0 };

interface Endpoint {
  up: boolean;
  receiver: TransportReceiver | null;
}

type QueuedItem = { readonly kind: 'packet'; readonly bytes: Buffer } | { readonly kind: 'closed' };

interface Lane {
  readonly from: number;
  readonly to: number;
  /** The connection it belongs to; null for the notice of a write to a closed connection. */
  readonly conn: Connection | null;
  readonly items: QueuedItem[];
  timer: unknown;
  lastAt: number;
}

interface Connection {
  readonly id: number;
  open: boolean;
  readonly lanes: Map<string, Lane>;
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  resets: number;
}

export type DeliveryObserver = (from: number, to: number, message: PeerMessage) => void;

const pairKey = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`);
const laneKey = (from: number, to: number): string => `${from}>${to}`;

export class SimNetwork {
  faults: NetworkFaults;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, resets: 0 };
  observer: DeliveryObserver | null = null;
  private readonly endpoints = new Map<number, Endpoint>();
  private readonly connections = new Map<string, Connection>();
  private readonly blocked = new Set<string>();
  /** Lanes a partition holds, pumped again at heal. */
  private readonly held = new Set<Lane>();
  private connectionIds = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly rng: Rng,
    faults: NetworkFaults = NO_FAULTS,
  ) {
    this.faults = faults;
  }

  /** The transport member `id` uses; its receiver is attached by `listen`. */
  transport(id: number): PeerTransport {
    const endpoint: Endpoint = { up: true, receiver: null };
    this.endpoints.set(id, endpoint);
    return {
      send: (to, message) => {
        if (endpoint.up) this.send(id, to, message);
      },
      close: (peer) => {
        if (endpoint.up) this.closeFrom(id, peer);
      },
      listen: (receiver) => {
        endpoint.receiver = receiver;
      },
      shutdown: () => {
        endpoint.up = false;
        endpoint.receiver = null;
      },
    };
  }

  /** Member `id` dies: its connections close; with `rst` the peers are told. */
  crash(id: number, rst: boolean): void {
    const endpoint = this.endpoints.get(id);
    if (endpoint !== undefined) {
      endpoint.up = false;
      endpoint.receiver = null;
    }
    for (const [key, conn] of this.connections) {
      const [a, b] = key.split('-').map(Number) as [number, number];
      if (a !== id && b !== id) continue;
      const other = a === id ? b : a;
      this.shut(conn, rst ? [[id, other]] : []);
      this.connections.delete(key);
    }
  }

  /** Links between different groups stop carrying messages until heal(). */
  partition(groups: readonly (readonly number[])[]): void {
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        for (const a of groups[i]!) for (const b of groups[j]!) this.blocked.add(pairKey(a, b));
      }
    }
  }

  isBlocked(a: number, b: number): boolean {
    return this.blocked.has(pairKey(a, b));
  }

  heal(): void {
    this.blocked.clear();
    const held = [...this.held];
    this.held.clear();
    for (const lane of held) this.pumpLane(lane);
  }

  private delay(): number {
    const f = this.faults;
    const [min, max] = f.delayMs;
    let d = min + this.rng.int(max - min + 1);
    if (f.slowRate > 0 && this.rng.chance(f.slowRate)) d += this.rng.int(f.slowDelayMaxMs + 1);
    return d;
  }

  private send(from: number, to: number, message: PeerMessage): void {
    this.stats.sent++;
    const bytes = encodePeerMessage(message);
    if (channelOf(message) === 'election') this.sendDatagram(from, to, bytes);
    else this.sendPacket(from, to, message, bytes);
  }

  private sendDatagram(from: number, to: number, bytes: Buffer): void {
    const f = this.faults;
    if (this.isBlocked(from, to) || (f.dropRate > 0 && this.rng.chance(f.dropRate))) {
      this.stats.dropped++;
      return;
    }
    const copies = f.duplicateRate > 0 && this.rng.chance(f.duplicateRate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      this.clock.setTimer(this.delay(), () => {
        if (this.isBlocked(from, to)) {
          this.stats.dropped++;
          return;
        }
        this.deliver('election', from, to, bytes);
      });
    }
  }

  private sendPacket(from: number, to: number, message: PeerMessage, bytes: Buffer): void {
    const key = pairKey(from, to);
    if (message.type === 'FOLLOWERINFO' || message.type === 'OBSERVERINFO') {
      const old = this.connections.get(key);
      if (old !== undefined) this.shut(old, []);
      this.connections.set(key, { id: ++this.connectionIds, open: true, lanes: new Map() });
    }
    const conn = this.connections.get(key);
    if (conn === undefined || !conn.open) {
      // writing to a connection that is gone fails on the sender's side
      this.stats.dropped++;
      this.notifyOrphan(to, from);
      return;
    }
    if (this.faults.resetRate > 0 && this.rng.chance(this.faults.resetRate)) {
      this.stats.resets++;
      this.stats.dropped++;
      this.shut(conn, [
        [from, to],
        [to, from],
      ]);
      this.connections.delete(key);
      return;
    }
    this.enqueue(conn, from, to, { kind: 'packet', bytes });
  }

  private closeFrom(from: number, peer: number): void {
    const key = pairKey(from, peer);
    const conn = this.connections.get(key);
    if (conn === undefined) return;
    this.shut(conn, [[from, peer]]);
    this.connections.delete(key);
  }

  /** Closes `conn`: what is in flight is lost; each [from, to] in `tell` carries a close to `to`. */
  private shut(conn: Connection, tell: readonly (readonly [number, number])[]): void {
    conn.open = false;
    for (const lane of conn.lanes.values()) {
      lane.items.length = 0;
      if (lane.timer !== null) this.clock.clearTimer(lane.timer);
      lane.timer = null;
    }
    for (const [from, to] of tell) {
      const lane = this.lane(conn, from, to);
      lane.items.push({ kind: 'closed' });
      this.pumpLane(lane);
    }
  }

  /** The sender learns, one latency later, that it wrote to a closed connection. */
  private notifyOrphan(from: number, to: number): void {
    this.pumpLane({ from, to, conn: null, items: [{ kind: 'closed' }], timer: null, lastAt: 0 });
  }

  private lane(conn: Connection, from: number, to: number): Lane {
    const key = laneKey(from, to);
    let lane = conn.lanes.get(key);
    if (lane === undefined) {
      lane = { from, to, conn, items: [], timer: null, lastAt: 0 };
      conn.lanes.set(key, lane);
    }
    return lane;
  }

  private enqueue(conn: Connection, from: number, to: number, item: QueuedItem): void {
    const lane = this.lane(conn, from, to);
    lane.items.push(item);
    this.pumpLane(lane);
  }

  /** Schedules the head of a lane, keeping order; a partition holds the lane until heal. */
  private pumpLane(lane: Lane): void {
    if (lane.timer !== null || lane.items.length === 0) return;
    if (this.isBlocked(lane.from, lane.to)) {
      this.held.add(lane);
      return;
    }
    const now = this.clock.nowMs();
    const at = Math.max(now + this.delay(), lane.lastAt);
    lane.timer = this.clock.setTimer(at - now, () => {
      lane.timer = null;
      if (this.isBlocked(lane.from, lane.to)) {
        this.held.add(lane);
        return;
      }
      const item = lane.items.shift();
      if (item === undefined) return;
      lane.lastAt = this.clock.nowMs();
      if (item.kind === 'packet') this.deliver('quorum', lane.from, lane.to, item.bytes);
      else this.deliverClosed(lane.from, lane.to, lane.conn);
      this.pumpLane(lane);
    });
  }

  private deliver(channel: Channel, from: number, to: number, bytes: Buffer): void {
    const endpoint = this.endpoints.get(to);
    if (endpoint === undefined || !endpoint.up || endpoint.receiver === null) {
      this.stats.dropped++;
      return;
    }
    const message = decodePeerMessage(channel, bytes);
    assert(encodePeerMessage(message).equals(bytes), `${message.type} does not re-encode to the bytes sent`);
    this.stats.delivered++;
    this.observer?.(from, to, message);
    endpoint.receiver.message(from, message);
  }

  /** A close reaches `to` unless a newer connection between the two has opened since. */
  private deliverClosed(from: number, to: number, conn: Connection | null): void {
    const current = this.connections.get(pairKey(from, to));
    if (current !== undefined && (conn === null || current.id !== conn.id)) return;
    const endpoint = this.endpoints.get(to);
    if (endpoint === undefined || !endpoint.up || endpoint.receiver === null) return;
    endpoint.receiver.disconnected(from);
  }
}
