// zkServer.sh's start | stop | restart | status for our server, with its texts and exit codes: start
// runs `zk-server start-foreground <cfg>` detached (output in <dataDir>/zookeeper.out, pid in
// <dataDir>/zookeeper_server.pid) and reports STARTED once the server answers `srvr`; status asks
// `srvr` for its Mode line. Also writes a missing dataDir/myid for ensemble configs (see prepareMyid).
// Never signals a process whose command line is not a zk-server's.

import * as net from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError, parseProperties } from '../../../shared/src';
import { CliIo, ExitCode } from '../../../shared/src/cli/exit-codes';
import { daemonState, pollUntil, removePidFile, startDetached, stopProcess, writePidFile } from '../../../shared/src/cli/daemon';
import { loadZooConfig } from '../config/zoo-config';

export const PID_FILE_NAME = 'zookeeper_server.pid';
export const OUTPUT_FILE_NAME = 'zookeeper.out';
/** Marker that must be in a process's command line for stop to signal it. */
const SERVER_COMMAND_MARKER = 'start-foreground';
/** How long start waits for the new server to answer srvr. */
export const START_TIMEOUT_MS = 30_000;
/** How long stop waits after SIGTERM before SIGKILL. */
export const STOP_TIMEOUT_MS = 30_000;
const FOUR_LETTER_TIMEOUT_MS = 2_000;
/** zkServer.sh's address for status when clientPortAddress is not set. */
const DEFAULT_STATUS_ADDRESS = 'localhost';
const LISTENING_LINE = /listening for clients on (\S+):(\d+)/;

export type ControlCommand = 'start' | 'stop' | 'restart' | 'status';

