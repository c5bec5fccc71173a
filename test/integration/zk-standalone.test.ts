// The real server process on loopback, driven by node-zookeeper-client as an application would.
import * as zookeeper from 'node-zookeeper-client';
import { startZkServer, ZkServer, fourLetterWord } from '../support/process-launcher';
import { waitFor } from '../support/wait-for';
import { ZkRawClient, OPEN_ACL_UNSAFE } from '../support/zk-raw-client';
import { OpCode } from '../support/zk-wire';

jest.setTimeout(60_000);

type Client = zookeeper.Client;

function connect(server: ZkServer, sessionTimeout = 10_000): Promise<Client> {
  const client = zookeeper.createClient(server.connectString, { sessionTimeout, retries: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), 10_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

const call = <T>(fn: (cb: (err: Error | zookeeper.Exception | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

describe('standalone server with node-zookeeper-client', () => {
  let server: ZkServer;
  const clients: Client[] = [];
  const open = async (timeout?: number): Promise<Client> => {
    const c = await connect(server, timeout);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startZkServer({ kind: 'ours', tickTime: 500, config: { '4lw.commands.whitelist': '*' } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.cleanup();
  });

  it('creates, reads, updates and deletes znodes', async () => {
    const c = await open();
    await call<string>((cb) => c.mkdirp('/app/config', Buffer.from('v1'), cb));
    const [data, stat] = await new Promise<[Buffer, zookeeper.Stat]>((resolve, reject) =>
      c.getData('/app/config', (err, d, s) => (err ? reject(err) : resolve([d, s]))),
    );
    expect(data.toString()).toBe('v1');
    expect(stat.version).toBe(0);
    await call((cb) => c.setData('/app/config', Buffer.from('v2'), 0, cb));
    await expect(call((cb) => c.setData('/app/config', Buffer.from('v3'), 0, cb))).rejects.toMatchObject({ code: zookeeper.Exception.BAD_VERSION });
    await expect(call((cb) => c.remove("/app", -1, (e) => cb(e, undefined)))).rejects.toMatchObject({ code: zookeeper.Exception.NOT_EMPTY });
    await call((cb) => c.remove("/app/config", -1, (e) => cb(e, undefined)));
    const children = await call<string[]>((cb) => c.getChildren('/app', cb));
    expect(children).toEqual([]);
  });

  it('runs transactions all-or-nothing', async () => {
    const c = await open();
    await call((cb) => c.create('/tx', cb));
    await expect(
      call((cb) => c.transaction().create('/tx/a').check('/tx', 99).commit(cb)),
    ).rejects.toMatchObject({ code: zookeeper.Exception.BAD_VERSION });
    expect(await call<zookeeper.Stat | null>((cb) => c.exists('/tx/a', cb))).toBeNull();
    const results = await call<Array<{ type: number }>>((cb) => c.transaction().create('/tx/a').setData('/tx', Buffer.from('x')).commit(cb));
    expect(results.map((r) => r.type)).toEqual([1, 5]);
  });

  it('delivers a watch event when another client changes the node', async () => {
    const a = await open();
    const b = await open();
    await call((cb) => a.create('/watched', Buffer.from('0'), cb));
    const event = new Promise<zookeeper.Event>((resolve) => a.getData('/watched', (e) => resolve(e), () => undefined));
    await call((cb) => b.setData('/watched', Buffer.from('1'), -1, cb));
    const e = await event;
    expect(e.getName()).toBe('NODE_DATA_CHANGED');
    expect(e.getPath()).toBe('/watched');
  });

  it('removes ephemerals when their session closes, and tells watchers', async () => {
    const owner = await open();
    const watcher = await open();
    await call((cb) => owner.create('/lease', Buffer.from('me'), zookeeper.CreateMode.EPHEMERAL, cb));
    const gone = new Promise<zookeeper.Event>((resolve) => watcher.exists('/lease', (e) => resolve(e), () => undefined));
    owner.close();
    expect((await gone).getName()).toBe('NODE_DELETED');
  });

  it('expires a session whose client stops talking, removing its ephemerals', async () => {
    const victim = await ZkRawClient.connect({ port: server.port, timeOutMs: 2000, autoPing: false });
    try {
      const created = await victim.request(OpCode.create, { path: '/short-lived', data: null, acl: OPEN_ACL_UNSAFE, flags: 1 });
      expect(created.err).toBe(0);
      const observer = await open();
      await waitFor(async () => (await call<zookeeper.Stat | null>((cb) => observer.exists('/short-lived', cb))) === null, {
        timeoutMs: 15_000,
        description: 'ephemeral removed by session expiry',
      });
      expect(server.output()).toContain('Expiring session');
    } finally {
      victim.destroy();
    }
  });

  it('answers four-letter words', async () => {
    expect(await fourLetterWord(server.host, server.port, 'ruok')).toBe('imok');
    const srvr = await fourLetterWord(server.host, server.port, 'srvr');
    expect(srvr).toMatch(/^Zookeeper version: /);
    expect(srvr).toContain('Mode: standalone');
    expect(await fourLetterWord(server.host, server.port, 'isro')).toBe('rw');
  });
});
