// Real third-party ZooKeeper clients against our server: zkCli.sh (Apache ZooKeeper 3.8), kazoo
// with its recipes shared by several clients, and the C client cli_mt.
import { spawn, spawnSync } from 'node:child_process';
import { startZkServer, ZkServer } from '../support/process-launcher';
import { describeWith, findCliMt, findKazooPython, findOurServer, findZkCli } from '../support/debian-tools';

jest.setTimeout(180_000);

interface Run {
  code: number | null;
  stdout: string;
}

function run(cmd: string, args: string[], input = '', timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    // zkCli and cli_mt print results on stderr as well as stdout: keep both, in arrival order
    child.stderr.on('data', (d) => (stdout += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
    child.stdin.end(input);
  });
}

/** What zkCli prints after its connection banner (the command's own output). */
function zkCliResult(stdout: string): string {
  const marker = 'WatchedEvent state:SyncConnected type:None path:null';
  const at = stdout.indexOf(marker);
  const rest = at === -1 ? stdout : stdout.slice(at + marker.length);
  return rest
    .split('\n')
    .filter((l) => !l.startsWith('SLF4J:'))
    .join('\n')
    .trim();
}

const zkCli = findZkCli();
const kazoo = findKazooPython();
const cliMt = findCliMt();

describeWith('zkCli.sh one-shot commands', [findOurServer(), zkCli], () => {
  let server: ZkServer;
  beforeAll(async () => {
    server = await startZkServer({ kind: 'ours' });
  });
  afterAll(async () => server?.cleanup());
  const cli = async (...args: string[]): Promise<Run & { out: string }> => {
    const r = await run(zkCli.ok ? zkCli.path : '', ['-server', server.connectString, ...args]);
    return { ...r, out: zkCliResult(r.stdout) };
  };

  it('creates nodes of each kind and lists them recursively', async () => {
    expect((await cli('create', '/app', 'root')).out).toBe('Created /app');
    expect((await cli('create', '-s', '/app/seq-', 'x')).out).toBe('Created /app/seq-0000000000');
    expect((await cli('create', '-e', '/app/eph', 'x')).out).toBe('Created /app/eph');
    const ls = await cli('ls', '-R', '/app');
    expect(ls.out.split('\n')).toEqual(['/app', '/app/eph', '/app/seq-0000000000']);
    expect((await cli('create', '/app', 'again')).out).toBe('Node already exists: /app');
  });

  it('shows data and stat blocks', async () => {
    const get = await cli('get', '-s', '/app');
    const lines = get.out.split('\n');
    expect(lines[0]).toBe('root');
    expect(lines).toContain('dataVersion = 0');
    expect(lines).toContain('dataLength = 4');
    expect(lines).toContain('numChildren = 2');
    expect(lines.find((l) => l.startsWith('cZxid = 0x'))).toBeDefined();
    const stat = await cli('stat', '/app/seq-0000000000');
    expect(stat.out).toContain('ephemeralOwner = 0x0');
  });

  it('updates with versions and deletes', async () => {
    expect((await cli('set', '-v', '7', '/app', 'v')).out).toBe('version No is not valid : /app');
    expect((await cli('set', '-v', '0', '/app', 'v1')).code).toBe(0);
    expect((await cli('delete', '/app')).out).toBe('Node not empty: /app');
    expect((await cli('deleteall', '/app')).code).toBe(0);
    expect((await cli('get', '/app')).out).toBe('Node does not exist: /app');
  });

  it('sets and reads ACLs, and honours addauth digest', async () => {
    await cli('create', '/secret', 'hidden');
    await cli('setAcl', '/secret', 'digest:alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=:cdrwa');
    expect((await cli('get', '/secret')).out).toBe('Insufficient permission : /secret');
    const r = await run(zkCli.ok ? zkCli.path : '', ['-server', server.connectString], 'addauth digest alice:secret\nget /secret\ngetAcl /secret\nquit\n');
    expect(r.stdout).toContain('hidden');
    expect(r.stdout).toContain("'digest,'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=");
    expect((await cli('getAcl', '/')).out).toBe("'world,'anyone\n: cdrwa");
  });
});

