// bin/zkCli.sh (zk-cli) against our server as a user runs it: one-shot commands with zkCli's texts,
// streams and exit codes; a piped session; and an interactive session on a pseudo-terminal
// (util-linux `script`) with its prompt, Tab completion of a command and of a znode path, and a
// watch event printed while the prompt waits.
import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startZkServer, ZkServer, freePort } from '../support/process-launcher';
import { REPO_ROOT, describeWith, findOurServer, Found } from '../support/debian-tools';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

const ZK_CLI_SH = path.join(REPO_ROOT, 'bin', 'zkCli.sh');
const DATE = String.raw`\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \S+ \d{4}`;
const STAT_BLOCK = new RegExp(
  [
    'cZxid = 0x[0-9a-f]+',
    `ctime = ${DATE}`,
    'mZxid = 0x[0-9a-f]+',
    `mtime = ${DATE}`,
    'pZxid = 0x[0-9a-f]+',
    'cversion = -?\\d+',
    'dataVersion = \\d+',
    'aclVersion = \\d+',
    'ephemeralOwner = 0x[0-9a-f]+',
    'dataLength = \\d+',
    'numChildren = \\d+',
  ].join('\n'),
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], input?: string, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(ZK_CLI_SH, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

function findScript(): Found<{ path: string }> {
  const r = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' });
  const p = (r.stdout ?? '').trim();
  return r.status === 0 && p !== '' ? { ok: true, path: p } : { ok: false, reason: '`script` (util-linux) is not installed' };
}

describeWith('zk-cli one-shot commands', [findOurServer()], () => {
  let server: ZkServer;
  const cli = (...args: string[]): Promise<Run> => run(['-server', server.connectString, ...args]);

  beforeAll(async () => {
    server = await startZkServer({ kind: 'ours', config: { extendedTypesEnabled: true } });
  });
  afterAll(async () => server?.cleanup());

  it('creates a node and reads it back with its stat block', async () => {
    expect(await cli('create', '/x', 'hi')).toEqual({ code: 0, stdout: '', stderr: 'Created /x\n' });
    const get = await cli('get', '-s', '/x');
    expect(get.code).toBe(0);
    expect(get.stderr).toBe('');
    const lines = get.stdout.split('\n');
    expect(lines[0]).toBe('hi');
    expect(lines.slice(1).join('\n')).toMatch(new RegExp(`^${STAT_BLOCK.source}\n$`));
    expect(lines).toContain('dataLength = 2');
    expect((await cli('stat', '/x')).stdout).toMatch(new RegExp(`^${STAT_BLOCK.source}\n$`));
    expect((await cli('get', '/x')).stdout).toBe('hi\n');
  });

  it('prints zkCli error texts on stderr with exit code 1', async () => {
    await cli('create', '/e');
    await cli('create', '/e/child');
    const cases: [string[], string][] = [
      [['create', '/e'], 'Node already exists: /e'],
      [['get', '/nope'], 'Node does not exist: /nope'],
      [['delete', '/e'], 'Node not empty: /e'],
      [['set', '-v', '9', '/e', 'v'], 'version No is not valid : /e'],
      [['removewatches', '/e'], 'KeeperErrorCode = No such watcher for /e'],
      [['ls', 'e'], 'Path must start with / character'],
      [['get', '//e'], 'Invalid path string "//e" caused by empty node name specified @1'],
      [['ls'], 'ls [-s] [-w] [-R] path'],
      [['ls', '-x', '/'], 'org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x'],
      [['set', '-v'], 'org.apache.commons.cli.MissingArgumentException: Missing argument for option: v'],
      [['create', '-e', '-t', '5', '/t'], 'TTLs cannot be used with Ephemeral znodes'],
    ];
    for (const [args, message] of cases) {
      expect({ args, ...(await cli(...args)) }).toEqual({ args, code: 1, stdout: '', stderr: `${message}\n` });
    }
  });

  it('refuses without permission until addauth, and shows ACLs as zkCli does', async () => {
    await cli('create', '/secret', 'hidden', 'digest:alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=:cdrwa');
    expect(await cli('get', '/secret')).toMatchObject({ code: 1, stderr: 'Insufficient permission : /secret\n' });
    const piped = await run(['-server', server.connectString], 'addauth digest alice:secret\nget /secret\ngetAcl /secret\nwhoami\n');
    expect(piped.code).toBe(0);
    const lines = piped.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual(['hidden', "'digest,'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=", ': cdrwa', 'Auth scheme: User']);
    expect(lines.slice(4).sort()).toEqual(['', 'digest: alice', 'ip: 127.0.0.1']);
    expect((await cli('getAcl', '/')).stdout).toBe("'world,'anyone\n: cdrwa\n");
    expect((await cli('setAcl', '/x', 'world:anyone:r')).code).toBe(0);
    expect((await cli('getAcl', '/x')).stdout).toBe("'world,'anyone\n: r\n");
    expect(await cli('set', '/x', 'no')).toMatchObject({ code: 1, stderr: 'Insufficient permission : /x\n' });
  });

  it('lists, counts, syncs and deletes subtrees', async () => {
    for (const p of ['/t', '/t/b', '/t/a', '/t/a/1']) await cli('create', p);
    expect((await cli('ls', '/t')).stdout).toBe('[a, b]\n');
    expect((await cli('ls', '-R', '/t')).stdout).toBe('/t\n/t/a\n/t/b\n/t/a/1\n');
    expect((await cli('ls', '-s', '/t')).stdout).toMatch(new RegExp(`^\\[a, b\\]\n${STAT_BLOCK.source}\n$`));
    expect((await cli('getAllChildrenNumber', '/t')).stdout).toBe('3\n');
    expect((await cli('sync', '/t')).stdout).toBe('Sync is OK\n');
    expect(await cli('deleteall', '/t')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await cli('ls', '/t')).stderr).toBe('Node does not exist: /t\n');
  });

  it('creates sequential, ephemeral, container and TTL nodes', async () => {
    await cli('create', '/kinds');
    expect((await cli('create', '-s', '/kinds/s-', 'x')).stderr).toBe('Created /kinds/s-0000000000\n');
    expect((await cli('create', '-c', '/kinds/c')).stderr).toBe('Created /kinds/c\n');
    expect((await cli('create', '-t', '60000', '/kinds/ttl')).stderr).toBe('Created /kinds/ttl\n');
    const piped = await run(['-server', server.connectString], 'create -e /kinds/e\ngetEphemerals /kinds\nstat /kinds/e\n');
    expect(piped.stderr).toBe('Created /kinds/e\n');
    expect(piped.stdout).toMatch(/^\[\/kinds\/e\]\n/);
    expect(piped.stdout).toMatch(/ephemeralOwner = 0x[1-9a-f][0-9a-f]*\n/);
    expect((await cli('stat', '/kinds/ttl')).stdout).toContain('ephemeralOwner = 0x0\n');
  });

  it('answers whoami, config and version', async () => {
    expect((await cli('whoami')).stdout).toBe('Auth scheme: User\nip: 127.0.0.1\n');
    expect(await cli('config')).toEqual({ code: 0, stdout: '\n', stderr: '' });
    expect((await cli('version')).stdout).toMatch(/^ZooKeeper CLI version: 3\.8\.\d+-zk-kafka\n$/);
  });

  it('exits 127 on an unknown command, after the usage on stderr', async () => {
    const r = await cli('bogus');
    expect(r.code).toBe(127);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('ZooKeeper -server host:port -client-configuration properties-file cmd args');
    expect(lines).toContain('\tls [-s] [-w] [-R] path');
    expect(lines[lines.length - 1]).toBe('Command not found: Command not found bogus');
    const help = await cli('help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('\tcreate [-s] [-e] [-c] [-t ttl] path [data] [acl]\n');
  });

  it('reports ConnectionLoss quickly when nothing listens', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await run(['-server', `127.0.0.1:${port}`, 'ls', '/']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'KeeperErrorCode = ConnectionLoss for /\n' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('works under a chroot', async () => {
    await cli('create', '/jail');
    expect((await run(['-server', `${server.connectString}/jail`, 'create', '/inside', 'v'])).stderr).toBe('Created /inside\n');
    expect((await cli('get', '/jail/inside')).stdout).toBe('v\n');
    expect((await run(['-server', `${server.connectString}/jail`, 'ls', '/'])).stdout).toBe('[inside]\n');
  });

  it('runs piped lines as a session, exiting with the last command\'s code', async () => {
    const r = await run(['-server', server.connectString], 'create /piped "two words"\nget /piped\nget /nope\n');
    expect(r).toEqual({ code: 1, stdout: 'two words\n', stderr: 'Created /piped\nNode does not exist: /nope\n' });
    const quit = await run(['-server', server.connectString], 'get /nope\nquit\nget /piped\n');
    expect(quit.code).toBe(1);
    expect(quit.stdout).toBe('\nWATCHER::\n\nWatchedEvent state:Closed type:None path:null\n');
  });

  it('documents itself in --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-server');
    expect(r.stdout).toContain('addWatch [-m mode] path');
  });
});

/** Output of a process on a pseudo-terminal, without colour/cursor escapes and carriage returns. */
class PtySession {
  private raw = '';
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d) => (this.raw += d));
    child.stderr.on('data', (d) => (this.raw += d));
  }
  get text(): string {
    // eslint-disable-next-line no-control-regex
    return this.raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  }
  async expect(what: string | RegExp, description: string): Promise<void> {
    await waitFor(() => (typeof what === 'string' ? this.text.includes(what) : what.test(this.text)), {
      description: `${description} (output so far: ${JSON.stringify(this.text.slice(-400))})`,
      timeoutMs: 15_000,
    });
  }
  type(keys: string): void {
    this.child.stdin.write(keys);
  }
}

