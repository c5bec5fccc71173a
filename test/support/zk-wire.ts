// The ZooKeeper client protocol as test code sees it: op codes, special xids, error names, which
// jute record each op's request and reply body is, the multi (op 14/22) bodies that Java writes by
// hand, and a decoder that follows one connection's frames in both directions (connect first,
// then headers; replies are matched to requests by xid). Used by the raw client, the frame
// recorder's labels and the golden-bytes test. Declared here for tests; it must stay in step with
// zookeeper-server's ZooDefs.OpCode, KeeperException.Code and MultiOperationRecord/MultiResponse.

import { ByteReader, ByteWriter, CodecError, jute } from '../../shared/src';
import * as proto from '../../zk-server/src/protocol/records/proto';

type Codec<T> = jute.Codec<T>;

/**
 * The value type a codec reads and writes. (The records' exported type aliases, built from
 * `typeof X.fields`, widen to an index type, so tests take the type from the codec instead.)
 */
export type ValueOf<C> = C extends jute.Codec<infer T> ? T : never;
export type MultiHeader = ValueOf<typeof proto.MultiHeader>;

export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;

export const Xid = { notification: -1, ping: -2, auth: -4, setWatches: -8 } as const;

export const ErrorCode = {
  OK: 0,
  SystemError: -1,
  RuntimeInconsistency: -2,
  DataInconsistency: -3,
  ConnectionLoss: -4,
  MarshallingError: -5,
  Unimplemented: -6,
  OperationTimeout: -7,
  BadArguments: -8,
  UnknownSession: -12,
  NewConfigNoQuorum: -13,
  ReconfigInProgress: -14,
  APIError: -100,
  NoNode: -101,
  NoAuth: -102,
  BadVersion: -103,
  NoChildrenForEphemerals: -108,
  NodeExists: -110,
  NotEmpty: -111,
  SessionExpired: -112,
  InvalidCallback: -113,
  InvalidACL: -114,
  AuthFailed: -115,
  SessionMoved: -118,
  NotReadOnly: -119,
  EphemeralOnLocalSession: -120,
  NoWatcher: -121,
  RequestTimeout: -122,
  ReconfigDisabled: -123,
  SessionClosedRequireSaslAuth: -124,
  QuotaExceeded: -125,
  ThrottledOp: -127,
} as const;

export const CreateFlags = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;

export const Perms = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

export function opName(op: number): string {
  return Object.entries(OpCode).find(([, v]) => v === op)?.[0] ?? `op${op}`;
}

export function errorName(err: number): string {
  return Object.entries(ErrorCode).find(([, v]) => v === err)?.[0] ?? `err${err}`;
}

/** A body that is empty on the wire. */
export const empty: Codec<null> = {
  kind: 'empty',
  encode: () => undefined,
  decode: () => null,
  sizeOf: () => 0,
};

/** deleteContainer's body: the path as raw UTF-8, no length prefix, up to the end of the frame. */
export const rawPath: Codec<string> = {
  kind: 'rawPath',
  encode: (w, v) => void w.utf8(v),
  decode: (r) => r.utf8(r.remaining),
  sizeOf: (v) => Buffer.byteLength(v),
};

// ---- multi (MultiOperationRecord / MultiResponse) ----

export interface MultiRequestOp {
  /** MultiHeader fields as sent (clients send done=false, err=-1). */
  header: MultiHeader;
  body: unknown;
}
export interface MultiRequest {
  ops: MultiRequestOp[];
  /** The terminating MultiHeader as sent (clients send type -1, done true, err -1). */
  end: MultiHeader;
}
export interface MultiResult {
  header: MultiHeader;
  body: unknown;
}
export interface MultiResponse {
  results: MultiResult[];
  end: MultiHeader;
}

const MULTI_OPS_MAX = 100_000;

function multiRequestBody(type: number): Codec<any> {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return proto.CreateRequest;
    case OpCode.createTTL:
      return proto.CreateTTLRequest;
    case OpCode.delete:
      return proto.DeleteRequest;
    case OpCode.setData:
      return proto.SetDataRequest;
    case OpCode.check:
      return proto.CheckVersionRequest;
    case OpCode.getData:
      return proto.GetDataRequest;
    case OpCode.getChildren:
      return proto.GetChildrenRequest;
    default:
      throw new CodecError(`op type ${type} cannot appear in a multi request`, 0);
  }
}

function multiResultBody(type: number): Codec<any> {
  switch (type) {
    case OpCode.create:
      return proto.CreateResponse;
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return proto.Create2Response;
    case OpCode.delete:
    case OpCode.check:
      return empty;
    case OpCode.setData:
      return proto.SetDataResponse;
    case OpCode.getData:
      return proto.GetDataResponse;
    case OpCode.getChildren:
      return proto.GetChildrenResponse;
    case OpCode.error:
      return proto.ErrorResponse;
    default:
      throw new CodecError(`op type ${type} cannot appear in a multi response`, 0);
  }
}

