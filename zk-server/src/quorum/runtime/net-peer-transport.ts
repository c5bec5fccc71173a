// The production PeerTransport: the election and quorum channels over node:net, with Apache
// ZooKeeper 3.8's wire behaviour so our members and Java members can share an ensemble. It only
// moves messages: it never interprets them beyond what routing needs, never retries on a timer
// and, once shut down, never calls its receiver again.
//
// Election channel (electionPort): the connecting side writes the handshake (long protocol
// version, long sid, int length, "host:port"), then both sides exchange int-length-prefixed
// notifications. One connection per pair survives, the one the larger sid opened: a connection
// from a smaller sid is closed and answered with a connection back (QuorumCnxManager's rule), and
// a smaller sid that needs to talk connects only to send its handshake and provoke that.
// Quorum channel (quorumPort): a learner opens it by sending FOLLOWERINFO or OBSERVERINFO; the
// accepting side learns who is calling from that first packet. Packets are jute QuorumPackets
// with no length prefix (a SNAP carries the serialized database after it), decoded incrementally
// by QuorumStreamDecoder. When an identified quorum connection ends, the receiver hears
// `disconnected(peer)` once, unless a newer connection with that peer has replaced it.

import { createServer, connect, Server, Socket } from 'node:net';
import {
  assert,
  BaseError,
  ByteReader,
  CodecError,
  FrameSplitter,
  LimitError,
  Logger,
} from '../../../../shared/src';
import { JUTE_MAX_BUFFER_BYTES } from '../../limits';
import {
  decodeElectionHandshake,
  decodeNotification,
  describeMessage,
  ELECTION_ADDRESS_BYTES_MAX,
  ELECTION_MESSAGE_BYTES_MAX,
  ELECTION_PROTOCOL_VERSION,
  ElectionHandshake,
  encodeElectionHandshake,
  encodeNotification,
  encodeQuorumMessage,
  Notification,
  PeerMessage,
  QuorumMessage,
} from '../core/messages';
import { PeerTransport, TransportReceiver } from './peer-runtime';
import { QuorumStreamDecoder } from './quorum-stream-decoder';

/** Where a member listens, from its `server.N=host:quorumPort:electionPort` line. */
export interface PeerAddress {
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
}

/** Notifications kept per peer while no election connection can carry them (oldest dropped). */
export const ELECTION_QUEUE_MESSAGES_MAX = 8;
/** Unsent bytes on one election connection before it is closed (a peer that stopped reading). */
export const ELECTION_OUTBOUND_BYTES_MAX = 1024 * 1024;
/** Unsent bytes on one quorum connection, a SNAP's database aside, before it is closed. */
export const QUORUM_OUTBOUND_BYTES_MAX = 64 * 1024 * 1024;
/** Largest `data` of a quorum packet (jute.maxbuffer); a SNAP's database is unbounded. */
export const QUORUM_PACKET_DATA_BYTES_MAX = JUTE_MAX_BUFFER_BYTES;
/** An outbound connection not established in this time is abandoned (upstream cnxTimeout). */
export const PEER_CONNECT_TIMEOUT_MS = 5_000;
/** An accepted connection must identify itself (handshake, learner info) within this time. */
export const PEER_IDENTIFY_TIMEOUT_MS = 5_000;
/** Connections each listener holds at once; identified ones are a few per member. */
export const PEER_INBOUND_CONNECTIONS_MAX = 256;

const HANDSHAKE_FIXED_BYTES = 20; // long protocol version, long sid, int address length
const LEGACY_HANDSHAKE_BYTES = 8; // a bare sid

export interface NetPeerTransportOptions {
  readonly electionQueueMessagesMax?: number;
  readonly electionOutboundBytesMax?: number;
  readonly quorumOutboundBytesMax?: number;
  readonly quorumPacketDataBytesMax?: number;
  readonly connectTimeoutMs?: number;
  readonly identifyTimeoutMs?: number;
  readonly inboundConnectionsMax?: number;
  /** Bind the two listeners on every address instead of this member's host (quorumListenOnAllIPs). */
  readonly listenOnAllIps?: boolean;
}

type ResolvedOptions = Required<NetPeerTransportOptions>;

/** A listener of this member could not be bound (port in use, address not local ...). */
export class PeerListenError extends BaseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PEER_LISTEN', message, options);
  }
}

