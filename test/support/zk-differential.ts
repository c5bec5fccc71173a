// Differential testing of two ZooKeeper-compatible servers: the same seeded random sequence of
// client operations goes to both (over the raw client, two sessions per server), and after every
// step the answers are compared: error codes, zxids relative to a base taken at the start, data,
// sorted children, ACLs, the Stat fields that do not depend on wall-clock time, and the watch
// events each session received. The first difference stops the run and is reported with its seed
// and step, which replay it exactly (the sequence depends only on the seed and on the first
// server's answers, which are equal up to that step).
//
// Operations are picked so that no step makes a conforming server close the connection (no bad
// auth scheme, no top-level check op), so one divergence never hides the next steps.

import { Rng, seededRng } from '../../shared/src';
import { ZkServer } from './process-launcher';
import { ACL, Stat, ZkRawClient, ZkReply } from './zk-raw-client';
import { CreateFlags, OpCode, Perms, errorName, opName } from './zk-wire';

// ---- operations ----

export type AclName =
  | 'open' | 'worldRead' | 'worldNoAdmin' | 'creatorAll' | 'alice' | 'aliceWorldRead' | 'ip' | 'dup'
  | 'empty' | 'badDigest' | 'unknownScheme';

export interface SubOp {
  type: number;
  path: string;
  data?: string | null;
  acl?: AclName;
  flags?: number;
  version?: number;
  watch?: boolean;
}

export type DiffOp =
  | { kind: 'create'; s: number; op: number; path: string; data: string | null; acl: AclName; flags: number; ttl?: number }
  | { kind: 'delete'; s: number; path: string; version: number }
  | { kind: 'setData'; s: number; path: string; data: string | null; version: number }
  | { kind: 'exists' | 'getData' | 'getChildren' | 'getChildren2'; s: number; path: string; watch: boolean }
  | { kind: 'getACL'; s: number; path: string }
  | { kind: 'setACL'; s: number; path: string; acl: AclName; version: number }
  | { kind: 'multi'; s: number; op: number; ops: SubOp[] }
  | { kind: 'getAllChildrenNumber'; s: number; path: string }
  | { kind: 'getEphemerals'; s: number; prefix: string }
  | { kind: 'sync'; s: number; path: string }
  | { kind: 'addAuth'; s: number; user: 'alice' | 'bob' }
  | { kind: 'addWatch'; s: number; path: string; mode: number }
  | { kind: 'reconnect'; s: number };

const ALICE_DIGEST = 'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E='; // base64(sha1("alice:secret"))
const PASSWORDS = { alice: 'alice:secret', bob: 'bob:pw' } as const;

const ACLS: Record<AclName, ACL[]> = {
  open: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }],
  worldRead: [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }],
  worldNoAdmin: [{ perms: Perms.ALL & ~Perms.ADMIN, id: { scheme: 'world', id: 'anyone' } }],
  creatorAll: [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }],
  alice: [{ perms: Perms.ALL, id: { scheme: 'digest', id: ALICE_DIGEST } }],
  aliceWorldRead: [
    { perms: Perms.ALL, id: { scheme: 'digest', id: ALICE_DIGEST } },
    { perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } },
  ],
  ip: [{ perms: Perms.ALL, id: { scheme: 'ip', id: '127.0.0.1' } }],
  dup: [
    { perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } },
    { perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } },
  ],
  empty: [],
  badDigest: [{ perms: Perms.ALL, id: { scheme: 'digest', id: 'nocolon' } }],
  unknownScheme: [{ perms: Perms.ALL, id: { scheme: 'foo', id: 'bar' } }],
};

const BAD_PATHS = [
  '', 'noslash', '/trailing/', '//double', '/a//b', '/a/./b', '/a/../b', '/.', '/..', '/ctl\u0001',
  '/del\u007f', '/priv\ue000', '/spec\ufff5', '/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config',
];
const NAMES = ['a', 'b', 'c', 'd'];
const DEPTH_MAX = 3;
export const SESSIONS = 2;

/**
 * Areas the generator can leave out, to look past a divergence that is already known
 * (ZK_DIFF_AVOID=empty-path,read-in-multi,... in the differential test).
 */
