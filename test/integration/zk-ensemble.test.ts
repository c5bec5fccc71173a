// A three-member ensemble as real processes on 127.0.0.1-3 (ports 2181/2888/3888), driven by
// real clients: roles in srvr, mntr and zkServer.sh status, writes through any member, global
// sessions that move between members and expire on the leader, sync, kill -9 of the leader under
// a write load, a paused follower, a leader cut off from its followers, and a full restart. After
// each fault the members must hold every acknowledged write and converge to the same last zxid
// and tree. The same suite runs against an Apache ZooKeeper 3.8 ensemble, the reference.

import { execFile } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describeWith, findApacheZooKeeper, findOurServer } from '../support/debian-tools';
import { cleanupAllZkServers, fourLetterWord, ZkServerKind } from '../support/process-launcher';
import { ZkRawClient } from '../support/zk-raw-client';
import { delay, waitFor } from '../support/wait-for';
import { ENSEMBLE_ELECTION_PORT, ENSEMBLE_QUORUM_PORT, memberHost, startZkEnsemble, ZkEnsemble } from '../support/zk-ensemble';

jest.setTimeout(120_000);

const TICK_MS = 500;
const NONODE = -101;
const NODEEXISTS = -110;

function connect(id: number, o: { timeOutMs?: number; sessionId?: bigint; passwd?: Buffer; autoPing?: boolean } = {}): Promise<ZkRawClient> {
  return ZkRawClient.connect({ host: memberHost(id), port: 2181, connectTimeoutMs: 3000, requestTimeoutMs: 5000, timeOutMs: 6000, ...o });
}

