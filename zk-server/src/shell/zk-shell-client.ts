// The shell's own ZooKeeper client, written over our jute records so it can use every op zkCli uses
// (create2/TTL/container, addWatch, removeWatches, getEphemerals, getAllChildrenNumber, whoAmI, sync,
// multi). One session over one TCP connection at a time, behaving as the Java client does for zkCli:
// requests wait while connecting and fail with ConnectionLoss when the attempt fails; after a lost
// connection it reconnects with the same session, re-sending auth and watches; a chroot in the
// connect string is added to and stripped from paths. Replies are matched to requests in order.
// Failures are KeeperError(code, clientPath); the shell turns them into zkCli's texts.

import * as net from 'node:net';
import { ByteReader, ByteWriter, FrameSplitter, jute } from '../../../shared/src';
import { ACL, Stat } from '../protocol/records/data';
import * as P from '../protocol/records/proto';
import { Op } from '../protocol/op-codes';
import { Code, KeeperError } from '../protocol/keeper-errors';
import { EventType, WatcherType } from '../data/watch-events';
import { ClientWatches } from './client-watches';

/** Largest reply frame accepted (jute.maxbuffer plus headers). */
const REPLY_FRAME_BYTES_MAX = 0xfffff + 1024;
/** Wait between connection attempts after the first one. */
const RECONNECT_DELAY_MS = 1_000;
/** How long close() waits for the closeSession reply. */
const CLOSE_REPLY_WAIT_MS = 2_000;
const SESSION_PASSWORD_BYTES = 16;
const Xid = { notification: -1, ping: -2, auth: -4, setWatches: -8 } as const;
const CreateFlags = { container: 4, ttl: 5, sequentialTtl: 6 } as const;

export type ClientState = 'CONNECTING' | 'CONNECTED' | 'CONNECTEDREADONLY' | 'CLOSED' | 'AUTH_FAILED';

/** Watcher.Event.KeeperState names, as WatchedEvent.toString prints them. */
export type KeeperStateName = 'SyncConnected' | 'Disconnected' | 'Expired' | 'AuthFailed' | 'ConnectedReadOnly' | 'Closed';

export interface WatchedEvent {
  readonly state: KeeperStateName;
  readonly type: EventType;
  readonly path: string | null;
}

export interface ShellClientOptions {
  /** host:port[,host:port...][/chroot] */
  connectString: string;
  sessionTimeoutMs: number;
  readOnly?: boolean;
  /** Events that reach the client's watcher: session state changes and fired watches. */
  onEvent: (event: WatchedEvent) => void;
}

interface Outgoing {
  type: number;
  body: Buffer;
  path: string | undefined;
  /** Called with the reply's error code before the promise settles (watch registration). */
  settle: (err: number, reader: ByteReader | null) => void;
}

interface Pending extends Outgoing {
  xid: number;
}

type Endpoint = { host: string; port: number };

/** Parses "h1:p1,h2:p2/chroot"; the chroot is null when absent or "/". */
export function parseConnectString(connectString: string): { endpoints: Endpoint[]; chroot: string | null } {
  const slash = connectString.indexOf('/');
  const hosts = slash === -1 ? connectString : connectString.slice(0, slash);
  const chrootText = slash === -1 ? '' : connectString.slice(slash);
  const endpoints = hosts
    .split(',')
    .filter((h) => h.trim() !== '')
    .map((h) => {
      const colon = h.lastIndexOf(':');
      if (colon === -1) return { host: h.trim(), port: 2181 };
      return { host: h.slice(0, colon).trim().replace(/^\[|\]$/g, ''), port: Number(h.slice(colon + 1)) };
    });
  if (endpoints.length === 0 || endpoints.some((e) => !Number.isInteger(e.port) || e.port <= 0 || e.port > 65535)) {
    throw new Error(`invalid connect string ${connectString}`);
  }
  return { endpoints, chroot: chrootText === '' || chrootText === '/' ? null : chrootText };
}

function frame(xid: number, type: number, body: Buffer): Buffer {
  const w = new ByteWriter(16 + body.length);
  const at = w.reserve(4);
  P.RequestHeader.encode(w, { xid, type });
  w.bytes(body);
  w.patchInt32(at, w.offset - 4);
  return w.toBuffer();
}

function encode<T>(codec: jute.Codec<T>, value: T): Buffer {
  const w = new ByteWriter(codec.sizeOf(value));
  codec.encode(w, value);
  return w.toBuffer();
}

