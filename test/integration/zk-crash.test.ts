// Durability under kill -9: several clients write while the server is killed at random moments;
// after each restart every acknowledged write is there, each client's writes form a gapless prefix
// (at most the one write in flight at the kill may also have landed), and the server starts cleanly.
import { seededRng } from '../../shared/src';
import { startZkServer, ZkServer } from '../support/process-launcher';
import { ZkRawClient } from '../support/zk-raw-client';
import { delay } from '../support/wait-for';

jest.setTimeout(120_000);

const CLIENTS = 4;
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 6);

interface Writer {
  id: number;
  acked: number;
  stop: boolean;
}

/** Creates /crash/w<id>-<n> one after another, counting acknowledgements, until the connection dies. */
async function write(client: ZkRawClient, w: Writer, round: number): Promise<void> {
  while (!w.stop) {
    const n = w.acked;
    try {
      const reply = await client.create(`/crash/w${w.id}-${String(n).padStart(6, '0')}`, Buffer.from(`round ${round}`));
      if (reply.err !== 0) throw new Error(`create w${w.id}-${n} failed with ${reply.err}`);
      w.acked++;
    } catch (e) {
      if ((e as Error).message.startsWith('create')) throw e;
      return;
    }
  }
}

describe('kill -9 while clients write', () => {
  let server: ZkServer | undefined;
  afterAll(async () => server?.cleanup());

  it(`keeps every acknowledged write across ${ROUNDS} crashes`, async () => {
    const seed = Number(process.env.SEED ?? Date.now() % 100000);
    const rng = seededRng(seed);
    server = await startZkServer({ kind: 'ours', forceSync: true });
    const setup = await ZkRawClient.connect({ port: server.port });
    expect((await setup.create('/crash', null)).err).toBe(0);
    setup.destroy();
    const writers: Writer[] = Array.from({ length: CLIENTS }, (_, id) => ({ id, acked: 0, stop: false }));
    for (let round = 0; round < ROUNDS; round++) {
      const clients = await Promise.all(writers.map(() => ZkRawClient.connect({ port: server!.port, requestTimeoutMs: 5000 })));
      for (const w of writers) w.stop = false;
      const running = writers.map((w, i) => write(clients[i]!, w, round));
      await delay(150 + rng.int(600));
      await server.kill9();
      await Promise.all(running);
      for (const c of clients) c.destroy();
      server = await server.restart();
      const checker = await ZkRawClient.connect({ port: server.port });
      const children = await checker.getChildren('/crash');
      checker.destroy();
      expect(children.err).toBe(0);
      const names = new Set(children.body!.children);
      for (const w of writers) {
        const mine = [...names].filter((n) => n.startsWith(`w${w.id}-`)).sort();
        for (let n = 0; n < w.acked; n++) {
          if (!names.has(`w${w.id}-${String(n).padStart(6, '0')}`)) {
            throw new Error(`seed ${seed} round ${round}: acknowledged write w${w.id}-${n} lost`);
          }
        }
        // the one create in flight at the kill may have been made durable without its reply
        expect(mine.length === w.acked || mine.length === w.acked + 1).toBe(true);
        w.acked = mine.length;
      }
    }
    expect(writers.reduce((sum, w) => sum + w.acked, 0)).toBeGreaterThan(0);
  });
});
