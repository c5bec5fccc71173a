// Messages between ensemble members, as one discriminated union, and their wire bytes as Apache
// ZooKeeper 3.8 writes them, so a member of ours and a Java member can talk to each other.
// Pure: no sockets here; transports frame these bytes. Never interpret a txn's bytes here.
//
// Election port (FastLeaderElection.buildMsg, version 2), each message framed by an int length:
//   int state (0 LOOKING, 1 FOLLOWING, 2 LEADING, 3 OBSERVING), long leader (proposed sid),
//   long zxid (proposed zxid), long electionEpoch (sender's round), long peerEpoch (proposed
//   leader's epoch), int version (2), int configLength, config bytes.
//   Receivers also accept the legacy 28-byte form (no peerEpoch: taken from the zxid) and the
//   40-byte form (peerEpoch, then 4 bytes that are not read).
//   Before the first message the connecting side sends the handshake: long protocolVersion
//   (-65536), long sid, int length, "host:port".
// Quorum port: one jute QuorumPacket{int type, long zxid, buffer data, vector<Id> authinfo} per
//   packet, no length prefix. Leader and learners write data and authinfo as null (-1) where
//   upstream does. A SNAP packet is followed by the serialized database (int sessionCount,
//   (long id, int timeout)*, ACL cache, nodes up to the path "/") and the ustring "BenWasHere".

import { ByteReader, ByteWriter, CodecError, jute } from '../../../../shared/src';
import { ACL, Id, StatPersisted } from '../../protocol/records/data';
import { LearnerInfo, QuorumPacket } from '../../protocol/records/quorum';

/** Quorum packet types (Leader.java constants). */
export const PacketType = {
  REQUEST: 1,
  PROPOSAL: 2,
  ACK: 3,
  COMMIT: 4,
  PING: 5,
  REVALIDATE: 6,
  SYNC: 7,
  INFORM: 8,
  COMMITANDACTIVATE: 9,
  NEWLEADER: 10,
  FOLLOWERINFO: 11,
  UPTODATE: 12,
  DIFF: 13,
  TRUNC: 14,
  SNAP: 15,
  OBSERVERINFO: 16,
  LEADERINFO: 17,
  ACKEPOCH: 18,
  INFORMANDACTIVATE: 19,
} as const;
export type PacketTypeName = keyof typeof PacketType;
const PACKET_NAME_BY_CODE = new Map<number, PacketTypeName>(
  Object.entries(PacketType).map(([name, code]) => [code, name as PacketTypeName]),
);

/** QuorumPeer.ServerState, in the election notification's `state` field. */
export const PeerState = { LOOKING: 0, FOLLOWING: 1, LEADING: 2, OBSERVING: 3 } as const;
export type PeerStateName = keyof typeof PeerState;
const STATE_NAME_BY_CODE: readonly PeerStateName[] = ['LOOKING', 'FOLLOWING', 'LEADING', 'OBSERVING'];

/** Notification.CURRENTVERSION. */
export const NOTIFICATION_VERSION = 2;
/** The ZAB protocol version in LEADERINFO and LearnerInfo (0x10000, "ZAB 1.0"). */
export const ZAB_PROTOCOL_VERSION = 0x10000;
/** QuorumCnxManager.PROTOCOL_VERSION_V1: first long of an election connection. */
export const ELECTION_PROTOCOL_VERSION = -65536n;
/** The string after a SNAP's serialized database. */
export const SNAP_SIGNATURE = 'BenWasHere';
/** The sid an observer votes for (upstream Long.MIN_VALUE): it never wins. */
export const NO_SID = -1;
/** zxid of packets that carry none (UPTODATE, REQUEST). */
export const NO_ZXID = -1n;

/** Largest election message body (QuorumCnxManager's 512 KiB packet limit). */
export const ELECTION_MESSAGE_BYTES_MAX = 512 * 1024;
/** Largest host:port list in the election handshake (QuorumCnxManager.maxBuffer is 2048). */
export const ELECTION_ADDRESS_BYTES_MAX = 2048;
/** Shortest notification a receiver accepts (the pre-epoch 28-byte form). */
const NOTIFICATION_BYTES_MIN = 28;
const NOTIFICATION_BYTES_LEGACY = 40;
const LONG_MIN = -(2n ** 63n);