export class ZkShellClient {
  state: ClientState = 'CONNECTING';
  readonly watches = new ClientWatches();
  private readonly endpoints: Endpoint[];
  private readonly chroot: string | null;
  private socket: net.Socket | null = null;
  private handshakeDone = false;
  private everConnected = false;
  private nextEndpoint = 0;
  private sessionId = 0n;
  private passwd: Buffer = Buffer.alloc(SESSION_PASSWORD_BYTES);
  private negotiatedTimeoutMs: number;
  private lastZxid = 0n;
  private nextXid = 1;
  private lastReceivedMs = 0;
  private readonly queued: Outgoing[] = [];
  private readonly pending: Pending[] = [];
  private readonly authInfo: { scheme: string; auth: Buffer | null }[] = [];
  private pingTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closeWaiter: (() => void) | null = null;
  private connectedWaiters: (() => void)[] = [];

  constructor(private readonly options: ShellClientOptions) {
    const parsed = parseConnectString(options.connectString);
    this.endpoints = parsed.endpoints;
    this.chroot = parsed.chroot;
    this.negotiatedTimeoutMs = options.sessionTimeoutMs;
    this.connect();
  }

  get isAlive(): boolean {
    return this.state !== 'CLOSED' && this.state !== 'AUTH_FAILED';
  }

