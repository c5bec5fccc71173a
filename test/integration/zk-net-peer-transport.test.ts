// NetPeerTransport over real loopback sockets: both channels between members whatever their sid
// order, the quorum stream under tiny chunks, malformed input confined to its connection,
// disconnect reporting, shutdown, and at the end a three-member ensemble of PeerRuntimes electing,
// committing, losing its leader and carrying on with a new one.
import net from 'node:net';
import { Writable } from 'node:stream';
import winston from 'winston';
import { ByteWriter, jute, Logger, SystemClock } from '../../shared/src';
import { OPEN_ACL_UNSAFE } from '../../zk-server/src/data/acl';
import { Op } from '../../zk-server/src/protocol/op-codes';
import { StatPersisted } from '../../zk-server/src/protocol/records/data';
import { LoggedTxn } from '../../zk-server/src/quorum/core/history';
import {
  encodeElectionHandshake,
  encodeQuorumMessage,
  Notification,
  PeerMessage,
  QuorumMessage,
} from '../../zk-server/src/quorum/core/messages';
import { MemberSpec } from '../../zk-server/src/quorum/core/quorum-verifier';
import { EpochFiles, StateSnapshot } from '../../zk-server/src/quorum/core/ready';
import { ProposeInput } from '../../zk-server/src/quorum/core/zab-node';
import {
  NetPeerTransport,
  NetPeerTransportOptions,
  PeerAddress,
  PeerListenError,
} from '../../zk-server/src/quorum/runtime/net-peer-transport';
import { PeerRuntime, PeerStorage, RecoveredPeer, TransportReceiver } from '../../zk-server/src/quorum/runtime/peer-runtime';
import { SimStateMachine } from '../support/sim-state-machine';
import { delay, waitFor } from '../support/wait-for';

jest.setTimeout(20_000);

const HOST = '127.0.0.1';
/** How long to keep watching for an event that must not happen (a second disconnect, a late delivery). */
const QUIET_MS = 200;

// ---- helpers ----

/** Distinct ports free a moment ago: all held open at once, so no two are the same. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, HOST, () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

async function memberTable(ids: readonly number[]): Promise<Map<number, PeerAddress>> {
  const ports = await freePorts(ids.length * 2);
  return new Map(ids.map((id, i) => [id, { host: HOST, quorumPort: ports[2 * i]!, electionPort: ports[2 * i + 1]! }]));
}

interface LogLine {
  readonly level: string;
  readonly message: string;
}

/** A logger that keeps what it is given (TEST_LOG=debug also prints it). */
function capturingLogger(name = ''): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    objectMode: true,
    write(info: { level: string; message: string }, _enc, done) {
      lines.push({ level: info.level, message: String(info.message) });
      if (process.env.TEST_LOG !== undefined) process.stderr.write(`${name}${info.level} ${String(info.message)}\n`);
      done();
    },
  });
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream: sink })] });
  return { logger, lines };
}

/** A receiver that records everything, in order. */
class Recorder implements TransportReceiver {
  readonly messages: { from: number; message: PeerMessage }[] = [];
  readonly disconnects: number[] = [];

  message(from: number, message: PeerMessage): void {
    this.messages.push({ from, message });
  }

  disconnected(peer: number): void {
    this.disconnects.push(peer);
  }

  from(sid: number, type?: string): PeerMessage[] {
    return this.messages.filter((m) => m.from === sid && (type === undefined || m.message.type === type)).map((m) => m.message);
  }
}

function notification(electionEpoch: number, leader = 1): Notification {
  return { type: 'NOTIFICATION', state: 'LOOKING', leader, zxid: 0n, electionEpoch, peerEpoch: 0, version: 2, config: Buffer.alloc(0) };
}

function followerInfo(sid: number): QuorumMessage {
  return { type: 'FOLLOWERINFO', zxid: 0n, info: { serverid: BigInt(sid), protocolVersion: 0x10000, configVersion: 0n } };
}

