// Captures golden ZooKeeper frames: starts a real Apache ZooKeeper 3.8 on loopback, puts the
// frame recorder (test/support/frame-recorder.ts) between it and one real client per scenario
// (node-zookeeper-client, kazoo, cli_mt, zkCli.sh), drives the client through a session, and
// writes every frame as hex with its provenance to test/fixtures/zk/<scenario>.hex. It then
// rewrites the ZooKeeper section of test/fixtures/PROVENANCE.md (between its markers only).
// Frames that our records cannot decode are still written, labelled UNDECODED, and reported.
//
// Run from the repository root (ts-node is not a dependency; tsc compiles it next to node_modules):
//   npx tsc --outDir node_modules/.cache/zk-capture --rootDir . --module commonjs --target es2022 \
//     --strict --esModuleInterop --skipLibCheck --types node,jest scripts/capture-zk-fixtures.ts
//   node node_modules/.cache/zk-capture/scripts/capture-zk-fixtures.js [--only nodejs,kazoo,cli-mt,zkcli]

import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  findApacheZooKeeper, findCliMt, findJava, findKazooPython, findZkCli, packageVersion,
} from '../test/support/debian-tools';
import { FrameRecorder, RecordedFrame } from '../test/support/frame-recorder';
import { GoldenFixture, GoldenFrame, saveFixture } from '../test/support/golden';
import { ZkServer, cleanupAllZkServers, startZkServer } from '../test/support/process-launcher';
import { waitFor } from '../test/support/wait-for';
import { ConversationDecoder, Xid } from '../test/support/zk-wire';

const REPO_ROOT = process.cwd();
const OUT_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'zk');
const PROVENANCE = path.join(REPO_ROOT, 'test', 'fixtures', 'PROVENANCE.md');
const SECTION_BEGIN = '<!-- zookeeper-fixtures:begin (table rewritten by scripts/capture-zk-fixtures.ts) -->';
const SECTION_END = '<!-- zookeeper-fixtures:end -->';
const STEP_TIMEOUT_MS = 20_000;
const TICK_TIME_MS = 2000;

interface Scenario {
  name: string;
  tool: () => string;
  command: string;
  available: () => string | undefined;
  run: (rec: FrameRecorder) => Promise<void>;
}

// ---- counting frames on the recorder, so each step waits for the server's answer ----

function isFirstOfConn(frames: RecordedFrame[], f: RecordedFrame): boolean {
  return frames.find((g) => g.conn === f.conn && g.dir === f.dir) === f;
}

function replies(rec: FrameRecorder): number {
  return rec.frames.filter((f) => f.dir === 's2c' && !isFirstOfConn(rec.frames, f) && f.payload.readInt32BE(0) !== Xid.notification).length;
}

function requests(rec: FrameRecorder): number {
  return rec.frames.filter((f) => f.dir === 'c2s' && !isFirstOfConn(rec.frames, f)).length;
}

function hasPing(rec: FrameRecorder, after: number): boolean {
  return rec.frames.some((f) => f.seq >= after && f.dir === 's2c' && !isFirstOfConn(rec.frames, f) && f.payload.readInt32BE(0) === Xid.ping);
}

/** Waits until `n` more replies arrived than `before` and nothing sent is unanswered. */
function settled(rec: FrameRecorder, before: number, n: number, what: string): Promise<true> {
  return rec.waitForFrames(
    () => replies(rec) >= before + n && requests(rec) - replies(rec) <= droppedRequests(rec),
    `the server's replies to ${what}`,
    STEP_TIMEOUT_MS,
  );
}

/** Requests that went down with a dropped connection and were never answered. */
function droppedRequests(rec: FrameRecorder): number {
  const last = rec.connections;
  const older = rec.frames.filter((f) => f.conn !== last && !isFirstOfConn(rec.frames, f));
  return older.filter((f) => f.dir === 'c2s').length - older.filter((f) => f.dir === 's2c' && f.payload.readInt32BE(0) !== Xid.notification).length;
}

// ---- a line-driven child process (cli_mt, zkCli.sh, a python script) ----

