// The quorum stream decoder against every chunking of the same stream, down to one byte at a time,
// and against malformed and oversize input.
import { ByteWriter, CodecError, jute, LimitError, seededRng } from '../../../../shared/src';
import { ACL, StatPersisted } from '../../../../zk-server/src/protocol/records/data';
import { encodeQuorumMessage, QuorumMessage, SNAP_SIGNATURE } from '../../../../zk-server/src/quorum/core/messages';
import { QuorumStreamDecoder } from '../../../../zk-server/src/quorum/runtime/quorum-stream-decoder';

const DATA_MAX = 0xfffff;

const stat: StatPersisted = {
  czxid: 1n,
  mzxid: 2n,
  ctime: 3n,
  mtime: 4n,
  version: 5,
  cversion: 6,
  aversion: 7,
  ephemeralOwner: 8n,
  pzxid: 9n,
};

/** A serialized database with sessions, an ACL cache and nodes of every shape the scanner meets. */
function database(nodes: number, dataBytes = 10): Buffer {
  const w = new ByteWriter(1024);
  w.int32(2);
  w.int64(0x100n).int32(30_000);
  w.int64(0x101n).int32(40_000);
  w.int32(2);
  w.int64(1n);
  jute.vector(ACL).encode(w, [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]);
  w.int64(2n);
  jute.vector(ACL).encode(w, [
    { perms: 1, id: { scheme: 'digest', id: 'u:p' } },
    { perms: 31, id: { scheme: 'ip', id: '127.0.0.1' } },
  ]);
  const paths = ['', 'a', ...Array.from({ length: nodes }, (_, i) => `/n${i}`)];
  paths.forEach((path, i) => {
    jute.ustring.encode(w, path);
    jute.buffer.encode(w, i % 3 === 0 ? null : Buffer.alloc(dataBytes, i));
    w.int64(BigInt(i % 3));
    StatPersisted.encode(w, stat);
  });
  jute.ustring.encode(w, '/');
  return w.toBuffer();
}

function sampleMessages(): QuorumMessage[] {
  return [
    { type: 'FOLLOWERINFO', zxid: 0x100000000n, info: { serverid: 2n, protocolVersion: 0x10000, configVersion: 0n } },
    { type: 'LEADERINFO', zxid: 0x200000000n, protocolVersion: 0x10000 },
    { type: 'ACKEPOCH', zxid: 0x100000005n, currentEpoch: 1 },
    { type: 'SNAP', zxid: 0x100000005n, snapshot: database(20) },
    { type: 'NEWLEADER', zxid: 0x200000000n, config: Buffer.from('server.1=127.0.0.1:2888:3888:participant\nversion=0') },
    { type: 'UPTODATE', zxid: -1n },
    { type: 'PROPOSAL', zxid: 0x200000001n, txn: Buffer.from('a txn of some bytes') },
    { type: 'ACK', zxid: 0x200000001n },
    { type: 'COMMIT', zxid: 0x200000001n },
    { type: 'PING', zxid: 0x200000001n, data: null },
    { type: 'PING', zxid: 0x200000001n, data: Buffer.from([0, 0, 0, 1, 2, 3]) },
    {
      type: 'REQUEST',
      zxid: -1n,
      data: Buffer.from('request bytes'),
      authinfo: [
        { scheme: 'digest', id: 'user:hash' },
        { scheme: 'ip', id: '10.0.0.1' },
      ],
    },
    { type: 'SNAP', zxid: 0x200000001n, snapshot: database(0) },
    { type: 'DIFF', zxid: 0x200000001n },
  ];
}

function feed(decoder: QuorumStreamDecoder, stream: Buffer, cuts: readonly number[]): QuorumMessage[] {
  const out: QuorumMessage[] = [];
  let at = 0;
  for (const cut of [...cuts, stream.length]) {
    out.push(...decoder.push(stream.subarray(at, cut)));
    at = cut;
  }
  return out;
}