export interface Notification {
  readonly type: 'NOTIFICATION';
  readonly state: PeerStateName;
  /** Proposed leader, NO_SID for an observer's own vote. */
  readonly leader: number;
  readonly zxid: bigint;
  /** The sender's election round (logicalclock). */
  readonly electionEpoch: number;
  /** The proposed leader's epoch, -1 for NO_SID. */
  readonly peerEpoch: number;
  readonly version: number;
  /** The sender's view of the ensemble (`server.N=...` lines, `version=0`), opaque here. */
  readonly config: Buffer;
}

interface Packet<T extends PacketTypeName> {
  readonly type: T;
  readonly zxid: bigint;
}

/** Packets the consensus core does not interpret; their payload is kept as written. */
export type OpaquePacketName = 'REQUEST' | 'REVALIDATE' | 'SYNC' | 'COMMITANDACTIVATE' | 'INFORMANDACTIVATE';

/** A packet the core carries without interpreting: client traffic and reconfiguration. */
export type OpaqueMessage = Packet<OpaquePacketName> & { readonly data: Buffer | null; readonly authinfo: readonly Id[] };

export type QuorumMessage =
  | (Packet<'PROPOSAL' | 'INFORM'> & { readonly txn: Buffer })
  | Packet<'ACK' | 'COMMIT' | 'UPTODATE' | 'DIFF' | 'TRUNC'>
  | (Packet<'SNAP'> & { readonly snapshot: Buffer })
  | (Packet<'PING'> & { readonly data: Buffer | null })
  | (Packet<'NEWLEADER'> & { readonly config: Buffer | null })
  | (Packet<'FOLLOWERINFO' | 'OBSERVERINFO'> & { readonly info: LearnerInfo })
  | (Packet<'LEADERINFO'> & { readonly protocolVersion: number })
  | (Packet<'ACKEPOCH'> & { readonly currentEpoch: number })
  | OpaqueMessage;

export type PeerMessage = Notification | QuorumMessage;

export type Channel = 'election' | 'quorum';

export function channelOf(message: PeerMessage): Channel {
  return message.type === 'NOTIFICATION' ? 'election' : 'quorum';
}

// ---- numbers that may be upstream's Long.MIN_VALUE ----

function sidToWire(sid: number): bigint {
  return sid < 0 ? LONG_MIN : BigInt(sid);
}

function sidFromWire(v: bigint, at: number): number {
  if (v < 0n) return NO_SID;
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CodecError(`id ${v} out of range`, at);
  return Number(v);
}

// ---- election notifications ----

export function encodeNotification(n: Notification): Buffer {
  const w = new ByteWriter(44 + n.config.length);
  w.int32(PeerState[n.state]);
  w.int64(sidToWire(n.leader));
  w.int64(n.zxid);
  w.int64(BigInt(n.electionEpoch));
  w.int64(sidToWire(n.peerEpoch));
  w.int32(n.version);
  w.int32(n.config.length);
  w.bytes(n.config);
  return w.toBuffer();
}

/** Decodes a notification body (without the election channel's length prefix). */
export function decodeNotification(body: Buffer): Notification {
  if (body.length < NOTIFICATION_BYTES_MIN) throw new CodecError(`notification of ${body.length} bytes`, 0);
  if (body.length > ELECTION_MESSAGE_BYTES_MAX) throw new CodecError(`notification of ${body.length} bytes`, 0);
  const r = new ByteReader(body);
  const stateCode = r.int32();
  const state = STATE_NAME_BY_CODE[stateCode];
  if (state === undefined) throw new CodecError(`unknown peer state ${stateCode}`, 0);
  const leader = sidFromWire(r.int64(), 4);
  const zxid = r.int64();
  const electionEpoch = sidFromWire(r.int64(), 20);
  let peerEpoch: number;
  let version = 0;
  let config = Buffer.alloc(0);
  if (body.length === NOTIFICATION_BYTES_MIN) {
    peerEpoch = zxid < 0n ? -1 : Number(zxid >> 32n);
  } else {
    peerEpoch = sidFromWire(r.int64(), 28);
    if (body.length !== NOTIFICATION_BYTES_LEGACY) version = r.int32();
    if (version > 1) {
      const at = r.offset;
      const length = r.int32();
      if (length < 0 || length > r.remaining) throw new CodecError(`config length ${length}`, at);
      config = Buffer.from(r.bytes(length));
    }
  }
  return { type: 'NOTIFICATION', state, leader, zxid, electionEpoch, peerEpoch, version, config };
}