const KAZOO_SCRIPT = `
import sys, threading
from kazoo.client import KazooClient
hosts = sys.argv[1]
clients = [KazooClient(hosts=hosts) for _ in range(3)]
for c in clients: c.start(10)
out = []
# a lock shared by three clients: each holds it alone
held, overlap = [], []
def worker(c, name):
    for _ in range(5):
        with c.Lock('/recipes/lock', name):
            held.append(name)
            if len(held) > 1: overlap.append(name)
            held.remove(name)
threads = [threading.Thread(target=worker, args=(c, 'w%d' % i)) for i, c in enumerate(clients)]
for t in threads: t.start()
for t in threads: t.join()
out.append('lock overlap=%d' % len(overlap))
# a counter incremented by all clients
for c in clients:
    for _ in range(10): c.Counter('/recipes/counter').__add__(1)
out.append('counter=%d' % clients[0].Counter('/recipes/counter').value)
# an election: exactly one leader among the three contenders
leaders = []
elections = [c.Election('/recipes/election', 'c%d' % i) for i, c in enumerate(clients)]
done = threading.Event()
release = threading.Event()
def lead(name):
    leaders.append(name); done.set(); release.wait(10)
t = threading.Thread(target=elections[0].run, args=(lead, 'c0')); t.daemon = True; t.start()
done.wait(10)
out.append('leaders=%d contenders=%d' % (len(leaders), len(elections[1].contenders())))
release.set(); elections[0].cancel()
# a transaction and a data watch
tx = clients[0].transaction(); tx.create('/recipes/tx', b'1'); tx.check('/recipes', 99); r = tx.commit()
out.append('tx=' + ','.join(type(x).__name__ for x in r))
print('\\n'.join(out))
for c in clients: c.stop()
`;

describeWith('kazoo', [findOurServer(), kazoo], () => {
  let server: ZkServer;
  beforeAll(async () => {
    server = await startZkServer({ kind: 'ours', config: { '4lw.commands.whitelist': '*' } });
  });
  afterAll(async () => server?.cleanup());

  it('runs the Lock, Counter and Election recipes shared by several clients, and transactions', async () => {
    const r = await run(kazoo.ok ? kazoo.path : '', ['-c', KAZOO_SCRIPT, server.connectString], '', 120_000);
    expect(r.stdout.trim().split('\n')).toEqual([
      'lock overlap=0',
      'counter=30',
      'leaders=1 contenders=1',
      'tx=RolledBackError,BadVersionError',
    ]);
  });

  it('reads the server version through envi', async () => {
    const script = `from kazoo.client import KazooClient\nimport sys\nz=KazooClient(hosts=sys.argv[1]); z.start(10); print(z.server_version()); z.stop()`;
    const r = await run(kazoo.ok ? kazoo.path : '', ['-c', script, server.connectString]);
    expect(r.stdout.trim()).toBe('(3, 8, 0)');
  });
});

describeWith('C client cli_mt', [findOurServer(), cliMt], () => {
  let server: ZkServer;
  beforeAll(async () => {
    server = await startZkServer({ kind: 'ours' });
  });
  afterAll(async () => server?.cleanup());

  it('creates, lists and reads in batch mode', () => {
    const cli = (cmd: string): string => {
      const r = spawnSync(cliMt.ok ? cliMt.path : '', ['-h', server.connectString, '-c', cmd], { encoding: 'utf8', timeout: 20_000 });
      return r.stdout + r.stderr;
    };
    expect(cli('create /cmt')).toContain('[/cmt]: rc = 0');
    expect(cli('create /cmt/child')).toContain('[/cmt/child]: rc = 0');
    const ls = cli('ls /cmt');
    expect(ls).toContain('/cmt: rc = 0');
    expect(ls).toContain('\tchild');
    expect(cli('create /cmt')).toContain('rc = -110');
  });
});
