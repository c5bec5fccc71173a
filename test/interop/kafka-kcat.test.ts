// kcat (librdkafka 2.0.2, flexible ApiVersions v3, Produce v7, Fetch v11, Metadata v4) against the
// broker: metadata (-L), and produce then consume with keys and headers under every compression
// codec librdkafka writes (none, gzip, snappy as a raw block, lz4 frames, zstd).

import { spawnSync } from 'node:child_process';
import { describeWith, findKcat, findOurServer } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { cleanupAllZkServers, startZkServer, ZkServer } from '../support/process-launcher';

jest.setTimeout(60_000);

const KCAT_TIMEOUT_MS = 30_000;
const kcatTool = findKcat();

let zkServer: ZkServer;
let broker: KafkaBroker;

function kcat(args: string[], input?: string): string {
  const kcatPath = kcatTool.ok ? kcatTool.path : 'kcat';
  const r = spawnSync(kcatPath, ['-b', broker.bootstrap, ...args], {
    input,
    encoding: 'utf8',
    timeout: KCAT_TIMEOUT_MS,
  });
  if (r.status !== 0)
    throw new Error(`kcat ${args.join(' ')} exited ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
  return r.stdout;
}

describeWith('kcat against the broker', [findOurServer(), kcatTool], () => {
  beforeAll(async () => {
    zkServer = await startZkServer({ kind: 'ours' });
    broker = await startKafkaBroker({
      zookeeperConnect: zkServer.connectString,
      properties: { 'num.partitions': 2 },
    });
  });

  afterAll(async () => {
    await cleanupAllKafkaBrokers();
    await cleanupAllZkServers();
  });

  test('-L lists the broker as controller and auto-created topics with their leaders', () => {
    kcat(['-P', '-t', 'kcat-meta'], 'hello\n');
    const md = JSON.parse(kcat(['-L', '-J', '-t', 'kcat-meta'])) as {
      controllerid: number;
      brokers: { id: number; name: string }[];
      topics: {
        topic: string;
        partitions: {
          partition: number;
          leader: number;
          replicas: { id: number }[];
          isrs: { id: number }[];
        }[];
      }[];
    };
    expect(md.controllerid).toBe(0);
    expect(md.brokers).toEqual([{ id: 0, name: broker.bootstrap }]);
    expect(md.topics[0]!.topic).toBe('kcat-meta');
    expect(
      md.topics[0]!.partitions.map((p) => [
        p.partition,
        p.leader,
        p.replicas.map((r) => r.id),
        p.isrs.map((r) => r.id),
      ]),
    ).toEqual([
      [0, 0, [0], [0]],
      [1, 0, [0], [0]],
    ]);
  });

  test.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])(
    'produces and consumes %s batches with keys and headers',
    (codec) => {
      const topic = `kcat-${codec}`;
      const lines = Array.from({ length: 500 }, (_, i) => `key${i % 7}:value ${i} ${'abc'.repeat(i % 20)}`);
      kcat(
        ['-P', '-t', topic, '-p', '0', '-K', ':', '-z', codec, '-H', `codec=${codec}`, '-X', 'linger.ms=50'],
        lines.join('\n') + '\n',
      );
      const out = kcat(['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o|%k|%s|%h\n']);
      const got = out.trimEnd().split('\n');
      expect(got).toEqual(lines.map((l, i) => `${i}|${l.replace(':', '|')}|codec=${codec}`));
    },
  );

  test('consumes from an offset and from the end of every partition', () => {
    kcat(
      ['-P', '-t', 'kcat-offsets', '-p', '1'],
      Array.from({ length: 20 }, (_, i) => `m${i}`).join('\n') + '\n',
    );
    expect(
      kcat(['-C', '-t', 'kcat-offsets', '-p', '1', '-o', '15', '-e', '-q']).trimEnd().split('\n'),
    ).toEqual(['m15', 'm16', 'm17', 'm18', 'm19']);
    expect(kcat(['-C', '-t', 'kcat-offsets', '-o', 'end', '-e', '-q'])).toBe('');
  });
});
