// A small promise-based ZooKeeper client that speaks the wire protocol directly through our jute
// records, for differential and bad-input tests: any op code with any xid, any number of requests
// in flight (replies are matched by xid, and whether they came in request order is reported),
// watch events collected as they arrive, and every reply returned as (err, zxid, decoded body)
// instead of being turned into exceptions. It never retries, reconnects or hides a server's
// behaviour: a connection the server closes rejects what is still pending.

import * as net from 'node:net';
import { ByteReader, FrameSplitter, jute } from '../../shared/src';
import { ACL as ACLCodec, Stat as StatCodec } from '../../zk-server/src/protocol/records/data';
import * as proto from '../../zk-server/src/protocol/records/proto';
import { withTimeout } from './wait-for';
import { MultiResponse, OpCode, ValueOf, Xid, encodeRequest, frame, multiRequest, opBodies } from './zk-wire';

export type Stat = ValueOf<typeof StatCodec>;
export type ACL = ValueOf<typeof ACLCodec>;
type ConnectRequest = ValueOf<typeof proto.ConnectRequest>;
type ConnectResponse = ValueOf<typeof proto.ConnectResponse>;
type ReplyHeader = ValueOf<typeof proto.ReplyHeader>;

export interface ZkReply<T = unknown> {
  xid: number;
  zxid: bigint;
  err: number;
  /** The decoded body when err is 0 (and it decoded), else undefined. */
  body: T | undefined;
  /** Body bytes after the ReplyHeader. */
  raw: Buffer;
  /** False when an older request was still unanswered: the server replied out of order. */
  inOrder: boolean;
  /** Set when a body was present but did not decode with the expected record. */
  decodeError?: Error;
}

export interface ZkEvent {
  type: number;
  state: number;
  path: string;
  /** The zxid of the notification's ReplyHeader (ZooKeeper sends -1). */
  zxid: bigint;
}

export interface RawConnectOptions {
  host?: string;
  port: number;
  timeOutMs?: number;
  /** true/false sends the trailing readOnly byte; null omits it (as node-zookeeper-client does). */
  readOnly?: boolean | null;
  sessionId?: bigint;
  passwd?: Buffer;
  lastZxidSeen?: bigint;
  protocolVersion?: number;
  /** Limit for TCP connect plus handshake. */
  connectTimeoutMs?: number;
  /** Limit per request; a request without a reply by then rejects with RequestTimeoutError. */
  requestTimeoutMs?: number;
  /** Send a ping when nothing was sent for a third of the negotiated timeout (default true). */
  autoPing?: boolean;
}

export class ConnectionClosedError extends Error {
  constructor(what: string) {
    super(`connection closed before ${what}`);
    this.name = 'ConnectionClosedError';
  }
}

export class RequestTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`no reply to ${what} within ${ms} ms`);
    this.name = 'RequestTimeoutError';
  }
}

export const OPEN_ACL_UNSAFE: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

export interface CreateOptions {
  acl?: ACL[];
  flags?: number;
  /** 1 create, 15 create2, 19 createContainer, 21 createTTL. */
  op?: number;
  ttl?: bigint;
}

/** An op inside a multi: its op code and request body (record value). */
export interface MultiOp {
  type: number;
  body: unknown;
}