/** Transports for some members of a table, started, with recorders attached. */
class Harness {
  readonly transports = new Map<number, NetPeerTransport>();
  readonly recorders = new Map<number, Recorder>();
  readonly logs = new Map<number, LogLine[]>();

  constructor(readonly members: Map<number, PeerAddress>) {}

  async start(ids: readonly number[], options: NetPeerTransportOptions = {}): Promise<void> {
    for (const id of ids) {
      const { logger, lines } = capturingLogger();
      const t = new NetPeerTransport(id, this.members, logger, options);
      const r = new Recorder();
      t.listen(r);
      this.transports.set(id, t);
      this.recorders.set(id, r);
      this.logs.set(id, lines);
      await t.start();
    }
  }

  t(id: number): NetPeerTransport {
    return this.transports.get(id)!;
  }

  r(id: number): Recorder {
    return this.recorders.get(id)!;
  }

  warnings(id: number): string[] {
    return this.logs.get(id)!.filter((l) => l.level === 'warn' || l.level === 'error').map((l) => l.message);
  }

  shutdown(): void {
    for (const t of this.transports.values()) t.shutdown();
  }
}

/** A raw client socket, connected. */
function rawConnect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: HOST, port }, () => resolve(s));
    s.once('error', reject);
  });
}

function closedSocket(s: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve();
    s.on('error', () => undefined);
    s.once('close', () => resolve());
    s.resume();
  });
}

/** A serialized database as a leader streams it after SNAP: sessions, ACL cache, nodes, "/". */
function database(nodes: number): Buffer {
  const w = new ByteWriter(1024);
  w.int32(1).int64(0x1234n).int32(30_000);
  w.int32(0);
  const stat = { czxid: 1n, mzxid: 1n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: 1n };
  for (let i = 0; i < nodes; i++) {
    jute.ustring.encode(w, i === 0 ? '' : `/node-${i}`);
    jute.buffer.encode(w, Buffer.from(`data of node ${i}`));
    w.int64(-1n);
    StatPersisted.encode(w, stat);
  }
  jute.ustring.encode(w, '/');
  return w.toBuffer();
}

// ---- transport behaviour ----