export const AVOIDABLE = {
  'empty-path': 'the path "" (Apache reads it as the root)',
  'zookeeper-config': 'reads and writes of /zookeeper/config',
  'read-in-multi': 'getData inside a multi (op 14)',
  'unreadable-acl': 'ACLs that deny READ to the other session (alice, creatorAll)',
  'add-watch': 'addWatch (persistent and recursive watches)',
} as const;
export type Avoidable = keyof typeof AVOIDABLE;

export interface GeneratorOptions {
  avoid: ReadonlySet<Avoidable>;
}

export function parseAvoid(text: string | undefined): Set<Avoidable> {
  const out = new Set<Avoidable>();
  for (const word of (text ?? '').split(',').map((w) => w.trim()).filter((w) => w !== '')) {
    if (!(word in AVOIDABLE)) throw new Error(`unknown ZK_DIFF_AVOID entry "${word}"; known: ${Object.keys(AVOIDABLE).join(', ')}`);
    out.add(word as Avoidable);
  }
  return out;
}

/** What the generator believes about the tree, learned from the reference side's answers. */
export class Model {
  readonly nodes = new Map<string, { version: number; aversion: number }>([['/', { version: 0, aversion: 0 }]]);

  learnStat(path: string, stat: { version: number; aversion: number } | undefined): void {
    if (stat !== undefined) this.nodes.set(path, { version: stat.version, aversion: stat.aversion });
  }
  forget(path: string): void {
    for (const p of [...this.nodes.keys()]) if (p === path || p.startsWith(`${path}/`)) this.nodes.delete(p);
  }
}

