// A data directory handed between the real Apache ZooKeeper 3.8 and our server, both ways, through
// the server processes themselves: the tree, every Stat field, the last zxid and live sessions
// (with their ephemerals) come through unchanged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startZkServer, ZkServer, ZkServerKind, fourLetterWord } from '../support/process-launcher';
import { ZkRawClient, Stat } from '../support/zk-raw-client';
import { describeWith, findApacheZooKeeper, findOurServer } from '../support/debian-tools';

jest.setTimeout(120_000);

interface Seen {
  data: string | null;
  stat: Stat;
}

async function walk(client: ZkRawClient, root: string): Promise<Map<string, Seen>> {
  const out = new Map<string, Seen>();
  const stack = [root];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const got = await client.getData(path);
    expect(got.err).toBe(0);
    out.set(path, { data: got.body!.data === null ? null : got.body!.data.toString('hex'), stat: got.body!.stat });
    const children = await client.getChildren(path);
    for (const c of children.body!.children) stack.push(path === '/' ? `/${c}` : `${path}/${c}`);
  }
  return out;
}

async function populate(client: ZkRawClient, owner: ZkRawClient): Promise<void> {
  const ok = async (p: Promise<{ err: number }>): Promise<void> => expect((await p).err).toBe(0);
  await ok(client.create('/app', Buffer.from('root')));
  await ok(client.create('/app/config', Buffer.from('{"a":1}')));
  await ok(client.create('/app/seq-', Buffer.from('s'), { flags: 2 }));
  await ok(client.create('/app/empty', null));
  await ok(client.setData('/app/config', Buffer.from('{"a":2}'), 0));
  await ok(client.create('/app/gone', Buffer.from('x')));
  await ok(client.delete('/app/gone', -1));
  await ok(client.setACL('/app/empty', [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], 0));
  await ok(owner.create('/app/lease', Buffer.from('held'), { flags: 1 }));
  expect((await client.create('/app', null)).err).toBe(-110);
}

function zxidOf(srvr: string): string {
  return /Zxid: (0x[0-9a-f]+)/.exec(srvr)![1]!;
}

async function handoff(from: ZkServerKind, to: ZkServerKind): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), `zk-handoff-${from}-${to}-`));
  let first: ZkServer | undefined;
  let second: ZkServer | undefined;
  try {
    first = await startZkServer({ kind: from, dataDir });
    const client = await ZkRawClient.connect({ port: first.port });
    const owner = await ZkRawClient.connect({ port: first.port, timeOutMs: 30_000 });
    await populate(client, owner);
    const before = await walk(client, '/app');
    const zxidBefore = zxidOf(await fourLetterWord(first.host, first.port, 'srvr'));
    const { sessionId, passwd } = owner;
    client.destroy();
    owner.destroy();
    await first.stop();
    second = await startZkServer({ kind: to, dataDir });
    expect(zxidOf(await fourLetterWord(second.host, second.port, 'srvr'))).toBe(zxidBefore);
    const reader = await ZkRawClient.connect({ port: second.port });
    expect(await walk(reader, '/app')).toEqual(before);
    const back = await ZkRawClient.connect({ port: second.port, sessionId, passwd, timeOutMs: 30_000 });
    expect(back.sessionId).toBe(sessionId);
    expect((await back.exists('/app/lease')).body!.stat.ephemeralOwner).toBe(sessionId);
    back.destroy();
    reader.destroy();
  } finally {
    await first?.cleanup();
    await second?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describeWith('data directory handed between Apache ZooKeeper 3.8 and ours', [findApacheZooKeeper(), findOurServer()], () => {
  it('Apache ZooKeeper writes it, our server serves it', () => handoff('apache', 'ours'));
  it('our server writes it, Apache ZooKeeper serves it', () => handoff('ours', 'apache'));
});
