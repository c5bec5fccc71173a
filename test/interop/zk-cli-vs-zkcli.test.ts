// Our zk-cli and Apache's zkCli.sh (Debian package `zookeeper`) run the same commands against the
// same server, ours and Apache ZooKeeper 3.8, and must give the same results: the same stdout and
// stderr text and the same exit code. Compared after the parts that differ by nature are masked
// (zxids, times, session ids, the version line) and zkCli's connection banner is removed; the usage
// listing is compared only for the commands both know; watch events, which zkCli prints from
// another thread, are compared as a set.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startZkServer, ZkServer, ZkServerKind } from '../support/process-launcher';
import { REPO_ROOT, describeWith, findApacheZooKeeper, findOurServer, findZkCli } from '../support/debian-tools';

jest.setTimeout(240_000);

const ZK_CLI_SH = path.join(REPO_ROOT, 'bin', 'zkCli.sh');
const zkCli = findZkCli();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], input = '', timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

const DATE = /\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \S+ \d{4}/g;
const BANNER_LINES = [/^Connecting to \S+$/, /^Welcome to ZooKeeper!$/, /^JLine support is (en|dis)abled$/];
const CONNECTED_EVENT = 'WatchedEvent state:SyncConnected type:None path:null';
/** zkCli commands we do not provide (quotas, reconfig) and ours zkCli lacks (help): left out of usage listings. */
const UNSHARED_COMMANDS = /^\t(delquota|listquota|setquota|reconfig|help) /;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  events: string[];
}

function mask(text: string): string {
  return text
    .replace(/(Zxid = 0x)[0-9a-f]+/g, '$1<zxid>')
    .replace(DATE, '<date>')
    .replace(/^(ephemeralOwner = 0x)[0-9a-f]{2,}$/gm, '$1<session>')
    .replace(/^ZooKeeper CLI version: .*$/gm, 'ZooKeeper CLI version: <version>');
}

/**
 * zkCli prints watch events from another thread, so under load an event block can land in the
 * middle of a later command's output: events are taken out wherever they are and compared as a set,
 * and the blank lines that framed them are dropped on both sides.
 */
function normalize(r: Run): Result {
  const events: string[] = [];
  const lines = r.stdout.split('\n').filter((line) => {
    if (line.startsWith('WatchedEvent ')) {
      if (line !== CONNECTED_EVENT) events.push(line);
      return false;
    }
    return line !== 'WATCHER::' && line !== '';
  });
  const keep = (line: string): boolean => !BANNER_LINES.some((b) => b.test(line)) && !UNSHARED_COMMANDS.test(line);
  let stdout = lines.filter(keep).join('\n');
  const stderr = r.stderr
    .split('\n')
    .filter((l) => !l.startsWith('SLF4J:') && !UNSHARED_COMMANDS.test(l))
    .join('\n')
    .trim();
  return { code: r.code, stdout: mask(stdout), stderr: mask(stderr), events: events.sort() };
}