// ---- election connection handshake ----

export interface ElectionHandshake {
  readonly sid: number;
  /** `host:port` of the sender's election address (several joined by `|` in protocol V2). */
  readonly address: string;
}

export function encodeElectionHandshake(h: ElectionHandshake): Buffer {
  const w = new ByteWriter(20 + h.address.length);
  w.int64(ELECTION_PROTOCOL_VERSION);
  w.int64(BigInt(h.sid));
  const at = w.reserve(4);
  const start = w.offset;
  w.utf8(h.address);
  w.patchInt32(at, w.offset - start);
  return w.toBuffer();
}

/** Reads the handshake; a non-negative first long is a legacy peer's bare sid. */
export function decodeElectionHandshake(r: ByteReader): ElectionHandshake {
  const first = r.int64();
  if (first >= 0n) return { sid: sidFromWire(first, 0), address: '' };
  if (first !== ELECTION_PROTOCOL_VERSION && first !== ELECTION_PROTOCOL_VERSION + 1n) {
    throw new CodecError(`unknown election protocol version ${first}`, 0);
  }
  const sid = sidFromWire(r.int64(), 8);
  const at = r.offset;
  const length = r.int32();
  if (length < 0 || length > ELECTION_ADDRESS_BYTES_MAX) throw new CodecError(`address length ${length}`, at);
  return { sid, address: r.utf8(length) };
}

// ---- quorum packets ----

function intBytes(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v, 0);
  return b;
}

/** The data field each packet type carries, as upstream fills it (null where it writes null). */
function dataOf(m: QuorumMessage): Buffer | null {
  switch (m.type) {
    case 'PROPOSAL':
    case 'INFORM':
      return m.txn;
    case 'ACK':
    case 'COMMIT':
    case 'UPTODATE':
    case 'DIFF':
    case 'TRUNC':
    case 'SNAP':
      return null;
    case 'PING':
    case 'REQUEST':
    case 'REVALIDATE':
    case 'SYNC':
    case 'COMMITANDACTIVATE':
    case 'INFORMANDACTIVATE':
      return m.data;
    case 'NEWLEADER':
      return m.config;
    case 'FOLLOWERINFO':
    case 'OBSERVERINFO':
      return LearnerInfo.toBytes(m.info);
    case 'LEADERINFO':
      return intBytes(m.protocolVersion);
    case 'ACKEPOCH':
      return intBytes(m.currentEpoch);
  }
}

/** Encodes one packet as it goes on the quorum connection (with the SNAP body after it). */
export function encodeQuorumMessage(m: QuorumMessage): Buffer {
  const data = dataOf(m);
  const w = new ByteWriter(32 + (data?.length ?? 0) + (m.type === 'SNAP' ? m.snapshot.length + 16 : 0));
  w.int32(PacketType[m.type]);
  w.int64(m.zxid);
  jute.buffer.encode(w, data);
  // upstream sends authinfo only with forwarded requests; elsewhere the list is null
  if (m.type === 'REQUEST') jute.vector(Id).encode(w, [...m.authinfo]);
  else w.int32(-1);
  if (m.type === 'SNAP') {
    w.bytes(m.snapshot);
    jute.ustring.encode(w, SNAP_SIGNATURE);
  }
  return w.toBuffer();
}

function needData(data: Buffer | null, bytes: number, what: string, at: number): Buffer {
  if (data === null || data.length < bytes) throw new CodecError(`${what} without its ${bytes}-byte data`, at);
  return data;
}

function copyOrNull(b: Buffer | null): Buffer | null {
  return b === null ? null : Buffer.from(b);
}