interface Coalescing {
  readonly socket: Socket;
  /** Corked until the end of this turn of the event loop, so a burst leaves in one write. */
  corked: boolean;
}

interface ElectionLink extends Coalescing {
  /** The peer; null on an accepted connection until its handshake is read. */
  sid: number | null;
  /** Frames may be written: connected (outbound) or identified (accepted). */
  ready: boolean;
  connected: boolean;
  /** A frame from the peer arrived on it. */
  heard: boolean;
  /** The peer called us once while this connection had not carried anything from it. */
  challenged: boolean;
  readonly splitter: FrameSplitter;
  /** Bytes of an accepted connection's handshake read so far. */
  pending: Buffer;
}

interface ElectionPeer {
  /** The connection notifications go on (possibly still connecting). */
  link: ElectionLink | null;
  /** A handshake-only connection in progress. */
  attempt: ElectionLink | null;
  /** Frames waiting for `link` to be ready. */
  queue: Buffer[];
}

interface QuorumLink extends Coalescing {
  sid: number | null;
  readonly decoder: QuorumStreamDecoder;
  /** Bytes of SNAPs written since the socket last drained: they do not count as backlog. */
  snapBytes: number;
}

export class NetPeerTransport implements PeerTransport {
  private readonly logger: Logger;
  private readonly options: ResolvedOptions;
  private readonly handshake: Buffer;
  private receiver: TransportReceiver | null = null;
  private electionServer: Server | null = null;
  private quorumServer: Server | null = null;
  private started = false;
  private shut = false;
  private readonly sockets = new Set<Socket>();
  private readonly electionPeers = new Map<number, ElectionPeer>();
  private readonly quorumLinks = new Map<number, QuorumLink>();

  constructor(
    readonly myId: number,
    private readonly members: ReadonlyMap<number, PeerAddress>,
    logger: Logger,
    options: NetPeerTransportOptions = {},
  ) {
    const me = members.get(myId);
    assert(me !== undefined, `server ${myId} is not in the member table`);
    this.logger = logger.child({ component: 'peer-transport' });
    this.options = {
      electionQueueMessagesMax: ELECTION_QUEUE_MESSAGES_MAX,
      electionOutboundBytesMax: ELECTION_OUTBOUND_BYTES_MAX,
      quorumOutboundBytesMax: QUORUM_OUTBOUND_BYTES_MAX,
      quorumPacketDataBytesMax: QUORUM_PACKET_DATA_BYTES_MAX,
      connectTimeoutMs: PEER_CONNECT_TIMEOUT_MS,
      identifyTimeoutMs: PEER_IDENTIFY_TIMEOUT_MS,
      inboundConnectionsMax: PEER_INBOUND_CONNECTIONS_MAX,
      listenOnAllIps: false,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    };
    assert(this.options.electionQueueMessagesMax > 0, 'electionQueueMessagesMax must be positive');
    this.handshake = encodeElectionHandshake({ sid: myId, address: hostPort(me.host, me.electionPort) });
  }

  /** Binds the election and quorum listeners; rejects with PeerListenError if either fails. */
  async start(): Promise<void> {
    assert(!this.started, 'NetPeerTransport started twice');
    this.started = true;
    const me = this.members.get(this.myId)!;
    const host = this.options.listenOnAllIps ? undefined : me.host;
    this.electionServer = await this.bind('election', host, me.electionPort, (s) => this.acceptElection(s));
    try {
      this.quorumServer = await this.bind('quorum', host, me.quorumPort, (s) => this.acceptQuorum(s));
    } catch (error) {
      this.electionServer?.close();
      this.electionServer = null;
      throw error;
    }
  }

  listen(receiver: TransportReceiver): void {
    this.receiver = receiver;
  }

  send(to: number, message: PeerMessage): void {
    if (this.shut) return;
    if (to === this.myId || !this.members.has(to)) {
      this.logger.warn(`not sending ${message.type} to server ${to}: not another member of the ensemble`);
      return;
    }
    if (message.type === 'NOTIFICATION') this.sendNotification(to, message);
    else if (message.type === 'FOLLOWERINFO' || message.type === 'OBSERVERINFO') this.openQuorum(to, message);
    else {
      const link = this.quorumLinks.get(to);
      // no connection: the packet is lost, as on a closed socket; the core notices by its timeouts
      if (link !== undefined && !link.socket.destroyed) this.writeQuorum(link, message);
    }
  }