function pick<T>(rng: Rng, weighted: [number, T][]): T {
  const total = weighted.reduce((a, [w]) => a + w, 0);
  let x = rng.next() * total;
  for (const [w, v] of weighted) {
    x -= w;
    if (x < 0) return v;
  }
  return weighted[weighted.length - 1]![1];
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

/** Picks the next operation from the seed, the model and the areas to avoid. */
export class OpGenerator {
  private readonly rng: Rng;
  private readonly avoid: ReadonlySet<Avoidable>;

  constructor(seed: number, readonly model: Model, o: GeneratorOptions = { avoid: new Set() }) {
    this.rng = seededRng(seed);
    this.avoid = o.avoid;
  }

  private existing(): string {
    return this.rng.pick([...this.model.nodes.keys()].sort());
  }

  private fresh(): string {
    const parents = [...this.model.nodes.keys()].filter((p) => depth(p) < DEPTH_MAX).sort();
    const parent = parents.length === 0 ? '/' : this.rng.pick(parents);
    return `${parent === '/' ? '' : parent}/${this.rng.pick(NAMES)}`;
  }

  private badPath(): string {
    const skip = (p: string): boolean =>
      (this.avoid.has('empty-path') && p === '') || (this.avoid.has('zookeeper-config') && p === '/zookeeper/config');
    return this.rng.pick(BAD_PATHS.filter((p) => !skip(p)));
  }

  private path(): string {
    return pick(this.rng, [
      [6, () => this.existing()],
      [3, () => this.fresh()],
      [1, () => this.badPath()],
    ])();
  }

  private data(): string | null {
    const rng = this.rng;
    return pick<() => string | null>(rng, [
      [1, () => null],
      [1, () => ''],
      [8, () => Buffer.from(Array.from({ length: 1 + rng.int(12) }, () => rng.int(256))).toString('hex')],
    ])();
  }

  private version(path: string, field: 'version' | 'aversion'): number {
    const known = this.model.nodes.get(path)?.[field] ?? 0;
    return pick(this.rng, [
      [5, -1],
      [4, known],
      [2, known + 1],
    ]);
  }

  private acl(): AclName {
    const unreadable = this.avoid.has('unreadable-acl') ? 0 : 1;
    return pick<AclName>(this.rng, [
      [30, 'open'], [3, 'worldRead'], [3, 'worldNoAdmin'], [3 * unreadable, 'creatorAll'], [4 * unreadable, 'alice'],
      [3, 'aliceWorldRead'], [2, 'ip'], [1, 'dup'], [1, 'empty'], [1, 'badDigest'], [1, 'unknownScheme'],
    ]);
  }

  private createFlags(op: number): number {
    const rng = this.rng;
    if (op === OpCode.createContainer) return rng.chance(0.9) ? CreateFlags.CONTAINER : 0;
    if (op === OpCode.createTTL) {
      return rng.chance(0.9) ? rng.pick([CreateFlags.PERSISTENT_WITH_TTL, CreateFlags.PERSISTENT_SEQUENTIAL_WITH_TTL]) : 0;
    }
    return pick(rng, [
      [10, CreateFlags.PERSISTENT],
      [5, CreateFlags.EPHEMERAL],
      [4, CreateFlags.PERSISTENT_SEQUENTIAL],
      [3, CreateFlags.EPHEMERAL_SEQUENTIAL],
      [1, rng.pick([CreateFlags.CONTAINER, CreateFlags.PERSISTENT_WITH_TTL, 7, -1])],
    ]);
  }

  private createPath(flags: number): string {
    const sequential = flags === 2 || flags === 3 || flags === 6;
    if (sequential && this.rng.chance(0.3)) {
      const parent = this.existing();
      return parent === '/' ? '/' : `${parent}/`; // trailing slash: the name is only the counter
    }
    return this.rng.chance(0.85) ? this.fresh() : this.path();
  }

  private subOp(allowReads: boolean): SubOp {
    const type = pick(this.rng, [
      [4, OpCode.create],
      [1, OpCode.create2],
      [3, OpCode.delete],
      [3, OpCode.setData],
      [3, OpCode.check],
      [allowReads ? 1 : 0, OpCode.getData],
    ]);
    switch (type) {
      case OpCode.create:
      case OpCode.create2: {
        const flags = pick(this.rng, [[6, 0], [2, 1], [2, 2], [1, 3]]);
        const acl = this.rng.chance(0.9) ? 'open' : this.acl();
        return { type, path: this.createPath(flags), data: this.data(), acl, flags };
      }
      case OpCode.delete:
        return { type, path: this.path(), version: -1 };
      case OpCode.setData: {
        const path = this.path();
        return { type, path, data: this.data(), version: this.version(path, 'version') };
      }
      case OpCode.check: {
        const path = this.path();
        return { type, path, version: this.version(path, 'version') };
      }
      default:
        return { type, path: this.path(), watch: false };
    }
  }

  next(): DiffOp {
    const rng = this.rng;
    const s = rng.int(SESSIONS);
    const kind = pick(rng, [
      [25, 'create'], [10, 'delete'], [12, 'setData'], [8, 'exists'], [8, 'getData'], [5, 'getChildren'],
      [5, 'getChildren2'], [3, 'getACL'], [4, 'setACL'], [8, 'multi'], [2, 'multiRead'], [2, 'getAllChildrenNumber'],
      [2, 'getEphemerals'], [2, 'sync'], [1, 'addAuth'], [this.avoid.has('add-watch') ? 0 : 1, 'addWatch'], [1, 'reconnect'],
    ] as [number, string][]);
    switch (kind) {
      case 'create': {
        const op = pick(rng, [[12, OpCode.create], [6, OpCode.create2], [1, OpCode.createContainer], [1, OpCode.createTTL]]);
        const flags = this.createFlags(op);
        const o: DiffOp = { kind: 'create', s, op, path: this.createPath(flags), data: this.data(), acl: this.acl(), flags };
        if (op === OpCode.createTTL) o.ttl = rng.chance(0.8) ? 1 + rng.int(100_000) : 0;
        return o;
      }
      case 'delete': {
        const path = this.path();
        return { kind, s, path, version: this.version(path, 'version') };
      }
      case 'setData': {
        const path = this.path();
        return { kind, s, path, data: this.data(), version: this.version(path, 'version') };
      }
      case 'exists':
      case 'getData':
      case 'getChildren':
      case 'getChildren2':
        return { kind, s, path: this.path(), watch: rng.chance(0.5) };
      case 'getACL':
        return { kind, s, path: this.path() };
      case 'setACL': {
        const path = this.path();
        return { kind, s, path, acl: this.acl(), version: this.version(path, 'aversion') };
      }
      case 'multi': {
        const count = pick(rng, [[1, 0], [10, 1 + rng.int(5)]]);
        const withRead = !this.avoid.has('read-in-multi') && rng.chance(0.05);
        return { kind, s, op: OpCode.multi, ops: Array.from({ length: count }, () => this.subOp(withRead)) };
      }
      case 'multiRead': {
        const ops = Array.from({ length: 1 + rng.int(3) }, (): SubOp => ({
          type: rng.pick([OpCode.getData, OpCode.getChildren]), path: this.path(), watch: false,
        }));
        return { kind: 'multi', s, op: OpCode.multiRead, ops };
      }
      case 'getAllChildrenNumber':
      case 'sync':
        return { kind, s, path: this.path() };
      case 'getEphemerals':
        return { kind, s, prefix: rng.chance(0.3) ? '/' : this.path() };
      case 'addAuth':
        return { kind, s, user: rng.pick(['alice', 'bob'] as const) };
      case 'addWatch':
        return { kind, s, path: this.path(), mode: rng.int(2) };
      default:
        return { kind: 'reconnect', s };
    }
  }
}

export function describeOp(op: DiffOp): string {
  const { kind, s, ...rest } = op;
  const shown = kind === 'create' || kind === 'multi' ? { ...rest, op: opName((rest as { op: number }).op) } : rest;
  return `S${s} ${kind} ${JSON.stringify(shown)}`;
}

// ---- one side: a server, its sessions and its zxid base ----

export interface SideOptions {
  name: string;
  server: ZkServer;
  requestTimeoutMs: number;
}

export class Side {
  readonly sessions: ZkRawClient[] = [];
  /** Session ids by slot, with a generation counter per slot for ephemeral owners. */
  readonly owners = new Map<bigint, string>();
  base = 0n;
  private readonly generation: number[] = [];
  private readonly seenEvents: number[] = [];

  constructor(readonly o: SideOptions) {}

  get name(): string {
    return this.o.name;
  }

  async openSession(slot: number): Promise<void> {
    const client = await ZkRawClient.connect({ port: this.o.server.port, requestTimeoutMs: this.o.requestTimeoutMs });
    this.generation[slot] = (this.generation[slot] ?? 0) + 1;
    this.sessions[slot] = client;
    this.seenEvents[slot] = 0;
    this.owners.set(client.sessionId, `S${slot}.${this.generation[slot]}`);
  }

  async start(): Promise<void> {
    for (let slot = 0; slot < SESSIONS; slot++) await this.openSession(slot);
    // Base for relative zxids: the last processed zxid once every session exists.
    this.base = (await this.sessions[0]!.exists('/')).zxid;
  }

  rel(zxid: bigint): string {
    return zxid <= 0n ? String(zxid) : `+${zxid - this.base}`;
  }

  /** New events of each session since the last call. */
  takeEvents(): unknown[][] {
    return this.sessions.map((c, slot) => {
      const fresh = c.events.slice(this.seenEvents[slot]);
      this.seenEvents[slot] = c.events.length;
      return fresh.map((e) => ({ type: e.type, state: e.state, path: e.path, zxid: String(e.zxid) }));
    });
  }

  /** Every session answers a ping: whatever a step triggered has reached its connection. */
  async barrier(): Promise<void> {
    await Promise.all(this.sessions.map((c) => (c.isClosed ? undefined : c.ping().catch(() => undefined))));
  }

  close(): void {
    for (const c of this.sessions) c?.destroy();
  }
}

// ---- normalising answers ----

function normStat(side: Side, st: Stat | undefined): unknown {
  if (st === undefined) return undefined;
  const owner = st.ephemeralOwner === 0n ? 'none' : (side.owners.get(st.ephemeralOwner) ?? `other(${st.ephemeralOwner.toString(16)})`);
  return {
    czxid: side.rel(st.czxid), mzxid: side.rel(st.mzxid), pzxid: side.rel(st.pzxid), version: st.version,
    cversion: st.cversion, aversion: st.aversion, dataLength: st.dataLength, numChildren: st.numChildren, owner,
  };
}

const hex = (b: Buffer | null | undefined): string | null => (b === null || b === undefined ? null : b.toString('hex'));

function normBody(side: Side, body: any): unknown {
  if (body === null || body === undefined || typeof body !== 'object') return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'stat') out[k] = normStat(side, v as Stat);
    else if (k === 'data') out[k] = hex(v as Buffer | null);
    else if (k === 'children' || k === 'ephemerals') out[k] = [...(v as string[])].sort();
    else if (k === 'acl') out[k] = (v as ACL[]).map((a) => `${a.perms}:${a.id.scheme}:${a.id.id}`);
    else if (k === 'results') out[k] = (v as any[]).map((r) => ({ header: r.header, body: normBody(side, r.body) }));
    else out[k] = typeof v === 'bigint' ? String(v) : v;
  }
  return out;
}

