// A ZooKeeper ensemble as real processes on loopback, laid out as the README shows it: member N
// serves clients on 127.0.0.N:2181 and talks to the others on 127.0.0.N:2888 (quorum) and
// 127.0.0.N:3888 (election). Our server or Apache ZooKeeper 3.8, same zoo.cfg either way.
// Members start together (none serves before a quorum forms) and count as started once each
// answers srvr with a Mode line. The fixed ports mean one ensemble at a time per machine.

import { fourLetterWord, startZkServer, ZkServer, ZkServerKind } from './process-launcher';
import { waitFor } from './wait-for';

export const ENSEMBLE_CLIENT_PORT = 2181;
export const ENSEMBLE_QUORUM_PORT = 2888;
export const ENSEMBLE_ELECTION_PORT = 3888;

export interface ZkEnsembleOptions {
  kind: ZkServerKind;
  /** Per-member kinds (member N is memberKinds[N - 1]) for a mixed ensemble; default: all `kind`. */
  memberKinds?: ZkServerKind[];
  /** Ids of non-voting members (observers). */
  observers?: number[];
  /** Members (3 or 5); member N (from 1) is 127.0.0.N. */
  size?: number;
  tickTime?: number;
  forceSync?: boolean;
  /** Extra zoo.cfg keys for every member. */
  config?: Record<string, string | number | boolean>;
  startTimeoutMs?: number;
  jvmArgs?: string[];
}

export type MemberMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'not serving' | 'down';

export function memberHost(id: number): string {
  return `127.0.0.${id}`;
}

export class ZkEnsemble {
  /** members[i] is server id i + 1; replaced in place when a member restarts. */
  readonly members: ZkServer[];

  constructor(
    readonly kind: ZkServerKind,
    members: ZkServer[],
  ) {
    this.members = members;
  }

  /** Every member, as a client's connect string. */
  get connectString(): string {
    return this.members.map((m) => `${m.host}:${m.port}`).join(',');
  }

  member(id: number): ZkServer {
    const m = this.members[id - 1];
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  }

  /** What `srvr` says of member `id`. */
  async mode(id: number): Promise<MemberMode> {
    const m = this.member(id);
    if (!m.running) return 'down';
    try {
      const reply = await fourLetterWord(m.host, m.port, 'srvr');
      const mode = /^Mode: (\w+)/m.exec(reply)?.[1];
      return (mode as MemberMode | undefined) ?? 'not serving';
    } catch {
      return 'down';
    }
  }

  async modes(): Promise<MemberMode[]> {
    return Promise.all(this.members.map((_, i) => this.mode(i + 1)));
  }

  /** The serving leader's id, once exactly one member leads and every running member serves. */
  async waitForLeader(timeoutMs = 30_000, expectServing: number[] | null = null): Promise<number> {
    return waitFor(
      async () => {
        const modes = await this.modes();
        const leaders = modes.flatMap((m, i) => (m === 'leader' ? [i + 1] : []));
        const ids = expectServing ?? this.members.flatMap((m, i) => (m.running ? [i + 1] : []));
        const serving = ids.every((id) => modes[id - 1] === 'leader' || modes[id - 1] === 'follower' || modes[id - 1] === 'observer');
        return leaders.length === 1 && serving ? leaders[0] : undefined;
      },
      { description: `one leader among ${this.kind} members, all others serving`, timeoutMs, intervalMs: 50 },
    );
  }

  /** `srvr`'s Zxid line of member `id`. */
  async lastZxid(id: number): Promise<bigint> {
    const m = this.member(id);
    const reply = await fourLetterWord(m.host, m.port, 'srvr');
    const zxid = /^Zxid: (0x[0-9a-f]+)/m.exec(reply)?.[1];
    if (zxid === undefined) throw new Error(`member ${id} gave no Zxid: ${reply}`);
    return BigInt(zxid);
  }

  /** Starts member `id` again on its data directory (it must be stopped or killed). */
  async restart(id: number): Promise<ZkServer> {
    const restarted = await this.member(id).restart();
    this.members[id - 1] = restarted;
    return restarted;
  }

  /** Restarts members together (a quorum of them must start for any to serve). */
  async restartAll(ids: number[]): Promise<void> {
    const restarted = await Promise.all(ids.map((id) => this.member(id).restart()));
    ids.forEach((id, i) => (this.members[id - 1] = restarted[i]!));
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.members.map((m) => m.cleanup()));
  }
}

export function ensembleServerLines(size: number, observers: readonly number[] = []): Record<string, string> {
  const lines: Record<string, string> = {};
  for (let id = 1; id <= size; id++) {
    const role = observers.includes(id) ? ':observer' : '';
    lines[`server.${id}`] = `${memberHost(id)}:${ENSEMBLE_QUORUM_PORT}:${ENSEMBLE_ELECTION_PORT}${role}`;
  }
  return lines;
}

/** Starts every member at once and resolves when each answers srvr (a leader has been elected). */
export async function startZkEnsemble(o: ZkEnsembleOptions): Promise<ZkEnsemble> {
  const size = o.size ?? 3;
  const started = await Promise.allSettled(
    Array.from({ length: size }, (_, i) =>
      startZkServer({
        kind: o.memberKinds?.[i] ?? o.kind,
        name: `${o.memberKinds?.[i] ?? o.kind}-${i + 1}`,
        host: memberHost(i + 1),
        clientPort: ENSEMBLE_CLIENT_PORT,
        myid: i + 1,
        ...(o.tickTime !== undefined ? { tickTime: o.tickTime } : {}),
        ...(o.forceSync !== undefined ? { forceSync: o.forceSync } : {}),
        ...(o.jvmArgs !== undefined ? { jvmArgs: o.jvmArgs } : {}),
        startTimeoutMs: o.startTimeoutMs ?? 60_000,
        config: {
          ...ensembleServerLines(size, o.observers),
          ...(o.observers?.includes(i + 1) ? { peerType: 'observer' } : {}),
          ...(o.config ?? {}),
        },
      }),
    ),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const members = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (failed !== undefined) {
    await Promise.allSettled(members.map((m) => m.cleanup()));
    throw failed.reason;
  }
  return new ZkEnsemble(o.kind, members);
}