  close(peer: number): void {
    const link = this.quorumLinks.get(peer);
    if (link === undefined || link.socket.destroyed) return;
    this.logger.debug(`closing the quorum connection with server ${peer}`);
    link.socket.destroy();
  }

  shutdown(): void {
    if (this.shut) return;
    this.shut = true;
    this.receiver = null;
    this.electionServer?.close();
    this.quorumServer?.close();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.electionPeers.clear();
    this.quorumLinks.clear();
  }

  /** Open sockets of both channels, connecting ones included (tests, status). */
  get socketCount(): number {
    return this.sockets.size;
  }

  /** Members with an election connection that can carry notifications now. */
  electionConnectedPeers(): number[] {
    return [...this.electionPeers].filter(([, p]) => p.link?.ready === true).map(([sid]) => sid);
  }

  /** Members with an identified, open quorum connection. */
  quorumConnectedPeers(): number[] {
    return [...this.quorumLinks].filter(([, l]) => !l.socket.destroyed).map(([sid]) => sid);
  }

  // ---- listeners ----

  private bind(what: string, host: string | undefined, port: number, accept: (s: Socket) => void): Promise<Server> {
    const server = createServer(accept);
    server.maxConnections = this.options.inboundConnectionsMax;
    const where = `${host ?? '*'}:${port}`;
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException): void => {
        const reason = error.code === 'EADDRINUSE' ? 'the port is already in use' : error.message;
        const message = `server ${this.myId} cannot listen on its ${what} port ${where}: ${reason}`;
        reject(new PeerListenError(message, { cause: error }));
      };
      server.once('error', failed);
      server.listen({ host, port }, () => {
        server.off('error', failed);
        server.on('error', (error) => this.logger.error(`${what} listener ${where}: ${error.message}`));
        if (this.shut) server.close();
        else this.logger.info(`listening for ${what} connections on ${where}`);
        resolve(server);
      });
    });
  }

  private track(socket: Socket): boolean {
    if (this.shut) {
      socket.destroy();
      return false;
    }
    socket.setNoDelay(true);
    this.sockets.add(socket);
    return true;
  }

  private socketError(channel: string, peer: number | null, error: NodeJS.ErrnoException): void {
    // refused, reset and unreachable peers are the normal life of an ensemble that is starting
    const who = peer === null ? 'an unidentified peer' : `server ${peer}`;
    this.logger.debug(`${channel} connection with ${who}: ${error.code ?? error.message}`);
  }

  private coalescedWrite(link: Coalescing, bytes: Buffer): void {
    if (!link.corked) {
      link.corked = true;
      link.socket.cork();
      process.nextTick(() => {
        link.corked = false;
        if (!link.socket.destroyed) link.socket.uncork();
      });
    }
    link.socket.write(bytes);
  }

  // ---- election channel ----

  private electionPeer(sid: number): ElectionPeer {
    let peer = this.electionPeers.get(sid);
    if (peer === undefined) {
      peer = { link: null, attempt: null, queue: [] };
      this.electionPeers.set(sid, peer);
    }
    return peer;
  }

  private sendNotification(to: number, n: Notification): void {
    const body = encodeNotification(n);
    if (body.length > ELECTION_MESSAGE_BYTES_MAX) {
      this.logger.warn(`not sending a notification of ${body.length} bytes to server ${to}: above ${ELECTION_MESSAGE_BYTES_MAX}`);
      return;
    }
    const frame = Buffer.allocUnsafe(4 + body.length);
    frame.writeInt32BE(body.length, 0);
    body.copy(frame, 4);
    const peer = this.electionPeer(to);
    if (peer.link?.ready === true) return this.writeElection(peer.link, frame);
    peer.queue.push(frame);
    if (peer.queue.length > this.options.electionQueueMessagesMax) peer.queue.shift();
    if (peer.link === null && peer.attempt === null) this.connectElection(to);
  }

  private writeElection(link: ElectionLink, frame: Buffer): void {
    if (link.socket.writableLength > this.options.electionOutboundBytesMax) {
      const unsent = link.socket.writableLength;
      this.dropElection(link, `${unsent} bytes unsent, above ${this.options.electionOutboundBytesMax}`);
      return;
    }
    this.coalescedWrite(link, frame);
  }

  private flushElection(peer: ElectionPeer): void {
    const link = peer.link;
    if (link === null || !link.ready) return;
    const frames = peer.queue;
    peer.queue = [];
    for (const frame of frames) this.writeElection(link, frame);
  }

  private newElectionLink(socket: Socket, sid: number | null, outbound: boolean): ElectionLink {
    return {
      socket,
      corked: false,
      sid,
      ready: false,
      connected: !outbound,
      heard: false,
      challenged: false,
      splitter: new FrameSplitter(ELECTION_MESSAGE_BYTES_MAX),
      pending: Buffer.alloc(0),
    };
  }

  private connectElection(to: number): void {
    const address = this.members.get(to)!;
    const socket = connect({ host: address.host, port: address.electionPort });
    if (!this.track(socket)) return;
    // the smaller sid's connection is refused by upstream's rule: it only asks for one back
    const handshakeOnly = this.myId < to;
    const link = this.newElectionLink(socket, to, true);
    const peer = this.electionPeer(to);
    if (handshakeOnly) peer.attempt = link;
    else peer.link = link;
    socket.setTimeout(this.options.connectTimeoutMs);
    socket.write(this.handshake);
    socket.on('connect', () => {
      link.connected = true;
      if (handshakeOnly) {
        // the larger sid reads the handshake, closes and connects back; the timeout stays armed
        socket.end();
        return;
      }
      socket.setTimeout(0);
      link.ready = true;
      this.logger.debug(`election connection to server ${to} established`);
      this.flushElection(peer);
    });
    socket.on('timeout', () => {
      this.logger.debug(`election connection to server ${to}: no progress in ${this.options.connectTimeoutMs} ms`);
      socket.destroy();
    });
    socket.on('error', (error) => this.socketError('election', to, error));
    socket.on('data', (chunk: Buffer) => {
      if (!handshakeOnly) this.onElectionData(link, chunk);
    });
    socket.on('close', () => this.onElectionClosed(link));
  }

  private acceptElection(socket: Socket): void {
    if (!this.track(socket)) return;
    const link = this.newElectionLink(socket, null, false);
    socket.setTimeout(this.options.identifyTimeoutMs);
    socket.on('timeout', () => {
      this.logger.warn(`election connection from ${socket.remoteAddress}: no handshake in ${this.options.identifyTimeoutMs} ms`);
      socket.destroy();
    });
    socket.on('error', (error) => this.socketError('election', link.sid, error));
    socket.on('data', (chunk: Buffer) => {
      if (link.sid === null) this.onElectionHandshakeData(link, chunk);
      else this.onElectionData(link, chunk);
    });
    socket.on('close', () => this.onElectionClosed(link));
  }

  private onElectionHandshakeData(link: ElectionLink, chunk: Buffer): void {
    const bytes = link.pending.length === 0 ? chunk : Buffer.concat([link.pending, chunk]);
    let handshake: { value: ElectionHandshake; bytes: number } | null;
    try {
      handshake = readElectionHandshake(bytes);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      this.logger.warn(`election connection from ${link.socket.remoteAddress}: bad handshake: ${error.message}`);
      link.socket.destroy();
      return;
    }
    if (handshake === null) {
      link.pending = Buffer.from(bytes);
      return;
    }
    link.pending = Buffer.alloc(0);
    link.socket.setTimeout(0);
    this.onElectionHandshake(link, handshake.value.sid);
    const rest = bytes.subarray(handshake.bytes);
    if (link.ready && rest.length > 0) this.onElectionData(link, rest);
  }

  private onElectionHandshake(link: ElectionLink, sid: number): void {
    if (sid === this.myId || !this.members.has(sid)) {
      const from = link.socket.remoteAddress;
      this.logger.warn(`election connection from ${from} claims to be server ${sid}, not another member: closing it`);
      link.socket.destroy();
      return;
    }
    const peer = this.electionPeer(sid);
    if (sid < this.myId) {
      link.socket.destroy();
      if (peer.link !== null && this.replacesOurs(peer.link)) {
        peer.link.socket.destroy();
        peer.link = null;
      }
      this.logger.debug(`election connection from smaller server ${sid}: closed${peer.link === null ? ', connecting back' : ''}`);
      if (peer.link === null) this.connectElection(sid);
      return;
    }
    link.sid = sid;
    link.ready = true;
    const old = peer.link;
    peer.link = link;
    if (old !== null) old.socket.destroy();
    this.logger.debug(`election connection from server ${sid} accepted${old !== null ? ', replacing the older one' : ''}`);
    this.flushElection(peer);
  }

  /**
   * A smaller sid calling us means it has no connection to us. Upstream then drops its own and
   * connects again, which covers a peer that restarted behind our back. A connection of ours that
   * has not carried a frame from the peer yet may simply not have been accepted by it yet (both
   * sides connecting at the same moment): dropping it would lose what it carries, so it is kept
   * the first time and replaced only if the peer calls again.
   */
  private replacesOurs(ours: ElectionLink): boolean {
    if (!ours.connected) return false;
    if (ours.heard || ours.challenged) return true;
    ours.challenged = true;
    return false;
  }

  private onElectionData(link: ElectionLink, chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = link.splitter.push(chunk);
    } catch (error) {
      if (!(error instanceof CodecError || error instanceof LimitError)) throw error;
      return this.dropElection(link, error.message);
    }
    for (const frame of frames) {
      let n: Notification;
      try {
        n = decodeNotification(frame);
      } catch (error) {
        if (!(error instanceof CodecError)) throw error;
        return this.dropElection(link, `undecodable notification: ${error.message}`);
      }
      if (this.shut || link.socket.destroyed) return;
      link.heard = true;
      this.receiver?.message(link.sid!, n);
    }
  }

  private dropElection(link: ElectionLink, reason: string): void {
    this.logger.warn(`closing the election connection with server ${link.sid}: ${reason}`);
    link.socket.destroy();
  }

  private onElectionClosed(link: ElectionLink): void {
    this.sockets.delete(link.socket);
    if (this.shut || link.sid === null) return;
    const peer = this.electionPeers.get(link.sid);
    if (peer === undefined) return;
    if (peer.attempt === link) {
      peer.attempt = null;
      if (!link.connected) peer.queue = [];
    }
    if (peer.link === link) {
      peer.link = null;
      // a connect that failed takes its queue with it; the next send tries again
      if (!link.connected) peer.queue = [];
      this.logger.debug(`election connection with server ${link.sid} closed`);
    }
  }

  // ---- quorum channel ----

  private newQuorumLink(socket: Socket, sid: number | null): QuorumLink {
    return {
      socket,
      corked: false,
      sid,
      decoder: new QuorumStreamDecoder({ dataBytesMax: this.options.quorumPacketDataBytesMax }),
      snapBytes: 0,
    };
  }

  /** A learner's FOLLOWERINFO/OBSERVERINFO: a new connection to `to`, replacing any older one. */
  private openQuorum(to: number, first: QuorumMessage): void {
    const address = this.members.get(to)!;
    const old = this.quorumLinks.get(to);
    const socket = connect({ host: address.host, port: address.quorumPort });
    if (!this.track(socket)) return;
    const link = this.newQuorumLink(socket, to);
    this.quorumLinks.set(to, link);
    if (old !== undefined && !old.socket.destroyed) {
      this.logger.info(`replacing the quorum connection with server ${to}`);
      old.socket.destroy();
    }
    socket.setTimeout(this.options.connectTimeoutMs);
    socket.on('connect', () => {
      socket.setTimeout(0);
      this.logger.info(`quorum connection to server ${to} established`);
    });
    socket.on('timeout', () => {
      this.logger.debug(`quorum connection to server ${to}: not established in ${this.options.connectTimeoutMs} ms`);
      socket.destroy();
    });
    this.wireQuorum(link);
    // written now, sent once connected
    this.writeQuorum(link, first);
  }

  private acceptQuorum(socket: Socket): void {
    if (!this.track(socket)) return;
    const link = this.newQuorumLink(socket, null);
    socket.setTimeout(this.options.identifyTimeoutMs);
    socket.on('timeout', () => {
      this.logger.warn(`quorum connection from ${socket.remoteAddress}: no learner info in ${this.options.identifyTimeoutMs} ms`);
      socket.destroy();
    });
    this.wireQuorum(link);
  }

  private wireQuorum(link: QuorumLink): void {
    const socket = link.socket;
    socket.on('error', (error) => this.socketError('quorum', link.sid, error));
    socket.on('drain', () => {
      link.snapBytes = 0;
    });
    socket.on('data', (chunk: Buffer) => this.onQuorumData(link, chunk));
    socket.on('close', () => this.onQuorumClosed(link));
  }

  private writeQuorum(link: QuorumLink, message: QuorumMessage): void {
    const backlog = link.socket.writableLength - link.snapBytes;
    if (backlog > this.options.quorumOutboundBytesMax) {
      const limit = this.options.quorumOutboundBytesMax;
      this.logger.warn(`closing the quorum connection with server ${link.sid}: ${backlog} bytes unsent, above ${limit}`);
      link.socket.destroy();
      return;
    }
    const bytes = encodeQuorumMessage(message);
    if (message.type === 'SNAP') link.snapBytes += bytes.length;
    this.coalescedWrite(link, bytes);
  }

  private onQuorumData(link: QuorumLink, chunk: Buffer): void {
    const messages: QuorumMessage[] = [];
    let failure: CodecError | LimitError | null = null;
    try {
      link.decoder.push(chunk, messages);
    } catch (error) {
      if (!(error instanceof CodecError || error instanceof LimitError)) throw error;
      failure = error;
    }
    // the packets before the bad bytes are whole and in order: they still count
    for (const message of messages) {
      if (this.shut || link.socket.destroyed) return;
      if (link.sid === null && !this.identifyQuorum(link, message)) return;
      this.receiver?.message(link.sid!, message);
    }
    if (failure === null || this.shut || link.socket.destroyed) return;
    const who = link.sid === null ? `from ${link.socket.remoteAddress}` : `with server ${link.sid}`;
    this.logger.warn(`closing the quorum connection ${who}: ${failure.message}`);
    link.socket.destroy();
  }

  /** The first packet on an accepted connection names the learner; false if it does not. */
  private identifyQuorum(link: QuorumLink, first: QuorumMessage): boolean {
    const from = `quorum connection from ${link.socket.remoteAddress}`;
    if (first.type !== 'FOLLOWERINFO' && first.type !== 'OBSERVERINFO') {
      this.logger.warn(`${from}: first packet ${describeMessage(first)}, not learner info; closing it`);
      link.socket.destroy();
      return false;
    }
    const serverid = first.info.serverid;
    const sid = Number(serverid);
    const member = serverid >= 0n && serverid <= BigInt(Number.MAX_SAFE_INTEGER) && this.members.has(sid);
    if (!member || sid === this.myId) {
      this.logger.warn(`${from}: ${first.type} from server ${serverid}, not another member; closing it`);
      link.socket.destroy();
      return false;
    }
    link.socket.setTimeout(0);
    link.sid = sid;
    const old = this.quorumLinks.get(sid);
    this.quorumLinks.set(sid, link);
    const replacing = old !== undefined && !old.socket.destroyed;
    if (replacing) old.socket.destroy();
    this.logger.info(`quorum connection from server ${sid} (${first.type})${replacing ? ', replacing the older one' : ''}`);
    return true;
  }

  private onQuorumClosed(link: QuorumLink): void {
    this.sockets.delete(link.socket);
    if (this.shut || link.sid === null) return;
    // a connection replaced by a newer one ends silently: the core already deals with the new one
    if (this.quorumLinks.get(link.sid) !== link) return;
    this.quorumLinks.delete(link.sid);
    this.logger.info(`quorum connection with server ${link.sid} closed`);
    this.receiver?.disconnected(link.sid);
  }
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The election handshake at the start of `bytes` and its length, or null while it is incomplete.
 * Throws CodecError for an unknown protocol version or an address length out of range.
 */
export function readElectionHandshake(bytes: Buffer): { value: ElectionHandshake; bytes: number } | null {
  if (bytes.length < LEGACY_HANDSHAKE_BYTES) return null;
  const first = bytes.readBigInt64BE(0);
  let length = LEGACY_HANDSHAKE_BYTES;
  if (first < 0n) {
    const known = first === ELECTION_PROTOCOL_VERSION || first === ELECTION_PROTOCOL_VERSION + 1n;
    if (!known) throw new CodecError(`unknown election protocol version ${first}`, 0);
    if (bytes.length < HANDSHAKE_FIXED_BYTES) return null;
    const addressBytes = bytes.readInt32BE(16);
    if (addressBytes < 0 || addressBytes > ELECTION_ADDRESS_BYTES_MAX) {
      throw new CodecError(`address length ${addressBytes}`, 16);
    }
    length = HANDSHAKE_FIXED_BYTES + addressBytes;
    if (bytes.length < length) return null;
  }
  return { value: decodeElectionHandshake(new ByteReader(bytes, 0, length)), bytes: length };
}
