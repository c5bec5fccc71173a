// sarama 1.22 (Debian's Go package) against our broker: its default configuration speaks the oldest
// protocol versions and magic-0 messages (NewSyncProducer, SendMessage, NewConsumer,
// ConsumePartition from OffsetOldest); its consumer group joins, is assigned every partition,
// consumes, and commits offsets that land in ZooKeeper under /consumers/<group>/offsets.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startZkServer, ZkServer } from '../support/process-launcher';
import { startKafkaBroker, KafkaBroker } from '../support/kafka-launcher';
import { describeWith, findOurServer, findSarama } from '../support/debian-tools';
import { ZkRawClient } from '../support/zk-raw-client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

const sarama = findSarama();

function run(bin: string, args: string[], input = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    child.stdin.end(input);
  });
}

describeWith('sarama 1.22 with its default configuration', [findOurServer(), sarama], () => {
  let zk: ZkServer;
  let broker: KafkaBroker;
  let buildDir: string;
  let client: string;

  beforeAll(async () => {
    buildDir = mkdtempSync(join(tmpdir(), 'sarama-client-'));
    client = join(buildDir, 'sarama-client');
    if (sarama.ok) {
      execFileSync(sarama.go, ['build', '-o', client, join(__dirname, 'sarama', 'main.go')], {
        env: { ...process.env, GOPATH: sarama.gopath, GO111MODULE: 'off', GOCACHE: join(buildDir, 'cache') },
        stdio: 'ignore',
      });
    }
    zk = await startZkServer({ kind: 'ours' });
    broker = await startKafkaBroker({ zookeeperConnect: zk.connectString, properties: { 'num.partitions': 1 } });
  });
  afterAll(async () => {
    await broker?.cleanup();
    await zk?.cleanup();
    rmSync(buildDir, { recursive: true, force: true });
  });

  it('produces with NewSyncProducer and reads back with ConsumePartition from OffsetOldest', async () => {
    const produced = await run(client, ['produce', broker.bootstrap, 'sarama-plain'], 'one\ntwo\nthree\n');
    expect(produced.out).toBe('sent 0/0\nsent 0/1\nsent 0/2\n');
    const consumed = await run(client, ['consume', broker.bootstrap, 'sarama-plain', '3']);
    expect(consumed.code).toBe(0);
    expect(consumed.out).toBe('0 one\n1 two\n2 three\n');
  });

  it('consumes as a group member and commits offsets into ZooKeeper', async () => {
    const produced = await run(client, ['produce', broker.bootstrap, 'sarama-group'], 'a\nb\nc\nd\n');
    expect(produced.code).toBe(0);
    const consumed = await run(client, ['group', broker.bootstrap, 'sarama-group', '4', 'sarama-readers']);
    expect(consumed.code).toBe(0);
    expect(consumed.out).toContain('assigned sarama-group [0]');
    expect(consumed.out.split('\n').filter((l) => /^0\/\d /.test(l))).toEqual(['0/0 a', '0/1 b', '0/2 c', '0/3 d']);
    const reader = await ZkRawClient.connect({ port: zk.port });
    try {
      const offset = await waitFor(async () => {
        const r = await reader.getData('/consumers/sarama-readers/offsets/sarama-group/0');
        return r.err === 0 && r.body!.data?.toString() === '4' ? '4' : undefined;
      }, { description: 'committed offset 4 in ZooKeeper' });
      expect(offset).toBe('4');
    } finally {
      reader.destroy();
    }
  });
});
