// A lean ZooKeeper session for load generation: connect handshake, then requests written as
// pre-encoded bodies behind a RequestHeader, any number in flight. Replies come back in request
// order (the protocol guarantees it), so a FIFO matches them; a reply whose xid is not the oldest
// outstanding one is counted as a protocol error. Watch events (xid -1) are ignored. Never used
// by the server itself: only the bench commands import it.

import * as net from 'node:net';
import { ByteReader, ByteWriter, FrameSplitter } from '../../../shared/src';
import { ConnectRequest, ConnectResponse, ReplyHeader, RequestHeader } from '../protocol/records/proto';

const FRAME_BYTES_MAX = 64 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;
const PASSWD_BYTES = 16;
const XID_NOTIFICATION = -1;
const XID_MAX = 0x7fffffff;
export const OP_CLOSE_SESSION = -11;

/** Called once per reply: the error code (0 = ok) and the time since the request was written. */
export type ReplyCallback = (err: number, latencyNs: bigint) => void;

interface InFlight {
  xid: number;
  sentNs: bigint;
  done: ReplyCallback;
}

export class BenchSession {
  sessionId = 0n;
  protocolErrors = 0;
  private nextXid = 1;
  private readonly inFlight: InFlight[] = [];
  private inFlightHead = 0;
  private readonly splitter = new FrameSplitter(FRAME_BYTES_MAX);
  private connected: ((b: Buffer) => void) | undefined;
  private closedResolve: () => void = () => undefined;
  readonly closed: Promise<void>;
  /** Runs after every batch of replies read from one socket chunk (lets callers refill in one write). */
  onBatch: () => void = () => undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    this.closed = new Promise((r) => (this.closedResolve = r));
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', () => undefined);
    socket.on('close', () => this.closedResolve());
  }

  static async connect(host: string, port: number, sessionTimeoutMs: number): Promise<BenchSession> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => s.destroy(new Error(`connect to ${host}:${port} timed out`)), CONNECT_TIMEOUT_MS);
      s.once('connect', () => (clearTimeout(timer), resolve(s)));
      s.once('error', (e) => (clearTimeout(timer), reject(e)));
    });
    const session = new BenchSession(socket);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      session.connected = resolve;
      socket.once('close', () => reject(new Error('connection closed during the handshake')));
      const request = ConnectRequest.toBytes({
        protocolVersion: 0,
        lastZxidSeen: 0n,
        timeOut: sessionTimeoutMs,
        sessionId: 0n,
        passwd: Buffer.alloc(PASSWD_BYTES),
        readOnly: false,
      });
      session.writeFrame(request);
    });
    const response = ConnectResponse.fromBytes(reply);
    if (response.timeOut <= 0) throw new Error('session refused');
    session.sessionId = response.sessionId;
    return session;
  }

  get outstanding(): number {
    return this.inFlight.length - this.inFlightHead;
  }

  /** Encodes a frame: length, RequestHeader, body. */
  static encode(xid: number, op: number, body: Buffer): Buffer {
    const w = new ByteWriter(4 + 8 + body.length);
    const at = w.reserve(4);
    RequestHeader.encode(w, { xid, type: op });
    w.bytes(body);
    w.patchInt32(at, w.offset - 4);
    return w.toBuffer();
  }

  /** Writes one request; `done` runs with its reply. */
  send(op: number, body: Buffer, done: ReplyCallback): void {
    const xid = this.nextXid;
    this.nextXid = this.nextXid === XID_MAX ? 1 : this.nextXid + 1;
    this.inFlight.push({ xid, sentNs: process.hrtime.bigint(), done });
    this.socket.write(BenchSession.encode(xid, op, body));
  }

  /** Groups the writes made inside `fn` into one system call. */
  batch(fn: () => void): void {
    this.socket.cork();
    try {
      fn();
    } finally {
      this.socket.uncork();
    }
  }

  /** closeSession, then waits for the server to close the connection. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => this.send(OP_CLOSE_SESSION, Buffer.alloc(0), () => resolve()));
    this.socket.end();
    await this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private writeFrame(payload: Buffer): void {
    const prefix = Buffer.allocUnsafe(4);
    prefix.writeInt32BE(payload.length, 0);
    this.socket.write(Buffer.concat([prefix, payload]));
  }

  private onData(chunk: Buffer): void {
    const frames = this.splitter.push(chunk);
    for (const f of frames) {
      if (this.connected !== undefined) {
        const c = this.connected;
        this.connected = undefined;
        c(Buffer.from(f));
        continue;
      }
      const header = ReplyHeader.decode(new ByteReader(f));
      if (header.xid === XID_NOTIFICATION) continue;
      const entry = this.inFlight[this.inFlightHead];
      if (entry === undefined) {
        this.protocolErrors++;
        continue;
      }
      if (entry.xid !== header.xid) this.protocolErrors++;
      this.inFlightHead++;
      if (this.inFlightHead > 1024 && this.inFlightHead * 2 > this.inFlight.length) {
        this.inFlight.splice(0, this.inFlightHead);
        this.inFlightHead = 0;
      }
      entry.done(header.err, process.hrtime.bigint() - entry.sentNs);
    }
    if (frames.length > 0) this.onBatch();
  }
}