class Interactive {
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(cmd: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child.stdout!.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    this.child.stderr!.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  endInput(): void {
    this.child.stdin!.end();
  }

  waitForOutput(re: RegExp, what: string): Promise<true> {
    return waitFor(() => re.test(this.output) || undefined, { description: what, timeoutMs: STEP_TIMEOUT_MS });
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Sends one command and waits for its replies (n of them at least). */
async function step(rec: FrameRecorder, proc: Interactive, line: string, n = 1): Promise<void> {
  const before = replies(rec);
  proc.send(line);
  await settled(rec, before, n, JSON.stringify(line));
}

// ---- scenarios ----

const nodeClientVersion = (): string => {
  const pkg = path.join(REPO_ROOT, 'node_modules', 'node-zookeeper-client', 'package.json');
  return `node-zookeeper-client ${JSON.parse(readFileSync(pkg, 'utf8')).version} (npm), Node ${process.version}`;
};

function promisify<T>(fn: (cb: (err: Error | null, ...rest: any[]) => void) => void, pick = 0): Promise<T> {
  return new Promise((resolve) => fn((err, ...rest) => resolve((err ?? rest[pick]) as T)));
}

async function runNodeClient(rec: FrameRecorder): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const zookeeper = require('node-zookeeper-client');
  const { ACL, Id, Permission, CreateMode } = zookeeper;
  const client = zookeeper.createClient(rec.connectString, { sessionTimeout: 4000, spinDelay: 100, retries: 5 });
  const connected = (): Promise<void> => new Promise((resolve) => client.once('connected', resolve));
  const first = connected();
  client.connect();
  await first;
  const watcher = (): void => undefined;
  const open = ACL.OPEN_ACL_UNSAFE;
  const hello = Buffer.from('hello');
  client.addAuthInfo('digest', Buffer.from('alice:secret'));
  await promisify((cb) => client.create('/nzc', hello, open, CreateMode.PERSISTENT, cb));
  await promisify((cb) => client.create('/nzc/eph', null, open, CreateMode.EPHEMERAL, cb));
  await promisify((cb) => client.create('/nzc/seq-', Buffer.from('s'), open, CreateMode.PERSISTENT_SEQUENTIAL, cb));
  await promisify((cb) => client.getData('/nzc', watcher, cb));
  await promisify((cb) => client.exists('/nzc/eph', watcher, cb));
  await promisify((cb) => client.exists('/nzc/missing', watcher, cb));
  await promisify((cb) => client.getChildren('/nzc', watcher, cb));
  await promisify((cb) => client.setData('/nzc', Buffer.from('world'), 0, cb));
  await promisify((cb) => client.setData('/nzc', Buffer.from('x'), 7, cb));
  await promisify((cb) => client.create('/nzc', hello, open, CreateMode.PERSISTENT, cb));
  await promisify((cb) => client.getData('/nzc/missing', cb));
  await promisify((cb) => client.remove('/nzc', -1, cb));
  const aliceAll = new ACL(Permission.ALL, new Id('digest', 'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E='));
  await promisify((cb) => client.create('/nzc/acl', Buffer.from('a'), [aliceAll], CreateMode.PERSISTENT, cb));
  const worldRead = new ACL(Permission.READ | Permission.ADMIN, new Id('world', 'anyone'));
  await promisify((cb) => client.setACL('/nzc/acl', [aliceAll, worldRead], -1, cb));
  await promisify((cb) => client.getACL('/nzc/acl', cb));
  await promisify((cb) =>
    client.transaction().create('/nzc/tx', Buffer.from('a')).setData('/nzc/tx', Buffer.from('b'), 0)
      .check('/nzc/tx', 1).remove('/nzc/tx', 1).commit(cb));
  await promisify((cb) => client.transaction().create('/nzc/tx2').check('/nzc', 99).commit(cb));
  const idleFrom = rec.frames.length;
  await rec.waitForFrames(() => hasPing(rec, idleFrom), 'a ping while the session idles', STEP_TIMEOUT_MS);
  // A dropped connection makes the client reconnect with its session id, re-send its
  // credentials and re-register its outstanding watches with setWatches (op 101).
  const again = connected();
  const connsBefore = rec.connections;
  rec.dropConnections();
  await again;
  await rec.waitForFrames(() => rec.connections > connsBefore && settledNow(rec), 'auth and setWatches after reconnect', STEP_TIMEOUT_MS);
  await promisify((cb) => client.create('/nzc/missing', null, open, CreateMode.PERSISTENT, cb));
  const before = replies(rec);
  client.close();
  await settled(rec, before, 1, 'closeSession');
}

function settledNow(rec: FrameRecorder): boolean {
  const conn = rec.connections;
  const frames = rec.framesOf(conn);
  const sent = frames.filter((f) => f.dir === 'c2s').length;
  const answered = frames.filter((f) => f.dir === 's2c' && f.payload.readInt32BE(0) !== Xid.notification).length;
  return sent >= 3 && sent === answered;
}

const KAZOO_SCRIPT = `
import sys
from kazoo.client import KazooClient
from kazoo.security import make_digest_acl
zk = KazooClient(hosts=sys.argv[1], timeout=4)
zk.start(10)
zk.add_auth('digest', 'bob:pw')
zk.create('/kz', b'v')
zk.create('/kz/e-', b'', ephemeral=True, sequence=True, include_data=True)
zk.get_children('/kz', include_data=True)
zk.get_children('/kz', watch=lambda ev: None)
zk.exists('/kz')
zk.exists('/kz/missing')
zk.get('/kz', watch=lambda ev: None)
zk.set('/kz', b'v2')
zk.sync('/kz')
t = zk.transaction(); t.create('/kz/t1', b''); t.check('/kz', 1); t.set_data('/kz', b'v3'); t.commit()
t = zk.transaction(); t.create('/kz/t2'); t.delete('/kz/missing'); t.commit()
zk.set_acls('/kz/t1', [make_digest_acl('bob', 'pw', all=True)])
zk.get_acls('/kz/t1')
try:
    zk.delete('/kz')
except Exception:
    pass
print('idle', flush=True)
sys.stdin.readline()
zk.delete('/kz', recursive=True)
zk.stop()
zk.close()
print('done', flush=True)
`;

async function runKazoo(rec: FrameRecorder): Promise<void> {
  const py = findKazooPython();
  if (!py.ok) throw new Error(py.reason);
  const proc = new Interactive(py.path, ['-c', KAZOO_SCRIPT, rec.connectString]);
  try {
    await proc.waitForOutput(/^idle$/m, 'kazoo to finish its first part');
    const idleFrom = rec.frames.length;
    await rec.waitForFrames(() => hasPing(rec, idleFrom), 'a kazoo ping', STEP_TIMEOUT_MS);
    proc.send('');
    await proc.waitForOutput(/^done$/m, 'kazoo to close its session');
    const code = await proc.exited;
    if (code !== 0) throw new Error(`kazoo script exited with ${code}:\n${proc.output}`);
  } finally {
    proc.kill();
  }
}

async function runCliMt(rec: FrameRecorder): Promise<void> {
  const cli = findCliMt();
  if (!cli.ok) throw new Error(cli.reason);
  const proc = new Interactive(cli.path, ['-h', rec.connectString]);
  try {
    await proc.waitForOutput(/CONNECTED_STATE/, 'cli_mt to connect');
    for (const line of [
      'create /cm', 'create2 /cm/x', 'create +e /cm/e', 'create +s /cm/s-', 'ls /cm', 'ls2 /cm', 'get /cm',
      'set /cm abc', 'exists /cm/missing', 'wexists /cm/new', 'create /cm/new', 'sync /cm', 'delete /cm',
      'addauth digest dave:pw', 'delete /cm/x',
    ]) {
      await step(rec, proc, line);
    }
    await step(rec, proc, 'quit');
    await proc.exited;
  } finally {
    proc.kill();
  }
}

async function runZkCli(rec: FrameRecorder): Promise<void> {
  const cli = findZkCli();
  if (!cli.ok) throw new Error(cli.reason);
  const proc = new Interactive(cli.path, ['-server', rec.connectString]);
  try {
    await proc.waitForOutput(/SyncConnected/, 'zkCli.sh to connect');
    for (const line of [
      'create /zc hello', 'create -e /zc/e', 'create -s /zc/s- sdata', 'create -c /zc/cont', 'create -t 5000 /zc/ttl',
      'get -s -w /zc', 'stat /zc', 'ls -s -w /zc', 'set /zc world', 'set -v 9 /zc x', 'getAcl /zc',
      'addauth digest carol:pw', 'setAcl /zc auth:carol:pw:cdrwa,world:anyone:r', 'getAcl /zc',
      'getAllChildrenNumber /zc', 'getEphemerals /zc', 'whoami', 'sync /zc', 'addWatch /zc/e',
      'get -w /zc/s-0000000001',
    ]) {
      await step(rec, proc, line);
    }
    // Reconnect: the Java client re-sends its credentials and, having a persistent watch,
    // re-registers everything with setWatches2 (op 105).
    const connsBefore = rec.connections;
    rec.dropConnections();
    await rec.waitForFrames(() => rec.connections > connsBefore && settledNow(rec), 'zkCli.sh to reconnect', STEP_TIMEOUT_MS);
    for (const line of ['delete /zc/e', 'delete /zc', 'deleteall /zc']) await step(rec, proc, line);
    await step(rec, proc, 'quit');
    await proc.exited;
  } finally {
    proc.kill();
  }
}

const java = (): string => {
  const j = findJava();
  return j.ok ? `, Java ${j.version}` : '';
};

const SCENARIOS: Scenario[] = [
  {
    name: 'nodejs-session',
    tool: nodeClientVersion,
    command:
      'createClient(sessionTimeout 4000); addAuthInfo digest; create (persistent, ephemeral, sequential); getData/exists/getChildren ' +
      'with watchers; setData (ok, bad version); create existing; getData missing; remove non-empty; create/setACL/getACL digest; ' +
      'transaction ok and failing; idle until a ping; connection dropped by the proxy -> reconnect with auth + setWatches; ' +
      'create firing exists/child watches; close',
    available: () => undefined,
    run: runNodeClient,
  },
  {
    name: 'kazoo-session',
    tool: () => {
      const k = findKazooPython();
      return `kazoo ${k.ok ? k.kazooVersion : '?'} (Debian python3-kazoo ${packageVersion('python3-kazoo') ?? '?'})`;
    },
    command: `python3 -c <KAZOO_SCRIPT in scripts/capture-zk-fixtures.ts> <proxy>: start(timeout=4); add_auth; create; create ephemeral sequence include_data (create2); get_children include_data (getChildren2) and with watch; exists; get with watch; set; sync; transactions ok and failing; set_acls/get_acls digest; delete non-empty; idle until a ping; delete recursive; stop`,
    available: () => {
      const k = findKazooPython();
      return k.ok ? undefined : k.reason;
    },
    run: runKazoo,
  },
  {
    name: 'cli-mt-session',
    tool: () => `cli_mt (Debian zookeeper-bin ${packageVersion('zookeeper-bin') ?? '?'}, C client libzookeeper-mt2 ${packageVersion('libzookeeper-mt2') ?? '?'})`,
    command: 'cli_mt -h <proxy>, stdin: create /cm; create2 /cm/x; create +e; create +s; ls; ls2; get; set; exists missing; wexists; create; sync; delete non-empty; addauth digest; delete; quit',
    available: () => {
      const c = findCliMt();
      return c.ok ? undefined : c.reason;
    },
    run: runCliMt,
  },
  {
    name: 'zkcli-session',
    tool: () => `zkCli.sh (Debian zookeeper ${packageVersion('zookeeper') ?? '?'}${java()})`,
    command:
      'zkCli.sh -server <proxy>, stdin: create (plain, -e, -s, -c, -t -> Unimplemented); get -s -w; stat; ls -s -w; set; set -v bad; ' +
      'getAcl; addauth digest; setAcl auth+world; getAcl; getAllChildrenNumber; getEphemerals; whoami; sync; addWatch; get -w; ' +
      'connection dropped by the proxy -> reconnect with auth + setWatches2; delete; delete non-empty; deleteall (multi); quit',
    available: () => {
      const c = findZkCli();
      return c.ok ? undefined : c.reason;
    },
    run: runZkCli,
  },
];

// ---- turning recorded frames into a fixture ----

function toGoldenFrames(frames: RecordedFrame[]): { frames: GoldenFrame[]; undecoded: string[] } {
  const decoders = new Map<number, ConversationDecoder>();
  const undecoded: string[] = [];
  const out = frames.map((f): GoldenFrame => {
    const g: GoldenFrame = { conn: f.conn, dir: f.dir, bytes: f.payload, label: 'raw' };
    if (f.raw === true) return { ...g, raw: true };
    const decoder = decoders.get(f.conn) ?? new ConversationDecoder();
    decoders.set(f.conn, decoder);
    try {
      g.label = decoder.decode(f.dir, f.payload).label;
    } catch (err) {
      g.label = `UNDECODED: ${(err as Error).message}`;
      undecoded.push(`conn ${f.conn} ${f.dir} frame ${f.seq}: ${(err as Error).message} (${f.payload.toString('hex')})`);
    }
    return g;
  });
  return { frames: out, undecoded };
}

function serverDescription(): string {
  const zk = findApacheZooKeeper();
  if (!zk.ok) return 'none';
  return `Apache ZooKeeper ${zk.version} (Debian zookeeper ${zk.packageVersion}), standalone, tickTime=${TICK_TIME_MS}, fresh dataDir, 127.0.0.1`;
}

interface Captured {
  fixture: GoldenFixture;
  file: string;
  undecoded: string[];
}

async function capture(s: Scenario): Promise<Captured> {
  let server: ZkServer | undefined;
  let rec: FrameRecorder | undefined;
  try {
    server = await startZkServer({ kind: 'apache', name: `Apache ZooKeeper for ${s.name}`, tickTime: TICK_TIME_MS });
    rec = await FrameRecorder.start(server.host, server.port);
    await s.run(rec);
    const { frames, undecoded } = toGoldenFrames(rec.frames);
    const fixture: GoldenFixture = {
      name: s.name,
      meta: {
        tool: s.tool(),
        server: serverDescription(),
        command: s.command,
        date: new Date().toISOString().slice(0, 10),
        'captured-by': 'scripts/capture-zk-fixtures.ts through test/support/frame-recorder.ts (loopback proxy)',
        format: '<conn> <c2s|s2c> <frame payload hex, without the 4-byte length prefix> # label',
      },
      frames,
    };
    return { fixture, file: saveFixture(OUT_DIR, fixture), undecoded };
  } finally {
    await rec?.close();
    await server?.cleanup();
  }
}

function provenanceSection(captured: GoldenFixture[]): string {
  const rows = captured.map(
    (f) => `| \`zk/${f.name}.hex\` | ${f.meta['tool']} | ${f.meta['server']} | ${f.meta['command']} | ${f.meta['date']} |`,
  );
  return [
    SECTION_BEGIN,
    '| Fixture | Tool (client) | Server | Command / session | Date |',
    '|---|---|---|---|---|',
    ...rows,
    SECTION_END,
  ].join('\n');
}

const PROVENANCE_INTRO = `## ZooKeeper

Frames of real client sessions against a real Apache ZooKeeper 3.8 on loopback, recorded by the
proxy in \`test/support/frame-recorder.ts\` and written by \`scripts/capture-zk-fixtures.ts\`
(how to run it is in its header). One file per client session, \`test/fixtures/zk/<session>.hex\`:
\`# key: value\` provenance lines, then one frame per line, \`<conn> <c2s|s2c> <hex> # label\`, where
the hex is the frame payload without its 4-byte length prefix and \`conn\` numbers the proxied TCP
connections (a new number after the proxy dropped the connection and the client reconnected).
\`test/unit/zk-server/jute-golden.test.ts\` decodes every frame with our records and re-encodes it.
Nothing in these files is hand-written; to refresh them, re-run the script (it rewrites the table
below and only that).
`;

function updateProvenance(fixtures: GoldenFixture[]): void {
  const all = new Map<string, GoldenFixture>();
  for (const f of fixtures) all.set(f.name, f);
  const section = provenanceSection([...all.values()].sort((a, b) => a.name.localeCompare(b.name)));
  const text = existsSync(PROVENANCE) ? readFileSync(PROVENANCE, 'utf8') : '# Fixture provenance\n';
  const begin = text.indexOf(SECTION_BEGIN);
  const end = text.indexOf(SECTION_END);
  const next =
    begin >= 0 && end > begin
      ? text.slice(0, begin) + section + text.slice(end + SECTION_END.length)
      : `${text.trimEnd()}\n\n${PROVENANCE_INTRO}\n${section}\n`;
  writeFileSync(PROVENANCE, next);
}

async function main(): Promise<void> {
  const zk = findApacheZooKeeper();
  if (!zk.ok) throw new Error(`cannot capture: ${zk.reason}`);
  const onlyArg = process.argv.indexOf('--only');
  const only = onlyArg >= 0 ? new Set(process.argv[onlyArg + 1]!.split(',')) : undefined;
  const done: GoldenFixture[] = [];
  let problems = 0;
  for (const s of SCENARIOS) {
    if (only !== undefined && !only.has(s.name.replace(/-session$/, ''))) continue;
    const missing = s.available();
    if (missing !== undefined) {
      console.warn(`skipped ${s.name}: ${missing}`);
      continue;
    }
    const c = await capture(s);
    done.push(c.fixture);
    console.log(`${path.relative(REPO_ROOT, c.file)}: ${c.fixture.frames.length} frames`);
    for (const u of c.undecoded) console.warn(`  UNDECODED ${u}`);
    problems += c.undecoded.length;
  }
  // keep the rows of fixtures not captured in this run
  const existing = SCENARIOS.filter((s) => !done.some((d) => d.name === s.name) && existsSync(path.join(OUT_DIR, `${s.name}.hex`)));
  const { loadFixture } = await import('../test/support/golden');
  updateProvenance([...done, ...existing.map((s) => loadFixture(OUT_DIR, s.name))]);
  if (problems > 0) process.exitCode = 2;
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanupAllZkServers());
