// Who votes and what a quorum is (upstream QuorumMaj): a set of acks is a quorum when it holds more
// than half of the voting members. Observers are members that never count. Pure.

import { assert } from '../../../../shared/src';

export type MemberRole = 'participant' | 'observer';

/** The part of a zoo.cfg `server.N` line the core needs (config/zoo-config.ts ServerSpec fits). */
export interface MemberSpec {
  readonly id: number;
  readonly role: MemberRole;
}

export class QuorumVerifier {
  readonly voters: ReadonlySet<number>;
  readonly observers: ReadonlySet<number>;
  /** Every member, voters first, each group in ascending id order. */
  readonly members: readonly number[];

  constructor(specs: readonly MemberSpec[]) {
    const voters = specs.filter((s) => s.role === 'participant').map((s) => s.id).sort((a, b) => a - b);
    const observers = specs.filter((s) => s.role === 'observer').map((s) => s.id).sort((a, b) => a - b);
    assert(voters.length > 0, 'an ensemble needs at least one voting member');
    const all = [...voters, ...observers];
    assert(new Set(all).size === all.length, 'member ids must be unique');
    assert(all.every((id) => Number.isSafeInteger(id) && id >= 0), 'member ids are non-negative integers');
    this.voters = new Set(voters);
    this.observers = new Set(observers);
    this.members = all;
  }

  isVoter(sid: number): boolean {
    return this.voters.has(sid);
  }

  isMember(sid: number): boolean {
    return this.voters.has(sid) || this.observers.has(sid);
  }

  /** Votes needed: more than half of the voters. */
  get quorumSize(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  /** Whether `acks` holds a majority of the voters; non-voters and duplicates never count. */
  containsQuorum(acks: Iterable<number>): boolean {
    const counted = new Set<number>();
    for (const sid of acks) if (this.voters.has(sid)) counted.add(sid);
    return counted.size >= this.quorumSize;
  }
}
