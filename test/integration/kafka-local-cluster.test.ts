// What `make run` and `make run-ensemble` run (kafka-local-cluster single | ensemble), on configs
// like conf/'s but on free ports in a scratch directory (--dir): progress while the servers
// start, the summary and the commands to try, a working cluster (a topic produced to and read
// back through bin/), and Ctrl-C stopping the brokers first, then ZooKeeper, with exit code 0.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { findOurServer, describeWith, REPO_ROOT } from '../support/debian-tools';
import { freePort } from '../support/process-launcher';
import { runTool, RunningTool, startTool, stopAllTools } from '../support/tool-runner';

jest.setTimeout(180_000);

const CLUSTER_BIN = path.join(REPO_ROOT, 'dist', 'kafka-broker', 'src', 'bin', 'kafka-local-cluster.js');

function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-local-cluster-'));
  mkdirSync(path.join(dir, 'conf', 'zoo-ensemble'), { recursive: true });
  return dir;
}

const clusters: RunningTool[] = [];

function startCluster(dir: string, mode: string): RunningTool {
  const cluster = startTool(process.execPath, [CLUSTER_BIN, mode, '--dir', dir], { cwd: dir });
  clusters.push(cluster);
  return cluster;
}

/** SIGKILLs every process working in `dir` (servers a killed cluster left behind). */
function killProcessesIn(dir: string): void {
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readlinkSync(`/proc/${name}/cwd`) === dir) process.kill(Number(name), 'SIGKILL');
    } catch {
      // gone, or not ours to look at
    }
  }
}