describe('NetPeerTransport', () => {
  let h: Harness;
  const raws: net.Socket[] = [];

  afterEach(() => {
    h?.shutdown();
    for (const s of raws.splice(0)) s.destroy();
  });

  it('carries notifications both ways between three members over one election connection per pair', async () => {
    h = new Harness(await memberTable([1, 2, 3]));
    await h.start([1, 2, 3]);
    // smaller sids speak first: their handshakes must bring the larger ones to connect back
    for (const from of [1, 2, 3]) for (const to of [1, 2, 3]) if (from !== to) h.t(from).send(to, notification(from * 10 + to));
    for (const to of [1, 2, 3]) {
      await waitFor(() => h.r(to).messages.length === 2, { description: `two notifications at ${to}` });
      for (const from of [1, 2, 3]) {
        if (from === to) continue;
        expect(h.r(to).from(from)).toEqual([notification(from * 10 + to)]);
      }
    }
    // the handshake-only connections of the smaller sids close: one socket per pair at each end
    for (const id of [1, 2, 3]) {
      await waitFor(() => h.t(id).socketCount === 2, { description: `two sockets at ${id}` });
      expect(h.t(id).electionConnectedPeers().sort()).toEqual([1, 2, 3].filter((x) => x !== id));
    }
    // and they carry later notifications, in order, without new connections
    for (let round = 1; round <= 20; round++) {
      h.t(1).send(3, notification(100 + round));
      h.t(3).send(1, notification(200 + round));
    }
    await waitFor(() => h.r(3).from(1).length === 21 && h.r(1).from(3).length === 21, { description: 'the later rounds' });
    expect(h.r(3).from(1).slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => notification(101 + i)));
    expect(h.r(1).from(3).slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => notification(201 + i)));
    for (const id of [1, 2, 3]) expect(h.t(id).socketCount).toBe(2);
    expect(h.warnings(1).concat(h.warnings(2), h.warnings(3))).toEqual([]);
  });

  it('lets a notification wait for a member that starts later', async () => {
    h = new Harness(await memberTable([1, 2]));
    await h.start([2]);
    h.t(2).send(1, notification(7));
    // refused: the message is dropped with its queue; a later send tries again
    await waitFor(() => h.logs.get(2)!.some((l) => l.level === 'debug' && /ECONNREFUSED/.test(l.message)), {
      description: 'the refused connect',
    });
    expect(h.warnings(2)).toEqual([]);
    await h.start([1]);
    h.t(2).send(1, notification(8));
    h.t(1).send(2, notification(9));
    await waitFor(() => h.r(1).messages.length === 1 && h.r(2).messages.length === 1, { description: 'both notifications' });
    expect(h.r(1).from(2)).toEqual([notification(8)]);
    expect(h.r(2).from(1)).toEqual([notification(9)]);
  });

  it('opens the quorum connection from the learner and keeps packets in order both ways', async () => {
    h = new Harness(await memberTable([1, 2]));
    await h.start([1, 2]);
    // nothing open yet: dropped without a word
    h.t(1).send(2, { type: 'COMMIT', zxid: 99n });
    h.t(2).send(1, followerInfo(2));
    await waitFor(() => h.r(1).messages.length === 1, { description: 'FOLLOWERINFO at the leader' });
    expect(h.r(1).messages[0]).toEqual({ from: 2, message: followerInfo(2) });
    const down: QuorumMessage[] = [{ type: 'LEADERINFO', zxid: 0x100000000n, protocolVersion: 0x10000 }];
    for (let i = 1; i <= 200; i++) {
      down.push({ type: 'PROPOSAL', zxid: 0x100000000n + BigInt(i), txn: Buffer.alloc(i * 7, i) });
      down.push({ type: 'COMMIT', zxid: 0x100000000n + BigInt(i) });
    }
    for (const m of down) h.t(1).send(2, m);
    const up: QuorumMessage[] = Array.from({ length: 200 }, (_, i) => ({ type: 'ACK', zxid: 0x100000001n + BigInt(i) }));
    for (const m of up) h.t(2).send(1, m);
    await waitFor(() => h.r(2).messages.length === down.length && h.r(1).messages.length === 1 + up.length, {
      description: 'every packet',
    });
    expect(h.r(2).from(1)).toEqual(down);
    expect(h.r(1).from(2).slice(1)).toEqual(up);
    expect(h.t(1).quorumConnectedPeers()).toEqual([2]);
    expect(h.t(2).quorumConnectedPeers()).toEqual([1]);
    expect(h.r(1).disconnects.concat(h.r(2).disconnects)).toEqual([]);
  });

  it('decodes a SNAP that arrives in tiny chunks exactly once', async () => {
    h = new Harness(await memberTable([1, 2]));
    await h.start([1]);
    const snap: QuorumMessage = { type: 'SNAP', zxid: 0x100000003n, snapshot: database(40) };
    const stream = Buffer.concat([
      encodeQuorumMessage(followerInfo(2)),
      encodeQuorumMessage(snap),
      encodeQuorumMessage({ type: 'UPTODATE', zxid: -1n }),
    ]);
    const raw = await rawConnect(h.members.get(1)!.quorumPort);
    raws.push(raw);
    raw.setNoDelay(true);
    // one byte at a time through the headers, then chunks of 1 to 13 bytes
    let at = 0;
    for (let n = 0; at < stream.length; n++) {
      const size = at < 64 ? 1 : 1 + (n % 13);
      raw.write(stream.subarray(at, at + size));
      at += size;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => h.r(1).messages.length === 3, { description: 'the three packets' });
    await delay(QUIET_MS);
    expect(h.r(1).messages.map((m) => m.message.type)).toEqual(['FOLLOWERINFO', 'SNAP', 'UPTODATE']);
    expect(h.r(1).messages.every((m) => m.from === 2)).toBe(true);
    expect((h.r(1).messages[1]!.message as { snapshot: Buffer }).snapshot.equals(database(40))).toBe(true);
  });

  it('closes only the connection that sends malformed bytes', async () => {
    h = new Harness(await memberTable([1, 2, 3, 4]));
    await h.start([1, 2]);
    h.t(2).send(1, followerInfo(2));
    await waitFor(() => h.r(1).messages.length === 1, { description: 'learner 2 connected' });
    const members = h.members.get(1)!;

    // a quorum connection that does not start with learner info
    const noInfo = await rawConnect(members.quorumPort);
    noInfo.write(encodeQuorumMessage({ type: 'ACK', zxid: 1n }));
    // a learner whose second packet has an unknown type
    const garbage = await rawConnect(members.quorumPort);
    garbage.write(Buffer.concat([encodeQuorumMessage(followerInfo(3)), new ByteWriter(32).int32(99).int64(0n).int32(-1).int32(-1).toBuffer()]));
    // a learner whose packet data is above jute.maxbuffer
    const oversize = await rawConnect(members.quorumPort);
    oversize.write(Buffer.concat([encodeQuorumMessage(followerInfo(4)), new ByteWriter(32).int32(2).int64(1n).int32(0x100000).toBuffer()]));
    // an election handshake with an unknown protocol version, and one from a stranger
    const badVersion = await rawConnect(members.electionPort);
    badVersion.write(new ByteWriter(32).int64(-5n).int64(3n).toBuffer());
    const stranger = await rawConnect(members.electionPort);
    stranger.write(encodeElectionHandshake({ sid: 9, address: `${HOST}:1` }));
    // a member's election connection with a frame above the election limit
    const bigFrame = await rawConnect(members.electionPort);
    bigFrame.write(Buffer.concat([encodeElectionHandshake({ sid: 3, address: `${HOST}:1` }), new ByteWriter(8).int32(512 * 1024 + 1).toBuffer()]));
    // and one whose frame is not a notification
    const badBody = await rawConnect(members.electionPort);
    badBody.write(Buffer.concat([encodeElectionHandshake({ sid: 4, address: `${HOST}:1` }), new ByteWriter(8).int32(3).toBuffer(), Buffer.from([1, 2, 3])]));
    const bad = [noInfo, garbage, oversize, badVersion, stranger, bigFrame, badBody];
    raws.push(...bad);
    await Promise.all(bad.map(closedSocket));

    expect(h.warnings(1)).toHaveLength(bad.length);
    // the two identified learners that broke the stream are reported; the others never were learners
    await waitFor(() => h.r(1).disconnects.length === 2, { description: 'two disconnects' });
    expect(h.r(1).disconnects.sort()).toEqual([3, 4]);
    // the good connections still work both ways
    h.t(1).send(2, { type: 'COMMIT', zxid: 5n });
    h.t(2).send(1, { type: 'ACK', zxid: 6n });
    h.t(1).send(2, notification(1));
    h.t(2).send(1, notification(2));
    await waitFor(() => h.r(2).messages.length === 2 && h.r(1).from(2).length === 3, { description: 'traffic after the bad ones' });
    expect(h.r(2).messages.map((m) => m.message.type)).toEqual(['COMMIT', 'NOTIFICATION']);
    expect(h.r(1).from(2).map((m) => m.type)).toEqual(['FOLLOWERINFO', 'ACK', 'NOTIFICATION']);
    expect(h.r(1).disconnects.includes(2)).toBe(false);
  });

  it('reports disconnected once when a quorum connection closes, from either side or refused', async () => {
    h = new Harness(await memberTable([1, 2, 3]));
    await h.start([1, 2]);
    const connected = async (): Promise<void> => {
      const before = h.r(1).from(2, 'FOLLOWERINFO').length;
      h.t(2).send(1, followerInfo(2));
      await waitFor(() => h.r(1).from(2, 'FOLLOWERINFO').length === before + 1, { description: 'learner connected' });
    };

    // the learner closes: both ends hear of it once
    await connected();
    h.t(2).close(1);
    await waitFor(() => h.r(1).disconnects.length === 1 && h.r(2).disconnects.length === 1, { description: 'learner close' });
    // the leader closes
    await connected();
    h.t(1).close(2);
    await waitFor(() => h.r(1).disconnects.length === 2 && h.r(2).disconnects.length === 2, { description: 'leader close' });
    // nobody listens on 3's quorum port: the learner hears of the refused connect
    h.t(2).send(3, followerInfo(2));
    await waitFor(() => h.r(2).disconnects.length === 3, { description: 'refused connect' });
    await delay(QUIET_MS);
    expect(h.r(1).disconnects).toEqual([2, 2]);
    expect(h.r(2).disconnects).toEqual([1, 1, 3]);
    expect(h.warnings(1).concat(h.warnings(2))).toEqual([]);
  });

  it('never reports a quorum connection that a newer one from the same peer replaced', async () => {
    h = new Harness(await memberTable([1, 2]));
    await h.start([1, 2]);
    // on the learner's side: a second FOLLOWERINFO replaces the first connection at once
    h.t(2).send(1, followerInfo(2));
    h.t(2).send(1, followerInfo(2));
    await waitFor(() => h.r(1).from(2, 'FOLLOWERINFO').length >= 1, { description: 'a learner connection' });
    await delay(QUIET_MS);
    expect(h.r(2).disconnects).toEqual([]);
    expect(h.t(2).quorumConnectedPeers()).toEqual([1]);
    h.t(2).shutdown();
    await waitFor(() => h.r(1).disconnects.length === 1, { description: 'the learner going away' });

    // on the leader's side: the older connection is closed by the leader when the newer one names itself
    const port = h.members.get(1)!.quorumPort;
    const disconnectsBefore = h.r(1).disconnects.length;
    const older = await rawConnect(port);
    raws.push(older);
    older.write(encodeQuorumMessage(followerInfo(2)));
    const count = h.r(1).from(2, 'FOLLOWERINFO').length;
    await waitFor(() => h.r(1).from(2, 'FOLLOWERINFO').length === count + 1, { description: 'the older connection' });
    const newer = await rawConnect(port);
    raws.push(newer);
    newer.write(encodeQuorumMessage(followerInfo(2)));
    await closedSocket(older);
    expect(h.r(1).from(2, 'FOLLOWERINFO')).toHaveLength(count + 2);
    await delay(QUIET_MS);
    expect(h.r(1).disconnects).toHaveLength(disconnectsBefore);
    newer.destroy();
    await waitFor(() => h.r(1).disconnects.length === disconnectsBefore + 1, { description: 'the newer one closing' });
    await delay(QUIET_MS);
    expect(h.r(1).disconnects.slice(disconnectsBefore)).toEqual([2]);
  });

  it('rejects start() with a clear error when a port is taken, and frees the other one', async () => {
    h = new Harness(await memberTable([1]));
    const me = h.members.get(1)!;
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(me.quorumPort, HOST, resolve));
    try {
      const t = new NetPeerTransport(1, h.members, capturingLogger().logger);
      const started = t.start();
      await expect(started).rejects.toThrow(PeerListenError);
      await expect(started).rejects.toThrow(`server 1 cannot listen on its quorum port ${HOST}:${me.quorumPort}: the port is already in use`);
      t.shutdown();
      // the election listener it had bound is closed again
      const again = net.createServer();
      await new Promise<void>((resolve, reject) => {
        again.once('error', reject);
        again.listen(me.electionPort, HOST, resolve);
      });
      await new Promise((resolve) => again.close(resolve));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('shuts down: listeners and sockets closed, no callback afterwards', async () => {
    h = new Harness(await memberTable([1, 2]));
    await h.start([1, 2]);
    h.t(2).send(1, followerInfo(2));
    h.t(2).send(1, notification(1));
    await waitFor(() => h.r(1).messages.length === 2, { description: 'both channels up' });
    h.t(1).shutdown();
    expect(h.t(1).socketCount).toBe(0);
    await waitFor(() => h.r(2).disconnects.length === 1, { description: 'the peer sees the close' });
    h.t(1).send(2, notification(3));
    h.t(2).send(1, notification(4));
    await delay(QUIET_MS);
    expect(h.r(1).messages).toHaveLength(2);
    expect(h.r(1).disconnects).toEqual([]);
    const me = h.members.get(1)!;
    for (const port of [me.quorumPort, me.electionPort]) await expect(rawConnect(port)).rejects.toThrow(/ECONNREFUSED/);
    h.t(2).shutdown();
    expect(h.t(2).socketCount).toBe(0);
  });
});