async function withClient<T>(id: number, fn: (c: ZkRawClient) => Promise<T>): Promise<T> {
  const c = await connect(id);
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

/** The children of `path` and their data, as member `id` has them after a sync. */
async function subtreeOf(id: number, path: string): Promise<string[]> {
  return withClient(id, async (c) => {
    expect((await c.sync(path)).err).toBe(0);
    const children = (await c.getChildren(path)).body?.children ?? [];
    const out: string[] = [];
    for (const child of [...children].sort()) {
      const data = (await c.getData(`${path}/${child}`)).body?.data;
      out.push(`${child}=${data?.toString('hex') ?? ''}`);
    }
    return out;
  });
}

/** Waits until every running member has the same last zxid, and returns it. */
async function converged(ens: ZkEnsemble, ids: number[]): Promise<bigint> {
  return waitFor(
    async () => {
      const zxids = await Promise.all(ids.map((id) => ens.lastZxid(id)));
      return zxids.every((z) => z === zxids[0]) ? zxids[0] : undefined;
    },
    { description: `members ${ids.join(',')} to reach the same last zxid`, timeoutMs: 30_000, intervalMs: 100 },
  );
}

interface Ack {
  readonly path: string;
  readonly zxid: bigint;
  readonly atMs: number;
}

/** Writers creating /load/w<i>-<n> through members in turn, moving on when a member fails them. */
class WriteLoad {
  readonly acked: Ack[] = [];
  private running = true;
  private readonly done: Promise<void[]>;

  constructor(writers: number) {
    this.done = Promise.all(Array.from({ length: writers }, (_, i) => this.writer(i)));
  }

  private async writer(i: number): Promise<void> {
    let member = (i % 3) + 1;
    let client: ZkRawClient | null = null;
    let n = 0;
    while (this.running) {
      try {
        client ??= await connect(member);
        const path = `/load/w${i}-${n}`;
        const reply = await client.create(path, Buffer.from(path));
        if (reply.err === 0) this.acked.push({ path, zxid: reply.zxid, atMs: Date.now() });
        // NODEEXISTS: an earlier attempt whose reply was lost did commit
        if (reply.err === 0 || reply.err === NODEEXISTS) n++;
        else throw new Error(`create ${path}: ${reply.err}`);
      } catch {
        client?.destroy();
        client = null;
        member = (member % 3) + 1;
        await delay(50);
      }
    }
    client?.destroy();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

const ZK_SERVER_SH = path.resolve(__dirname, '..', '..', 'bin', 'zkServer.sh');

async function zkServerShStatus(configPath: string): Promise<string> {
  const { stdout } = await promisify(execFile)(ZK_SERVER_SH, ['status', configPath]);
  return stdout;
}

function ensembleSuite(kind: ZkServerKind): void {
  let ens: ZkEnsemble;

  beforeAll(async () => {
    ens = await startZkEnsemble({ kind, tickTime: TICK_MS });
  }, 90_000);
  afterAll(async () => {
    await ens?.cleanup();
    await cleanupAllZkServers();
  });

  it('elects one leader; srvr, stat and mntr report leader and followers', async () => {
    const leader = await ens.waitForLeader();
    const modes = await ens.modes();
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
    const l = ens.member(leader);
    const mntr = await fourLetterWord(l.host, l.port, 'mntr');
    expect(mntr).toMatch(/^zk_server_state\tleader$/m);
    expect(mntr).toMatch(/^zk_synced_followers\t2$/m);
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const f = ens.member(follower);
    expect(await fourLetterWord(f.host, f.port, 'stat')).toMatch(/^Mode: follower$/m);
    expect(await fourLetterWord(f.host, f.port, 'mntr')).toMatch(/^zk_server_state\tfollower$/m);
    const conf = await fourLetterWord(f.host, f.port, 'conf');
    expect(conf).toMatch(new RegExp(`^serverId=${follower}$`, 'm'));
    expect(conf).toMatch(/^electionAlg=3$/m);
    for (const id of [1, 2, 3]) expect(conf).toMatch(new RegExp(`^server\\.${id}=127\\.0\\.0\\.${id}:2888:3888:participant`, 'm'));
    expect(await zkServerShStatus(l.configPath)).toMatch(/^Mode: leader$/m);
    expect(await zkServerShStatus(f.configPath)).toMatch(/^Mode: follower$/m);
  });

  it('takes writes through any member; every member sees them after sync', async () => {
    for (const id of [1, 2, 3]) {
      await withClient(id, async (c) => {
        if (id === 1) expect((await c.create('/shared', null)).err).toBe(0);
        expect((await c.create(`/shared/from-${id}`, Buffer.from(`written via ${id}`))).err).toBe(0);
        expect((await c.setData('/shared', Buffer.from(`last via ${id}`))).err).toBe(0);
      });
    }
    for (const id of [1, 2, 3]) {
      expect(await subtreeOf(id, '/shared')).toEqual([1, 2, 3].map((w) => `from-${w}=${Buffer.from(`written via ${w}`).toString('hex')}`));
      await withClient(id, async (c) => {
        await c.sync('/shared');
        expect((await c.getData('/shared')).body!.data!.toString()).toBe('last via 3');
      });
    }
  });

  it('keeps a session and its ephemerals when the client moves to another member', async () => {
    const first = await connect(1);
    expect((await first.create('/moving', Buffer.from('e'), { flags: 1 })).err).toBe(0);
    const { sessionId, passwd } = first;
    first.destroy();
    const moved = await connect(3, { sessionId, passwd });
    try {
      expect(moved.sessionId).toBe(sessionId);
      expect((await moved.exists('/moving')).body!.stat.ephemeralOwner).toBe(sessionId);
      // the session is alive through member 3 alone for longer than its timeout
      await delay(8000);
      await withClient(2, async (c) => {
        await c.sync('/');
        expect((await c.exists('/moving')).body!.stat.ephemeralOwner).toBe(sessionId);
      });
      expect((await moved.closeSession()).err).toBe(0);
    } finally {
      moved.destroy();
    }
    for (const id of [1, 2, 3]) {
      await withClient(id, async (c) => {
        await c.sync('/');
        expect((await c.exists('/moving')).err).toBe(NONODE);
      });
    }
  });

  it('expires a silent session on every member (the leader decides)', async () => {
    const leader = await ens.waitForLeader();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const silent = await connect(follower, { timeOutMs: 2 * TICK_MS * 2, autoPing: false });
    expect((await silent.create('/silent', null, { flags: 1 })).err).toBe(0);
    silent.destroy();
    for (const id of [1, 2, 3]) {
      await waitFor(async () => withClient(id, async (c) => (await c.exists('/silent')).err === NONODE), {
        description: `/silent to expire on member ${id}`,
        timeoutMs: 15_000,
        intervalMs: 200,
      });
    }
  });

  // our peer ports must shrug off what is not a member speaking the protocol (Apache's behaviour
  // on such input is not the reference here: it may keep a half-read connection open)
  if (kind === 'ours') {
    it('closes peer connections that send garbage, and keeps serving and replicating', async () => {
      const leader = await ens.waitForLeader();
      const zxidBefore = await ens.lastZxid(leader);
      const long = (v: bigint): Buffer => {
        const b = Buffer.alloc(8);
        b.writeBigInt64BE(v);
        return b;
      };
      const int = (v: number): Buffer => {
        const b = Buffer.alloc(4);
        b.writeInt32BE(v);
        return b;
      };
      const random = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 73 + 41) & 0xff));
      const hostile: Array<[number, string, Buffer]> = [
        [ENSEMBLE_ELECTION_PORT, 'an unknown protocol version', long(-5n)],
        [ENSEMBLE_ELECTION_PORT, 'a legacy handshake from sid 99, no member', long(99n)],
        [ENSEMBLE_ELECTION_PORT, 'a handshake whose address claims 2 GiB', Buffer.concat([long(-65536n), long(99n), int(0x7fffffff)])],
        [ENSEMBLE_ELECTION_PORT, 'noise', random],
        [ENSEMBLE_QUORUM_PORT, 'a packet of unknown type', Buffer.concat([int(999), long(0n), int(-1), int(-1)])],
        [ENSEMBLE_QUORUM_PORT, 'a FOLLOWERINFO whose data claims 2 GiB', Buffer.concat([int(11), long(0n), int(0x7fffffff)])],
        [ENSEMBLE_QUORUM_PORT, 'noise', random],
      ];
      for (const id of [1, 2, 3]) {
        for (const [port, what, bytes] of hostile) {
          const closed = await new Promise<boolean>((resolve) => {
            const socket = net.connect({ host: memberHost(id), port }, () => socket.write(bytes));
            const timer = setTimeout(() => (socket.destroy(), resolve(false)), 10_000);
            socket.on('error', () => undefined);
            socket.on('close', () => (clearTimeout(timer), resolve(true)));
          });
          expect({ id, port, what, closed }).toEqual({ id, port, what, closed: true });
        }
      }
      expect(await ens.waitForLeader()).toBe(leader);
      await withClient(1, async (c) => expect((await c.create('/after-garbage', null)).err).toBe(0));
      expect(await converged(ens, [1, 2, 3])).toBeGreaterThan(zxidBefore);
    });
  }

  it('survives kill -9 of the leader under load: a new leader serves, no acknowledged write is lost', async () => {
    await withClient(1, async (c) => expect((await c.create('/load', null)).err).toBe(0));
    const oldLeader = await ens.waitForLeader();
    const oldEpoch = (await ens.lastZxid(oldLeader)) >> 32n;
    const load = new WriteLoad(4);
    await waitFor(() => load.acked.length >= 200, { description: '200 writes before the kill', timeoutMs: 30_000 });
    const killedAt = Date.now();
    await ens.member(oldLeader).kill9();
    await waitFor(() => load.acked.some((a) => a.zxid >> 32n > oldEpoch), { description: 'a write in a new epoch', timeoutMs: 30_000 });
    const firstNew = load.acked.find((a) => a.zxid >> 32n > oldEpoch)!;
    process.stdout.write(`${kind}: leader ${oldLeader} killed; first acknowledged write of the new leader after ${firstNew.atMs - killedAt} ms\n`);
    const countAfter = load.acked.length;
    await waitFor(() => load.acked.length >= countAfter + 100, { description: '100 more writes', timeoutMs: 30_000 });
    await load.stop();
    const survivors = [1, 2, 3].filter((id) => id !== oldLeader);
    const newLeader = await ens.waitForLeader(30_000, survivors);
    expect(newLeader).not.toBe(oldLeader);
    await ens.restart(oldLeader);
    await ens.waitForLeader();
    await converged(ens, [1, 2, 3]);
    const trees = await Promise.all([1, 2, 3].map((id) => subtreeOf(id, '/load')));
    expect(trees[1]).toEqual(trees[0]);
    expect(trees[2]).toEqual(trees[0]);
    const present = new Set(trees[0]!.map((line) => `/load/${line.split('=')[0]}`));
    const lost = load.acked.filter((a) => !present.has(a.path));
    expect(lost).toEqual([]);
  });

  it('brings a follower paused with SIGSTOP up to date after SIGCONT', async () => {
    const leader = await ens.waitForLeader();
    const paused = [1, 2, 3].find((id) => id !== leader)!;
    process.kill(ens.member(paused).pid, 'SIGSTOP');
    try {
      await withClient(leader, async (c) => {
        expect((await c.create('/paused', null)).err).toBe(0);
        for (let i = 0; i < 200; i++) expect((await c.create(`/paused/n${i}`, Buffer.from(String(i)))).err).toBe(0);
      });
      // longer than syncLimit: the leader drops the silent follower and must re-sync it later
      await delay(5 * TICK_MS + 1000);
    } finally {
      process.kill(ens.member(paused).pid, 'SIGCONT');
    }
    await ens.waitForLeader();
    await converged(ens, [1, 2, 3]);
    expect(await subtreeOf(paused, '/paused')).toEqual(await subtreeOf(leader, '/paused'));
    expect(await subtreeOf(paused, '/paused')).toHaveLength(200);
  });

  it('acknowledges no write on a leader cut off from its followers', async () => {
    const leader = await ens.waitForLeader();
    const followers = [1, 2, 3].filter((id) => id !== leader);
    const client = await connect(leader);
    for (const f of followers) process.kill(ens.member(f).pid, 'SIGSTOP');
    let acked = false;
    try {
      const attempt = client.create('/isolated', null).then(
        (r) => (acked = r.err === 0),
        () => undefined,
      );
      // within syncLimit the leader notices it has no quorum and stops serving
      await waitFor(async () => (await ens.mode(leader)) === 'not serving', {
        description: 'the isolated leader to stop serving',
        timeoutMs: 15_000,
        intervalMs: 100,
      });
      await attempt;
      expect(acked).toBe(false);
      await expect(connect(leader, { timeOutMs: 4000 })).rejects.toThrow();
    } finally {
      client.destroy();
      for (const f of followers) process.kill(ens.member(f).pid, 'SIGCONT');
    }
    await ens.waitForLeader();
    await converged(ens, [1, 2, 3]);
  });

  it('loses nothing across a full restart of every member', async () => {
    await ens.waitForLeader();
    const before = await subtreeOf(1, '/load');
    const zxid = await converged(ens, [1, 2, 3]);
    for (const id of [1, 2, 3]) await ens.member(id).kill9();
    await ens.restartAll([1, 2, 3]);
    await ens.waitForLeader();
    await converged(ens, [1, 2, 3]);
    expect(await ens.lastZxid(1)).toBeGreaterThanOrEqual(zxid);
    for (const id of [1, 2, 3]) expect(await subtreeOf(id, '/load')).toEqual(before);
  });
}

