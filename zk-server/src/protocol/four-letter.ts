// Four-letter words: plain-text status commands sent instead of a ConnectRequest. Each word is one
// entry in FOUR_LETTER_WORDS; only whitelisted words run (srvr always, for zkServer.sh status).
// Output formats follow Apache ZooKeeper 3.8's.

import { hostname, freemem, totalmem, platform, arch, release, userInfo, homedir, tmpdir } from 'node:os';
import { ZOOKEEPER_VERSION } from '../limits';

/** What the words report on; the server composition root provides it. */
export interface FourLetterSource {
  mode: 'standalone' | 'leader' | 'follower' | 'observer';
  isServing(): boolean;
  lastZxid(): bigint;
  nodeCount(): number;
  stats(): { packetsReceived: number; packetsSent: number; minLatencyMs: number; avgLatencyMs: number; maxLatencyMs: number };
  resetStats(): void;
  resetConnectionStats(): void;
  connections(): ConnectionInfo[];
  outstanding(): number;
  watchSummary(): { connections: number; paths: number; total: number };
  watchesByConnection(): Map<bigint, string[]>;
  watchesByPath(): Map<string, bigint[]>;
  sessionDump(): string;
  config(): Record<string, string | number>;
  /** What `conf` prints after config(): an ensemble member's quorum settings and membership. */
  configTail(): string;
  dirSizes(): { datadir: number; logdir: number };
  mntr(): Array<[string, string | number]>;
  startedAtMs: number;
}

export interface ConnectionInfo {
  address: string;
  port: number;
  queued: number;
  received: number;
  sent: number;
  sessionId: bigint;
  lastOp: string;
  establishedAtMs: number;
  timeoutMs: number;
  lastCxid: number;
  lastZxid: bigint;
  lastLatencyMs: number;
}

const VERSION_LINE = `Zookeeper version: ${ZOOKEEPER_VERSION}-zk-kafka, built on 01/01/2026 00:00 UTC`;
const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests\n';
const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);

function latencyLines(src: FourLetterSource): string {
  const s = src.stats();
  return (
    `Latency min/avg/max: ${s.minLatencyMs}/${formatDouble(s.avgLatencyMs)}/${s.maxLatencyMs}\n` +
    `Received: ${s.packetsReceived}\nSent: ${s.packetsSent}\nConnections: ${src.connections().length}\n` +
    `Outstanding: ${src.outstanding()}\nZxid: ${hex(src.lastZxid())}\nMode: ${src.mode}\nNode count: ${src.nodeCount()}\n`
  );
}

/** Java prints doubles with at least one decimal. */
function formatDouble(v: number): string {
  const s = String(Math.round(v * 10000) / 10000);
  return s.includes('.') ? s : s + '.0';
}

function briefConnection(c: ConnectionInfo): string {
  return ` /${c.address}:${c.port}[${c.sessionId === 0n ? 0 : 1}](queued=${c.queued},recved=${c.received},sent=${c.sent}`;
}

function cons(src: FourLetterSource): string {
  const lines = src.connections().map((c) => {
    if (c.sessionId === 0n) return briefConnection(c) + ')\n';
    return (
      briefConnection(c) +
      `,sid=${hex(c.sessionId)},lop=${c.lastOp},est=${c.establishedAtMs},to=${c.timeoutMs},lcxid=0x${(c.lastCxid >>> 0).toString(16)}` +
      `,lzxid=${hex(c.lastZxid)},lresp=${Date.now()},llat=${c.lastLatencyMs},minlat=0,avglat=0,maxlat=${c.lastLatencyMs})\n`
    );
  });
  return lines.join('') + '\n';
}