function multiCodec<Item extends { header: MultiHeader; body: unknown }, Whole>(
  kind: string,
  bodyOf: (type: number) => Codec<any>,
  make: (items: Item[], end: MultiHeader) => Whole,
  split: (whole: Whole) => { items: Item[]; end: MultiHeader },
): Codec<Whole> {
  return {
    kind,
    encode(w, v) {
      const { items, end } = split(v);
      for (const item of items) {
        proto.MultiHeader.encode(w, item.header);
        bodyOf(item.header.type).encode(w, item.body);
      }
      proto.MultiHeader.encode(w, end);
    },
    decode(r) {
      const items: Item[] = [];
      for (let i = 0; i < MULTI_OPS_MAX; i++) {
        const header = proto.MultiHeader.decode(r);
        if (header.done) return make(items, header);
        items.push({ header, body: bodyOf(header.type).decode(r) } as unknown as Item);
      }
      throw new CodecError(`more than ${MULTI_OPS_MAX} ops in a multi`, r.offset);
    },
    sizeOf(v) {
      const { items, end } = split(v);
      let size = proto.MultiHeader.sizeOf(end);
      for (const item of items) size += proto.MultiHeader.sizeOf(item.header) + bodyOf(item.header.type).sizeOf(item.body);
      return size;
    },
  };
}

export const MultiRequestCodec = multiCodec<MultiRequestOp, MultiRequest>(
  'MultiOperationRecord',
  multiRequestBody,
  (ops, end) => ({ ops, end }),
  (v) => ({ items: v.ops, end: v.end }),
);

export const MultiResponseCodec = multiCodec<MultiResult, MultiResponse>(
  'MultiResponse',
  multiResultBody,
  (results, end) => ({ results, end }),
  (v) => ({ items: v.results, end: v.end }),
);

export const MULTI_END: MultiHeader = { type: -1, done: true, err: -1 };

/** A multi request as clients build it: each op with header (type, false, -1), then the terminator. */
export function multiRequest(ops: { type: number; body: unknown }[]): MultiRequest {
  return { ops: ops.map((o) => ({ header: { type: o.type, done: false, err: -1 }, body: o.body })), end: MULTI_END };
}

// ---- per-op bodies ----

export interface OpBodies {
  request: Codec<any>;
  response: Codec<any>;
}

const OP_BODIES: ReadonlyMap<number, OpBodies> = new Map<number, OpBodies>([
  [OpCode.create, { request: proto.CreateRequest, response: proto.CreateResponse }],
  [OpCode.delete, { request: proto.DeleteRequest, response: empty }],
  [OpCode.exists, { request: proto.ExistsRequest, response: proto.ExistsResponse }],
  [OpCode.getData, { request: proto.GetDataRequest, response: proto.GetDataResponse }],
  [OpCode.setData, { request: proto.SetDataRequest, response: proto.SetDataResponse }],
  [OpCode.getACL, { request: proto.GetACLRequest, response: proto.GetACLResponse }],
  [OpCode.setACL, { request: proto.SetACLRequest, response: proto.SetACLResponse }],
  [OpCode.getChildren, { request: proto.GetChildrenRequest, response: proto.GetChildrenResponse }],
  [OpCode.sync, { request: proto.SyncRequest, response: proto.SyncResponse }],
  [OpCode.ping, { request: empty, response: empty }],
  [OpCode.getChildren2, { request: proto.GetChildren2Request, response: proto.GetChildren2Response }],
  [OpCode.check, { request: proto.CheckVersionRequest, response: empty }],
  [OpCode.multi, { request: MultiRequestCodec, response: MultiResponseCodec }],
  [OpCode.create2, { request: proto.CreateRequest, response: proto.Create2Response }],
  [OpCode.reconfig, { request: proto.ReconfigRequest, response: proto.GetDataResponse }],
  [OpCode.checkWatches, { request: proto.CheckWatchesRequest, response: empty }],
  [OpCode.removeWatches, { request: proto.RemoveWatchesRequest, response: empty }],
  [OpCode.createContainer, { request: proto.CreateRequest, response: proto.Create2Response }],
  [OpCode.deleteContainer, { request: rawPath, response: empty }],
  [OpCode.createTTL, { request: proto.CreateTTLRequest, response: proto.Create2Response }],
  [OpCode.multiRead, { request: MultiRequestCodec, response: MultiResponseCodec }],
  [OpCode.auth, { request: proto.AuthPacket, response: empty }],
  [OpCode.setWatches, { request: proto.SetWatches, response: empty }],
  [OpCode.sasl, { request: proto.GetSASLRequest, response: proto.SetSASLResponse }],
  [OpCode.getEphemerals, { request: proto.GetEphemeralsRequest, response: proto.GetEphemeralsResponse }],
  [OpCode.getAllChildrenNumber, { request: proto.GetAllChildrenNumberRequest, response: proto.GetAllChildrenNumberResponse }],
  [OpCode.setWatches2, { request: proto.SetWatches2, response: empty }],
  [OpCode.addWatch, { request: proto.AddWatchRequest, response: proto.ErrorResponse }],
  [OpCode.whoAmI, { request: empty, response: proto.WhoAmIResponse }],
  [OpCode.closeSession, { request: empty, response: empty }],
]);

