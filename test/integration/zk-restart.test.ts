// Sessions across a restart: the session table comes back from the snapshot and the log; a client
// that returns within its timeout keeps its session and ephemerals; one that does not return is
// expired after the restart, and its ephemerals are removed.
import { startZkServer, ZkServer } from '../support/process-launcher';
import { ZkRawClient } from '../support/zk-raw-client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

describe('restart', () => {
  let server: ZkServer | undefined;
  afterAll(async () => server?.cleanup());

  it('keeps returning sessions and expires the others', async () => {
    server = await startZkServer({ kind: 'ours', tickTime: 500 });
    const returning = await ZkRawClient.connect({ port: server.port, timeOutMs: 5000 });
    const leaving = await ZkRawClient.connect({ port: server.port, timeOutMs: 5000 });
    expect((await returning.create('/stays', Buffer.from('a'), { flags: 1 })).err).toBe(0);
    expect((await leaving.create('/goes', Buffer.from('b'), { flags: 1 })).err).toBe(0);
    expect((await returning.create('/data', Buffer.from('persistent'))).err).toBe(0);
    const { sessionId, passwd } = returning;
    returning.destroy();
    leaving.destroy();
    await server.kill9();
    server = await server.restart();
    const back = await ZkRawClient.connect({ port: server.port, sessionId, passwd, timeOutMs: 5000 });
    expect(back.sessionId).toBe(sessionId);
    const observer = await ZkRawClient.connect({ port: server.port });
    try {
      expect((await observer.getData('/data')).body!.data!.toString()).toBe('persistent');
      await waitFor(async () => (await observer.exists('/goes')).err === -101, { timeoutMs: 15_000, description: '/goes expired' });
      expect((await observer.exists('/stays')).body!.stat.ephemeralOwner).toBe(sessionId);
    } finally {
      back.destroy();
      observer.destroy();
    }
  });
});