describe('QuorumStreamDecoder', () => {
  const messages = sampleMessages();
  const stream = Buffer.concat(messages.map(encodeQuorumMessage));

  it('decodes a whole stream given at once', () => {
    const decoder = new QuorumStreamDecoder({ dataBytesMax: DATA_MAX });
    expect(decoder.push(stream)).toEqual(messages);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('decodes the same stream one byte at a time', () => {
    const decoder = new QuorumStreamDecoder({ dataBytesMax: DATA_MAX });
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    expect(feed(decoder, stream, cuts)).toEqual(messages);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('decodes the same stream under random chunkings', () => {
    const rng = seededRng(7);
    for (let run = 0; run < 200; run++) {
      const cuts: number[] = [];
      for (let at = rng.int(40); at < stream.length; at += 1 + rng.int(run % 2 === 0 ? 16 : 400)) cuts.push(at);
      const decoder = new QuorumStreamDecoder({ dataBytesMax: DATA_MAX });
      const out = feed(decoder, stream, cuts);
      expect(out.map((m) => m.type)).toEqual(messages.map((m) => m.type));
      expect(Buffer.concat(out.map(encodeQuorumMessage)).equals(stream)).toBe(true);
    }
  });

  it('hands out each message as soon as its last byte is in', () => {
    const decoder = new QuorumStreamDecoder({ dataBytesMax: DATA_MAX });
    const first = encodeQuorumMessage(messages[0]!);
    expect(decoder.push(first.subarray(0, first.length - 1))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(first.length - 1);
    expect(decoder.push(first.subarray(first.length - 1))).toEqual([messages[0]]);
  });

  it('decodes a large SNAP arriving in many small chunks in linear time', () => {
    const snap: QuorumMessage = { type: 'SNAP', zxid: 5n, snapshot: database(20_000, 200) };
    const bytes = encodeQuorumMessage(snap);
    expect(bytes.length).toBeGreaterThan(4_000_000);
    const decoder = new QuorumStreamDecoder({ dataBytesMax: DATA_MAX });
    const out: QuorumMessage[] = [];
    const started = Date.now();
    for (let at = 0; at < bytes.length; at += 512) out.push(...decoder.push(bytes.subarray(at, at + 512)));
    // re-parsing from the start at each of the ~8000 chunks would take minutes
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(out).toHaveLength(1);
    // Buffer.equals: jest's deep equality walks megabytes byte by byte
    expect(encodeQuorumMessage(out[0]!).equals(bytes)).toBe(true);
  });

  it('refuses an unknown packet type', () => {
    const w = new ByteWriter(32).int32(99).int64(0n).int32(-1).int32(-1);
    expect(() => new QuorumStreamDecoder({ dataBytesMax: DATA_MAX }).push(w.toBuffer())).toThrow(CodecError);
  });

  it('refuses a negative data length', () => {
    const w = new ByteWriter(32).int32(2).int64(1n).int32(-7);
    expect(() => new QuorumStreamDecoder({ dataBytesMax: DATA_MAX }).push(w.toBuffer())).toThrow(CodecError);
  });

  it('refuses a data buffer above the limit as soon as its length is in', () => {
    const w = new ByteWriter(32).int32(2).int64(1n).int32(DATA_MAX + 1);
    expect(() => new QuorumStreamDecoder({ dataBytesMax: DATA_MAX }).push(w.toBuffer())).toThrow(LimitError);
  });

  it('refuses authinfo above the limit in total', () => {
    const w = new ByteWriter(64).int32(1).int64(1n).int32(-1).int32(3);
    const decoder = new QuorumStreamDecoder({ dataBytesMax: 100 });
    expect(() => {
      decoder.push(w.toBuffer());
      for (let i = 0; i < 6; i++) decoder.push(new ByteWriter(64).int32(40).bytes(Buffer.alloc(40)).toBuffer());
    }).toThrow(LimitError);
  });

  it('refuses a SNAP with a wrong signature', () => {
    const good = encodeQuorumMessage({ type: 'SNAP', zxid: 1n, snapshot: database(1) });
    const bad = Buffer.from(good);
    bad.write('X', bad.length - SNAP_SIGNATURE.length);
    expect(() => new QuorumStreamDecoder({ dataBytesMax: DATA_MAX }).push(bad)).toThrow(CodecError);
  });

  it('refuses a FOLLOWERINFO without its learner info', () => {
    const w = new ByteWriter(32).int32(11).int64(1n).int32(2).bytes(Buffer.from([0, 0])).int32(-1);
    expect(() => new QuorumStreamDecoder({ dataBytesMax: DATA_MAX }).push(w.toBuffer())).toThrow(CodecError);
  });
});
