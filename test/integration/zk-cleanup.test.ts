// zk-cleanup (zkCleanup.sh): keeps the N newest snapshots and the logs they need; the server then
// restores everything from what is left.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startZkServer, ZkServer } from '../support/process-launcher';
import { ZkRawClient } from '../support/zk-raw-client';
import { REPO_ROOT } from '../support/debian-tools';

jest.setTimeout(60_000);

const snapshots = (dataDir: string): string[] => readdirSync(join(dataDir, 'version-2')).filter((f) => f.startsWith('snapshot.'));

describe('zk-cleanup', () => {
  let server: ZkServer | undefined;
  afterAll(async () => server?.cleanup());

  it('keeps the newest snapshots and everything they need', async () => {
    server = await startZkServer({ kind: 'ours', config: { snapCount: 20 } });
    const client = await ZkRawClient.connect({ port: server.port });
    for (let i = 0; i < 200; i++) expect((await client.create(`/n${i}`, Buffer.from(String(i)))).err).toBe(0);
    client.destroy();
    await server.stop();
    expect(snapshots(server.dataDir).length).toBeGreaterThan(4);
    const out = execFileSync('node', [join(REPO_ROOT, 'dist/zk-server/src/bin/zk-cleanup.js'), server.dataDir, '-n', '3'], { encoding: 'utf8' });
    expect(out).toMatch(/^Removing file: .*snapshot\./m);
    expect(snapshots(server.dataDir)).toHaveLength(3);
    server = await server.restart();
    const reader = await ZkRawClient.connect({ port: server.port });
    const children = await reader.getChildren('/');
    reader.destroy();
    expect(children.body!.children.filter((c) => c.startsWith('n'))).toHaveLength(200);
  });
});