export type Outcome = { err: string; zxid: string; body?: unknown } | { failure: string };

function normReply(side: Side, r: ZkReply<any>): Outcome {
  const o: Outcome = { err: r.err === 0 ? 'OK' : errorName(r.err), zxid: side.rel(r.zxid) };
  if (r.body !== undefined) o.body = normBody(side, r.body);
  if (r.decodeError !== undefined) o.body = { undecodable: r.raw.toString('hex') };
  if (!r.inOrder) o.err += ' (out of order)';
  return o;
}

// ---- executing an op on one side ----

const buf = (h: string | null | undefined): Buffer | null => (h === null || h === undefined ? null : Buffer.from(h, 'hex'));

function subOpBody(o: SubOp): { type: number; body: unknown } {
  switch (o.type) {
    case OpCode.create:
    case OpCode.create2:
      return { type: o.type, body: { path: o.path, data: buf(o.data), acl: ACLS[o.acl ?? 'open'], flags: o.flags ?? 0 } };
    case OpCode.delete:
    case OpCode.check:
      return { type: o.type, body: { path: o.path, version: o.version ?? -1 } };
    case OpCode.setData:
      return { type: o.type, body: { path: o.path, data: buf(o.data), version: o.version ?? -1 } };
    default:
      return { type: o.type, body: { path: o.path, watch: o.watch ?? false } };
  }
}