describeWith('kafka-local-cluster (make run, make run-ensemble)', [findOurServer()], () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const cluster of clusters) {
      cluster.signal('SIGINT');
      await cluster.done(60_000);
    }
    stopAllTools();
    for (const dir of dirs) {
      if (existsSync('/proc')) killProcessesIn(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('single: ZooKeeper then the broker, the commands to try, a working cluster, Ctrl-C stops broker then ZooKeeper', async () => {
    const dir = scratch();
    dirs.push(dir);
    const zkPort = await freePort();
    const kafkaPort = await freePort();
    writeFileSync(
      path.join(dir, 'conf', 'zoo.cfg'),
      readFileSync(path.join(REPO_ROOT, 'conf', 'zoo.cfg'), 'utf8').replace(
        /^clientPort=.*$/m,
        `clientPort=${zkPort}`,
      ),
    );
    writeFileSync(
      path.join(dir, 'conf', 'server.properties'),
      readFileSync(path.join(REPO_ROOT, 'conf', 'server.properties'), 'utf8')
        .replace(/^listeners=.*$/m, `listeners=PLAINTEXT://127.0.0.1:${kafkaPort}`)
        .replace(/^zookeeper\.connect=.*$/m, `zookeeper.connect=127.0.0.1:${zkPort}`),
    );
    const cluster = startCluster(dir, 'single');
    await cluster.waitForStdout(/Ctrl-C stops the broker, then ZooKeeper\.\n/, 60_000);
    const out = cluster.stdout();
    expect(out).toMatch(
      new RegExp(`^Starting ZooKeeper \\(conf/zoo\\.cfg\\) \\.* listening on 127\\.0\\.0\\.1:${zkPort}\n`),
    );
    expect(out).toMatch(
      new RegExp(
        `\nStarting Kafka broker 0 \\(conf/server\\.properties\\) \\.* ready on 127\\.0\\.0\\.1:${kafkaPort}\n`,
      ),
    );
    expect(out).toContain(
      `kafka-topics.sh --create --zookeeper 127.0.0.1:${zkPort} --replication-factor 1 --partitions 1 --topic sample-topic`,
    );
    expect(out).toContain(
      `kafka-console-consumer.sh --bootstrap-server 127.0.0.1:${kafkaPort} --topic sample-topic --from-beginning`,
    );
    expect(readFileSync(path.join(dir, 'data', 'logs', 'kafka-0.log'), 'utf8')).toContain(
      '[KafkaServer id=0] started',
    );

    const bootstrap = `127.0.0.1:${kafkaPort}`;
    expect(
      (
        await runTool('kafka-console-producer.sh', ['--bootstrap-server', bootstrap, '--topic', 'local'], {
          input: 'one\ntwo\n',
        })
      ).code,
    ).toBe(0);
    const read = await runTool('kafka-console-consumer.sh', [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'local',
      '--from-beginning',
      '--max-messages',
      '2',
    ]);
    expect(read.stdout).toBe('one\ntwo\n');

    cluster.signal('SIGINT');
    const result = await cluster.done(60_000);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Stopping Kafka broker 0 \.\.\. stopped\nStopping ZooKeeper \.\.\. stopped\n$/,
    );
    expect(readFileSync(path.join(dir, 'data', 'logs', 'kafka-0.log'), 'utf8')).toContain(
      'shut down completed',
    );
  });

  test('single: an address in use is reported and nothing starts', async () => {
    const dir = scratch();
    dirs.push(dir);
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      writeFileSync(
        path.join(dir, 'conf', 'zoo.cfg'),
        `dataDir=data/zookeeper\nclientPort=${port}\nclientPortAddress=127.0.0.1\n`,
      );
      writeFileSync(
        path.join(dir, 'conf', 'server.properties'),
        `listeners=PLAINTEXT://127.0.0.1:${await freePort()}\nzookeeper.connect=127.0.0.1:${port}\nlog.dirs=data/k\n`,
      );
      const r = await startCluster(dir, 'single').done(30_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `127.0.0.1:${port}, the address of ZooKeeper (conf/zoo.cfg), is already in use.`,
      );
      expect(r.stdout).toBe('');
    } finally {
      busy.close();
    }
  });

  test('ensemble: three members and three brokers on 127.0.0.1-3 form one cluster; Ctrl-C stops brokers, then members', async () => {
    const dir = scratch();
    dirs.push(dir);
    const zkPort = await freePort();
    const kafkaPort = await freePort();
    const quorumPort = await freePort();
    const electionPort = await freePort();
    for (const n of [1, 2, 3]) {
      const servers = [1, 2, 3]
        .map((m) => `server.${m}=127.0.0.${m}:${quorumPort}:${electionPort}`)
        .join('\n');
      writeFileSync(
        path.join(dir, 'conf', 'zoo-ensemble', `zoo${n}.cfg`),
        `tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=data/zk${n}\nclientPort=${zkPort}\nclientPortAddress=127.0.0.${n}\n4lw.commands.whitelist=*\n${servers}\n`,
      );
      writeFileSync(
        path.join(dir, 'conf', `server-${n}.properties`),
        readFileSync(path.join(REPO_ROOT, 'conf', `server-${n}.properties`), 'utf8')
          .replace(/^listeners=.*$/m, `listeners=PLAINTEXT://127.0.0.${n}:${kafkaPort}`)
          .replace(
            /^zookeeper\.connect=.*$/m,
            `zookeeper.connect=${[1, 2, 3].map((m) => `127.0.0.${m}:${zkPort}`).join(',')}`,
          ),
      );
    }
    const cluster = startCluster(dir, 'ensemble');
    await cluster.waitForStdout(/Ctrl-C stops the brokers, then ZooKeeper\.\n/, 120_000);
    const out = cluster.stdout();
    for (const n of [1, 2, 3]) {
      expect(out).toMatch(
        new RegExp(
          `Starting ZooKeeper ${n} \\(conf/zoo-ensemble/zoo${n}\\.cfg\\) \\.* listening on 127\\.0\\.0\\.${n}:${zkPort}\n`,
        ),
      );
      expect(out).toMatch(
        new RegExp(
          `Starting Kafka broker ${n} \\(conf/server-${n}\\.properties\\) \\.* ready on 127\\.0\\.0\\.${n}:${kafkaPort}\n`,
        ),
      );
    }
    // the members form one quorum: a leader and two followers, in some order
    const modes = /Waiting for the ZooKeeper members to answer srvr \.* (\w+), (\w+), (\w+)\n/.exec(out)?.slice(1) ?? [];
    expect([...modes].sort()).toEqual(['follower', 'follower', 'leader']);

    const bootstrap = [1, 2, 3].map((n) => `127.0.0.${n}:${kafkaPort}`).join(',');
    const created = await runTool('kafka-topics.sh', [
      '--bootstrap-server',
      bootstrap,
      '--create',
      '--topic',
      'spread',
      '--partitions',
      '3',
      '--replication-factor',
      '1',
    ]);
    expect(created.stdout).toBe('Created topic spread.\n');
    const lines = Array.from({ length: 30 }, (_, i) => `k${i}:v${i}`);
    const produced = await runTool(
      'kafka-console-producer.sh',
      [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'spread',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
      ],
      { input: `${lines.join('\n')}\n` },
    );
    expect(produced.code).toBe(0);
    const read = await runTool('kafka-console-consumer.sh', [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'spread',
      '--from-beginning',
      '--max-messages',
      '30',
      '--property',
      'print.partition=true',
    ]);
    expect(read.stdout.split('\n').filter(Boolean)).toHaveLength(30);
    expect(
      new Set(
        read.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[0]),
      ),
    ).toEqual(new Set(['Partition:0', 'Partition:1', 'Partition:2']));
    const leaders = (
      await runTool('kafka-topics.sh', ['--bootstrap-server', bootstrap, '--describe', '--topic', 'spread'])
    ).stdout;
    expect(new Set([...leaders.matchAll(/Leader: (\d)/g)].map((m) => m[1]))).toEqual(
      new Set(['1', '2', '3']),
    );

    cluster.signal('SIGINT');
    const result = await cluster.done(120_000);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Stopping Kafka broker 3 \.\.\. stopped\nStopping Kafka broker 2 \.\.\. stopped\nStopping Kafka broker 1 \.\.\. stopped\n(Stopping ZooKeeper \d \.\.\. stopped\n){3}$/,
    );
  });
});