/** Decodes one packet from a quorum stream, consuming a SNAP's database and signature too. */
export function decodeQuorumMessage(r: ByteReader): QuorumMessage {
  const at = r.offset;
  const p = QuorumPacket.decode(r);
  const type = PACKET_NAME_BY_CODE.get(p.type);
  if (type === undefined) throw new CodecError(`unknown quorum packet type ${p.type}`, at);
  const zxid = p.zxid;
  switch (type) {
    case 'PROPOSAL':
    case 'INFORM':
      return { type, zxid, txn: Buffer.from(needData(p.data, 0, type, at)) };
    case 'ACK':
    case 'COMMIT':
    case 'UPTODATE':
    case 'DIFF':
    case 'TRUNC':
      return { type, zxid };
    case 'SNAP': {
      const start = r.offset;
      skipSerializedDatabase(r);
      const snapshot = Buffer.from(r.buf.subarray(start, r.offset));
      const signature = jute.ustring.decode(r);
      if (signature !== SNAP_SIGNATURE) throw new CodecError(`SNAP signature "${signature}"`, r.offset);
      return { type, zxid, snapshot };
    }
    case 'PING':
      return { type, zxid, data: copyOrNull(p.data) };
    case 'NEWLEADER':
      return { type, zxid, config: copyOrNull(p.data) };
    case 'FOLLOWERINFO':
    case 'OBSERVERINFO':
      // learners before ZAB 1.0 sent no LearnerInfo; the core needs the sid it carries
      return { type, zxid, info: LearnerInfo.decode(new ByteReader(needData(p.data, 12, type, at))) };
    case 'LEADERINFO':
      return { type, zxid, protocolVersion: needData(p.data, 4, type, at).readInt32BE(0) };
    case 'ACKEPOCH':
      return { type, zxid, currentEpoch: needData(p.data, 4, type, at).readInt32BE(0) };
    case 'REQUEST':
    case 'REVALIDATE':
    case 'SYNC':
    case 'COMMITANDACTIVATE':
    case 'INFORMANDACTIVATE':
      return { type, zxid, data: copyOrNull(p.data), authinfo: p.authinfo };
  }
}

/**
 * Walks over a serialized database (SerializeUtils.serializeSnapshot: sessions, ACL cache, nodes,
 * end path "/") without building it, so a stream reader knows where a SNAP ends.
 */
export function skipSerializedDatabase(r: ByteReader): void {
  const sessionsAt = r.offset;
  const sessions = r.int32();
  if (sessions < 0 || sessions * 12 > r.remaining) throw new CodecError(`session count ${sessions}`, sessionsAt);
  r.bytes(sessions * 12);
  const aclsAt = r.offset;
  const acls = r.int32();
  if (acls < 0 || acls * 12 > r.remaining) throw new CodecError(`ACL cache count ${acls}`, aclsAt);
  const aclVector = jute.vector(ACL);
  for (let i = 0; i < acls; i++) {
    r.int64();
    aclVector.decode(r);
  }
  for (;;) {
    const path = jute.ustring.decode(r);
    if (path === '/') return;
    jute.buffer.decode(r);
    r.int64();
    StatPersisted.decode(r);
  }
}

// ---- both channels ----

export function encodePeerMessage(m: PeerMessage): Buffer {
  return m.type === 'NOTIFICATION' ? encodeNotification(m) : encodeQuorumMessage(m);
}

/** Decodes one whole message of `channel` (a quorum packet must fill `bytes` exactly). */
export function decodePeerMessage(channel: Channel, bytes: Buffer): PeerMessage {
  if (channel === 'election') return decodeNotification(bytes);
  const r = new ByteReader(bytes);
  const m = decodeQuorumMessage(r);
  if (r.remaining !== 0) throw new CodecError(`${r.remaining} bytes after ${m.type}`, r.offset);
  return m;
}

/** One line for logs and traces: type, zxid in hex and the fields that matter. */
export function describeMessage(m: PeerMessage): string {
  const hex = (z: bigint): string => (z < 0n ? String(z) : `0x${z.toString(16)}`);
  switch (m.type) {
    case 'NOTIFICATION':
      return `NOTIFICATION ${m.state} leader=${m.leader} zxid=${hex(m.zxid)} round=${m.electionEpoch} peerEpoch=${m.peerEpoch}`;
    case 'FOLLOWERINFO':
    case 'OBSERVERINFO':
      return `${m.type} acceptedEpoch=${Number(m.zxid >> 32n)}`;
    case 'LEADERINFO':
      return `LEADERINFO epoch=${Number(m.zxid >> 32n)}`;
    case 'ACKEPOCH':
      return `ACKEPOCH lastZxid=${hex(m.zxid)} currentEpoch=${m.currentEpoch}`;
    case 'SNAP':
      return `SNAP ${hex(m.zxid)} (${m.snapshot.length} bytes)`;
    case 'UPTODATE':
      return 'UPTODATE';
    default:
      return `${m.type} ${hex(m.zxid)}`;
  }
}