async function send(side: Side, op: DiffOp): Promise<ZkReply<any>> {
  const c = side.sessions[op.s]!;
  switch (op.kind) {
    case 'create': {
      const opts = { op: op.op, acl: ACLS[op.acl], flags: op.flags, ...(op.ttl === undefined ? {} : { ttl: BigInt(op.ttl) }) };
      return c.create(op.path, buf(op.data), opts);
    }
    case 'delete':
      return c.delete(op.path, op.version);
    case 'setData':
      return c.setData(op.path, buf(op.data), op.version);
    case 'exists':
      return c.exists(op.path, op.watch);
    case 'getData':
      return c.getData(op.path, op.watch);
    case 'getChildren':
      return c.getChildren(op.path, op.watch);
    case 'getChildren2':
      return c.getChildren2(op.path, op.watch);
    case 'getACL':
      return c.getACL(op.path);
    case 'setACL':
      return c.setACL(op.path, ACLS[op.acl], op.version);
    case 'multi':
      return c.multi(op.ops.map(subOpBody), op.op);
    case 'getAllChildrenNumber':
      return c.getAllChildrenNumber(op.path);
    case 'getEphemerals':
      return c.getEphemerals(op.prefix);
    case 'sync':
      return c.sync(op.path);
    case 'addAuth':
      return c.auth('digest', PASSWORDS[op.user]);
    case 'addWatch':
      return c.addWatch(op.path, op.mode);
    case 'reconnect': {
      const reply = await c.closeSession();
      await side.openSession(op.s);
      return reply;
    }
  }
}

export async function execute(side: Side, op: DiffOp): Promise<{ outcome: Outcome; reply?: ZkReply<any> }> {
  try {
    const reply = await send(side, op);
    return { outcome: normReply(side, reply), reply };
  } catch (err) {
    return { outcome: { failure: `${(err as Error).name}: ${(err as Error).message}` } };
  }
}

