// Wire bytes of peer messages, laid out as docs/zookeeper.md section 4 describes Apache
// ZooKeeper 3.8's (FastLeaderElection.buildMsg, QuorumCnxManager's handshake, QuorumPacket).

import { ByteReader, ByteWriter, CodecError, jute } from '../../../../shared/src';
import {
  decodeElectionHandshake,
  decodeNotification,
  decodePeerMessage,
  decodeQuorumMessage,
  encodeElectionHandshake,
  encodeNotification,
  encodePeerMessage,
  encodeQuorumMessage,
  Notification,
  NO_SID,
  QuorumMessage,
} from '../../../../zk-server/src/quorum/core/messages';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('election channel', () => {
  it('writes the connection handshake as upstream (protocol V1, sid, host:port)', () => {
    const bytes = encodeElectionHandshake({ sid: 9, address: '127.0.0.1:40099' });
    expect(bytes).toEqual(Buffer.concat([hex('ffffffffffff0000 0000000000000009 0000000f'), Buffer.from('127.0.0.1:40099')]));
    expect(decodeElectionHandshake(new ByteReader(bytes))).toEqual({ sid: 9, address: '127.0.0.1:40099' });
  });

  it('reads a legacy handshake that is only the sid', () => {
    expect(decodeElectionHandshake(new ByteReader(hex('0000000000000004')))).toEqual({ sid: 4, address: '' });
  });

  const config = Buffer.from('server.1=127.0.0.1:2888:3888:participant\nversion=0');
  const follower: Notification = {
    type: 'NOTIFICATION',
    state: 'FOLLOWING',
    leader: 3,
    zxid: 0x100000008n,
    electionEpoch: 2,
    peerEpoch: 2,
    version: 2,
    config,
  };

  it('writes a version-2 notification field by field', () => {
    const expected = Buffer.concat([
      hex('00000001 0000000000000003 0000000100000008 0000000000000002 0000000000000002 00000002'),
      hex(config.length.toString(16).padStart(8, '0')),
      config,
    ]);
    expect(encodeNotification(follower)).toEqual(expected);
    expect(decodeNotification(expected)).toEqual(follower);
  });

  it('writes an observer\'s vote for nobody as Long.MIN_VALUE', () => {
    const bytes = encodeNotification({ ...follower, state: 'LOOKING', leader: NO_SID, zxid: -(2n ** 63n), peerEpoch: -1, config: Buffer.alloc(0) });
    expect(bytes.subarray(4, 12)).toEqual(hex('8000000000000000'));
    expect(decodeNotification(bytes)).toMatchObject({ leader: NO_SID, peerEpoch: -1 });
  });

  it('reads the 28-byte form, taking the epoch from the zxid', () => {
    const n = decodeNotification(hex('00000000 0000000000000002 0000000300000001 0000000000000005'));
    expect(n).toMatchObject({ state: 'LOOKING', leader: 2, zxid: 0x300000001n, electionEpoch: 5, peerEpoch: 3, version: 0 });
  });

  it('reads the 40-byte form without a version', () => {
    const n = decodeNotification(hex('00000002 0000000000000002 0000000300000001 0000000000000005 0000000000000004 00000001'));
    expect(n).toMatchObject({ state: 'LEADING', peerEpoch: 4, version: 0, config: Buffer.alloc(0) });
  });

  it('refuses short bodies, unknown states and bad config lengths', () => {
    expect(() => decodeNotification(Buffer.alloc(27))).toThrow(CodecError);
    expect(() => decodeNotification(hex('00000007 0000000000000002 0000000300000001 0000000000000005'))).toThrow(/peer state/);
    const bad = encodeNotification(follower);
    bad.writeInt32BE(9999, 40);
    expect(() => decodeNotification(bad)).toThrow(/config length/);
  });
});