describeWith('three-member ensemble of our server on 127.0.0.1-3', [findOurServer()], () => ensembleSuite('ours'));
describeWith('three-member Apache ZooKeeper 3.8 ensemble on 127.0.0.1-3 (the reference)', [findApacheZooKeeper()], () =>
  ensembleSuite('apache'),
);

// Our members and an Apache member in one ensemble: the election and quorum wire formats are
// upstream's, so either kind may lead the other.
describeWith('mixed ensemble: our server as members 1 and 2, Apache ZooKeeper 3.8 as member 3', [findOurServer(), findApacheZooKeeper()], () => {
  let ens: ZkEnsemble;

  beforeAll(async () => {
    ens = await startZkEnsemble({ kind: 'ours', memberKinds: ['ours', 'ours', 'apache'], tickTime: TICK_MS });
  }, 90_000);
  afterAll(async () => {
    await ens?.cleanup();
    await cleanupAllZkServers();
  });

  it('replicates writes through every member, with either kind leading the other', async () => {
    let killed: number | null = null;
    const leaders: string[] = [];
    for (let round = 0; round < 3; round++) {
      const leader = await ens.waitForLeader();
      leaders.push(ens.member(leader).kind);
      const serving = [1, 2, 3].filter((id) => ens.member(id).running);
      for (const id of serving) {
        await withClient(id, async (c) => {
          expect((await c.create(`/mixed-${round}-via-${id}`, Buffer.from(ens.member(id).kind))).err).toBe(0);
        });
      }
      await converged(ens, serving);
      const expected = serving.map((id) => `mixed-${round}-via-${id}`);
      for (const id of serving) {
        const children = await withClient(id, async (c) => (await c.getChildren('/')).body!.children);
        expect(children).toEqual(expect.arrayContaining(expected));
      }
      if (round === 0) {
        // the leader goes; then it comes back as a follower of a leader of the other kind
        killed = leader;
        await ens.member(leader).kill9();
        await ens.waitForLeader(30_000, serving.filter((id) => id !== leader));
      }
      if (round === 1) await ens.restart(killed!);
    }
    // with equal zxids the higher id wins, so the two left after the kill elect the other kind
    expect(new Set(leaders.slice(0, 2))).toEqual(new Set(['apache', 'ours']));
  });
});

