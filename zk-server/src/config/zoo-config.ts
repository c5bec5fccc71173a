// zoo.cfg + dataDir/myid -> a frozen ZooConfig. Keys are declared once in ZOO_KEYS (type, default,
// help); server.N lines are parsed here for the ensemble. Any other key is kept, as upstream turns
// unknown keys into `zookeeper.<key>` system properties; a few of those we honour by name.

import { readFileSync, existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, KeySpec, applyTable, configTypes as t, parseProperties, PropertyEntry } from '../../../shared/src';
import { MAX_CLIENT_CNXNS_DEFAULT, PRE_ALLOC_SIZE_KB_DEFAULT, SNAP_COUNT_DEFAULT } from '../limits';

const ZOO_KEYS = {
  tickTime: { parse: t.int({ min: 1 }), default: 3000, doc: 'the basic time unit in ms' },
  initLimit: { parse: t.int({ min: 1 }), default: 10, doc: 'ticks a follower may take to connect and sync' },
  syncLimit: { parse: t.int({ min: 1 }), default: 5, doc: 'ticks a follower may lag behind the leader' },
  dataDir: { parse: t.nonEmpty, doc: 'snapshots, myid and epoch files' },
  dataLogDir: { parse: t.string, default: '', doc: 'transaction logs (default: dataDir)' },
  clientPort: { parse: t.int({ min: 0, max: 65535 }), default: -1, doc: 'client port; 0 picks a free one' },
  clientPortAddress: { parse: t.nonEmpty, default: '', doc: 'address the client port binds (default: all)' },
  maxClientCnxns: { parse: t.int({ min: 0 }), default: MAX_CLIENT_CNXNS_DEFAULT, doc: 'connections per client IP, 0 = unlimited' },
  minSessionTimeout: { parse: t.int({ min: -1 }), default: -1, doc: 'ms (default 2 x tickTime)' },
  maxSessionTimeout: { parse: t.int({ min: -1 }), default: -1, doc: 'ms (default 20 x tickTime)' },
  '4lw.commands.whitelist': { parse: t.list, default: ['srvr'], doc: 'four-letter words allowed, * for all' },
  snapCount: { parse: t.int({ min: 2 }), default: SNAP_COUNT_DEFAULT, doc: 'txns between snapshots' },
  preAllocSize: { parse: t.int({ min: 1 }), default: PRE_ALLOC_SIZE_KB_DEFAULT, doc: 'txn log growth step, KiB' },
  forceSync: { parse: t.bool, default: true, doc: 'fsync the txn log before acknowledging' },
  'autopurge.snapRetainCount': { parse: t.int({ min: 3 }), default: 3, doc: 'snapshots kept by autopurge' },
  'autopurge.purgeInterval': { parse: t.int({ min: 0 }), default: 0, doc: 'hours between purges, 0 = off' },
  extendedTypesEnabled: { parse: t.bool, default: false, doc: 'allow TTL nodes' },
  reconfigEnabled: { parse: t.bool, default: false, doc: 'allow dynamic reconfiguration' },
  standaloneEnabled: { parse: t.bool, default: true, doc: 'run standalone when only one server is listed' },
  electionAlg: { parse: t.int({ min: 3, max: 3 }), default: 3, doc: 'only fast leader election (3)' },
  peerType: { parse: t.string, default: 'participant', doc: 'participant or observer' },
  'DigestAuthenticationProvider.superDigest': { parse: t.string, default: '', doc: 'super:<base64 sha1> digest of the superuser' },
  'admin.enableServer': { parse: t.bool, default: false, doc: 'the HTTP admin server (not provided)' },
  'admin.serverPort': { parse: t.int({ min: 0, max: 65535 }), default: 8080, doc: 'admin server port' },
  'znode.container.checkIntervalMs': { parse: t.int({ min: 1 }), default: 60_000, doc: 'container/TTL sweep interval' },
  'znode.container.maxPerMinute': { parse: t.int({ min: 1 }), default: 10_000, doc: 'container/TTL deletions per minute' },
  globalOutstandingLimit: { parse: t.int({ min: 1 }), default: 1000, doc: 'requests in flight before reads pause' },
  'jute.maxbuffer': { parse: t.int({ min: 1 }), default: 0xfffff, doc: 'largest frame accepted, bytes' },
} satisfies Record<string, KeySpec<unknown>>;

export type PeerRole = 'participant' | 'observer';

export interface ServerSpec {
  readonly id: number;
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly role: PeerRole;
  readonly clientHost: string | null;
  readonly clientPort: number | null;
}

export interface ZooConfig {
  readonly source: string;
  readonly tickTimeMs: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly dataDir: string;
  readonly dataLogDir: string;
  readonly clientPort: number;
  readonly clientPortAddress: string | null;
  readonly maxClientCnxns: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly fourLetterWords: ReadonlySet<string> | 'all';
  readonly snapCount: number;
  readonly preAllocSizeKb: number;
  readonly forceSync: boolean;
  readonly autopurgeSnapRetainCount: number;
  readonly autopurgePurgeIntervalHours: number;
  readonly extendedTypesEnabled: boolean;
  readonly reconfigEnabled: boolean;
  readonly standaloneEnabled: boolean;
  readonly superDigest: string | null;
  readonly containerCheckIntervalMs: number;
  readonly containerDeletionsPerMinute: number;
  readonly globalOutstandingLimit: number;
  readonly juteMaxBufferBytes: number;
  readonly servers: readonly ServerSpec[];
  /** myid, or 0 when standalone. */
  readonly serverId: number;
  /** Keys we do not know, passed on as upstream does. */
  readonly extra: ReadonlyMap<string, string>;
}