describe('quorum channel', () => {
  // the handshake observed with a fake follower (docs/zookeeper.md 4.3)
  it.each<[string, QuorumMessage, string]>([
    ['LEADERINFO', { type: 'LEADERINFO', zxid: 0x200000000n, protocolVersion: 0x10000 }, '00000011 0000000200000000 00000004 00010000 ffffffff'],
    ['ACKEPOCH', { type: 'ACKEPOCH', zxid: 0x100000008n, currentEpoch: 1 }, '00000012 0000000100000008 00000004 00000001 ffffffff'],
    ['DIFF', { type: 'DIFF', zxid: 0x100000008n }, '0000000d 0000000100000008 ffffffff ffffffff'],
    ['ACK', { type: 'ACK', zxid: 0x200000000n }, '00000003 0000000200000000 ffffffff ffffffff'],
    ['UPTODATE', { type: 'UPTODATE', zxid: -1n }, '0000000c ffffffffffffffff ffffffff ffffffff'],
    ['COMMIT', { type: 'COMMIT', zxid: 0x200000001n }, '00000004 0000000200000001 ffffffff ffffffff'],
    ['TRUNC', { type: 'TRUNC', zxid: 0x100000004n }, '0000000e 0000000100000004 ffffffff ffffffff'],
    ['PING from the leader', { type: 'PING', zxid: 0x200000002n, data: null }, '00000005 0000000200000002 ffffffff ffffffff'],
    ['PING reply', { type: 'PING', zxid: 0x200000002n, data: Buffer.alloc(0) }, '00000005 0000000200000002 00000000 ffffffff'],
    [
      'FOLLOWERINFO',
      { type: 'FOLLOWERINFO', zxid: 0x100000000n, info: { serverid: 2n, protocolVersion: 0x10000, configVersion: 0n } },
      '0000000b 0000000100000000 00000014 0000000000000002 00010000 0000000000000000 ffffffff',
    ],
    ['NEWLEADER', { type: 'NEWLEADER', zxid: 0x200000000n, config: Buffer.from('v') }, '0000000a 0000000200000000 00000001 76 ffffffff'],
    ['PROPOSAL', { type: 'PROPOSAL', zxid: 0x200000001n, txn: hex('0102') }, '00000002 0000000200000001 00000002 0102 ffffffff'],
  ])('%s', (_name, message, bytes) => {
    expect(encodeQuorumMessage(message).toString('hex')).toBe(hex(bytes).toString('hex'));
    expect(decodePeerMessage('quorum', hex(bytes))).toEqual(message);
  });

  it('sends the authinfo list with forwarded requests', () => {
    const request: QuorumMessage = { type: 'REQUEST', zxid: -1n, data: hex('00'), authinfo: [{ scheme: 'digest', id: 'u:x' }] };
    expect(decodePeerMessage('quorum', encodeQuorumMessage(request))).toEqual(request);
  });

  it('follows a SNAP with the serialized database and the signature', () => {
    const w = new ByteWriter();
    w.int32(1).int64(0x100000000000001n).int32(30000); // one session
    w.int32(0); // no ACL cache entries
    jute.ustring.encode(w, '');
    jute.buffer.encode(w, Buffer.alloc(0));
    w.int64(-1n);
    for (let i = 0; i < 4; i++) w.int64(0n);
    w.int32(0).int32(0).int32(0).int64(0n).int64(0n);
    jute.ustring.encode(w, '/');
    const database = w.toBuffer();
    const snap: QuorumMessage = { type: 'SNAP', zxid: 0x100000005n, snapshot: database };
    const bytes = encodeQuorumMessage(snap);
    expect(bytes.subarray(0, 20)).toEqual(hex('0000000f 0000000100000005 ffffffff ffffffff'));
    expect(bytes.subarray(bytes.length - 14).toString('latin1')).toBe('\u0000\u0000\u0000\u000aBenWasHere');
    const r = new ByteReader(Buffer.concat([bytes, hex('00000003')]));
    expect(decodeQuorumMessage(r)).toEqual(snap);
    expect(r.remaining).toBe(4);
  });

  it('refuses unknown packet types and packets missing their data', () => {
    expect(() => decodePeerMessage('quorum', hex('00000063 0000000000000000 ffffffff ffffffff'))).toThrow(/unknown quorum packet type 99/);
    expect(() => decodePeerMessage('quorum', hex('00000012 0000000100000008 ffffffff ffffffff'))).toThrow(/ACKEPOCH without/);
  });

  it('routes notifications to the election channel', () => {
    const n: Notification = { type: 'NOTIFICATION', state: 'LOOKING', leader: 1, zxid: 0n, electionEpoch: 1, peerEpoch: 0, version: 2, config: Buffer.alloc(0) };
    expect(decodePeerMessage('election', encodePeerMessage(n))).toEqual(n);
  });
});