/** Lines a session types: every kind of command, its errors and its output formats. */
const SESSION = [
  'create /cmp root',
  'create /cmp/a alpha',
  'create -s /cmp/s- one',
  'create -s /cmp/s- two',
  'create -e /cmp/eph e',
  'create -c /cmp/cont',
  'create -t 60000 /cmp/ttl t',
  'create /cmp/acl x world:anyone:cdrwa,digest:bob:aYXlLOpEooaV1cRAvUL1fp9Qt7E=:r',
  'create /cmp/bad x bogus',
  'create /cmp/a again',
  'create /cmp/missing/child',
  'create nopath',
  'create -c -s /cmp/x',
  'create -t abc /cmp/x',
  'ls /cmp',
  'ls -s /cmp',
  'ls -R /cmp',
  'ls /cmp/nope',
  'get /cmp/a',
  'get -s /cmp/a',
  'get /cmp/cont',
  'get //bad',
  'stat /cmp/a',
  'stat /cmp/eph',
  'stat /cmp/nope',
  'set /cmp/a beta',
  'set -s /cmp/a gamma',
  'set -v 99 /cmp/a delta',
  'set -v 3 /cmp/a',
  'getAcl /cmp/acl',
  'getAcl -s /cmp',
  'setAcl /cmp/acl world:anyone:r',
  'setAcl -s /cmp/a world:anyone:cdrwa',
  'setAcl /cmp/a bad',
  'setAcl /cmp/nope world:anyone:r',
  'setAcl -R /cmp world:anyone:cdrwa',
  'getEphemerals /cmp',
  'getEphemerals',
  'getAllChildrenNumber /cmp',
  'getAllChildrenNumber /cmp/nope',
  'sync /cmp',
  'whoami',
  'addauth digest bob:secret',
  'getAcl /cmp/acl',
  'config',
  'delete /cmp',
  'delete -v 7 /cmp/a',
  'delete /cmp/a',
  'delete /cmp/a',
  'get -w /cmp/s-0000000002',
  'stat -w /cmp/s-0000000001',
  'ls -w /cmp',
  'addWatch -m PERSISTENT /cmp/acl',
  'addWatch -m bogus /cmp',
  'removewatches /cmp/s-0000000002 -d',
  'removewatches /cmp',
  'removewatches /cmp',
  'ls /cmp extra',
  'ls -x /cmp',
  'set -v',
  'create /neg -- -5',
  'get /neg',
  'delete /neg',
  'printwatches',
  'history',
  'redo 1',
  'version',
  'bogus',
  'deleteall /cmp',
  'ls /',
  '',
].join('\n');

/** Typed before each one-shot run of either tool, so both start from the same tree. */
const ONE_SHOT_SETUP = 'deleteall /one\ndeleteall /two\ncreate /one x\n';
const ONE_SHOTS: string[][] = [
  ['create', '/two', 'x'],
  ['create', '/one', 'x'],
  ['get', '-s', '/one'],
  ['stat', '/one'],
  ['ls', '/'],
  ['get', '/nope'],
  ['set', '-v', '5', '/one', 'y'],
  ['ls'],
  ['bogus'],
  ['whoami'],
  ['sync', '/'],
  ['removewatches', '/one'],
  ['delete', '/one'],
];

function compareAgainst(kind: ZkServerKind): void {
  describe(`against ${kind === 'ours' ? 'our server' : 'Apache ZooKeeper'}`, () => {
    let server: ZkServer;
    beforeAll(async () => {
      server = await startZkServer({ kind, config: { extendedTypesEnabled: true } });
    });
    afterAll(async () => server?.cleanup());

    const both = async (args: string[], input = '', setup?: string): Promise<[Result, Result]> => {
      const prepare = async (): Promise<void> => {
        if (setup !== undefined) await run(ZK_CLI_SH, ['-server', server.connectString], setup);
      };
      await prepare();
      const reference = normalize(await run(zkCli.ok ? zkCli.path : '', ['-server', server.connectString, ...args], input));
      await prepare();
      const ours = normalize(await run(ZK_CLI_SH, ['-server', server.connectString, ...args], input));
      return [reference, ours];
    };

    it('prints the same for a whole piped session', async () => {
      const [reference, ours] = await both([], SESSION);
      expect(reference.stdout).toContain('[a, acl, cont, eph, s-0000000001, s-0000000002, ttl]');
      expect(reference.stderr).toContain('Node already exists: /cmp/a');
      expect(reference.events).toContain('WatchedEvent state:SyncConnected type:DataWatchRemoved path:/cmp/s-0000000002');
      expect(ours).toEqual(reference);
    });

    it('prints the same, with the same exit code, for one-shot commands', async () => {
      for (const args of ONE_SHOTS) {
        const [reference, ours] = await both(args, '', ONE_SHOT_SETUP);
        expect({ args, ...ours }).toEqual({ args, ...reference });
      }
    });
  });
}

describeWith('zk-cli and zkCli.sh give the same results', [findOurServer(), zkCli], () => {
  compareAgainst('ours');
  const apache = findApacheZooKeeper();
  if (apache.ok) compareAgainst('apache');
  // eslint-disable-next-line no-console
  else console.warn(`SKIPPED the comparison against Apache ZooKeeper: ${apache.reason}`);
});