describeWith('zk-cli interactive shell on a terminal', [findOurServer(), findScript()], () => {
  let server: ZkServer;
  beforeAll(async () => {
    server = await startZkServer({ kind: 'ours' });
    await run(['-server', server.connectString], 'create /pty\ncreate /pty/unique hello\ncreate /pty/other x\n');
  });
  afterAll(async () => server?.cleanup());

  it('prompts, completes commands and paths, prints watch events, and quits', async () => {
    const prompt = (n: number): string => `[zk: ${server.connectString}(CONNECTED) ${n}] `;
    const child = spawn('script', ['-qfec', `${ZK_CLI_SH} -server ${server.connectString}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const pty = new PtySession(child);
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await pty.expect(prompt(0), 'the first prompt');
      pty.type('get -w /pty/un');
      await pty.expect('get -w /pty/un', 'the typed text echoed');
      pty.type('\t');
      await pty.expect('get -w /pty/unique', 'the path completed by Tab');
      pty.type('\r');
      await pty.expect(`hello\n${prompt(1)}`, 'the data and the next prompt');

      const set = await run(['-server', server.connectString, 'set', '/pty/unique', 'changed']);
      expect(set.code).toBe(0);
      await pty.expect('\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/pty/unique\n', 'the watch event');

      pty.type('getAc');
      await pty.expect('getAc', 'the typed command prefix');
      pty.type('\t');
      await pty.expect(/getAcl\b/, 'the command completed by Tab');
      pty.type(' /pty/other\r');
      await pty.expect(`'world,'anyone\n: cdrwa\n${prompt(2)}`, 'the ACL and the next prompt');

      pty.type('quit\r');
      expect(await exited).toBe(0);
      expect(pty.text).toContain('WatchedEvent state:Closed type:None path:null');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