/** Teaches the model what the reference side answered. */
export function learn(m: Model, op: DiffOp, reply: ZkReply<any> | undefined): void {
  if (reply === undefined) return;
  const ok = reply.err === 0;
  const body = reply.body;
  switch (op.kind) {
    case 'create':
      if (ok) m.learnStat(body.path, body.stat ?? { version: 0, aversion: 0 });
      break;
    case 'delete':
      if (ok || reply.err === -101) m.forget(op.path);
      break;
    case 'setData':
    case 'exists':
    case 'getData':
    case 'getChildren2':
    case 'getACL':
    case 'setACL':
      if (ok) m.learnStat(op.path, body.stat);
      else if (reply.err === -101 && op.path !== '/') m.forget(op.path);
      break;
    case 'multi':
      if (op.op === OpCode.multi && ok && body.results.every((r: any) => r.header.type !== -1)) {
        op.ops.forEach((sub, i) => {
          const res = body.results[i];
          if (sub.type === OpCode.delete) m.forget(sub.path);
          if (res?.body?.path !== undefined) m.learnStat(res.body.path, res.body.stat ?? { version: 0, aversion: 0 });
          if (res?.body?.stat !== undefined && sub.type === OpCode.setData) m.learnStat(sub.path, res.body.stat);
        });
      }
      break;
    default:
      break;
  }
}

// ---- a run ----

export interface Divergence {
  seed: number;
  step: number;
  op: string;
  what: 'reply' | 'events';
  left: { name: string; value: unknown };
  right: { name: string; value: unknown };
  history: string[];
}

export interface RunOptions {
  seed: number;
  avoid?: ReadonlySet<Avoidable>;
  steps: number;
  left: Side;
  right: Side;
  historyLines?: number;
}

const stable = (v: unknown): string => JSON.stringify(v);

function sortedEvents(events: unknown[][]): unknown[][] {
  return events.map((list) => [...list].sort((a, b) => stable(a).localeCompare(stable(b))));
}

/** Runs `steps` operations on both sides; resolves with the first divergence, if any. */
export async function runDifferential(o: RunOptions): Promise<Divergence | undefined> {
  const model = new Model();
  const generator = new OpGenerator(o.seed, model, { avoid: o.avoid ?? new Set() });
  const history: string[] = [];
  const keep = o.historyLines ?? Number(process.env.DIFF_HISTORY ?? 15);
  await Promise.all([o.left.start(), o.right.start()]);
  for (let step = 0; step < o.steps; step++) {
    const op = generator.next();
    const text = describeOp(op);
    const [l, r] = await Promise.all([execute(o.left, op), execute(o.right, op)]);
    await Promise.all([o.left.barrier(), o.right.barrier()]);
    const diverged = (what: 'reply' | 'events', lv: unknown, rv: unknown): Divergence => ({
      seed: o.seed, step, op: text, what, history: history.slice(-keep),
      left: { name: o.left.name, value: lv }, right: { name: o.right.name, value: rv },
    });
    if (stable(l.outcome) !== stable(r.outcome)) return diverged('reply', l.outcome, r.outcome);
    // closeSession deletes a session's ephemerals in no defined order; elsewhere order counts
    const order = op.kind === 'reconnect' ? sortedEvents : (e: unknown[][]): unknown[][] => e;
    const le = order(o.left.takeEvents());
    const re = order(o.right.takeEvents());
    if (stable(le) !== stable(re)) return diverged('events', le, re);
    learn(model, op, l.reply);
    history.push(`#${step} ${text} -> ${stable(l.outcome)}${le.some((e) => e.length > 0) ? ` events ${stable(le)}` : ''}`);
  }
  return undefined;
}

export function formatDivergence(d: Divergence, replay: string): string {
  return [
    `seed ${d.seed} diverged at step ${d.step} (${d.what}): ${d.op}`,
    `  ${d.left.name}: ${stable(d.left.value)}`,
    `  ${d.right.name}: ${stable(d.right.value)}`,
    `replay: ${replay}`,
    `last steps before it:`,
    ...d.history.map((h) => `  ${h}`),
  ].join('\n');
}