// ---- an ensemble of PeerRuntimes over real sockets ----

/** Durable at once: sync completes before it returns. */
class MemoryPeerStorage implements PeerStorage {
  acceptedEpoch = 0;
  currentEpoch = 0;
  snapshot: StateSnapshot | null = null;
  log: LoggedTxn[] = [];

  recover(): RecoveredPeer {
    const base = this.snapshot?.zxid ?? 0n;
    return { acceptedEpoch: this.acceptedEpoch, currentEpoch: this.currentEpoch, snapshot: this.snapshot, txns: this.log.filter((t) => t.zxid > base) };
  }
  installSnapshot(snapshot: StateSnapshot): void {
    this.snapshot = snapshot;
    this.log = [];
  }
  truncateLogTo(zxid: bigint): void {
    this.log = this.log.filter((t) => t.zxid <= zxid);
  }
  appendTxns(txns: readonly LoggedTxn[]): void {
    this.log.push(...txns);
  }
  writeEpochs(epochs: EpochFiles): void {
    if (epochs.acceptedEpoch !== undefined) this.acceptedEpoch = epochs.acceptedEpoch;
    if (epochs.currentEpoch !== undefined) this.currentEpoch = epochs.currentEpoch;
  }
  saveSnapshot(snapshot: StateSnapshot): void {
    this.snapshot = snapshot;
    this.log = this.log.filter((t) => t.zxid > snapshot.zxid);
  }
  sync(done: (error?: Error) => void): void {
    done();
  }
}

