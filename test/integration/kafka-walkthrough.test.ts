// The walkthrough of README.md's "Kafka tools" section, command for command: ZooKeeper started and
// checked with zkServer.sh, a broker with kafka-server-start.sh -daemon, a topic created, listed and
// described with kafka-topics.sh --zookeeper, two lines produced with kafka-console-producer.sh
// --broker-list and read back with kafka-console-consumer.sh --from-beginning (stopped with
// Ctrl-C), then everything stopped. The commands run from a scratch directory holding copies of
// conf/zoo.cfg and conf/server.properties on free ports; only the ports and the install path
// differ from the README (and LOG_DIR, which keeps the broker's output out of the tree).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findOurServer, describeWith, REPO_ROOT } from '../support/debian-tools';
import { freePort } from '../support/process-launcher';
import { runTool, startTool, stopAllTools, ToolResult } from '../support/tool-runner';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

const ZK_PORT_README = '2181';
const KAFKA_PORT_README = '9092';
const MESSAGES = 'This is a message\nThis is another message\n';

/** The README's commands, in order (bin/ is the install path, rewritten to this tree's bin/). */
const STEPS = {
  zkStart: 'bin/zkServer.sh start conf/zoo.cfg',
  zkStatus: 'bin/zkServer.sh status conf/zoo.cfg',
  brokerStart: 'bin/kafka-server-start.sh -daemon conf/server.properties',
  create:
    'bin/kafka-topics.sh --create --zookeeper 127.0.0.1:2181 --replication-factor 1 --partitions 1 --topic sample-topic',
  list: 'bin/kafka-topics.sh --list --zookeeper 127.0.0.1:2181',
  describe: 'bin/kafka-topics.sh --describe --zookeeper 127.0.0.1:2181 --topic sample-topic',
  produce: 'bin/kafka-console-producer.sh --broker-list 127.0.0.1:9092 --topic sample-topic',
  consume:
    'bin/kafka-console-consumer.sh --bootstrap-server 127.0.0.1:9092 --topic sample-topic --from-beginning',
  brokerStop: 'bin/kafka-server-stop.sh conf/server.properties',
  zkStop: 'bin/zkServer.sh stop conf/zoo.cfg',
} as const;

describeWith('the Kafka walkthrough of README.md', [findOurServer()], () => {
  let dir: string;
  let zkPort: number;
  let kafkaPort: number;
  const env = (): Record<string, string> => ({ LOG_DIR: path.join(dir, 'logs') });

  /** Runs a README command with this run's ports, from the scratch directory. */
  function step(command: string, input?: string): Promise<ToolResult> {
    const [tool, ...args] = command
      .replace(`127.0.0.1:${ZK_PORT_README}`, `127.0.0.1:${zkPort}`)
      .replace(`127.0.0.1:${KAFKA_PORT_README}`, `127.0.0.1:${kafkaPort}`)
      .split(' ');
    return runTool(path.join(REPO_ROOT, tool!), args, {
      cwd: dir,
      env: env(),
      ...(input === undefined ? {} : { input }),
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-walkthrough-'));
    zkPort = await freePort();
    kafkaPort = await freePort();
    mkdirSync(path.join(dir, 'conf'));
    const zooCfg = readFileSync(path.join(REPO_ROOT, 'conf', 'zoo.cfg'), 'utf8').replace(
      /^clientPort=.*$/m,
      `clientPort=${zkPort}`,
    );
    const server = readFileSync(path.join(REPO_ROOT, 'conf', 'server.properties'), 'utf8')
      .replace(/^listeners=.*$/m, `listeners=PLAINTEXT://127.0.0.1:${kafkaPort}`)
      .replace(/^zookeeper\.connect=.*$/m, `zookeeper.connect=127.0.0.1:${zkPort}`);
    writeFileSync(path.join(dir, 'conf', 'zoo.cfg'), zooCfg);
    writeFileSync(path.join(dir, 'conf', 'server.properties'), server);
  });

  afterAll(async () => {
    stopAllTools();
    await runTool(path.join(REPO_ROOT, 'bin', 'kafka-server-stop.sh'), ['conf/server.properties'], {
      cwd: dir,
      env: { SIGNAL: 'KILL' },
    });
    await runTool(path.join(REPO_ROOT, 'bin', 'zkServer.sh'), ['stop', 'conf/zoo.cfg'], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  });

  test('README.md shows these commands, in this order', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Kafka tools'));
    let at = 0;
    for (const command of Object.values(STEPS)) {
      const found = section.indexOf(command, at);
      expect({ command, found: found >= 0 }).toEqual({ command, found: true });
      at = found + command.length;
    }
  });

  test('zkServer.sh start and status', async () => {
    expect(await step(STEPS.zkStart)).toMatchObject({ code: 0, stdout: 'Starting zookeeper ... STARTED\n' });
    expect(await step(STEPS.zkStatus)).toMatchObject({
      code: 0,
      stdout: `Client port found: ${zkPort}. Client address: 127.0.0.1. Client SSL: false.\nMode: standalone\n`,
    });
  });

  test('kafka-server-start.sh -daemon with server.properties returns once the broker serves', async () => {
    expect(await step(STEPS.brokerStart)).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  test('kafka-topics.sh --create, --list and --describe with --zookeeper', async () => {
    expect(await step(STEPS.create)).toMatchObject({ code: 0, stdout: 'Created topic sample-topic.\n' });
    expect(await step(STEPS.list)).toMatchObject({ code: 0, stdout: 'sample-topic\n' });
    const described = await waitFor(
      async () => {
        const r = await step(STEPS.describe);
        return /Leader: 0/.test(r.stdout) ? r.stdout : undefined;
      },
      { description: 'sample-topic to have its leader', timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(described).toMatch(
      /^Topic: sample-topic\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: \n\tTopic: sample-topic\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0\n$/,
    );
  });

  test('kafka-console-producer.sh --broker-list sends the lines of stdin', async () => {
    expect(await step(STEPS.produce, MESSAGES)).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  test('kafka-console-consumer.sh --from-beginning prints them; Ctrl-C ends it with the count', async () => {
    const [tool, ...args] = STEPS.consume
      .replace(`127.0.0.1:${KAFKA_PORT_README}`, `127.0.0.1:${kafkaPort}`)
      .split(' ');
    const consumer = startTool(path.join(REPO_ROOT, tool!), args, { cwd: dir, env: env() });
    await consumer.waitForStdout(/This is another message\n/);
    consumer.signal('SIGINT');
    expect(await consumer.done(20_000)).toMatchObject({
      code: 130,
      stdout: MESSAGES,
      stderr: 'Processed a total of 2 messages\n',
    });
  });

  test('kafka-server-stop.sh and zkServer.sh stop', async () => {
    expect(await step(STEPS.brokerStop)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await step(STEPS.zkStop)).toMatchObject({ code: 0, stdout: 'Stopping zookeeper ... STOPPED\n' });
  });
});