  /** Resolves once connected (true) or when `timeoutMs` passes first (false). */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.state === 'CONNECTED' || this.state === 'CONNECTEDREADONLY') return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.connectedWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  // ---- paths with chroot ----

  private toServer(path: string): string {
    if (this.chroot === null) return path;
    return path === '/' ? this.chroot : this.chroot + path;
  }

  private toClient(path: string): string {
    if (this.chroot === null || !path.startsWith(this.chroot)) return path;
    return path.length === this.chroot.length ? '/' : path.slice(this.chroot.length);
  }

  // ---- connection ----

  private connect(): void {
    this.reconnectTimer = null;
    const endpoint = this.endpoints[this.nextEndpoint % this.endpoints.length]!;
    this.nextEndpoint++;
    this.handshakeDone = false;
    const splitter = new FrameSplitter(REPLY_FRAME_BYTES_MAX);
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(Math.max(1, Math.floor(this.options.sessionTimeoutMs / this.endpoints.length)), () => {
      if (!this.handshakeDone) socket.destroy();
    });
    socket.on('connect', () => {
      const request: P.ConnectRequest = {
        protocolVersion: 0,
        lastZxidSeen: this.lastZxid,
        timeOut: this.options.sessionTimeoutMs,
        sessionId: this.sessionId,
        passwd: this.passwd,
        readOnly: this.options.readOnly ?? false,
      };
      const body = encode(P.ConnectRequest, request);
      const w = new ByteWriter(body.length + 4);
      w.int32(body.length).bytes(body);
      socket.write(w.toBuffer());
    });
    socket.on('data', (chunk) => {
      if (this.socket !== socket) return;
      this.lastReceivedMs = Date.now();
      try {
        for (const f of splitter.push(chunk)) this.onFrame(f);
      } catch (e) {
        socket.destroy(e as Error);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket === socket) this.onConnectionLost();
    });
  }

  private onFrame(payload: Buffer): void {
    if (!this.handshakeDone) {
      this.onConnectResponse(P.ConnectResponse.decode(new ByteReader(payload)));
      return;
    }
    const r = new ByteReader(payload);
    const header = P.ReplyHeader.decode(r);
    switch (header.xid) {
      case Xid.notification:
        return this.onNotification(P.WatcherEvent.decode(r));
      case Xid.ping:
      case Xid.setWatches:
        return;
      case Xid.auth:
        if (header.err === Code.AUTHFAILED) this.onAuthFailed();
        return;
    }
    const request = this.pending.shift();
    if (request === undefined || request.xid !== header.xid) {
      this.socket?.destroy(new Error(`reply xid ${header.xid} does not match the request sent`));
      return;
    }
    if (header.zxid > 0n) this.lastZxid = header.zxid;
    request.settle(header.err, header.err === 0 ? r : null);
  }

  private onConnectResponse(response: P.ConnectResponse): void {
    if (response.timeOut <= 0) {
      this.state = 'CLOSED';
      this.failAll(Code.SESSIONEXPIRED);
      this.socket?.destroy();
      this.socket = null;
      this.emit({ state: 'Expired', type: EventType.None, path: null });
      return;
    }
    this.handshakeDone = true;
    this.socket?.setTimeout(0);
    this.sessionId = response.sessionId;
    this.passwd = response.passwd ?? Buffer.alloc(SESSION_PASSWORD_BYTES);
    this.negotiatedTimeoutMs = response.timeOut;
    this.state = response.readOnly === true ? 'CONNECTEDREADONLY' : 'CONNECTED';
    for (const a of this.authInfo) this.socket!.write(frame(Xid.auth, Op.auth, encode(P.AuthPacket, { type: 0, ...a })));
    this.resendWatches();
    this.startPings();
    const queued = this.queued.splice(0);
    for (const o of queued) this.send(o);
    this.everConnected = true;
    this.emit({ state: this.state === 'CONNECTED' ? 'SyncConnected' : 'ConnectedReadOnly', type: EventType.None, path: null });
    for (const w of this.connectedWaiters.splice(0)) w();
  }

  private resendWatches(): void {
    const w = this.watches;
    if (w.isEmpty) return;
    const server = (paths: string[]): string[] => paths.map((p) => this.toServer(p));
    const base = {
      relativeZxid: this.lastZxid,
      dataWatches: server(w.paths('data')),
      existWatches: server(w.paths('exist')),
      childWatches: server(w.paths('child')),
    };
    const persistent = server(w.paths('persistent'));
    const recursive = server(w.paths('persistentRecursive'));
    const body =
      persistent.length === 0 && recursive.length === 0
        ? frame(Xid.setWatches, Op.setWatches, encode(P.SetWatches, base))
        : frame(
            Xid.setWatches,
            Op.setWatches2,
            encode(P.SetWatches2, { ...base, persistentWatches: persistent, persistentRecursiveWatches: recursive }),
          );
    this.socket!.write(body);
  }

  private startPings(): void {
    this.stopPings();
    const interval = Math.max(1, Math.floor(this.negotiatedTimeoutMs / 3));
    this.lastReceivedMs = Date.now();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastReceivedMs > (this.negotiatedTimeoutMs * 2) / 3) {
        this.socket?.destroy();
        return;
      }
      this.socket?.write(frame(Xid.ping, Op.ping, Buffer.alloc(0)));
    }, interval);
    this.pingTimer.unref();
  }

  private stopPings(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private onConnectionLost(): void {
    this.socket = null;
    this.stopPings();
    const wasConnected = this.handshakeDone;
    this.handshakeDone = false;
    if (this.closeWaiter !== null) {
      this.closeWaiter();
      return;
    }
    if (!this.isAlive) return;
    this.state = 'CONNECTING';
    this.failAll(Code.CONNECTIONLOSS);
    if (wasConnected) this.emit({ state: 'Disconnected', type: EventType.None, path: null });
    this.reconnectTimer = setTimeout(() => this.connect(), RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }

  private onAuthFailed(): void {
    this.state = 'AUTH_FAILED';
    this.stopPings();
    this.emit({ state: 'AuthFailed', type: EventType.None, path: null });
    this.failAll(Code.AUTHFAILED);
    this.socket?.destroy();
    this.socket = null;
  }

  private onNotification(event: P.WatcherEvent): void {
    const path = this.toClient(event.path);
    if (!this.watches.materialize(event.type as EventType, path)) return;
    this.emit({ state: 'SyncConnected', type: event.type as EventType, path });
  }

  private emit(event: WatchedEvent): void {
    this.options.onEvent(event);
  }

  /** Fails every request sent or waiting, as the Java client does when a connection goes. */
  private failAll(err: number): void {
    const requests = [...this.pending.splice(0), ...this.queued.splice(0)];
    for (const r of requests) r.settle(err, null);
  }

  private send(o: Outgoing): void {
    const xid = this.nextXid++;
    this.pending.push({ ...o, xid });
    this.socket!.write(frame(xid, o.type, o.body));
  }

  // ---- requests ----

  private call<T>(
    type: number,
    body: Buffer,
    path: string | undefined,
    decode: (r: ByteReader) => T,
    register?: (err: number) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (err: number, reader: ByteReader | null): void => {
        register?.(err);
        if (err !== 0) reject(new KeeperError(err, path));
        else resolve(decode(reader!));
      };
      if (this.state === 'CLOSED') settle(Code.SESSIONEXPIRED, null);
      else if (this.state === 'AUTH_FAILED') settle(Code.AUTHFAILED, null);
      else if (this.handshakeDone) this.send({ type, body, path, settle });
      else this.queued.push({ type, body, path, settle });
    });
  }

  /** create (op 1), createContainer (19) or createTTL (21) by flags; resolves with the created path. */
  async create(path: string, data: Buffer | null, acl: ACL[], flags: number, ttlMs = 0n): Promise<string> {
    const serverPath = this.toServer(path);
    const isTtl = flags === CreateFlags.ttl || flags === CreateFlags.sequentialTtl;
    const type = flags === CreateFlags.container ? Op.createContainer : isTtl ? Op.createTTL : Op.create;
    const body = isTtl
      ? encode(P.CreateTTLRequest, { path: serverPath, data, acl, flags, ttl: ttlMs })
      : encode(P.CreateRequest, { path: serverPath, data, acl, flags });
    const created = await this.call(type, body, path, (r) => P.CreateResponse.decode(r).path);
    return this.toClient(created);
  }

  delete(path: string, version: number): Promise<void> {
    return this.call(Op.delete, encode(P.DeleteRequest, { path: this.toServer(path), version }), path, () => undefined);
  }

  /** The Stat, or null when the node does not exist (an exist watch is then left). */
  async exists(path: string, watch: boolean): Promise<Stat | null> {
    const body = encode(P.ExistsRequest, { path: this.toServer(path), watch });
    const register = (err: number): void => {
      if (!watch) return;
      if (err === 0) this.watches.add('data', path);
      else if (err === Code.NONODE) this.watches.add('exist', path);
    };
    try {
      return await this.call(Op.exists, body, path, (r) => P.ExistsResponse.decode(r).stat, register);
    } catch (e) {
      if (e instanceof KeeperError && e.err === Code.NONODE) return null;
      throw e;
    }
  }

  getData(path: string, watch: boolean): Promise<{ data: Buffer | null; stat: Stat }> {
    const body = encode(P.GetDataRequest, { path: this.toServer(path), watch });
    return this.call(Op.getData, body, path, (r) => P.GetDataResponse.decode(r), this.registrar(watch, 'data', path));
  }

  setData(path: string, data: Buffer | null, version: number): Promise<Stat> {
    const body = encode(P.SetDataRequest, { path: this.toServer(path), data, version });
    return this.call(Op.setData, body, path, (r) => P.SetDataResponse.decode(r).stat);
  }

  getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    return this.call(Op.getACL, encode(P.GetACLRequest, { path: this.toServer(path) }), path, (r) => P.GetACLResponse.decode(r));
  }

  setACL(path: string, acl: ACL[], version: number): Promise<Stat> {
    const body = encode(P.SetACLRequest, { path: this.toServer(path), acl, version });
    return this.call(Op.setACL, body, path, (r) => P.SetACLResponse.decode(r).stat);
  }

  getChildren(path: string, watch: boolean): Promise<string[]> {
    const body = encode(P.GetChildrenRequest, { path: this.toServer(path), watch });
    const decode = (r: ByteReader): string[] => P.GetChildrenResponse.decode(r).children;
    return this.call(Op.getChildren, body, path, decode, this.registrar(watch, 'child', path));
  }

  getChildren2(path: string, watch: boolean): Promise<{ children: string[]; stat: Stat }> {
    const body = encode(P.GetChildren2Request, { path: this.toServer(path), watch });
    return this.call(Op.getChildren2, body, path, (r) => P.GetChildren2Response.decode(r), this.registrar(watch, 'child', path));
  }

  private registrar(watch: boolean, kind: 'data' | 'child', path: string): (err: number) => void {
    return (err) => {
      if (watch && err === 0) this.watches.add(kind, path);
    };
  }

  sync(path: string): Promise<void> {
    return this.call(Op.sync, encode(P.SyncRequest, { path: this.toServer(path) }), path, () => undefined);
  }

  getEphemerals(prefixPath: string): Promise<string[]> {
    const body = encode(P.GetEphemeralsRequest, { prefixPath: this.toServer(prefixPath) });
    const decode = (r: ByteReader): string[] => P.GetEphemeralsResponse.decode(r).ephemerals.map((p) => this.toClient(p));
    return this.call(Op.getEphemerals, body, undefined, decode);
  }

  getAllChildrenNumber(path: string): Promise<number> {
    const body = encode(P.GetAllChildrenNumberRequest, { path: this.toServer(path) });
    return this.call(Op.getAllChildrenNumber, body, path, (r) => P.GetAllChildrenNumberResponse.decode(r).totalNumber);
  }

  addWatch(path: string, recursive: boolean): Promise<void> {
    const body = encode(P.AddWatchRequest, { path: this.toServer(path), mode: recursive ? 1 : 0 });
    return this.call(Op.addWatch, body, path, () => undefined, (err) => {
      if (err === 0) this.watches.add(recursive ? 'persistentRecursive' : 'persistent', path);
    });
  }

  /**
   * removeAllWatches(path, type, local): asks the server, then removes the local record and delivers
   * the watch-removed events. With `local`, a failure to reach the server still removes locally.
   */
  async removeWatches(path: string, type: WatcherType, local: boolean): Promise<void> {
    let err: number = Code.CONNECTIONLOSS;
    if (!local || this.handshakeDone) {
      const body = encode(P.RemoveWatchesRequest, { path: this.toServer(path), type });
      err = await this.call(Op.removeWatches, body, path, () => 0).catch((e: unknown) => {
        if (e instanceof KeeperError) return e.err;
        throw e;
      });
    }
    if (!this.watches.contains(path, type)) throw new KeeperError(Code.NOWATCHER, path);
    if (err !== 0 && !local) throw new KeeperError(err, path);
    const events = this.watches.remove(path, type);
    if (events.length === 0) throw new KeeperError(Code.NOWATCHER, path);
    const state: KeeperStateName = err === Code.CONNECTIONLOSS || err === Code.SESSIONEXPIRED ? 'Disconnected' : 'SyncConnected';
    for (const type of events) this.emit({ state, type, path });
  }

  whoAmI(): Promise<{ authScheme: string; user: string }[]> {
    return this.call(Op.whoAmI, Buffer.alloc(0), undefined, (r) => P.WhoAmIResponse.decode(r).clientInfo);
  }

  /** Sends auth now if connected and again after every reconnect; a failure arrives as an AuthFailed event. */
  addAuthInfo(scheme: string, auth: Buffer | null): void {
    this.authInfo.push({ scheme, auth });
    if (this.handshakeDone) this.socket!.write(frame(Xid.auth, Op.auth, encode(P.AuthPacket, { type: 0, scheme, auth })));
  }

  /** Deletes in one multi; resolves with the first failing op's error code, or 0. */
  multiDelete(paths: readonly string[]): Promise<number> {
    const w = new ByteWriter();
    for (const path of paths) {
      P.MultiHeader.encode(w, { type: Op.delete, done: false, err: -1 });
      P.DeleteRequest.encode(w, { path: this.toServer(path), version: -1 });
    }
    P.MultiHeader.encode(w, { type: -1, done: true, err: -1 });
    const firstError = (r: ByteReader): number => {
      for (;;) {
        const h = P.MultiHeader.decode(r);
        if (h.done) return 0;
        if (h.type === Op.error) {
          const e = P.ErrorResponse.decode(r).err;
          if (e !== 0) return e;
        }
      }
    };
    return this.call(Op.multi, w.toBuffer(), undefined, firstError).catch((e: unknown) => {
      if (e instanceof KeeperError) return e.err;
      throw e;
    });
  }

  /** Closes the session (closeSession, then the socket); a Closed event follows when it was alive. */
  async close(): Promise<void> {
    if (!this.isAlive) return;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.handshakeDone && this.socket !== null) {
      const socket = this.socket;
      const gone = new Promise<void>((resolve) => {
        this.closeWaiter = resolve;
        setTimeout(resolve, CLOSE_REPLY_WAIT_MS).unref();
      });
      this.call(Op.closeSession, Buffer.alloc(0), undefined, () => undefined).then(
        () => socket.end(),
        () => socket.destroy(),
      );
      await gone;
      socket.destroy();
    }
    this.state = 'CLOSED';
    this.closeWaiter = null;
    this.failAll(Code.SESSIONEXPIRED);
    this.destroySocket();
    this.emit({ state: 'Closed', type: EventType.None, path: null });
  }

  /** Drops the connection without closing the session (zkCli's one-shot exit): ephemerals stay until it expires. */
  destroy(): void {
    this.state = 'CLOSED';
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.destroySocket();
  }

  private destroySocket(): void {
    this.stopPings();
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
  }

  /** True once a session was established (the first SyncConnected has been emitted). */
  get hasConnected(): boolean {
    return this.everConnected;
  }
}