function envi(): string {
  const user = userInfo();
  const lines = [
    `zookeeper.version=${ZOOKEEPER_VERSION}-zk-kafka`,
    `host.name=${hostname()}`,
    `java.version=node-${process.versions.node}`,
    `java.vendor=Node.js`,
    `java.home=${process.execPath}`,
    `java.class.path=${process.argv[1] ?? ''}`,
    `java.library.path=`,
    `java.io.tmpdir=${tmpdir()}`,
    `java.compiler=<NA>`,
    `os.name=${platform()}`,
    `os.arch=${arch()}`,
    `os.version=${release()}`,
    `user.name=${user.username}`,
    `user.home=${homedir()}`,
    `user.dir=${process.cwd()}`,
    `os.memory.free=${Math.round(freemem() / 1048576)}MB`,
    `os.memory.max=${Math.round(totalmem() / 1048576)}MB`,
    `os.memory.total=${Math.round(process.memoryUsage().rss / 1048576)}MB`,
  ];
  return 'Environment:\n' + lines.join('\n') + '\n';
}

type Word = (src: FourLetterSource) => string;
const needsServing = (fn: Word): Word => (src) => (src.isServing() ? fn(src) : NOT_SERVING);

export const FOUR_LETTER_WORDS: ReadonlyMap<string, Word> = new Map<string, Word>([
  ['ruok', () => 'imok'],
  ['srvr', needsServing((src) => `${VERSION_LINE}\n${latencyLines(src)}`)],
  [
    'stat',
    needsServing((src) => {
      const clients = src.connections().map((c) => briefConnection(c) + ')\n').join('');
      return `${VERSION_LINE}\nClients:\n${clients}\n${latencyLines(src)}`;
    }),
  ],
  ['conf', (src) => Object.entries(src.config()).map(([k, v]) => `${k}=${v}\n`).join('') + src.configTail()],
  ['cons', needsServing(cons)],
  ['crst', (src) => (src.resetConnectionStats(), 'Connection stats reset.\n')],
  ['srst', (src) => (src.resetStats(), 'Server stats reset.\n')],
  ['envi', envi],
  ['mntr', needsServing((src) => src.mntr().map(([k, v]) => `${k}\t${v}\n`).join(''))],
  [
    'wchs',
    needsServing((src) => {
      const w = src.watchSummary();
      return `${w.connections} connections watching ${w.paths} paths\nTotal watches:${w.total}\n`;
    }),
  ],
  [
    'wchc',
    needsServing((src) => {
      let out = '';
      for (const [sid, paths] of src.watchesByConnection()) out += `${hex(sid)}\n` + paths.map((p) => `\t${p}\n`).join('');
      return out + '\n';
    }),
  ],
  [
    'wchp',
    needsServing((src) => {
      let out = '';
      for (const [path, sids] of src.watchesByPath()) out += `${path}\n` + sids.map((s) => `\t${hex(s)}\n`).join('');
      return out + '\n';
    }),
  ],
  ['dump', needsServing((src) => src.sessionDump())],
  ['isro', () => 'rw'],
  [
    'dirs',
    needsServing((src) => {
      const d = src.dirSizes();
      return `datadir_size: ${d.datadir}\nlogdir_size: ${d.logdir}\n`;
    }),
  ],
  ['gtmk', () => '0\n'],
  ['hash', () => '\n'],
]);

/** Words upstream knows, whitelisted or not: a connection that opens with one of these is a 4lw. */
const KNOWN_WORDS = new Set([...FOUR_LETTER_WORDS.keys(), 'stmk', 'dirs']);

export function isFourLetterWord(first4: Buffer): string | null {
  const word = first4.toString('latin1', 0, 4);
  return KNOWN_WORDS.has(word) ? word : null;
}

export function runFourLetterWord(word: string, allowed: ReadonlySet<string> | 'all', src: FourLetterSource): string {
  if (allowed !== 'all' && !allowed.has(word)) return `${word} is not executed because it is not in the whitelist.\n`;
  const fn = FOUR_LETTER_WORDS.get(word);
  return fn === undefined ? `${word} is not executed because it is not in the whitelist.\n` : fn(src);
}