export function opBodies(op: number): OpBodies | undefined {
  return OP_BODIES.get(op);
}

/** Encodes a RequestHeader and body into a frame payload (no length prefix). */
export function encodeRequest(xid: number, op: number, body: unknown): Buffer {
  const w = new ByteWriter();
  proto.RequestHeader.encode(w, { xid, type: op });
  if (Buffer.isBuffer(body)) {
    w.bytes(body);
  } else {
    const codec = opBodies(op)?.request;
    if (codec === undefined) throw new Error(`no request record known for op ${op}; pass the body as a Buffer`);
    codec.encode(w, body);
  }
  return w.toBuffer();
}

/** Prefixes a payload with its int32 length, as every frame on the wire is. */
export function frame(payload: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(payload.length, 0);
  return Buffer.concat([prefix, payload]);
}

// ---- decoding a whole conversation ----

export type Direction = 'c2s' | 's2c';

/** One record of a decoded frame, in wire order; re-encoding all parts must give the frame back. */
export interface FramePart {
  codec: Codec<any>;
  value: unknown;
}

export interface DecodedFrame {
  dir: Direction;
  /** e.g. "ConnectRequest", "request create", "reply create", "reply create NodeExists", "event". */
  label: string;
  parts: FramePart[];
  /** For requests and replies: the op (for replies, of the matching request). */
  op?: number;
  xid?: number;
  err?: number;
}

export function reencode(d: DecodedFrame): Buffer {
  const w = new ByteWriter();
  for (const p of d.parts) p.codec.encode(w, p.value);
  return w.toBuffer();
}

function decodeAll(payload: Buffer, parts: [Codec<any>, string][]): FramePart[] {
  const r = new ByteReader(payload);
  const out = parts.map(([codec]) => ({ codec, value: codec.decode(r) }));
  if (r.remaining !== 0) {
    throw new CodecError(`${r.remaining} bytes left after ${parts.map(([, n]) => n).join(' + ')}`, r.offset);
  }
  return out;
}

/**
 * Follows one client connection: the first client frame is a ConnectRequest and the first server
 * frame a ConnectResponse; after that, requests carry a RequestHeader and replies a ReplyHeader
 * whose xid names the request (xid -1 = watch event). Throws CodecError on anything that does not
 * decode exactly.
 */
export class ConversationDecoder {
  private clientFrames = 0;
  private serverFrames = 0;
  private readonly pending = new Map<number, number[]>();

  decode(dir: Direction, payload: Buffer): DecodedFrame {
    return dir === 'c2s' ? this.clientFrame(payload) : this.serverFrame(payload);
  }

  private clientFrame(payload: Buffer): DecodedFrame {
    if (this.clientFrames++ === 0) {
      return { dir: 'c2s', label: 'ConnectRequest', parts: decodeAll(payload, [[proto.ConnectRequest, 'ConnectRequest']]) };
    }
    const header = proto.RequestHeader.decode(new ByteReader(payload));
    const bodies = opBodies(header.type);
    if (bodies === undefined) throw new CodecError(`unknown op ${header.type} in request xid ${header.xid}`, 4);
    const queue = this.pending.get(header.xid) ?? [];
    queue.push(header.type);
    this.pending.set(header.xid, queue);
    const parts = decodeAll(payload, [
      [proto.RequestHeader, 'RequestHeader'],
      [bodies.request, `${opName(header.type)} request`],
    ]);
    return { dir: 'c2s', label: `request ${opName(header.type)}`, parts, op: header.type, xid: header.xid };
  }

  private serverFrame(payload: Buffer): DecodedFrame {
    if (this.serverFrames++ === 0) {
      return { dir: 's2c', label: 'ConnectResponse', parts: decodeAll(payload, [[proto.ConnectResponse, 'ConnectResponse']]) };
    }
    const header = proto.ReplyHeader.decode(new ByteReader(payload));
    if (header.xid === Xid.notification) {
      const parts = decodeAll(payload, [
        [proto.ReplyHeader, 'ReplyHeader'],
        [proto.WatcherEvent, 'WatcherEvent'],
      ]);
      return { dir: 's2c', label: 'event', parts, xid: header.xid, err: header.err };
    }
    const op = this.pending.get(header.xid)?.shift();
    if (op === undefined) throw new CodecError(`reply xid ${header.xid} matches no request`, 0);
    // Replies carry a body only when err is 0; addWatch always carries its ErrorResponse.
    const body = header.err === 0 || op === OpCode.addWatch ? opBodies(op)!.response : empty;
    const parts = decodeAll(payload, [
      [proto.ReplyHeader, 'ReplyHeader'],
      [body, `${opName(op)} reply`],
    ]);
    const suffix = header.err === 0 ? '' : ` ${errorName(header.err)}`;
    return { dir: 's2c', label: `reply ${opName(op)}${suffix}`, parts, op, xid: header.xid, err: header.err };
  }
}