function observerSuite(kind: ZkServerKind): void {
  let ens: ZkEnsemble;

  beforeAll(async () => {
    ens = await startZkEnsemble({ kind, size: 4, observers: [4], tickTime: TICK_MS });
  }, 90_000);
  afterAll(async () => {
    await ens?.cleanup();
    await cleanupAllZkServers();
  });

  it('serves clients through an observer that does not vote', async () => {
    const leader = await ens.waitForLeader();
    expect(await ens.mode(4)).toBe('observer');
    const l = ens.member(leader);
    expect(await fourLetterWord(l.host, l.port, 'mntr')).toMatch(/^zk_synced_followers\t2$/m);
    await withClient(4, async (c) => expect((await c.create('/via-observer', Buffer.from('o'))).err).toBe(0));
    await converged(ens, [1, 2, 3, 4]);
    for (const id of [1, 2, 3]) expect((await subtreeOf(id, '/')).some((line) => line.startsWith('via-observer='))).toBe(true);
    // the voters are a quorum without the observer
    await ens.member(4).kill9();
    await withClient(leader, async (c) => expect((await c.create('/without-observer', null)).err).toBe(0));
    await ens.restart(4);
    await ens.waitForLeader();
    await converged(ens, [1, 2, 3, 4]);
    expect((await subtreeOf(4, '/')).some((line) => line.startsWith('without-observer='))).toBe(true);
  });
}

describeWith('three voters and an observer of our server on 127.0.0.1-4', [findOurServer()], () => observerSuite('ours'));
describeWith('three voters and an observer of Apache ZooKeeper 3.8 on 127.0.0.1-4 (the reference)', [findApacheZooKeeper()], () =>
  observerSuite('apache'),
);