interface EnsembleMember {
  readonly id: number;
  readonly storage: MemoryPeerStorage;
  transport: NetPeerTransport;
  runtime: PeerRuntime;
  machine: SimStateMachine;
  applied: bigint[];
}

function createTxn(n: number): ProposeInput {
  return {
    header: { clientId: 1n, cxid: n, time: BigInt(Date.now()), type: Op.create },
    txn: { type: Op.create, record: { path: `/n${n}`, data: Buffer.from(`v${n}`), acl: [...OPEN_ACL_UNSAFE], ephemeral: false, parentCVersion: -1 } },
  };
}

describe('three PeerRuntimes over NetPeerTransport', () => {
  const ids = [1, 2, 3];
  const specs: MemberSpec[] = ids.map((id) => ({ id, role: 'participant' }));
  const members: EnsembleMember[] = [];
  let table: Map<number, PeerAddress>;

  async function startMember(id: number, storage: MemoryPeerStorage): Promise<EnsembleMember> {
    const { logger } = capturingLogger(`${id}: `);
    const transport = new NetPeerTransport(id, table, logger);
    await transport.start();
    const machine = new SimStateMachine();
    const member: EnsembleMember = { id, storage, transport, runtime: null!, machine, applied: [] };
    member.runtime = new PeerRuntime(
      {
        zab: {
          myId: id,
          members: specs,
          initLimitTicks: 20,
          syncLimitTicks: 10,
          finalizeWaitTicks: 2,
          electionRetryTicksMax: 8,
          // small, so a member that misses a few txns is brought back with a SNAP
          committedLogMax: 4,
        },
        tickMs: 50,
      },
      transport,
      storage,
      new SystemClock(),
      machine,
      {
        onApplied: (txn) => member.applied.push(txn.zxid),
        onNote: (line) => logger.debug(line),
        onFatal: (error) => {
          throw error;
        },
      },
    );
    member.runtime.start();
    return member;
  }

  function running(): EnsembleMember[] {
    return members.filter((m) => m.runtime.running);
  }

  /** The serving leader that every running member follows, once there is one. */
  async function settledLeader(): Promise<EnsembleMember> {
    return waitFor(
      () => {
        const up = running();
        const leaders = up.filter((m) => m.runtime.status().role === 'leading' && m.runtime.status().serving);
        if (leaders.length !== 1) return undefined;
        const leader = leaders[0]!;
        const following = up.every((m) => m === leader || (m.runtime.status().serving && m.runtime.status().leader === leader.id));
        return following ? leader : undefined;
      },
      { description: 'a serving leader followed by every running member', timeoutMs: 10_000 },
    );
  }

  async function proposeAndWait(leader: EnsembleMember, from: number, count: number): Promise<bigint[]> {
    const zxids: bigint[] = [];
    for (let n = from; n < from + count; n++) {
      const result = leader.runtime.propose(createTxn(n));
      if (!result.ok) throw new Error(`propose refused: ${result.reason}`);
      zxids.push(result.zxid);
    }
    const last = zxids[zxids.length - 1]!;
    await waitFor(() => running().every((m) => m.machine.appliedZxid >= last), { description: `every member applied ${last}` });
    return zxids;
  }

  beforeAll(async () => {
    table = await memberTable(ids);
  });

  afterAll(() => {
    for (const m of members) m.runtime.stop();
  });

  it('elects, commits the same txns everywhere, survives the loss of its leader and takes it back', async () => {
    for (const id of ids) members.push(await startMember(id, new MemoryPeerStorage()));
    const first = await settledLeader();
    const firstZxids = await proposeAndWait(first, 0, 20);
    for (const m of members) expect(m.applied).toEqual(firstZxids);
    const digest = first.machine.digest();
    for (const m of members) expect(m.machine.digest()).toBe(digest);

    // the leader goes away: the other two elect one of themselves and keep committing
    first.runtime.stop();
    const second = await settledLeader();
    expect(second.id).not.toBe(first.id);
    expect(second.runtime.status().epoch).toBeGreaterThan(first.runtime.status().epoch);
    const secondZxids = await proposeAndWait(second, 20, 10);
    const survivors = running();
    expect(survivors).toHaveLength(2);
    for (const m of survivors) {
      expect(m.applied).toEqual([...firstZxids, ...secondZxids]);
      expect(m.machine.digest()).toBe(second.machine.digest());
    }
    for (let n = 0; n < 30; n++) expect(second.machine.tree.getNode(`/n${n}`)?.data?.toString()).toBe(`v${n}`);

    // the old leader comes back with its storage: more than committedLogMax behind, it gets a SNAP
    const index = members.indexOf(first);
    members[index] = await startMember(first.id, first.storage);
    const third = await settledLeader();
    expect(third.id).toBe(second.id);
    await proposeAndWait(third, 30, 3);
    for (const m of members) expect(m.machine.digest()).toBe(third.machine.digest());
    // only a SNAP installs a snapshot here (no local snapshots are taken)
    expect(first.storage.snapshot!.zxid >= secondZxids[secondZxids.length - 1]!).toBe(true);
  });
});