const SERVER_LINE = /^server\.(\d+)$/;

function parseServerLine(entry: PropertyEntry, source: string): ServerSpec {
  const id = Number(SERVER_LINE.exec(entry.key)![1]);
  const fail = (why: string): never => {
    throw new ConfigError(`${source}:${entry.line}: invalid value for ${entry.key}: ${why}`);
  };
  const [addressPart, clientPart] = entry.value.split(';') as [string, string | undefined];
  const parts = addressPart.split(':');
  if (parts.length < 3 || parts.length > 4) fail('expected host:quorumPort:electionPort[:participant|observer]');
  const [host, quorumText, electionText, roleText] = parts as [string, string, string, string | undefined];
  const port = (text: string, what: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > 65535) fail(`${what} "${text}" is not a port number`);
    return n;
  };
  const role = (roleText ?? 'participant') as PeerRole;
  if (role !== 'participant' && role !== 'observer') fail(`role "${roleText}" is not participant or observer`);
  let clientHost: string | null = null;
  let clientPort: number | null = null;
  if (clientPart !== undefined) {
    const c = clientPart.split(':');
    clientPort = port(c[c.length - 1]!, 'client port');
    clientHost = c.length > 1 ? c[0]! : null;
  }
  return { id, host, quorumPort: port(quorumText, 'quorum port'), electionPort: port(electionText, 'election port'), role, clientHost, clientPort };
}

function readMyid(dataDir: string): number {
  const file = resolve(dataDir, 'myid');
  if (!existsSync(file)) throw new ConfigError(`${file} file is missing`);
  const text = readFileSync(file, 'utf8').split('\n')[0]!.trim();
  if (!/^\d+$/.test(text)) throw new ConfigError(`${file}: serverid ${text} is not a number`);
  return Number(text);
}

export function parseZooConfig(text: string, source: string, baseDir = process.cwd()): ZooConfig {
  const entries = parseProperties(text);
  const serverEntries = entries.filter((e) => SERVER_LINE.test(e.key));
  const rest = entries.filter((e) => !SERVER_LINE.test(e.key));
  const { values: v, unknown } = applyTable(ZOO_KEYS, rest, source);
  const servers = serverEntries.map((e) => parseServerLine(e, source));
  const absolute = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const dataDir = absolute(v.dataDir);
  const participants = servers.filter((s) => s.role === 'participant');
  const quorum = participants.length > 1 || (!v.standaloneEnabled && participants.length > 0);
  const serverId = quorum ? readMyid(dataDir) : 0;
  if (quorum && !servers.some((s) => s.id === serverId)) {
    throw new ConfigError(`${source}: myid ${serverId} is not listed in any server.N line`);
  }
  const self = servers.find((s) => s.id === serverId);
  const clientPort = v.clientPort !== -1 ? v.clientPort : (self?.clientPort ?? -1);
  if (clientPort === -1) throw new ConfigError(`${source}: clientPort is not set`);
  const minSession = v.minSessionTimeout === -1 ? 2 * v.tickTime : v.minSessionTimeout;
  const maxSession = v.maxSessionTimeout === -1 ? 20 * v.tickTime : v.maxSessionTimeout;
  if (minSession > maxSession) {
    throw new ConfigError(`${source}: minSessionTimeout ${minSession} must not be larger than maxSessionTimeout ${maxSession}`);
  }
  const words = v['4lw.commands.whitelist'];
  const superDigest = v['DigestAuthenticationProvider.superDigest'];
  return Object.freeze({
    source,
    tickTimeMs: v.tickTime,
    initLimit: v.initLimit,
    syncLimit: v.syncLimit,
    dataDir,
    dataLogDir: v.dataLogDir === '' ? dataDir : absolute(v.dataLogDir),
    clientPort,
    clientPortAddress: v.clientPortAddress === '' ? (self?.clientHost ?? null) : v.clientPortAddress,
    maxClientCnxns: v.maxClientCnxns,
    minSessionTimeoutMs: minSession,
    maxSessionTimeoutMs: maxSession,
    fourLetterWords: words.includes('*') ? 'all' : new Set([...words, 'srvr']),
    snapCount: v.snapCount,
    preAllocSizeKb: v.preAllocSize,
    forceSync: v.forceSync,
    autopurgeSnapRetainCount: v['autopurge.snapRetainCount'],
    autopurgePurgeIntervalHours: v['autopurge.purgeInterval'],
    extendedTypesEnabled: v.extendedTypesEnabled,
    reconfigEnabled: v.reconfigEnabled,
    standaloneEnabled: v.standaloneEnabled,
    superDigest: superDigest === '' ? null : superDigest,
    containerCheckIntervalMs: v['znode.container.checkIntervalMs'],
    containerDeletionsPerMinute: v['znode.container.maxPerMinute'],
    globalOutstandingLimit: v.globalOutstandingLimit,
    juteMaxBufferBytes: v['jute.maxbuffer'],
    servers,
    serverId,
    extra: new Map(unknown.map((e) => [e.key, e.value])),
  });
}

export function loadZooConfig(path: string): ZooConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`, { cause: e });
  }
  // relative dataDir and dataLogDir are taken from the working directory, as upstream does
  return parseZooConfig(text, path);
}

/** One line of help per key, for `--help`. */
export function zooConfigHelp(): string {
  return Object.entries(ZOO_KEYS)
    .map(([key, spec]) => `  ${key.padEnd(40)} ${spec.doc}${'default' in spec ? ` (default ${JSON.stringify(spec.default)})` : ''}`)
    .join('\n');
}
