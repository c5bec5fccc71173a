// Reference-counted ACL lists (ReferenceCountedACLCache): nodes hold a long index instead of a list,
// as snapshots store them. Index -1 is world:anyone ALL and is never stored.

import { ACL } from '../protocol/records/data';
import { OPEN_ACL_UNSAFE } from './acl';

export const OPEN_UNSAFE_ACL_INDEX = -1n;

function keyOf(acl: readonly ACL[]): string {
  return acl.map((a) => `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}`).join('\u0001');
}

const OPEN_KEY = keyOf(OPEN_ACL_UNSAFE);
const OPEN_ENTRY = OPEN_ACL_UNSAFE[0]!;

function isOpen(a: ACL): boolean {
  return a.perms === OPEN_ENTRY.perms && a.id.scheme === OPEN_ENTRY.id.scheme && a.id.id === OPEN_ENTRY.id.id;
}

export class AclCache {
  private readonly byIndex = new Map<bigint, { acl: readonly ACL[]; refs: number }>();
  private readonly byKey = new Map<string, bigint>();
  private lastIndex = 0n;

  /** The index for `acl`, adding a reference. */
  ref(acl: readonly ACL[]): bigint {
    // most nodes are open: answer that without building the key string
    if (acl.length === 1 && isOpen(acl[0]!)) return OPEN_UNSAFE_ACL_INDEX;
    const key = keyOf(acl);
    if (key === OPEN_KEY) return OPEN_UNSAFE_ACL_INDEX;
    const found = this.byKey.get(key);
    if (found !== undefined) {
      this.byIndex.get(found)!.refs++;
      return found;
    }
    const index = ++this.lastIndex;
    this.byIndex.set(index, { acl: acl.map((a) => ({ perms: a.perms, id: { ...a.id } })), refs: 1 });
    this.byKey.set(key, index);
    return index;
  }

  /** Drops a reference; the list is forgotten with its last reference. */
  unref(index: bigint): void {
    if (index === OPEN_UNSAFE_ACL_INDEX) return;
    const entry = this.byIndex.get(index);
    if (entry === undefined) return;
    entry.refs--;
    if (entry.refs <= 0) {
      this.byIndex.delete(index);
      this.byKey.delete(keyOf(entry.acl));
    }
  }

  get(index: bigint): readonly ACL[] {
    if (index === OPEN_UNSAFE_ACL_INDEX) return OPEN_ACL_UNSAFE;
    const entry = this.byIndex.get(index);
    // an index with no list behaves as upstream: an unknown index means an open ACL
    return entry === undefined ? OPEN_ACL_UNSAFE : entry.acl;
  }

  /** Loads a list from a snapshot under its stored index, with no references yet. */
  load(index: bigint, acl: readonly ACL[]): void {
    this.byIndex.set(index, { acl, refs: 0 });
    this.byKey.set(keyOf(acl), index);
    if (index > this.lastIndex) this.lastIndex = index;
  }

  /** Adds a reference to an index loaded from a snapshot. */
  addRef(index: bigint): void {
    const entry = this.byIndex.get(index);
    if (entry !== undefined) entry.refs++;
  }

  /** Forgets lists loaded from a snapshot that no node uses. */
  purgeUnused(): void {
    for (const [index, entry] of this.byIndex) {
      if (entry.refs <= 0) {
        this.byIndex.delete(index);
        this.byKey.delete(keyOf(entry.acl));
      }
    }
  }

  entries(): Map<bigint, ACL[]> {
    const out = new Map<bigint, ACL[]>();
    for (const [index, entry] of this.byIndex) out.set(index, entry.acl as ACL[]);
    return out;
  }

  get size(): number {
    return this.byIndex.size;
  }
}
