import { LoggedTxn } from '../../../../zk-server/src/quorum/core/history';
import { PeerMessage } from '../../../../zk-server/src/quorum/core/messages';
import { Ready, ReadyBuilder } from '../../../../zk-server/src/quorum/core/ready';
import { ZabNode } from '../../../../zk-server/src/quorum/core/zab-node';

const members = [
  { id: 1, role: 'participant' as const },
  { id: 2, role: 'participant' as const },
  { id: 3, role: 'participant' as const },
];

const empty = { acceptedEpoch: 0, currentEpoch: 0, snapshotZxid: 0n, txns: [] };
const noSnapshot = () => ({ zxid: 0n, data: Buffer.alloc(0) });

/** A TxnHeader (32 bytes) with zxid 0 and a one-byte body. */
const txnBytes = (n: number): Buffer => Buffer.concat([Buffer.alloc(32), Buffer.from([n])]);

/** Instant, lossless delivery between nodes; Readies executed on the spot (nothing to persist). */
class Bench {
  readonly nodes = new Map<number, ZabNode>();
  readonly applied = new Map<number, bigint[]>();
  readonly readies = new Map<number, Ready[]>();
  private queue: { from: number; to: number; message: PeerMessage }[] = [];

  constructor(ids: number[], specs = members) {
    for (const id of ids) {
      this.nodes.set(id, new ZabNode({ myId: id, members: specs, initLimitTicks: 10, syncLimitTicks: 5 }, empty, noSnapshot));
      this.applied.set(id, []);
      this.readies.set(id, []);
    }
  }

  flush(): void {
    for (let rounds = 0; rounds < 10_000; rounds++) {
      let progressed = false;
      for (const [id, node] of this.nodes) {
        while (node.hasReady()) {
          progressed = true;
          const ready = node.ready();
          this.readies.get(id)!.push(ready);
          for (const out of [...ready.sendFirst, ...ready.messages]) if (out.kind === 'send') this.queue.push({ from: id, to: out.to, message: out.message });
          for (const t of ready.committed) this.applied.get(id)!.push(t.zxid);
          node.advance(ready);
        }
      }
      const batch = this.queue;
      this.queue = [];
      for (const { from, to, message } of batch) {
        progressed = true;
        this.nodes.get(to)?.step(from, message);
      }
      if (!progressed) return;
    }
    throw new Error('no quiescence');
  }

  tick(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const node of this.nodes.values()) node.tick();
      this.flush();
    }
  }
}