/** How to start the server process: given by bin/, which alone knows argv, env and the node binary. */
export interface ServerLaunch {
  nodePath: string;
  /** The zk-server entry script (dist/zk-server/src/bin/zk-server.js). */
  serverScript: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

interface ServerLine {
  id: number;
  host: string;
  observer: boolean;
  clientHost: string | null;
  clientPort: number | null;
}

/** What the operator commands read from zoo.cfg, without the checks a server start makes. */
interface ControlView {
  dataDir: string;
  clientPort: number | null;
  clientPortAddress: string | null;
  servers: ServerLine[];
  quorum: boolean;
}

function parseServerLine(key: string, value: string): ServerLine | null {
  const id = /^server\.(\d+)$/.exec(key)?.[1];
  if (id === undefined) return null;
  const [address = '', client] = value.split(';');
  const host = address.split(':')[0] ?? '';
  let clientHost: string | null = null;
  let clientPort: number | null = null;
  if (client !== undefined) {
    const parts = client.split(':');
    clientPort = Number(parts[parts.length - 1]);
    clientHost = parts.length > 1 ? parts[0]! : null;
  }
  const observer = address.split(':')[3] === 'observer';
  return { id: Number(id), host, observer, clientHost, clientPort: Number.isInteger(clientPort) ? clientPort : null };
}

function readControlView(configPath: string, cwd: string): ControlView {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${configPath}: ${(e as Error).message}`, { cause: e });
  }
  const values = new Map<string, string>();
  const servers: ServerLine[] = [];
  for (const entry of parseProperties(text)) {
    const server = parseServerLine(entry.key, entry.value);
    if (server !== null) servers.push(server);
    else values.set(entry.key, entry.value);
  }
  const dataDir = values.get('dataDir');
  if (dataDir === undefined || dataDir === '') throw new ConfigError(`${configPath}: dataDir is not set`);
  const port = values.get('clientPort');
  const participants = servers.filter((s) => !s.observer).length;
  return {
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    clientPort: port !== undefined && /^\d+$/.test(port) ? Number(port) : null,
    clientPortAddress: values.get('clientPortAddress') || null,
    servers,
    quorum: participants > 1 || (values.get('standaloneEnabled') === 'false' && servers.length > 0),
  };
}

/**
 * An ensemble member needs dataDir/myid. When it is missing, the server.N line whose host (or client
 * host) equals clientPortAddress names this member: write N there. Returns what was done, or null.
 */
export function prepareMyid(configPath: string, cwd: string): string | null {
  const view = readControlView(configPath, cwd);
  const myidFile = join(view.dataDir, 'myid');
  if (!view.quorum || existsSync(myidFile) || view.clientPortAddress === null) return null;
  const address = view.clientPortAddress;
  const matches = view.servers.filter((s) => s.host === address || s.clientHost === address);
  if (matches.length !== 1) return null;
  mkdirSync(view.dataDir, { recursive: true });
  writeFileSync(myidFile, `${matches[0]!.id}\n`);
  return `Wrote ${myidFile}: ${matches[0]!.id} (server.${matches[0]!.id} is on clientPortAddress ${address})`;
}

/** Sends a four-letter word; resolves with the reply, or null when nothing answers. */
export function fourLetterWord(
  host: string,
  port: number,
  word: string,
  timeoutMs = FOUR_LETTER_TIMEOUT_MS,
): Promise<string | null> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => socket.write(word));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => done(null));
    socket.on('close', (hadError) => {
      if (!hadError) done(chunks.length === 0 ? null : Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Whether something accepts TCP connections on host:port (the client port is taken). */
function acceptsConnections(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(FOUR_LETTER_TIMEOUT_MS, () => {
      socket.destroy();
      done(false);
    });
    socket.on('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

/** The client address and port to probe: zoo.cfg's, or server.<myid>'s client part, or what the server logged. */
function clientEndpoint(view: ControlView): { host: string; port: number } | null {
  let host = view.clientPortAddress ?? DEFAULT_STATUS_ADDRESS;
  let port = view.clientPort;
  if (port === null) {
    const myid = readMyid(view.dataDir);
    const self = view.servers.find((s) => s.id === myid);
    if (self?.clientPort === null || self === undefined) return null;
    port = self.clientPort;
    host = self.clientHost ?? host;
  }
  if (port === 0) {
    const logged = loggedEndpoint(view.dataDir);
    if (logged === null) return { host, port };
    return logged;
  }
  return { host, port };
}

function readMyid(dataDir: string): number | null {
  try {
    const text = readFileSync(join(dataDir, 'myid'), 'utf8').split('\n')[0]!.trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

/** clientPort=0: the port the server reported in its output file. */
function loggedEndpoint(dataDir: string): { host: string; port: number } | null {
  try {
    const m = LISTENING_LINE.exec(readFileSync(join(dataDir, OUTPUT_FILE_NAME), 'utf8'));
    if (m === null) return null;
    const host = m[1] === '0.0.0.0' || m[1] === '::' ? DEFAULT_STATUS_ADDRESS : m[1]!;
    return { host, port: Number(m[2]) };
  } catch {
    return null;
  }
}

function configFailure(io: CliIo, e: unknown): number {
  if (!(e instanceof ConfigError)) throw e;
  io.stderr.write(`${e.message}\n`);
  return ExitCode.CONFIG_ERROR;
}

async function start(configPath: string, io: CliIo, launch: ServerLaunch): Promise<number> {
  let view: ControlView;
  try {
    const wrote = prepareMyid(configPath, launch.cwd);
    if (wrote !== null) io.stderr.write(`${wrote}\n`);
    view = readControlView(configPath, launch.cwd);
    loadZooConfig(configPath);
  } catch (e) {
    return configFailure(io, e);
  }
  mkdirSync(view.dataDir, { recursive: true });
  const pidFile = join(view.dataDir, PID_FILE_NAME);
  io.stdout.write('Starting zookeeper ... ');
  const existing = daemonState(pidFile, SERVER_COMMAND_MARKER);
  if (existing.state === 'running') {
    io.stdout.write(`already running as process ${existing.pid}.\n`);
    return ExitCode.ERROR;
  }
  const endpoint = clientEndpoint(view);
  if (endpoint !== null && endpoint.port !== 0 && (await acceptsConnections(endpoint.host, endpoint.port))) {
    io.stdout.write('FAILED TO START\n');
    io.stderr.write(`${endpoint.host}:${endpoint.port} is already in use by another process\n`);
    return ExitCode.ERROR;
  }
  const outputFile = join(view.dataDir, OUTPUT_FILE_NAME);
  const child = startDetached({
    command: launch.nodePath,
    args: [launch.serverScript, SERVER_COMMAND_MARKER, resolve(launch.cwd, configPath)],
    cwd: launch.cwd,
    env: launch.env,
    outputFile,
  });
  writePidFile(pidFile, child.pid);
  const answered = await pollUntil(async () => {
    if (child.exitInfo() !== null) return true;
    const endpoint = clientEndpoint(view);
    return endpoint !== null && endpoint.port !== 0 && (await fourLetterWord(endpoint.host, endpoint.port, 'srvr')) !== null;
  }, START_TIMEOUT_MS);
  if (answered && child.exitInfo() === null) {
    io.stdout.write('STARTED\n');
    return ExitCode.OK;
  }
  if (child.exitInfo() === null) await stopProcess(child.pid, STOP_TIMEOUT_MS);
  removePidFile(pidFile);
  io.stdout.write('FAILED TO START\n');
  io.stderr.write(`see ${outputFile} for the server's output\n`);
  return ExitCode.ERROR;
}

async function stop(configPath: string, io: CliIo, launch: ServerLaunch): Promise<number> {
  let view: ControlView;
  try {
    view = readControlView(configPath, launch.cwd);
  } catch (e) {
    return configFailure(io, e);
  }
  const pidFile = join(view.dataDir, PID_FILE_NAME);
  io.stdout.write('Stopping zookeeper ... ');
  const state = daemonState(pidFile, SERVER_COMMAND_MARKER);
  if (state.state === 'absent') {
    io.stdout.write(`no zookeeper to stop (could not find file ${pidFile})\n`);
    return ExitCode.OK;
  }
  if (state.state === 'stale') {
    io.stderr.write(`process ${state.pid} from ${pidFile} is not a running zk-server; removing the pid file\n`);
  } else {
    const outcome = await stopProcess(state.pid, STOP_TIMEOUT_MS);
    if (outcome === 'killed') io.stderr.write(`process ${state.pid} did not stop within ${STOP_TIMEOUT_MS} ms; killed\n`);
  }
  removePidFile(pidFile);
  io.stdout.write('STOPPED\n');
  return ExitCode.OK;
}

async function status(configPath: string, io: CliIo, launch: ServerLaunch): Promise<number> {
  let view: ControlView;
  try {
    view = readControlView(configPath, launch.cwd);
  } catch (e) {
    return configFailure(io, e);
  }
  const endpoint = clientEndpoint(view);
  if (endpoint === null) {
    io.stdout.write('Unable to find either secure or unsecure client port in any configs. Terminating.\n');
    return ExitCode.ERROR;
  }
  io.stdout.write(`Client port found: ${endpoint.port}. Client address: ${endpoint.host}. Client SSL: false.\n`);
  const reply = endpoint.port === 0 ? null : await fourLetterWord(endpoint.host, endpoint.port, 'srvr');
  const mode = reply?.split('\n').find((line) => line.includes('Mode'));
  if (mode === undefined) {
    io.stdout.write('Error contacting service. It is probably not running.\n');
    return ExitCode.ERROR;
  }
  io.stdout.write(`${mode.trim()}\n`);
  return ExitCode.OK;
}

/** Runs one operator command; the caller exits with the returned code. */
export async function runServerControl(
  command: ControlCommand,
  configPath: string,
  io: CliIo,
  launch: ServerLaunch,
): Promise<number> {
  io.stderr.write(`Using config: ${configPath}\n`);
  switch (command) {
    case 'start':
      return start(configPath, io, launch);
    case 'stop':
      return stop(configPath, io, launch);
    case 'status':
      return status(configPath, io, launch);
    case 'restart': {
      await stop(configPath, io, launch);
      io.stderr.write(`Using config: ${configPath}\n`);
      return start(configPath, io, launch);
    }
  }
}
