// One client connection: the handshake (with or without the trailing readOnly byte), then framed
// requests. Replies leave strictly in request order: each request takes a slot in `slots`; reads are
// answered at once when nothing is ahead of them, otherwise when they reach the head (so a read sees
// the session's earlier writes); writes fill their slot when the pipeline applies them.
// A frame that does not decode closes this connection only.

import { Socket } from 'node:net';
import { ByteReader, ByteWriter, FrameSplitter, Logger } from '../../../shared/src';
import { Id } from '../protocol/records/data';
import * as P from '../protocol/records/proto';
import { Code } from '../protocol/keeper-errors';
import { Op, opInfo } from '../protocol/op-codes';
import { authenticate } from '../data/acl';
import { EventType, KeeperState } from '../data/watch-events';
import { TxnResult } from '../data/data-tree';
import { executeRead } from '../pipeline/read-handlers';
import { encodeWriteReply, replyErrorOf } from '../pipeline/final-stage';
import { sessionPassword } from '../session/session-password';
import { ZooKeeperServer, SessionHolder } from '../zookeeper-server';
import { SESSIONLESS_CNXN_TIMEOUT_MS, CONNECTION_OUTBOUND_BYTES_MAX } from '../limits';

const NOTIFICATION_XID = -1;
const PING_XID = -2;
const AUTH_XID = -4;
const SET_WATCHES_XID = -8;
/** Slots waiting for replies before this connection stops reading its socket. */
const SLOTS_BEFORE_PAUSE = 1000;
/**
 * First capacity of each outbox (it grows as needed). Below half of Buffer.poolSize, so a new one
 * is a slice of Node's buffer pool rather than a fresh allocation after every flush.
 */
const OUTBOX_BYTES_INITIAL = 2048;
/** A write's reply: header (16) + length (4) + Stat (68) + a path; grows when a path is longer. */
const WRITE_REPLY_BYTES_GUESS = 128;

export interface ConnectionSettings {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  frameBytesMax: number;
  superDigest: string | null;
}

interface Slot {
  xid: number;
  /** Encoded frame once the reply is known. */
  frame: Buffer | null;
  /** A read waiting for the slots ahead of it. */
  deferred: { type: number; body: Buffer } | null;
  closeAfter: boolean;
  receivedAtMs: number;
}

let nextWatcherId = 1;

export type ConnectionState = 'handshake' | 'connecting' | 'open' | 'closed';

export class ClientConnection implements SessionHolder {
  readonly watcherId = nextWatcherId++;
  state: ConnectionState = 'handshake';
  sessionId = 0n;
  sessionTimeoutMs = 0;
  readonly authInfo: Id[];
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly establishedAtMs: number;
  packetsReceived = 0;
  packetsSent = 0;
  lastOp = 'NA';
  lastCxid = 0;
  lastZxid = 0n;
  lastLatencyMs = 0;
  private readonly splitter: FrameSplitter;
  private readonly slots: Slot[] = [];
  private early: Buffer[] = [];
  private outbox = new ByteWriter(OUTBOX_BYTES_INITIAL);
  private flushScheduled = false;
  private handshakeTimer: NodeJS.Timeout | null;
  private paused = false;

  constructor(
    private readonly socket: Socket,
    private readonly server: ZooKeeperServer,
    private readonly settings: ConnectionSettings,
    private readonly logger: Logger,
    private readonly onClose: (c: ClientConnection) => void,
  ) {
    this.remoteAddress = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    this.remotePort = socket.remotePort ?? 0;
    this.authInfo = [{ scheme: 'ip', id: this.remoteAddress }];
    this.establishedAtMs = Date.now();
    this.splitter = new FrameSplitter(settings.frameBytesMax);
    socket.setNoDelay(true);
    this.handshakeTimer = setTimeout(() => this.close('no handshake within the time limit'), SESSIONLESS_CNXN_TIMEOUT_MS);
    this.handshakeTimer.unref();
  }