describe('ZabNode', () => {
  it('elects the highest sid among equal logs, establishes epoch 1 and serves', () => {
    const bench = new Bench([1, 2, 3]);
    bench.flush();
    bench.tick(2);
    const statuses = [1, 2, 3].map((id) => bench.nodes.get(id)!.status());
    expect(statuses.map((s) => [s.role, s.leader, s.epoch, s.serving])).toEqual([
      ['following', 3, 1, true],
      ['following', 3, 1, true],
      ['leading', 3, 1, true],
    ]);
    expect(statuses.every((s) => s.acceptedEpoch === 1 && s.currentEpoch === 1)).toBe(true);
  });

  it('commits proposals on every member in zxid order', () => {
    const bench = new Bench([1, 2, 3]);
    bench.flush();
    bench.tick(2);
    const leader = bench.nodes.get(3)!;
    const zxids = [1, 2, 3].map((n) => leader.propose(txnBytes(n)));
    expect(zxids).toEqual([
      { ok: true, zxid: 0x100000001n },
      { ok: true, zxid: 0x100000002n },
      { ok: true, zxid: 0x100000003n },
    ]);
    bench.flush();
    for (const id of [1, 2, 3]) expect(bench.applied.get(id)).toEqual([0x100000001n, 0x100000002n, 0x100000003n]);
  });

  it('writes the assigned zxid into the txn header', () => {
    const bench = new Bench([1, 2, 3]);
    bench.flush();
    bench.tick(2);
    bench.nodes.get(3)!.propose(txnBytes(7));
    bench.flush();
    const committed: LoggedTxn[] = bench.readies.get(1)!.flatMap((r) => [...r.committed]);
    expect(committed[0]!.bytes.readBigInt64BE(12)).toBe(0x100000001n);
    expect(committed[0]!.bytes[32]).toBe(7);
  });

  it('refuses proposals anywhere but at the serving leader, naming the leader', () => {
    const bench = new Bench([1, 2, 3]);
    bench.flush();
    expect(bench.nodes.get(3)!.propose(txnBytes(1))).toEqual({ ok: false, reason: 'not-leader', leader: null });
    bench.tick(2);
    expect(bench.nodes.get(1)!.propose(txnBytes(1))).toEqual({ ok: false, reason: 'not-leader', leader: 3 });
  });

  it('acks a proposal in the same Ready that appends it, so the ack leaves after the fsync', () => {
    const bench = new Bench([1, 2, 3]);
    bench.flush();
    bench.tick(2);
    bench.nodes.get(3)!.propose(txnBytes(1));
    bench.flush();
    const withAppend = bench.readies.get(1)!.find((r) => r.appendTxns.some((t) => t.zxid === 0x100000001n))!;
    expect(withAppend.mustSync).toBe(true);
    expect(withAppend.messages).toContainEqual({ kind: 'send', to: 3, message: { type: 'ACK', zxid: 0x100000001n } });
  });

  it("sends the leader's PROPOSAL before its own append is durable, never a follower's ACK", () => {
    const bench = new Bench([1, 2, 3]);
    bench.flush();
    bench.tick(2);
    bench.nodes.get(3)!.propose(txnBytes(1));
    bench.flush();
    const leaderAppend = bench.readies.get(3)!.find((r) => r.appendTxns.some((t) => t.zxid === 0x100000001n))!;
    expect(leaderAppend.mustSync).toBe(true);
    expect(leaderAppend.sendFirst).toContainEqual({ kind: 'send', to: 1, message: expect.objectContaining({ type: 'PROPOSAL', zxid: 0x100000001n }) });
    expect(leaderAppend.messages).toEqual([]);
    const followerAppend = bench.readies.get(1)!.find((r) => r.appendTxns.some((t) => t.zxid === 0x100000001n))!;
    expect(followerAppend.sendFirst.map((o) => (o.kind === 'send' ? o.message.type : 'close'))).not.toContain('ACK');
  });

  it('persists acceptedEpoch with its ACKEPOCH and currentEpoch with its NEWLEADER ACK', () => {
    const bench = new Bench([1, 2, 3]);
    bench.flush();
    bench.tick(2);
    const readies = bench.readies.get(1)!;
    const ackEpoch = readies.find((r) => r.messages.some((o) => o.kind === 'send' && o.message.type === 'ACKEPOCH'))!;
    expect(ackEpoch.persistEpochs).toEqual({ acceptedEpoch: 1 });
    const newLeaderAck = readies.find((r) => r.messages.some((o) => o.kind === 'send' && o.message.type === 'ACK' && o.message.zxid === 0x100000000n))!;
    expect(newLeaderAck.persistEpochs).toMatchObject({ currentEpoch: 1 });
  });

  it('lets a single voter lead on its own', () => {
    const bench = new Bench([1], [{ id: 1, role: 'participant' }]);
    bench.flush();
    bench.tick(1);
    const node = bench.nodes.get(1)!;
    expect(node.status()).toMatchObject({ role: 'leading', serving: true, epoch: 1 });
    expect(node.propose(txnBytes(1))).toEqual({ ok: true, zxid: 0x100000001n });
    bench.flush();
    expect(bench.applied.get(1)).toEqual([0x100000001n]);
  });

  it('gives up leadership when fewer than a quorum stay in touch', () => {
    const bench = new Bench([1, 2, 3]);
    bench.flush();
    bench.tick(2);
    bench.nodes.delete(1);
    bench.nodes.delete(2);
    bench.tick(7);
    expect(bench.nodes.get(3)!.status().role).toBe('looking');
  });

  it('recovers its log and epochs, and commits only what a leader confirms', () => {
    const txns = [0x100000001n, 0x100000002n].map((zxid) => ({ zxid, bytes: txnBytes(1) }));
    const node = new ZabNode({ myId: 1, members, initLimitTicks: 10, syncLimitTicks: 5 }, { acceptedEpoch: 2, currentEpoch: 1, snapshotZxid: 0n, txns }, noSnapshot);
    expect(node.status()).toMatchObject({ role: 'looking', lastLoggedZxid: 0x100000002n, committedZxid: 0n, acceptedEpoch: 2, currentEpoch: 1 });
    const first = node.ready();
    const vote = first.messages.find((o) => o.kind === 'send')!;
    expect(vote).toMatchObject({ message: { type: 'NOTIFICATION', leader: 1, zxid: 0x100000002n, peerEpoch: 1 } });
  });
});

describe('ReadyBuilder', () => {
  const t = (zxid: bigint) => ({ zxid, bytes: Buffer.alloc(0) });

  it('drops appends a later truncation removes and keeps the lowest truncation point', () => {
    const b = new ReadyBuilder();
    b.append(t(5n));
    b.append(t(6n));
    b.truncate(5n);
    b.append(t(7n));
    b.truncate(3n);
    const r = b.take([], undefined);
    expect(r.truncateLogTo).toBe(3n);
    expect(r.appendTxns).toEqual([]);
    expect(r.mustSync).toBe(true);
  });

  it('lets a snapshot replace every earlier write of the batch', () => {
    const b = new ReadyBuilder();
    b.truncate(2n);
    b.append(t(3n));
    b.installSnapshot({ zxid: 9n, data: Buffer.alloc(0) });
    b.append(t(10n));
    const r = b.take([], undefined);
    expect(r.truncateLogTo).toBeUndefined();
    expect(r.snapshotToInstall?.zxid).toBe(9n);
    expect(r.appendTxns.map((x) => x.zxid)).toEqual([10n]);
  });

  it('needs no fsync for messages alone and starts empty after take', () => {
    const b = new ReadyBuilder();
    b.send(2, { type: 'ACK', zxid: 1n });
    b.close(2);
    const r = b.take([], undefined);
    expect(r.mustSync).toBe(false);
    expect(r.messages).toEqual([
      { kind: 'send', to: 2, message: { type: 'ACK', zxid: 1n } },
      { kind: 'close', to: 2 },
    ]);
    expect(b.hasWork).toBe(false);
  });
});
