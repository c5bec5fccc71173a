// Named limits as users meet them: maxClientCnxns per client address, and the four-letter-word
// whitelist (srvr only by default).
import * as net from 'node:net';
import { startZkServer, ZkServer, fourLetterWord } from '../support/process-launcher';
import { ZkRawClient } from '../support/zk-raw-client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

describe('limits', () => {
  let server: ZkServer;
  beforeAll(async () => {
    server = await startZkServer({ kind: 'ours', config: { maxClientCnxns: 3 } });
  });
  afterAll(async () => server?.cleanup());

  it('refuses connections from one address beyond maxClientCnxns, and accepts again when one closes', async () => {
    const clients = await Promise.all([0, 1, 2].map(() => ZkRawClient.connect({ port: server.port })));
    try {
      const extra = net.connect(server.port, server.host);
      extra.on('error', () => undefined);
      const closed = await new Promise<boolean>((resolve) => {
        extra.on('close', () => resolve(true));
        setTimeout(() => resolve(false), 3000);
      });
      expect(closed).toBe(true);
      expect(server.output()).toContain('Too many connections from /127.0.0.1 - max is 3');
      clients.pop()!.destroy();
      const again = await waitFor(async () => {
        try {
          return await ZkRawClient.connect({ port: server.port, connectTimeoutMs: 1000 });
        } catch {
          return undefined;
        }
      }, { description: 'a connection after one closed' });
      clients.push(again);
      expect((await again.exists('/')).err).toBe(0);
    } finally {
      for (const c of clients) c.destroy();
    }
  });

});

describe('four-letter-word whitelist', () => {
  let server: ZkServer;
  beforeAll(async () => {
    server = await startZkServer({ kind: 'ours', config: { '4lw.commands.whitelist': 'srvr' } });
  });
  afterAll(async () => server?.cleanup());

  it('runs only whitelisted four-letter words (srvr by default)', async () => {
    expect(await fourLetterWord(server.host, server.port, 'ruok')).toBe('ruok is not executed because it is not in the whitelist.\n');
    expect(await fourLetterWord(server.host, server.port, 'srvr')).toContain('Mode: standalone');
  });
});