interface Pending {
  xid: number;
  op: number;
  what: string;
  resolve: (r: ZkReply<any>) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

const CONNECT_TIMEOUT_MS_DEFAULT = 10_000;
const REQUEST_TIMEOUT_MS_DEFAULT = 10_000;
const SESSION_TIMEOUT_MS_DEFAULT = 30_000;
const FRAME_BYTES_MAX = 64 * 1024 * 1024;
const PASSWD_BYTES = 16;

/** Decodes a whole body; bytes left over are an error. */
function decodeExactly<T>(codec: jute.Codec<T>, bytes: Buffer): T {
  const r = new ByteReader(bytes);
  const v = codec.decode(r);
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after ${codec.kind}`);
  return v;
}

export class ZkRawClient {
  sessionId = 0n;
  passwd: Buffer = Buffer.alloc(PASSWD_BYTES);
  negotiatedTimeOutMs = 0;
  connectResponse: ConnectResponse | undefined;
  /** Watch events in arrival order. */
  readonly events: ZkEvent[] = [];
  /** Replies whose xid matched no request. */
  readonly unmatched: ZkReply[] = [];
  /** Resolves when the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;
  isClosed = false;
  /** The last non-event zxid seen, as clients track it for lastZxidSeen. */
  lastZxid = 0n;

  private nextXid = 1;
  private readonly pending: Pending[] = [];
  private readonly splitter = new FrameSplitter(FRAME_BYTES_MAX);
  private handshake: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private readonly eventWaiters: { match: (e: ZkEvent) => boolean; resolve: (e: ZkEvent) => void }[] = [];
  private pingTimer: NodeJS.Timeout | undefined;
  private lastSendMs = Date.now();

  private constructor(
    private readonly socket: net.Socket,
    readonly requestTimeoutMs: number,
  ) {
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
        this.handshake?.reject(new ConnectionClosedError('the ConnectResponse'));
        for (const p of this.pending.splice(0)) {
          clearTimeout(p.timer);
          p.reject(new ConnectionClosedError(`the reply to ${p.what}`));
        }
        resolve();
      });
    });
    socket.on('error', () => undefined); // 'close' follows and settles everything
    socket.on('data', (chunk) => this.onData(chunk));
  }

  /** TCP connection only, no handshake: for tests that send their own first bytes. */
  static open(host: string, port: number, opts: { requestTimeoutMs?: number; connectTimeoutMs?: number } = {}): Promise<ZkRawClient> {
    const connectTimeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS_DEFAULT;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new ZkRawClient(socket, opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Connects and completes the session handshake. */
  static async connect(o: RawConnectOptions): Promise<ZkRawClient> {
    const client = await ZkRawClient.open(o.host ?? '127.0.0.1', o.port, o);
    const request: ConnectRequest = {
      protocolVersion: o.protocolVersion ?? 0,
      lastZxidSeen: o.lastZxidSeen ?? 0n,
      timeOut: o.timeOutMs ?? SESSION_TIMEOUT_MS_DEFAULT,
      sessionId: o.sessionId ?? 0n,
      passwd: o.passwd ?? Buffer.alloc(PASSWD_BYTES),
      readOnly: o.readOnly === null ? undefined : (o.readOnly ?? false),
    };
    try {
      const response = await client.connectWith(request, o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS_DEFAULT);
      if (response.timeOut <= 0) throw new Error(`session refused (timeOut ${response.timeOut}: expired or bad password)`);
    } catch (err) {
      client.destroy();
      throw err;
    }
    if (o.autoPing ?? true) client.startPings();
    return client;
  }

  /** Sends a ConnectRequest and resolves with the decoded ConnectResponse. */
  async connectWith(request: ConnectRequest, timeoutMs = CONNECT_TIMEOUT_MS_DEFAULT): Promise<ConnectResponse> {
    const bytes = await this.connectWithBytes(proto.ConnectRequest.toBytes(request), timeoutMs);
    const response = proto.ConnectResponse.fromBytes(bytes);
    this.connectResponse = response;
    this.sessionId = response.sessionId;
    this.passwd = Buffer.from(response.passwd ?? Buffer.alloc(0));
    this.negotiatedTimeOutMs = response.timeOut;
    return response;
  }

  /** Sends any first frame payload and resolves with the first frame payload that comes back. */
  connectWithBytes(payload: Buffer, timeoutMs = CONNECT_TIMEOUT_MS_DEFAULT): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.handshake = undefined;
        reject(new RequestTimeoutError('the ConnectRequest', timeoutMs));
      }, timeoutMs);
      this.handshake = {
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.sendFrame(payload);
    });
  }

  /** Writes a payload with its length prefix. */
  sendFrame(payload: Buffer): void {
    this.sendBytes(frame(payload));
  }

  /** Writes these exact bytes (no prefix added): for malformed frames. */
  sendBytes(bytes: Buffer): void {
    this.lastSendMs = Date.now();
    if (!this.isClosed) this.socket.write(bytes);
  }

  /** Half-closes our side; the server sees EOF. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Sends op with a body (a record value, or a Buffer sent as is) and resolves with the reply that
   * carries the same xid. Several calls may be in flight; nothing waits for earlier replies.
   */
  request<T = unknown>(op: number, body: unknown = null, opts: { xid?: number; timeoutMs?: number } = {}): Promise<ZkReply<T>> {
    const xid = opts.xid ?? this.nextXid++;
    const payload = encodeRequest(xid, op, body);
    return this.expectReply<T>(xid, op, payload, opts.timeoutMs);
  }

  /** Sends a payload (RequestHeader included, built by the caller) and awaits the reply to `xid`. */
  requestRaw<T = unknown>(xid: number, op: number, payload: Buffer, timeoutMs?: number): Promise<ZkReply<T>> {
    return this.expectReply<T>(xid, op, payload, timeoutMs);
  }

  private expectReply<T>(xid: number, op: number, payload: Buffer, timeoutMs = this.requestTimeoutMs): Promise<ZkReply<T>> {
    const what = `op ${op} xid ${xid}`;
    if (this.isClosed) return Promise.reject(new ConnectionClosedError(`sending ${what}`));
    return new Promise((resolve, reject) => {
      const entry: Pending = { xid, op, what, resolve, reject, timer: undefined };
      entry.timer = setTimeout(() => {
        const i = this.pending.indexOf(entry);
        if (i >= 0) this.pending.splice(i, 1);
        reject(new RequestTimeoutError(what, timeoutMs));
      }, timeoutMs);
      this.pending.push(entry);
      this.sendFrame(payload);
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      this.socket.destroy(err as Error);
      return;
    }
    for (const f of frames) {
      if (this.handshake !== undefined) {
        const h = this.handshake;
        this.handshake = undefined;
        h.resolve(Buffer.from(f));
      } else {
        this.onReply(Buffer.from(f));
      }
    }
  }

  private onReply(payload: Buffer): void {
    const r = new ByteReader(payload);
    let header: ReplyHeader;
    try {
      header = proto.ReplyHeader.decode(r);
    } catch (err) {
      this.socket.destroy(err as Error);
      return;
    }
    const raw = Buffer.from(payload.subarray(r.offset));
    if (header.xid === Xid.notification) {
      this.onEvent(header, raw);
      return;
    }
    if (header.zxid > this.lastZxid) this.lastZxid = header.zxid;
    const at = this.pending.findIndex((p) => p.xid === header.xid);
    const reply: ZkReply<any> = { xid: header.xid, zxid: header.zxid, err: header.err, body: undefined, raw, inOrder: at === 0 };
    if (at < 0) {
      this.unmatched.push(reply);
      return;
    }
    const [p] = this.pending.splice(at, 1);
    clearTimeout(p!.timer);
    const codec = opBodies(p!.op)?.response;
    // Replies carry a body only when err is 0; addWatch always carries its ErrorResponse.
    if (codec !== undefined && (header.err === 0 || p!.op === OpCode.addWatch)) {
      try {
        reply.body = decodeExactly(codec, raw);
      } catch (err) {
        reply.decodeError = err as Error;
      }
    }
    p!.resolve(reply);
  }

  private onEvent(header: ReplyHeader, raw: Buffer): void {
    let event: ZkEvent;
    try {
      event = { ...proto.WatcherEvent.fromBytes(raw), zxid: header.zxid };
    } catch (err) {
      this.socket.destroy(err as Error);
      return;
    }
    this.events.push(event);
    for (const w of [...this.eventWaiters]) {
      if (!w.match(event)) continue;
      this.eventWaiters.splice(this.eventWaiters.indexOf(w), 1);
      w.resolve(event);
    }
  }

  // ---- typed helpers: each returns the reply with its body decoded ----

  ping(): Promise<ZkReply<null>> {
    return this.request(OpCode.ping, null, { xid: Xid.ping });
  }

  auth(scheme: string, auth: string | Buffer): Promise<ZkReply<null>> {
    const bytes = typeof auth === 'string' ? Buffer.from(auth, 'utf8') : auth;
    return this.request(OpCode.auth, { type: 0, scheme, auth: bytes }, { xid: Xid.auth });
  }

  create(path: string, data: Buffer | null, o: CreateOptions = {}): Promise<ZkReply<{ path: string; stat?: Stat }>> {
    const op = o.op ?? OpCode.create;
    const base = { path, data, acl: o.acl ?? OPEN_ACL_UNSAFE, flags: o.flags ?? 0 };
    return this.request(op, op === OpCode.createTTL ? { ...base, ttl: o.ttl ?? 0n } : base);
  }

  delete(path: string, version = -1): Promise<ZkReply<null>> {
    return this.request(OpCode.delete, { path, version });
  }

  exists(path: string, watch = false): Promise<ZkReply<{ stat: Stat }>> {
    return this.request(OpCode.exists, { path, watch });
  }

  getData(path: string, watch = false): Promise<ZkReply<{ data: Buffer | null; stat: Stat }>> {
    return this.request(OpCode.getData, { path, watch });
  }

  setData(path: string, data: Buffer | null, version = -1): Promise<ZkReply<{ stat: Stat }>> {
    return this.request(OpCode.setData, { path, data, version });
  }

  getACL(path: string): Promise<ZkReply<{ acl: ACL[]; stat: Stat }>> {
    return this.request(OpCode.getACL, { path });
  }

  setACL(path: string, acl: ACL[], version = -1): Promise<ZkReply<{ stat: Stat }>> {
    return this.request(OpCode.setACL, { path, acl, version });
  }

  getChildren(path: string, watch = false): Promise<ZkReply<{ children: string[] }>> {
    return this.request(OpCode.getChildren, { path, watch });
  }

  getChildren2(path: string, watch = false): Promise<ZkReply<{ children: string[]; stat: Stat }>> {
    return this.request(OpCode.getChildren2, { path, watch });
  }

  sync(path: string): Promise<ZkReply<{ path: string }>> {
    return this.request(OpCode.sync, { path });
  }

  check(path: string, version: number): Promise<ZkReply<null>> {
    return this.request(OpCode.check, { path, version });
  }

  /** multi (op 14), or multiRead (op 22) with getData/getChildren ops. */
  multi(ops: MultiOp[], op: number = OpCode.multi): Promise<ZkReply<MultiResponse>> {
    return this.request(op, multiRequest(ops));
  }

  getAllChildrenNumber(path: string): Promise<ZkReply<{ totalNumber: number }>> {
    return this.request(OpCode.getAllChildrenNumber, { path });
  }

  getEphemerals(prefixPath: string): Promise<ZkReply<{ ephemerals: string[] }>> {
    return this.request(OpCode.getEphemerals, { prefixPath });
  }

  setWatches(relativeZxid: bigint, w: { data?: string[]; exist?: string[]; child?: string[] }): Promise<ZkReply<null>> {
    const body = { relativeZxid, dataWatches: w.data ?? [], existWatches: w.exist ?? [], childWatches: w.child ?? [] };
    return this.request(OpCode.setWatches, body, { xid: Xid.setWatches });
  }

  addWatch(path: string, mode: number): Promise<ZkReply<{ err: number }>> {
    return this.request(OpCode.addWatch, { path, mode });
  }

  checkWatches(path: string, type: number): Promise<ZkReply<null>> {
    return this.request(OpCode.checkWatches, { path, type });
  }

  removeWatches(path: string, type: number): Promise<ZkReply<null>> {
    return this.request(OpCode.removeWatches, { path, type });
  }

  whoAmI(): Promise<ZkReply<{ clientInfo: { authScheme: string; user: string }[] }>> {
    return this.request(OpCode.whoAmI);
  }

  /** closeSession (op -11); resolves with its reply once the server has also closed the socket. */
  async closeSession(): Promise<ZkReply<null>> {
    const reply = await this.request<null>(OpCode.closeSession);
    await withTimeout(this.closed, this.requestTimeoutMs, 'the server to close the socket after closeSession');
    return reply;
  }

  // ---- events ----

  /** Resolves with the first event (already received or future) that matches; removes nothing. */
  nextEvent(match: (e: ZkEvent) => boolean = () => true, timeoutMs = this.requestTimeoutMs, after = 0): Promise<ZkEvent> {
    const seen = this.events.slice(after).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (e: ZkEvent) => (clearTimeout(timer), resolve(e)) };
      const timer = setTimeout(() => {
        this.eventWaiters.splice(this.eventWaiters.indexOf(waiter), 1);
        reject(new RequestTimeoutError('a matching watch event', timeoutMs));
      }, timeoutMs);
      this.eventWaiters.push(waiter);
    });
  }

  private startPings(): void {
    const intervalMs = Math.max(100, Math.floor(this.negotiatedTimeOutMs / 3));
    this.pingTimer = setInterval(() => {
      if (this.isClosed || Date.now() - this.lastSendMs < intervalMs) return;
      this.ping().catch(() => undefined);
    }, intervalMs);
    this.pingTimer.unref();
  }
}
