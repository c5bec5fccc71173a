// The Kafka tools of bin/ driven as a person drives them, against our ZooKeeper and a broker on
// free ports: kafka-topics in both forms (--bootstrap-server, --zookeeper) with Kafka 2.8's texts
// and the --describe layout, kafka-console-producer and -consumer (keys, separators, compression,
// formatter properties, partitions and offsets, --timeout-ms, Ctrl-C, prompts only on a terminal),
// what they write and read checked against kafkajs, and kafka-server-start -daemon with
// kafka-server-stop. Consumer groups are in kafka-tools-groups.test.ts.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ZkClient } from '../../shared/src';
import { findOurServer, describeWith } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { compressionOf, COMPRESSION_NAMES, decodeRecordBatches } from '../../kafka-broker/src/protocol';
import {
  fetchWithKafkajs,
  kafkajsClient,
  RawKafkaConnection,
  readZnodeJson,
} from '../support/kafka-test-clients';
import { cleanupAllZkServers, freePort, startZkServer, ZkServer } from '../support/process-launcher';
import { findScript, runInTerminal, runTool, startTool, stopAllTools } from '../support/tool-runner';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

const TAB = '\t';

describeWith('Kafka tools (bin/kafka-*.sh)', [findOurServer()], () => {
  let zkServer: ZkServer;
  let broker: KafkaBroker;
  let zk: ZkClient;
  let bootstrap: string;
  let zookeeper: string;

  beforeAll(async () => {
    zkServer = await startZkServer({ kind: 'ours' });
    broker = await startKafkaBroker({ zookeeperConnect: zkServer.connectString });
    zk = await ZkClient.connect(zkServer.connectString, { sessionTimeoutMs: 10_000 });
    bootstrap = broker.bootstrap;
    zookeeper = zkServer.connectString;
  });

  afterAll(async () => {
    stopAllTools();
    zk?.close();
    await cleanupAllKafkaBrokers();
    await cleanupAllZkServers();
  });

  const topics = (...args: string[]) => runTool('kafka-topics.sh', args);

  /** Describe lines once every partition has a leader (the controller acts right after a create). */
  async function describedWithLeaders(args: string[]): Promise<string> {
    return waitFor(
      async () => {
        const r = await topics(...args);
        return r.code === 0 && !/Leader: none/.test(r.stdout) && /Leader: \d/.test(r.stdout)
          ? r.stdout
          : undefined;
      },
      { description: `kafka-topics ${args.join(' ')} to show leaders`, timeoutMs: 20_000, intervalMs: 200 },
    );
  }

  describe('kafka-topics', () => {
    test('--help lists the options and exits 0; no arguments print the purpose and the usage, exit 1', async () => {
      const help = await topics('--help');
      expect(help.code).toBe(0);
      for (const option of [
        '--bootstrap-server',
        '--zookeeper',
        '--create',
        '--partitions',
        '--replication-factor',
        '--config',
        '--if-not-exists',
      ]) {
        expect(help.stdout).toContain(option);
      }
      const bare = await topics();
      expect(bare.code).toBe(1);
      expect(bare.stderr).toContain('Create, delete, describe, or change a topic.');
    });

    test('--bootstrap-server --create prints "Created topic t."; again fails as Kafka does, unless --if-not-exists', async () => {
      const created = await topics(
        '--bootstrap-server',
        bootstrap,
        '--create',
        '--topic',
        'boot-a',
        '--partitions',
        '3',
        '--replication-factor',
        '1',
        '--config',
        'retention.ms=86400000',
      );
      expect(created).toMatchObject({ code: 0, stdout: 'Created topic boot-a.\n' });
      const again = await topics(
        '--bootstrap-server',
        bootstrap,
        '--create',
        '--topic',
        'boot-a',
        '--partitions',
        '3',
      );
      expect(again.code).toBe(1);
      expect(again.stdout).toBe("Error while executing topic command : Topic 'boot-a' already exists.\n");
      const quiet = await topics(
        '--bootstrap-server',
        bootstrap,
        '--create',
        '--topic',
        'boot-a',
        '--if-not-exists',
      );
      expect(quiet).toMatchObject({ code: 0, stdout: '' });
    });

    test('--describe prints the topic line and a tab-indented line per partition', async () => {
      const out = await describedWithLeaders([
        '--bootstrap-server',
        bootstrap,
        '--describe',
        '--topic',
        'boot-a',
      ]);
      const lines = out.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(
        /^Topic: boot-a\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: (.+,)?retention\.ms=86400000(,.+)?$/,
      );
      for (let p = 0; p < 3; p++) {
        expect(lines[p + 1]).toBe(
          `${TAB}Topic: boot-a${TAB}Partition: ${p}${TAB}Leader: 0${TAB}Replicas: 0${TAB}Isr: 0`,
        );
      }
    });

    test('--zookeeper --create writes /config/topics/T then /brokers/topics/T as Kafka 2.8 leaves them', async () => {
      const created = await topics(
        '--zookeeper',
        zookeeper,
        '--create',
        '--topic',
        'zk-a',
        '--partitions',
        '2',
        '--replication-factor',
        '1',
        '--config',
        'cleanup.policy=delete',
      );
      expect(created).toMatchObject({ code: 0, stdout: 'Created topic zk-a.\n' });
      expect(await readZnodeJson(zk, '/config/topics/zk-a')).toEqual({
        version: 1,
        config: { 'cleanup.policy': 'delete' },
      });
      const assignment = await readZnodeJson<Record<string, unknown>>(zk, '/brokers/topics/zk-a');
      expect(assignment).toEqual({
        version: 3,
        partitions: { '0': [0], '1': [0] },
        adding_replicas: {},
        removing_replicas: {},
        topic_id: expect.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/),
      });
      const out = await describedWithLeaders(['--zookeeper', zookeeper, '--describe', '--topic', 'zk-a']);
      expect(out).toBe(
        `Topic: zk-a${TAB}TopicId: ${String(assignment!['topic_id'])}${TAB}PartitionCount: 2${TAB}ReplicationFactor: 1${TAB}Configs: cleanup.policy=delete\n` +
          `${TAB}Topic: zk-a${TAB}Partition: 0${TAB}Leader: 0${TAB}Replicas: 0${TAB}Isr: 0\n` +
          `${TAB}Topic: zk-a${TAB}Partition: 1${TAB}Leader: 0${TAB}Replicas: 0${TAB}Isr: 0\n`,
      );
    });

    test('--zookeeper refuses what Kafka refuses: a replication factor above the live brokers, an existing topic', async () => {
      const tooMany = await topics(
        '--zookeeper',
        zookeeper,
        '--create',
        '--topic',
        'zk-rf',
        '--partitions',
        '1',
        '--replication-factor',
        '3',
      );
      expect(tooMany.code).toBe(1);
      expect(tooMany.stdout).toBe(
        'Error while executing topic command : Replication factor: 3 larger than available brokers: 1.\n',
      );
      const exists = await topics(
        '--zookeeper',
        zookeeper,
        '--create',
        '--topic',
        'zk-a',
        '--partitions',
        '1',
        '--replication-factor',
        '1',
      );
      expect(exists.stdout).toBe("Error while executing topic command : Topic 'zk-a' already exists.\n");
    });

    test('--list gives one name per line in both forms; a --topic pattern filters', async () => {
      await waitFor(
        async () => (await topics('--bootstrap-server', bootstrap, '--list')).stdout.includes('zk-a'),
        {
          description: 'zk-a in the broker metadata',
        },
      );
      const viaBroker = (await topics('--bootstrap-server', bootstrap, '--list')).stdout
        .split('\n')
        .filter(Boolean);
      const viaZk = (await topics('--zookeeper', zookeeper, '--list')).stdout.split('\n').filter(Boolean);
      expect(viaBroker).toEqual(expect.arrayContaining(['boot-a', 'zk-a']));
      expect(viaZk).toEqual(viaBroker);
      expect((await topics('--zookeeper', zookeeper, '--list', '--topic', 'zk-.*')).stdout).toBe('zk-a\n');
    });

    test('--alter --partitions adds partitions in both forms (the --zookeeper form says so)', async () => {
      expect(
        await topics('--bootstrap-server', bootstrap, '--alter', '--topic', 'boot-a', '--partitions', '4'),
      ).toMatchObject({ code: 0, stdout: '' });
      const viaZk = await topics('--zookeeper', zookeeper, '--alter', '--topic', 'zk-a', '--partitions', '3');
      expect(viaZk.code).toBe(0);
      expect(viaZk.stdout).toBe(
        'WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected\n' +
          'Adding partitions succeeded!\n',
      );
      expect(
        await describedWithLeaders(['--bootstrap-server', bootstrap, '--describe', '--topic', 'boot-a']),
      ).toContain('PartitionCount: 4');
      expect(
        await describedWithLeaders(['--bootstrap-server', bootstrap, '--describe', '--topic', 'zk-a']),
      ).toContain(`${TAB}Partition: 2${TAB}Leader: 0`);
      const fewer = await topics(
        '--bootstrap-server',
        bootstrap,
        '--alter',
        '--topic',
        'boot-a',
        '--partitions',
        '2',
      );
      expect(fewer.code).toBe(1);
      expect(fewer.stdout).toMatch(/^Error while executing topic command : /);
    });

    test("--delete: silent over the broker; the --zookeeper form prints Kafka's two lines", async () => {
      await topics('--bootstrap-server', bootstrap, '--create', '--topic', 'del-a');
      await topics('--bootstrap-server', bootstrap, '--create', '--topic', 'del-b');
      expect(await topics('--bootstrap-server', bootstrap, '--delete', '--topic', 'del-a')).toMatchObject({
        code: 0,
        stdout: '',
      });
      const viaZk = await topics('--zookeeper', zookeeper, '--delete', '--topic', 'del-b');
      expect(viaZk.stdout).toBe(
        'Topic del-b is marked for deletion.\nNote: This will have no impact if delete.topic.enable is not set to true.\n',
      );
      await waitFor(async () => !/del-/.test((await topics('--zookeeper', zookeeper, '--list')).stdout), {
        description: 'both topics gone',
        timeoutMs: 20_000,
      });
      const missing = await topics('--bootstrap-server', bootstrap, '--describe', '--topic', 'del-a');
      expect(missing).toMatchObject({
        code: 1,
        stdout: "Error while executing topic command : Topic 'del-a' does not exist as expected\n",
      });
    });

    test('misuse prints the problem and the usage on stderr and exits 1', async () => {
      const noTopic = await topics('--bootstrap-server', bootstrap, '--create');
      expect(noTopic.code).toBe(1);
      expect(noTopic.stderr).toMatch(/^Missing required argument "\[topic\]"\n/);
      const both = await topics('--bootstrap-server', bootstrap, '--zookeeper', zookeeper, '--list');
      expect(both.stderr).toMatch(/^Only one of --bootstrap-server or --zookeeper must be specified\n/);
      const twoActions = await topics('--bootstrap-server', bootstrap, '--list', '--describe');
      expect(twoActions.stderr).toMatch(
        /^Command must include exactly one action: --list, --describe, --create, --alter or --delete\n/,
      );
      expect((await topics('--zookeeper', zookeeper, '--create', '--topic', 'x')).stderr).toMatch(
        /^Missing required argument "\[partitions\]"/,
      );
    });
  });

  describe('console producer and consumer', () => {
    const consume = (...args: string[]) =>
      runTool('kafka-console-consumer.sh', ['--bootstrap-server', bootstrap, ...args]);
    const produce = (input: string, ...args: string[]) =>
      runTool('kafka-console-producer.sh', args, { input });

    test('lines on stdin become records (--broker-list); no prompt without a terminal; kafkajs reads them', async () => {
      const r = await produce(
        'first line\nsecond line\n\nlast\n',
        '--broker-list',
        bootstrap,
        '--topic',
        'lines',
      );
      expect(r).toMatchObject({ code: 0, stdout: '' });
      const read = await fetchWithKafkajs(bootstrap, 'lines', 0, 4);
      expect(read.map((m) => m.value?.toString())).toEqual(['first line', 'second line', '', 'last']);
      expect(read.every((m) => m.key === null)).toBe(true);
    });

    test('--from-beginning prints each value on its line and "Processed a total of N messages" on stderr', async () => {
      const r = await consume('--topic', 'lines', '--from-beginning', '--max-messages', '4');
      expect(r).toMatchObject({
        code: 0,
        stdout: 'first line\nsecond line\n\nlast\n',
        stderr: 'Processed a total of 4 messages\n',
      });
    });

    test('parse.key with key.separator, acks=all; print.key, print.timestamp and key.separator on the way out', async () => {
      const r = await produce(
        'k1:v1\nk2:v:2\n:empty key\n',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'keyed',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
        '--producer-property',
        'acks=all',
      );
      expect(r.code).toBe(0);
      const read = await fetchWithKafkajs(bootstrap, 'keyed', 0, 3);
      expect(read.map((m) => [m.key?.toString(), m.value?.toString()])).toEqual([
        ['k1', 'v1'],
        ['k2', 'v:2'],
        ['', 'empty key'],
      ]);
      const c = await consume(
        '--topic',
        'keyed',
        '--from-beginning',
        '--max-messages',
        '3',
        '--property',
        'print.key=true',
        '--property',
        'print.timestamp=true',
        '--property',
        'key.separator= | ',
      );
      expect(c.stdout).toMatch(
        /^CreateTime:\d{13} \| k1 \| v1\nCreateTime:\d{13} \| k2 \| v:2\nCreateTime:\d{13} \|  \| empty key\n$/,
      );
      const offsets = await consume(
        '--topic',
        'keyed',
        '--from-beginning',
        '--max-messages',
        '1',
        '--property',
        'print.offset=true',
        '--property',
        'print.partition=true',
      );
      expect(offsets.stdout).toBe(`Partition:0${TAB}Offset:0${TAB}v1\n`);
    });

    test("a line without the key separator stops the producer, as Kafka's; ignore.error=true sends it as a value", async () => {
      const bad = await produce(
        'a:1\nno separator\n',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'keyed-bad',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('No key found on line 2: no separator');
      const ok = await produce(
        'no separator\n',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'keyed-bad',
        '--property',
        'parse.key=true',
        '--property',
        'ignore.error=true',
      );
      expect(ok.code).toBe(0);
      const read = await fetchWithKafkajs(bootstrap, 'keyed-bad', 0, 2);
      expect(read.map((m) => [m.key?.toString() ?? null, m.value?.toString()])).toEqual([
        ['a', '1'],
        [null, 'no separator'],
      ]);
    });

    test.each(['gzip', 'snappy', 'lz4', 'zstd'])(
      '--compression-codec %s: records come back unchanged',
      async (codec) => {
        const topic = `compressed-${codec}`;
        const lines = Array.from({ length: 50 }, (_, i) => `${codec} record ${i} ${'x'.repeat(i)}`);
        expect(
          (
            await produce(
              `${lines.join('\n')}\n`,
              '--bootstrap-server',
              bootstrap,
              '--topic',
              topic,
              '--compression-codec',
              codec,
            )
          ).code,
        ).toBe(0);
        const c = await consume('--topic', topic, '--from-beginning', '--max-messages', '50');
        expect(c.stdout).toBe(`${lines.join('\n')}\n`);
        expect(await storedCodecs(topic)).toEqual([codec]);
      },
    );

    /** The codec of every batch stored in partition 0 (read with a raw Fetch). */
    async function storedCodecs(topic: string): Promise<string[]> {
      const raw = await RawKafkaConnection.connect(bootstrap);
      try {
        const r = await raw.request('Fetch', 11, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 24,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 24 }] }],
          forgottenTopicsData: [],
          rackId: '',
        });
        const records = r.responses[0]!.partitions[0]!.records!;
        return [
          ...new Set(
            decodeRecordBatches(records).map((b) => COMPRESSION_NAMES[compressionOf(b.attributes)]!),
          ),
        ];
      } finally {
        raw.close();
      }
    }

    test('--compression-codec without a value is gzip; --compression-type and compression.type also choose', async () => {
      expect(
        (
          await produce(
            'g\n',
            '--bootstrap-server',
            bootstrap,
            '--topic',
            'codec-default',
            '--compression-codec',
          )
        ).code,
      ).toBe(0);
      expect(
        (
          await produce(
            'l\n',
            '--bootstrap-server',
            bootstrap,
            '--topic',
            'codec-default',
            '--compression-type',
            'lz4',
          )
        ).code,
      ).toBe(0);
      expect(
        (
          await produce(
            's\n',
            '--bootstrap-server',
            bootstrap,
            '--topic',
            'codec-default',
            '--producer-property',
            'compression.type=snappy',
          )
        ).code,
      ).toBe(0);
      expect(
        (await consume('--topic', 'codec-default', '--from-beginning', '--max-messages', '3')).stdout,
      ).toBe('g\nl\ns\n');
    });

    test('records kafkajs produced (with headers) print with print.headers', async () => {
      const producer = kafkajsClient(bootstrap).producer();
      await producer.connect();
      await producer.send({
        topic: 'from-kafkajs',
        messages: [{ key: 'k', value: 'v', headers: { h1: 'a', h2: 'b' } }, { value: null }],
      });
      await producer.disconnect();
      const c = await consume(
        '--topic',
        'from-kafkajs',
        '--from-beginning',
        '--max-messages',
        '2',
        '--property',
        'print.headers=true',
        '--property',
        'print.key=true',
      );
      expect(c.stdout).toBe(`h1:a,h2:b${TAB}k${TAB}v\nNO_HEADERS${TAB}null${TAB}null\n`);
    });

    test('--partition with --offset N, earliest or latest', async () => {
      await topics('--bootstrap-server', bootstrap, '--create', '--topic', 'parts', '--partitions', '2');
      await describedWithLeaders(['--bootstrap-server', bootstrap, '--describe', '--topic', 'parts']);
      const kafka = kafkajsClient(bootstrap).producer();
      await kafka.connect();
      await kafka.send({
        topic: 'parts',
        messages: ['a', 'b', 'c'].map((value) => ({ value, partition: 1 })),
      });
      await kafka.disconnect();
      expect(
        (await consume('--topic', 'parts', '--partition', '1', '--offset', '1', '--max-messages', '2'))
          .stdout,
      ).toBe('b\nc\n');
      expect(
        (await consume('--topic', 'parts', '--partition', '1', '--offset', 'earliest', '--max-messages', '1'))
          .stdout,
      ).toBe('a\n');
      const latest = await consume('--topic', 'parts', '--partition', '1', '--timeout-ms', '1500');
      expect(latest).toMatchObject({ code: 0, stdout: '' });
      expect(latest.stderr).toMatch(
        /ERROR Error processing message, terminating consumer process: \n.*TimeoutException\nProcessed a total of 0 messages\n$/,
      );
      const wrong = await consume('--topic', 'parts', '--offset', '1');
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^The partition is required when offset is specified\./);
    });

    test('without --from-beginning only new records show; Ctrl-C ends with the count and exit 130', async () => {
      const consumer = startTool('kafka-console-consumer.sh', [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'lines',
      ]);
      await waitFor(
        async () => {
          await produce('live\n', '--bootstrap-server', bootstrap, '--topic', 'lines');
          return /live\n/.test(consumer.stdout());
        },
        { description: 'the consumer to print a new record', timeoutMs: 30_000, intervalMs: 1_500 },
      );
      consumer.signal('SIGINT');
      const r = await consumer.done(15_000);
      expect(r.code).toBe(130);
      expect(r.stdout).not.toContain('first line');
      expect(r.stderr).toMatch(/Processed a total of \d+ messages\n$/);
    });

    const script = findScript();
    (script === null ? test.skip : test)(
      'on a terminal the producer prompts with ">" before each line, as Kafka does',
      async () => {
        const r = await runInTerminal(
          'kafka-console-producer.sh',
          ['--bootstrap-server', bootstrap, '--topic', 'prompted'],
          { input: 'one\ntwo\n\x04' },
        );
        expect(r.code).toBe(0);
        // The terminal echoes what is typed; without it, a prompt before each line and before the end.
        expect(r.stdout.replace(/\r/g, '').replace(/one\n|two\n/g, '')).toBe('>>>');
        expect((await consume('--topic', 'prompted', '--from-beginning', '--max-messages', '2')).stdout).toBe(
          'one\ntwo\n',
        );
      },
    );
  });

  describe('kafka-server-start -daemon and kafka-server-stop', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-daemon-'));
    });
    afterAll(async () => {
      await runTool('kafka-server-stop.sh', ['server.properties'], { cwd: dir, env: { SIGNAL: 'KILL' } });
      rmSync(dir, { recursive: true, force: true });
    });

    test('-daemon returns once the broker serves, with a pid file and kafkaServer.out; stop <config> ends it cleanly', async () => {
      const port = await freePort();
      writeFileSync(
        path.join(dir, 'server.properties'),
        `broker.id=7\nlisteners=PLAINTEXT://127.0.0.1:${port}\nlog.dirs=logs-7\nzookeeper.connect=${zookeeper}\n`,
      );
      const env = { LOG_DIR: path.join(dir, 'out') };
      const started = await runTool('kafka-server-start.sh', ['-daemon', 'server.properties'], {
        cwd: dir,
        env,
      });
      expect(started).toMatchObject({ code: 0, stdout: '', stderr: '' });
      const pid = Number(readFileSync(path.join(dir, 'logs-7', 'kafka-server.pid'), 'utf8'));
      expect(pid).toBeGreaterThan(0);
      expect(readFileSync(path.join(dir, 'out', 'kafkaServer.out'), 'utf8')).toMatch(
        /\[KafkaServer id=7\] started/,
      );
      expect(await zk.exists('/brokers/ids/7')).not.toBeNull();
      const twice = await runTool('kafka-server-start.sh', ['-daemon', 'server.properties'], {
        cwd: dir,
        env,
      });
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain(`already runs as process ${pid}`);

      const stopped = await runTool('kafka-server-stop.sh', ['server.properties'], { cwd: dir });
      expect(stopped).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(existsSync(`/proc/${pid}`)).toBe(false);
      expect(existsSync(path.join(dir, 'logs-7', 'kafka-server.pid'))).toBe(false);
      expect(existsSync(path.join(dir, 'logs-7', '.kafka_cleanshutdown'))).toBe(true);
      expect(await zk.exists('/brokers/ids/7')).toBeNull();
      expect(await runTool('kafka-server-stop.sh', ['server.properties'], { cwd: dir })).toMatchObject({
        code: 1,
        stdout: 'No kafka server to stop\n',
      });
    });

    test('-daemon with a broken config says so and exits 2', async () => {
      writeFileSync(path.join(dir, 'bad.properties'), 'broker.id=x\n');
      const r = await runTool('kafka-server-start.sh', ['-daemon', 'bad.properties'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/broker\.id/);
    });
  });
});
