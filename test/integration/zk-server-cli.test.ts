// bin/zkServer.sh (zk-server start | stop | restart | status | version) as an operator uses it: real
// background processes in a temp working directory, checked by their texts, exit codes, pid file
// and client port. Every server started here is killed in afterAll, whatever happened.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, fourLetterWord } from '../support/process-launcher';
import { REPO_ROOT, findOurServer, describeWith } from '../support/debian-tools';

jest.setTimeout(120_000);

const ZK_SERVER_SH = path.join(REPO_ROOT, 'bin', 'zkServer.sh');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cwd: string, args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(ZK_SERVER_SH, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts connections on host:port. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

function standaloneConfig(dataDir: string, port: number): string {
  return ['tickTime=2000', `dataDir=${dataDir}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', '4lw.commands.whitelist=*', ''].join('\n');
}

describeWith('zk-server start | stop | restart | status | version', [findOurServer()], () => {
  let cwd: string;
  const pidFiles: string[] = [];

  beforeAll(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'zk-server-cli-'));
  });
  afterAll(() => {
    for (const file of pidFiles) {
      const pid = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  /** A fresh zoo.cfg (relative dataDir, as conf/zoo.cfg has) in the working directory. */
  async function newConfig(name: string): Promise<{ cfg: string; dataDir: string; pidFile: string; port: number }> {
    const port = await freePort();
    const cfg = `${name}.cfg`;
    writeFileSync(path.join(cwd, cfg), standaloneConfig(`data/${name}`, port));
    const dataDir = path.join(cwd, 'data', name);
    const pidFile = path.join(dataDir, 'zookeeper_server.pid');
    pidFiles.push(pidFile);
    return { cfg, dataDir, pidFile, port };
  }

  it('reports a server that is not running', async () => {
    const { cfg, port } = await newConfig('idle');
    const r = await run(cwd, ['status', cfg]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `Client port found: ${port}. Client address: 127.0.0.1. Client SSL: false.\nError contacting service. It is probably not running.\n`,
    );
    expect(r.stderr).toBe(`Using config: ${cfg}\n`);
  });

  it('starts in the background, refuses a second start, reports status, restarts and stops', async () => {
    const { cfg, dataDir, pidFile, port } = await newConfig('main');
    const start = await run(cwd, ['start', cfg]);
    expect(start).toEqual({ code: 0, stdout: 'Starting zookeeper ... STARTED\n', stderr: `Using config: ${cfg}\n` });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    expect(await fourLetterWord('127.0.0.1', port, 'ruok')).toBe('imok');
    expect(readFileSync(path.join(dataDir, 'zookeeper.out'), 'utf8')).toMatch(`listening for clients on 127.0.0.1:${port}`);

    const again = await run(cwd, ['start', cfg]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe(`Starting zookeeper ... already running as process ${pid}.\n`);

    const status = await run(cwd, ['status', cfg]);
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(`Client port found: ${port}. Client address: 127.0.0.1. Client SSL: false.\nMode: standalone\n`);

    const restart = await run(cwd, ['restart', cfg]);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toBe('Stopping zookeeper ... STOPPED\nStarting zookeeper ... STARTED\n');
    const newPid = Number(readFileSync(pidFile, 'utf8'));
    expect(newPid).not.toBe(pid);
    expect(alive(pid)).toBe(false);
    expect(alive(newPid)).toBe(true);

    const stop = await run(cwd, ['stop', cfg]);
    expect(stop).toEqual({ code: 0, stdout: 'Stopping zookeeper ... STOPPED\n', stderr: `Using config: ${cfg}\n` });
    expect(existsSync(pidFile)).toBe(false);
    expect(alive(newPid)).toBe(false);
    expect(await listening('127.0.0.1', port)).toBe(false);
  });

  it('exits 0 when there is nothing to stop', async () => {
    const { cfg, pidFile } = await newConfig('nothing');
    const r = await run(cwd, ['stop', cfg]);
    expect(r).toEqual({ code: 0, stdout: `Stopping zookeeper ... no zookeeper to stop (could not find file ${pidFile})\n`, stderr: `Using config: ${cfg}\n` });
  });

  it('does not signal a process a stale pid file names, and starts over it', async () => {
    const { cfg, dataDir, pidFile } = await newConfig('stale');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(pidFile, String(process.pid)); // alive, but not a zk-server
    const stop = await run(cwd, ['stop', cfg]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toBe('Stopping zookeeper ... STOPPED\n');
    expect(stop.stderr).toContain(`process ${process.pid} from ${pidFile} is not a running zk-server`);
    expect(existsSync(pidFile)).toBe(false);
    writeFileSync(pidFile, String(process.pid));
    const start = await run(cwd, ['start', cfg]);
    expect(start.stdout).toBe('Starting zookeeper ... STARTED\n');
    expect(Number(readFileSync(pidFile, 'utf8'))).not.toBe(process.pid);
    expect((await run(cwd, ['stop', cfg])).code).toBe(0);
  });

  it('says FAILED TO START when the server cannot bind its port', async () => {
    const { cfg, pidFile, port } = await newConfig('busy');
    const blocker = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const r = await run(cwd, ['start', cfg]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('Starting zookeeper ... FAILED TO START\n');
      expect(r.stderr).toContain(`127.0.0.1:${port} is already in use`);
      expect(existsSync(pidFile)).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('says FAILED TO START when the server exits during start-up', async () => {
    const { cfg, dataDir, pidFile } = await newConfig('unwritable');
    mkdirSync(path.dirname(dataDir), { recursive: true });
    writeFileSync(path.join(cwd, 'data', 'not-a-dir'), 'x');
    writeFileSync(path.join(cwd, cfg), readFileSync(path.join(cwd, cfg), 'utf8').replace('dataLogDir=', '') + 'dataLogDir=data/not-a-dir/log\n');
    const r = await run(cwd, ['start', cfg]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('Starting zookeeper ... FAILED TO START\n');
    expect(r.stderr).toContain(path.join(dataDir, 'zookeeper.out'));
    expect(existsSync(pidFile)).toBe(false);
  });

  it('rejects an invalid config with exit code 2', async () => {
    writeFileSync(path.join(cwd, 'broken.cfg'), 'dataDir=data/broken\nclientPort=2181\ntickTime=-5\n');
    const r = await run(cwd, ['start', 'broken.cfg']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Using config: broken\.cfg\n.*tickTime/);
    const missing = await run(cwd, ['status', 'absent.cfg']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read config file absent.cfg');
  });

  it('writes myid for an ensemble member from the server.N line on its clientPortAddress', async () => {
    const [client, quorum, election] = [await freePort(), await freePort(), await freePort()];
    const lines = [1, 2, 3].map((i) => `server.${i}=127.0.0.${i}:${quorum}:${election}`);
    writeFileSync(
      path.join(cwd, 'member2.cfg'),
      ['tickTime=2000', 'initLimit=10', 'syncLimit=5', 'dataDir=data/member2', `clientPort=${client}`, 'clientPortAddress=127.0.0.2', ...lines, ''].join('\n'),
    );
    pidFiles.push(path.join(cwd, 'data', 'member2', 'zookeeper_server.pid'));
    const r = await run(cwd, ['start', 'member2.cfg']);
    expect(r.stderr).toContain(`Wrote ${path.join(cwd, 'data', 'member2', 'myid')}: 2`);
    expect(readFileSync(path.join(cwd, 'data', 'member2', 'myid'), 'utf8')).toBe('2\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Starting zookeeper ... STARTED\n');
    // alone, a member of a three-server ensemble has no quorum: it serves no client, as upstream
    const status = await run(cwd, ['status', 'member2.cfg']);
    expect(status.stdout).toBe(
      `Client port found: ${client}. Client address: 127.0.0.2. Client SSL: false.\nError contacting service. It is probably not running.\n`,
    );
    expect(status.code).not.toBe(0);
    expect((await run(cwd, ['stop', 'member2.cfg'])).stdout).toBe('Stopping zookeeper ... STOPPED\n');
  });

  it('prints its version and documents where the background output goes', async () => {
    const version = await run(cwd, ['version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^Apache ZooKeeper, version 3\.8\.\d+-zk-kafka\n$/);
    const help = await run(cwd, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('<dataDir>/zookeeper.out');
    expect(help.stdout).toMatch(/start \[config\]/);
  });

  it('uses conf/zoo.cfg of the working directory by default', async () => {
    mkdirSync(path.join(cwd, 'conf'), { recursive: true });
    const port = await freePort();
    writeFileSync(path.join(cwd, 'conf', 'zoo.cfg'), standaloneConfig('data/default', port));
    const r = await run(cwd, ['status']);
    expect(r.stderr).toBe('Using config: conf/zoo.cfg\n');
    expect(r.stdout).toContain(`Client port found: ${port}.`);
  });
});
