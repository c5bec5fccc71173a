// The group side of the Kafka tools, driven through bin/ against our ZooKeeper and a broker:
// kafka-console-consumer --group (joins, commits, resumes where it stopped, two members split
// the partitions), and kafka-consumer-groups --list, --describe (the offsets table, --members,
// --state, the notes Kafka prints for empty and unknown groups), --reset-offsets (dry run, CSV
// export, --execute, refused while members are active) and --delete. They need the broker's group
// coordinator.

import { findOurServer, describeWith } from '../support/debian-tools';
import { cleanupAllKafkaBrokers, KafkaBroker, startKafkaBroker } from '../support/kafka-launcher';
import { cleanupAllZkServers, startZkServer, ZkServer } from '../support/process-launcher';
import { runTool, RunningTool, startTool, stopAllTools } from '../support/tool-runner';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

const HEADER =
  'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID';

describeWith('consumer groups through the Kafka tools', [findOurServer()], () => {
  let zkServer: ZkServer;
  let broker: KafkaBroker;
  let bootstrap: string;

  beforeAll(async () => {
    zkServer = await startZkServer({ kind: 'ours' });
    broker = await startKafkaBroker({
      zookeeperConnect: zkServer.connectString,
      properties: { 'group.initial.rebalance.delay.ms': 0 },
    });
    bootstrap = broker.bootstrap;
    const created = await runTool('kafka-topics.sh', [
      '--bootstrap-server',
      bootstrap,
      '--create',
      '--topic',
      'orders',
      '--partitions',
      '2',
    ]);
    expect(created.stdout).toBe('Created topic orders.\n');
    const lines = Array.from({ length: 10 }, (_, i) => `k${i}:order ${i}`).join('\n');
    const produced = await runTool(
      'kafka-console-producer.sh',
      [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'orders',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
      ],
      { input: `${lines}\n` },
    );
    expect(produced.code).toBe(0);
  });

  afterAll(async () => {
    stopAllTools();
    await cleanupAllKafkaBrokers();
    await cleanupAllZkServers();
  });

  const groups = (...args: string[]) =>
    runTool('kafka-consumer-groups.sh', ['--bootstrap-server', bootstrap, ...args]);
  const consume = (...args: string[]) =>
    runTool('kafka-console-consumer.sh', ['--bootstrap-server', bootstrap, '--topic', 'orders', ...args]);

  /** Log end offsets of orders-0 and orders-1 from the describe table of a group. */
  function rows(stdout: string): string[][] {
    return stdout
      .split('\n')
      .filter((l) => l.startsWith('g-'))
      .map((l) => l.trim().split(/\s+/));
  }

  test('--group --from-beginning reads everything and commits; a second run has nothing left', async () => {
    const first = await consume('--group', 'g-one', '--from-beginning', '--max-messages', '10');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter(Boolean).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `order ${i}`).sort(),
    );
    expect(first.stderr).toBe('Processed a total of 10 messages\n');
    const second = await consume('--group', 'g-one', '--from-beginning', '--timeout-ms', '3000');
    expect(second.stdout).toBe('');
    expect(second.stderr).toMatch(/Processed a total of 0 messages\n$/);
  });

  test('--list shows the group; --describe of a group without members: the note on stderr, the table on stdout', async () => {
    expect((await groups('--list')).stdout.split('\n')).toContain('g-one');
    const d = await groups('--describe', '--group', 'g-one');
    expect(d.code).toBe(0);
    expect(d.stderr).toBe("\nConsumer group 'g-one' has no active members.\n");
    const lines = d.stdout.split('\n');
    expect(lines[0]).toBe('');
    expect(lines[1]).toBe(HEADER);
    const table = rows(d.stdout);
    expect(table).toHaveLength(2);
    let total = 0;
    for (const [group, topic, partition, current, end, lag, consumerId, host, clientId] of table) {
      expect([group, topic, consumerId, host, clientId]).toEqual(['g-one', 'orders', '-', '-', '-']);
      expect(current).toBe(end);
      expect(lag).toBe('0');
      expect(['0', '1']).toContain(partition);
      total += Number(end);
    }
    expect(total).toBe(10);
    // Keys k0..k9 hash (murmur2, as Java clients) to 6 records in partition 0 and 4 in partition 1.
    const row = (p: string, end: string): string =>
      [
        'g-one'.padEnd(15),
        'orders'.padEnd(15),
        p.padEnd(10),
        end.padEnd(15),
        end.padEnd(15),
        '0'.padEnd(15),
        '-'.padEnd(15),
        '-'.padEnd(15),
        '-',
      ].join(' ');
    expect(lines.slice(2)).toEqual([row('0', '6'), row('1', '4'), '']);
  });

  test('an unknown group: "Error: Consumer group \'x\' does not exist."', async () => {
    const d = await groups('--describe', '--group', 'no-such-group');
    expect(d.stdout).toBe("\nError: Consumer group 'no-such-group' does not exist.\n");
  });

  describe('with an active member', () => {
    let member: RunningTool;
    beforeAll(async () => {
      member = startTool('kafka-console-consumer.sh', [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'orders',
        '--group',
        'g-live',
        '--from-beginning',
      ]);
      await member.waitForStdout(/(order \d\n[^]*){10}/, 30_000);
    });
    afterAll(async () => {
      member.signal('SIGINT');
      await member.done(20_000);
    });

    test('--describe names the member, its host and client id', async () => {
      const d = await waitFor(
        async () => {
          const r = await groups('--describe', '--group', 'g-live');
          return /consumer-/.test(r.stdout) && !/ - {15}/.test(r.stdout.split('\n')[2] ?? '') ? r : undefined;
        },
        {
          description: 'g-live to show its member with committed offsets',
          timeoutMs: 30_000,
          intervalMs: 1000,
        },
      );
      expect(d.stderr).toBe('');
      for (const [group, topic, , current, end, lag, consumerId, host, clientId] of rows(d.stdout)) {
        expect([group, topic, current, lag]).toEqual(['g-live', 'orders', end, '0']);
        expect(consumerId).toMatch(/^consumer-.+-[0-9a-f-]{36}$/);
        expect(host).toBe('/127.0.0.1');
        expect(consumerId!.startsWith(clientId!)).toBe(true);
      }
    });

    test('--members --verbose and --state', async () => {
      const m = await groups('--describe', '--group', 'g-live', '--members', '--verbose');
      const lines = m.stdout.split('\n');
      expect(lines[1]).toMatch(/^GROUP +CONSUMER-ID +HOST +CLIENT-ID +#PARTITIONS +ASSIGNMENT$/);
      expect(lines[2]).toMatch(/^g-live +consumer-\S+ +\/127\.0\.0\.1 +\S+ +2 +orders\(0,1\)$/);
      const s = await groups('--describe', '--group', 'g-live', '--state');
      expect(s.stdout).toMatch(
        /^\nGROUP +COORDINATOR \(ID\) +ASSIGNMENT-STRATEGY +STATE +#MEMBERS\ng-live +127\.0\.0\.1:\d+ \(0\) +range +Stable +1\n$/,
      );
    });

    test('--reset-offsets is refused while the group has members', async () => {
      const r = await groups(
        '--reset-offsets',
        '--group',
        'g-live',
        '--topic',
        'orders',
        '--to-earliest',
        '--execute',
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        "\nError: Assignments can only be reset if the group 'g-live' is inactive, but the current state is Stable.\n",
      );
    });

    test('a second member of the group gets the other partition (range assignment)', async () => {
      const second = startTool('kafka-console-consumer.sh', [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'orders',
        '--group',
        'g-live',
      ]);
      try {
        const m = await waitFor(
          async () => {
            const r = await groups('--describe', '--group', 'g-live', '--members', '--verbose');
            const members = r.stdout.split('\n').filter((l) => l.startsWith('g-live'));
            return members.length === 2 && members.every((l) => / 1 +orders\(\d\)$/.test(l)) ? r : undefined;
          },
          { description: 'two members with one partition each', timeoutMs: 60_000, intervalMs: 1000 },
        );
        const assignments = m.stdout
          .split('\n')
          .filter((l) => l.startsWith('g-live'))
          .map((l) => l.trim().split(/\s+/).slice(-2));
        expect(assignments.sort()).toEqual([
          ['1', 'orders(0)'],
          ['1', 'orders(1)'],
        ]);
      } finally {
        second.signal('SIGINT');
        await second.done(20_000);
      }
    });
  });

  test('--reset-offsets: a dry run prints the plan (and the WARN), --export CSV, --execute commits, the consumer resumes there', async () => {
    const dry = await groups('--reset-offsets', '--group', 'g-one', '--topic', 'orders', '--to-earliest');
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/^WARN: No action will be performed as the --execute option is missing\./);
    expect(dry.stdout).toBe(
      '\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n' +
        'g-one                          orders                         0          0              \n' +
        'g-one                          orders                         1          0              \n',
    );
    const unchanged = rows((await groups('--describe', '--group', 'g-one')).stdout);
    expect(unchanged.every((r) => r[5] === '0')).toBe(true);

    const csv = await groups(
      '--reset-offsets',
      '--group',
      'g-one',
      '--topic',
      'orders:1',
      '--to-offset',
      '1',
      '--dry-run',
      '--export',
    );
    expect(csv.stdout).toBe('orders,1,1\n');

    const done = await groups(
      '--reset-offsets',
      '--group',
      'g-one',
      '--all-topics',
      '--shift-by',
      '-2',
      '--execute',
    );
    expect(done.code).toBe(0);
    const after = rows((await groups('--describe', '--group', 'g-one')).stdout);
    expect(after.map((r) => r[5])).toEqual(['2', '2']);
    const again = await consume('--group', 'g-one', '--max-messages', '4');
    expect(again.stdout.split('\n').filter(Boolean)).toHaveLength(4);
  });

  test('--delete removes a group without members; a second --delete reports the failure', async () => {
    const d = await groups('--delete', '--group', 'g-one');
    expect(d).toMatchObject({
      code: 0,
      stdout: "Deletion of requested consumer groups ('g-one') was successful.\n",
    });
    const again = await groups('--delete', '--group', 'g-one');
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(
      /^\nError: Deletion of some consumer groups failed:\n\* Group 'g-one' could not be deleted due to: GROUP_ID_NOT_FOUND/,
    );
    expect((await groups('--list')).stdout.split('\n')).not.toContain('g-one');
  });
});
