// One znode: its data, ACL reference and persisted Stat fields, and its children.
// The Stat clients see is derived (dataLength, numChildren, the cversion quirk, ephemeralOwner).

import { Stat, StatPersisted } from '../protocol/records/data';
import { GetChildrenResponse as CHILDREN_CODEC } from '../protocol/records/proto';

/** ephemeralOwner of container nodes (EphemeralType.CONTAINER). */
export const CONTAINER_OWNER = -(2n ** 63n);
/** High byte of ephemeralOwner for TTL nodes; the TTL sits in the low 40 bits. */
const EXTENDED_MASK = BigInt.asIntN(64, 0xff00000000000000n);
const TTL_MASK = 2n ** 40n - 1n;

export const enum NodeKind {
  Persistent,
  Ephemeral,
  Container,
  Ttl,
}

export function ttlOwner(ttlMs: bigint): bigint {
  return EXTENDED_MASK | ttlMs;
}

export function kindOfOwner(owner: bigint): NodeKind {
  if (owner === 0n) return NodeKind.Persistent;
  if (owner === CONTAINER_OWNER) return NodeKind.Container;
  // (owner & EXTENDED_MASK) === EXTENDED_MASK, i.e. a high byte of 0xff, is this range of negative
  // longs; comparing allocates nothing, where & makes a BigInt (and every Stat asks for the kind)
  if (owner < 0n && owner >= EXTENDED_MASK) return NodeKind.Ttl;
  return NodeKind.Ephemeral;
}

export function ttlOfOwner(owner: bigint): bigint {
  return owner & TTL_MASK;
}

export class DataNode {
  /** The children by name, in creation order; the nodes themselves, so walks need no path lookups. */
  private childMap: Map<string, DataNode> | null = null;
  /** The children encoded as a jute vector<ustring>, kept until they change: lists are read far more than written. */
  private childrenBytes: Buffer | null = null;
  /**
   * Set by the tree from a counter of its own when the node enters it: a walk that spans event-loop
   * turns compares it with the counter's value when it listed the parent, to leave out children
   * added since (they were not there then; nothing else tells a recreated name apart).
   */
  creationSeq = 0;

  constructor(
    public data: Buffer | null,
    public aclIndex: bigint,
    public czxid: bigint,
    public mzxid: bigint,
    public ctime: bigint,
    public mtime: bigint,
    public version: number,
    /** Stored cversion: counts child creations only. */
    public cversion: number,
    public aversion: number,
    public ephemeralOwner: bigint,
    public pzxid: bigint,
  ) {}

  static fromPersisted(data: Buffer | null, aclIndex: bigint, s: StatPersisted): DataNode {
    return new DataNode(data, aclIndex, s.czxid, s.mzxid, s.ctime, s.mtime, s.version, s.cversion, s.aversion, s.ephemeralOwner, s.pzxid);
  }

  get numChildren(): number {
    return this.childMap === null ? 0 : this.childMap.size;
  }

  /** The children's names, in creation order. */
  get children(): IterableIterator<string> | null {
    return this.childMap === null ? null : this.childMap.keys();
  }

  /**
   * The children by name. A live view: iterating it while the tree changes skips the children
   * removed since and reaches the ones added since, as Map iteration does.
   */
  get childNodes(): ReadonlyMap<string, DataNode> | null {
    return this.childMap;
  }

  get dataLength(): number {
    return this.data === null ? 0 : this.data.length;
  }

  get kind(): NodeKind {
    return kindOfOwner(this.ephemeralOwner);
  }

  /** The Stat a client sees (DataNode.copyStat). */
  stat(): Stat {
    const numChildren = this.numChildren;
    const kind = this.kind;
    return {
      czxid: this.czxid,
      mzxid: this.mzxid,
      ctime: this.ctime,
      mtime: this.mtime,
      version: this.version,
      cversion: this.cversion * 2 - numChildren,
      aversion: this.aversion,
      ephemeralOwner: kind === NodeKind.Container || kind === NodeKind.Ttl ? 0n : this.ephemeralOwner,
      dataLength: this.dataLength,
      numChildren,
      pzxid: this.pzxid,
    };
  }

  persisted(): StatPersisted {
    return {
      czxid: this.czxid,
      mzxid: this.mzxid,
      ctime: this.ctime,
      mtime: this.mtime,
      version: this.version,
      cversion: this.cversion,
      aversion: this.aversion,
      ephemeralOwner: this.ephemeralOwner,
      pzxid: this.pzxid,
    };
  }

  /** Adds or replaces the child `name`. */
  setChild(name: string, node: DataNode): void {
    if (this.childMap === null) this.childMap = new Map();
    this.childMap.set(name, node);
    this.childrenBytes = null;
  }

  hasChild(name: string): boolean {
    return this.childMap !== null && this.childMap.has(name);
  }

  removeChild(name: string): void {
    this.childMap?.delete(name);
    this.childrenBytes = null;
  }

  /** Takes over the children of the node this one replaces. */
  adoptChildrenOf(old: DataNode): void {
    this.childMap = old.childMap;
    this.childrenBytes = null;
  }

  /** The children as a jute vector<ustring>. */
  encodedChildren(): Buffer {
    if (this.childrenBytes === null) {
      const names = this.childMap === null ? [] : [...this.childMap.keys()];
      this.childrenBytes = CHILDREN_CODEC.toBytes({ children: names });
    }
    return this.childrenBytes;
  }
}