  /** Bytes from the socket (after the four-letter-word check). */
  onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (e) {
      this.close(`bad frame: ${(e as Error).message}`);
      return;
    }
    for (const frame of frames) {
      if (this.state === 'closed') return;
      if (!this.guarded(() => this.onFrame(frame))) return;
    }
  }

  /** Runs `fn`; a throw means the client sent something malformed: this connection closes. */
  private guarded(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      this.close(`malformed request: ${(e as Error).message}`);
      return false;
    }
  }

  private onFrame(frame: Buffer): void {
    this.packetsReceived++;
    this.server.stats.packetsReceived++;
    if (this.state === 'handshake') return this.onConnectRequest(frame);
    if (this.state === 'connecting') {
      this.early.push(Buffer.from(frame));
      return;
    }
    this.onRequest(frame);
  }

  private onConnectRequest(frame: Buffer): void {
    const req = P.ConnectRequest.decode(new ByteReader(frame));
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    const withReadOnly = req.readOnly !== undefined;
    if (!this.server.isServing) {
      // an ensemble member without a leader: the client tries another server
      this.close('ZooKeeperServer not running', false);
      return;
    }
    if (req.lastZxidSeen > this.server.lastZxid) {
      this.close(`client has seen zxid 0x${req.lastZxidSeen.toString(16)}, ours is 0x${this.server.lastZxid.toString(16)}`);
      return;
    }
    const timeoutMs = Math.min(Math.max(req.timeOut, this.settings.minSessionTimeoutMs), this.settings.maxSessionTimeoutMs);
    if (req.sessionId === 0n) return this.createSession(timeoutMs, withReadOnly);
    this.reopenSession(req.sessionId, req.passwd ?? Buffer.alloc(0), withReadOnly);
  }

  private createSession(timeoutMs: number, withReadOnly: boolean): void {
    this.state = 'connecting';
    const sessionId = this.server.sessions.allocateSessionId();
    const request = { sessionId, cxid: 0, type: Op.createSession, body: Buffer.alloc(0), authInfo: [], sessionTimeoutMs: timeoutMs };
    this.server.submit(request, () => {
      if (this.state === 'closed') return;
      this.established(sessionId, timeoutMs, withReadOnly);
    });
  }

  private reopenSession(sessionId: bigint, passwd: Buffer, withReadOnly: boolean): void {
    const session = this.server.sessions.get(sessionId);
    const valid = session !== undefined && !session.closing && passwd.equals(sessionPassword(sessionId));
    if (!valid || !this.server.touchSession(sessionId, Date.now())) {
      this.sendConnectResponse(0n, 0, Buffer.alloc(16), withReadOnly);
      this.flush();
      this.close(`session 0x${sessionId.toString(16)} is expired or invalid`, false);
      return;
    }
    this.established(sessionId, session.timeoutMs, withReadOnly);
  }

  private established(sessionId: bigint, timeoutMs: number, withReadOnly: boolean): void {
    this.sessionId = sessionId;
    this.sessionTimeoutMs = timeoutMs;
    this.state = 'open';
    this.server.attach(sessionId, this);
    this.sendConnectResponse(sessionId, timeoutMs, sessionPassword(sessionId), withReadOnly);
    this.logger.debug(`session 0x${sessionId.toString(16)} established for ${this.remoteAddress}:${this.remotePort}, timeout ${timeoutMs}ms`);
    const early = this.early;
    this.early = [];
    for (const frame of early) {
      if (this.state !== 'open') return;
      if (!this.guarded(() => this.onRequest(frame))) return;
    }
  }

  private sendConnectResponse(sessionId: bigint, timeOut: number, passwd: Buffer, withReadOnly: boolean): void {
    const at = this.outbox.reserve(4);
    const start = this.outbox.offset;
    P.ConnectResponse.encode(this.outbox, { protocolVersion: 0, timeOut, sessionId, passwd, readOnly: withReadOnly ? false : undefined });
    this.outbox.patchInt32(at, this.outbox.offset - start);
    this.scheduleFlush();
  }

  private onRequest(frame: Buffer): void {
    const r = new ByteReader(frame);
    const header = P.RequestHeader.decode(r);
    const body = frame.subarray(r.offset);
    const now = Date.now();
    this.server.touchSession(this.sessionId, now);
    this.lastCxid = header.xid;
    this.lastOp = opInfo(header.type)?.shortName ?? 'UNKN';
    if (header.type === Op.ping) return this.pushReady(header.xid, Code.OK, now);
    if (header.type === Op.auth) return this.onAuth(body, now);
    const info = opInfo(header.type);
    if (info === undefined || info.kind === 'control' || header.type === Op.deleteContainer) {
      return this.pushReady(header.xid, Code.UNIMPLEMENTED, now, undefined, -1n);
    }
    if (header.type === Op.sync) return this.onSync(header.xid, body, now);
    if (info.kind === 'read') return this.onRead(header.xid, header.type, body, now);
    this.onWrite(header.xid, header.type, body, now);
  }

  private onAuth(body: Buffer, now: number): void {
    const packet = P.AuthPacket.decode(new ByteReader(body));
    try {
      const id = authenticate(packet.scheme, packet.auth);
      this.authInfo.push(id);
      if (this.settings.superDigest !== null && id.id === this.settings.superDigest) this.authInfo.push({ scheme: 'super', id: '' });
      this.pushReady(AUTH_XID, Code.OK, now, undefined, 0n);
    } catch {
      this.logger.warn(`authentication with unknown scheme ${packet.scheme} from ${this.remoteAddress}`);
      this.pushReady(AUTH_XID, Code.AUTHFAILED, now, undefined, 0n);
      const last = this.slots[this.slots.length - 1];
      if (last !== undefined) last.closeAfter = true;
      this.drain();
    }
  }

  private onRead(xid: number, type: number, body: Buffer, now: number): void {
    if (this.slots.length === 0) {
      this.outbox = this.encodeRead(this.outbox, xid, type, body, now);
      this.scheduleFlush();
      return;
    }
    this.slots.push({ xid, frame: null, deferred: { type, body: Buffer.from(body) }, closeAfter: false, receivedAtMs: now });
    this.pauseIfBacklogged();
  }

  /** sync: answered like a read, once the server has seen every write committed before it. */
  private onSync(xid: number, body: Buffer, now: number): void {
    const slot: Slot = { xid, frame: null, deferred: null, closeAfter: false, receivedAtMs: now };
    this.slots.push(slot);
    this.pauseIfBacklogged();
    const request = Buffer.from(body);
    this.server.sync(() => {
      if (this.state === 'closed') return;
      slot.deferred = { type: Op.sync, body: request };
      this.drain();
    });
  }

  /** Encodes the reply of a read into `w`: length, ReplyHeader, then the body on success. */
  private encodeRead(w: ByteWriter, xid: number, type: number, body: Buffer, receivedAtMs: number): ByteWriter {
    const at = w.reserve(4);
    const start = w.offset;
    const zxid = this.server.lastZxid;
    const headerAt = w.offset;
    P.ReplyHeader.encode(w, { xid, zxid, err: 0 });
    let err: number;
    try {
      err = executeRead(this.server, this, type, body, w);
    } catch {
      err = Code.MARSHALLINGERROR;
    }
    if (err !== Code.OK) {
      w.offset = headerAt;
      P.ReplyHeader.encode(w, { xid, zxid, err });
    }
    w.patchInt32(at, w.offset - start);
    this.countReply(xid === SET_WATCHES_XID ? SET_WATCHES_XID : xid, zxid, receivedAtMs);
    return w;
  }

  private onWrite(xid: number, type: number, body: Buffer, now: number): void {
    const slot: Slot = { xid, frame: null, deferred: null, closeAfter: type === Op.closeSession, receivedAtMs: now };
    this.slots.push(slot);
    this.pauseIfBacklogged();
    // `body` is a view of a socket chunk, which nothing reuses or changes: the request holds it only
    // until the txn is applied, and the tree copies whatever data it keeps.
    const request = { sessionId: this.sessionId, cxid: xid, type, body, authInfo: [...this.authInfo] };
    this.server.submit(request, (zxid, result) => {
      if (this.state === 'closed') return;
      this.countReply(xid, zxid, now);
      if (this.slots[0] === slot && !slot.closeAfter) {
        // nothing is ahead of it (the usual case): straight into the outbox, no frame of its own
        this.slots.shift();
        this.encodeWrite(this.outbox, xid, type, zxid, result);
      } else {
        slot.frame = this.encodeWrite(new ByteWriter(WRITE_REPLY_BYTES_GUESS), xid, type, zxid, result).view();
      }
      this.drain();
    });
  }

  /** Appends the framed reply of a write to `w`: length, ReplyHeader, then the response on success. */
  private encodeWrite(w: ByteWriter, xid: number, type: number, zxid: bigint, result: TxnResult): ByteWriter {
    const at = w.reserve(4);
    const err = replyErrorOf(type, result);
    P.ReplyHeader.encode(w, { xid, zxid, err });
    if (err === Code.OK) encodeWriteReply(type, result, w);
    w.patchInt32(at, w.offset - at - 4);
    return w;
  }

  /** A reply known at once (ping, auth, unknown op), in its place in the order. */
  private pushReady(xid: number, err: number, now: number, body?: Buffer, zxid = this.server.lastZxid): void {
    const w = new ByteWriter(32);
    const at = w.reserve(4);
    P.ReplyHeader.encode(w, { xid, zxid, err });
    if (body !== undefined) w.bytes(body);
    w.patchInt32(at, w.offset - at - 4);
    this.slots.push({ xid, frame: w.view(), deferred: null, closeAfter: false, receivedAtMs: now });
    if (xid !== PING_XID) this.countReply(xid, zxid, now);
    this.drain();
  }

  private countReply(xid: number, zxid: bigint, receivedAtMs: number): void {
    const latency = Date.now() - receivedAtMs;
    this.lastLatencyMs = latency;
    if (xid >= 0) this.lastZxid = zxid;
    this.server.stats.recordLatency(latency);
  }

  /** Sends every reply at the head of the line that is ready, running deferred reads as they come up. */
  private drain(): void {
    while (this.slots.length > 0) {
      const head = this.slots[0]!;
      if (head.deferred !== null) {
        this.outbox = this.encodeRead(this.outbox, head.xid, head.deferred.type, head.deferred.body, head.receivedAtMs);
        this.slots.shift();
        continue;
      }
      if (head.frame === null) break;
      this.outbox.bytes(head.frame);
      this.slots.shift();
      if (head.closeAfter) {
        this.flush();
        this.close('session closed by the client', false);
        return;
      }
    }
    this.scheduleFlush();
    if (this.paused && this.slots.length < SLOTS_BEFORE_PAUSE / 2) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private pauseIfBacklogged(): void {
    if (!this.paused && this.slots.length >= SLOTS_BEFORE_PAUSE) {
      this.paused = true;
      this.socket.pause();
    }
  }

  sendWatchEvent(type: EventType, path: string): void {
    if (this.state !== 'open') return;
    const w = this.outbox;
    const at = w.reserve(4);
    P.ReplyHeader.encode(w, { xid: NOTIFICATION_XID, zxid: -1n, err: 0 });
    P.WatcherEvent.encode(w, { type, state: KeeperState.SyncConnected, path });
    w.patchInt32(at, w.offset - at - 4);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outbox.offset === 0 || this.socket.destroyed) return;
    const bytes = this.outbox.view();
    this.outbox = new ByteWriter(OUTBOX_BYTES_INITIAL);
    this.packetsSent++;
    this.server.stats.packetsSent++;
    const ok = this.socket.write(bytes);
    if (!ok && this.socket.writableLength > CONNECTION_OUTBOUND_BYTES_MAX && !this.paused) {
      this.paused = true;
      this.socket.pause();
      this.socket.once('drain', () => {
        if (this.slots.length < SLOTS_BEFORE_PAUSE) {
          this.paused = false;
          this.socket.resume();
        }
      });
    }
  }

  /** The server closes this connection because its session ended or moved. */
  closeBySession(reason: string): void {
    this.close(reason, false);
  }

  close(reason: string, isProblem = true): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    const who = `${this.remoteAddress}:${this.remotePort}${wasOpen ? ` (session 0x${this.sessionId.toString(16)})` : ''}`;
    if (isProblem) this.logger.warn(`closing connection from ${who}: ${reason}`);
    else this.logger.debug(`closing connection from ${who}: ${reason}`);
    if (this.outbox.offset > 0 && !this.socket.destroyed) this.socket.write(this.outbox.view());
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    if (this.sessionId !== 0n) this.server.detach(this.sessionId, this);
    this.onClose(this);
  }

  get queuedReplies(): number {
    return this.slots.length;
  }
}
