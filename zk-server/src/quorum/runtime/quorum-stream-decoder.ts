// PURE: incremental decoder for the quorum port's stream of jute QuorumPackets (no length prefix;
// a SNAP is followed by the serialized database and "BenWasHere"). Feed it any chunking of the
// stream; it returns whole messages in order. It must never re-parse what it has already seen:
// a resumable scanner walks the packet's length fields as bytes arrive (O(1) per field, skipping
// bodies without touching them) until the packet's end is known, then the packet is assembled
// once and handed to decodeQuorumMessage. So a SNAP of any size, in any number of chunks, costs
// time linear in its bytes, and "not enough bytes yet" never has to be told apart from "malformed"
// by catching errors: the scanner only waits, and the decode only sees whole packets.

import { ByteReader, CodecError, LimitError } from '../../../../shared/src';
import { decodeQuorumMessage, PacketType, QuorumMessage } from '../core/messages';

const KNOWN_PACKET_TYPES: ReadonlySet<number> = new Set(Object.values(PacketType));
const HEADER_BYTES = 12; // int type, long zxid
const SESSION_BYTES = 12; // long id, int timeout
const ACL_CACHE_ENTRY_BYTES = 12; // long index, int ACL count
/** long aclIndex, then StatPersisted: 6 longs and 3 ints. */
const NODE_TAIL_BYTES = 8 + 6 * 8 + 3 * 4;
const SLASH = 0x2f;

type Phase =
  | 'header'
  | 'dataLength'
  | 'authCount'
  | 'strings'
  | 'sessionCount'
  | 'aclCount'
  | 'aclEntry'
  | 'aclItem'
  | 'nodePath'
  | 'nodeData'
  | 'done';

export interface QuorumStreamLimits {
  /**
   * Largest `data` buffer of a packet and largest string or buffer inside a SNAP's database
   * (jute.maxbuffer). The database as a whole is unbounded, as upstream's is.
   */
  readonly dataBytesMax: number;
}

export class QuorumStreamDecoder {
  /** Unconsumed bytes: chunks[0] from `headOffset` on, then the later chunks whole. */
  private chunks: Buffer[] = [];
  private headOffset = 0;
  private buffered = 0;
  /** Scan cursor inside the current packet: chunk index, offset in that chunk, bytes from start. */
  private ci = 0;
  private co = 0;
  private scanned = 0;
  private skipPending = 0;
  private readonly scratch = Buffer.alloc(HEADER_BYTES);
  // the current packet's scan state
  private phase: Phase = 'header';
  private isSnap = false;
  private stringsLeft = 0;
  private afterStrings: Phase = 'done';
  private stringBudgetBytes: number | null = null;
  private aclEntriesLeft = 0;
  private aclItemsLeft = 0;

  constructor(private readonly limits: QuorumStreamLimits) {}

  /** Bytes received but not yet returned as messages. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Adds a chunk; appends the messages it completes to `out`, in order, and returns `out`. Throws
   * CodecError for malformed bytes and LimitError for a length above the limits, leaving in `out`
   * the messages that came before them; the decoder is unusable afterwards.
   */
  push(chunk: Buffer, out: QuorumMessage[] = []): QuorumMessage[] {
    if (chunk.length === 0) return out;
    if (this.chunks.length === 0) {
      this.headOffset = 0;
      this.ci = 0;
      this.co = 0;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.scan()) out.push(this.takePacket());
    return out;
  }

  private get unscanned(): number {
    return this.buffered - this.scanned;
  }

  /** Advances the scan as far as the bytes allow; true once the current packet's end is known. */
  private scan(): boolean {
    for (;;) {
      if (this.skipPending > 0) {
        const n = Math.min(this.skipPending, this.unscanned);
        this.advance(n);
        this.skipPending -= n;
        if (this.skipPending > 0) return false;
      }
      if (this.phase === 'done') return true;
      if (!this.step()) return false;
    }
  }

  /** One field of the current phase; false while its bytes are not all in. */
  private step(): boolean {
    switch (this.phase) {
      case 'header':
        return this.onHeader();
      case 'dataLength':
        return this.onDataLength();
      case 'authCount':
        return this.onAuthCount();
      case 'strings':
        return this.onString();
      case 'sessionCount':
        return this.onSessionCount();
      case 'aclCount':
        return this.onAclCount();
      case 'aclEntry':
        return this.onAclEntry();
      case 'aclItem':
        return this.onAclItem();
      case 'nodePath':
        return this.onNodePath();
      case 'nodeData':
        return this.onNodeData();
      case 'done':
        return true;
    }
  }

  private onHeader(): boolean {
    if (this.unscanned < HEADER_BYTES) return false;
    const type = this.peek(4).readInt32BE(0);
    if (!KNOWN_PACKET_TYPES.has(type)) throw new CodecError(`unknown quorum packet type ${type}`, this.scanned);
    this.isSnap = type === PacketType.SNAP;
    this.advance(HEADER_BYTES);
    this.phase = 'dataLength';
    return true;
  }

  private onDataLength(): boolean {
    if (this.unscanned < 4) return false;
    this.skipPending = this.readLength('packet data');
    this.phase = 'authCount';
    return true;
  }

  private onAuthCount(): boolean {
    if (this.unscanned < 4) return false;
    const count = this.readCount('authinfo', true);
    // each Id is two ustrings (scheme, id); together they count against the data limit
    this.strings(count * 2, this.isSnap ? 'sessionCount' : 'done', this.limits.dataBytesMax);
    return true;
  }

  private strings(count: number, after: Phase, budgetBytes: number | null): void {
    this.stringsLeft = count;
    this.afterStrings = after;
    this.stringBudgetBytes = budgetBytes;
    this.phase = count > 0 ? 'strings' : after;
  }

  private onString(): boolean {
    if (this.unscanned < 4) return false;
    const length = this.readLength('string');
    if (this.stringBudgetBytes !== null) {
      this.stringBudgetBytes -= 4 + length;
      if (this.stringBudgetBytes < 0) throw new LimitError(`authinfo of more than ${this.limits.dataBytesMax} bytes`);
    }
    this.skipPending = length;
    this.stringsLeft--;
    if (this.stringsLeft === 0) this.phase = this.afterStrings;
    return true;
  }

  private onSessionCount(): boolean {
    if (this.unscanned < 4) return false;
    const count = this.readCount('session', false);
    this.skipPending = count * SESSION_BYTES;
    this.phase = 'aclCount';
    return true;
  }

  private onAclCount(): boolean {
    if (this.unscanned < 4) return false;
    this.aclEntriesLeft = this.readCount('ACL cache', false);
    this.phase = 'aclEntry';
    return true;
  }

  private onAclEntry(): boolean {
    if (this.aclEntriesLeft === 0) {
      this.phase = 'nodePath';
      return true;
    }
    if (this.unscanned < ACL_CACHE_ENTRY_BYTES) return false;
    this.advance(8);
    this.aclItemsLeft = this.readCount('ACL', true);
    this.aclEntriesLeft--;
    this.phase = 'aclItem';
    return true;
  }

  private onAclItem(): boolean {
    if (this.aclItemsLeft === 0) {
      this.phase = 'aclEntry';
      return true;
    }
    if (this.unscanned < 4) return false;
    this.advance(4); // perms
    this.aclItemsLeft--;
    // the Id: scheme and id
    this.strings(2, 'aclItem', null);
    return true;
  }

  private onNodePath(): boolean {
    if (this.unscanned < 4) return false;
    const length = this.peek(4).readInt32BE(0);
    if (length === 1) {
      // the path "/" ends the node list; any other one-byte path is a node
      if (this.unscanned < 5) return false;
      if (this.peek(5)[4] === SLASH) {
        this.advance(5);
        // the signature, a ustring checked by the decode
        this.strings(1, 'done', null);
        return true;
      }
    }
    this.skipPending = this.readLength('node path');
    this.phase = 'nodeData';
    return true;
  }

  private onNodeData(): boolean {
    if (this.unscanned < 4) return false;
    this.skipPending = this.readLength('node data') + NODE_TAIL_BYTES;
    this.phase = 'nodePath';
    return true;
  }

  /** A jute buffer/ustring length: -1 (null) or 0..dataBytesMax; returns the bytes that follow. */
  private readLength(what: string): number {
    const at = this.scanned;
    const length = this.peek(4).readInt32BE(0);
    this.advance(4);
    if (length < -1) throw new CodecError(`negative ${what} length ${length}`, at);
    if (length > this.limits.dataBytesMax) {
      throw new LimitError(`${what} of ${length} bytes exceeds the limit of ${this.limits.dataBytesMax}`);
    }
    return Math.max(length, 0);
  }

  /** A jute vector count (-1 is null, read as empty) or a database count (never negative). */
  private readCount(what: string, nullable: boolean): number {
    const at = this.scanned;
    const count = this.peek(4).readInt32BE(0);
    this.advance(4);
    if (count < (nullable ? -1 : 0)) throw new CodecError(`negative ${what} count ${count}`, at);
    return Math.max(count, 0);
  }

  /** The next `n` (<= 12) unscanned bytes without consuming them; valid until the next call. */
  private peek(n: number): Buffer {
    const chunk = this.chunks[this.ci]!;
    if (this.co + n <= chunk.length) return chunk.subarray(this.co, this.co + n);
    let ci = this.ci;
    let co = this.co;
    for (let i = 0; i < n; i++) {
      while (co >= this.chunks[ci]!.length) {
        ci++;
        co = 0;
      }
      this.scratch[i] = this.chunks[ci]![co++]!;
    }
    return this.scratch;
  }

  private advance(n: number): void {
    this.scanned += n;
    let left = n;
    while (left > 0) {
      const room = this.chunks[this.ci]!.length - this.co;
      if (left < room) {
        this.co += left;
        return;
      }
      left -= room;
      this.ci++;
      this.co = 0;
    }
  }

  /** Cuts the scanned packet off the buffered bytes and decodes it. */
  private takePacket(): QuorumMessage {
    const size = this.scanned;
    const head = this.chunks[0]!;
    let bytes: Buffer;
    if (head.length - this.headOffset >= size) {
      bytes = head.subarray(this.headOffset, this.headOffset + size);
    } else {
      bytes = Buffer.allocUnsafe(size);
      let filled = head.copy(bytes, 0, this.headOffset);
      for (let i = 1; filled < size; i++) filled += this.chunks[i]!.copy(bytes, filled, 0, size - filled);
    }
    // the cursor sits at the packet's end: what follows starts the next packet
    this.chunks.splice(0, this.ci);
    this.headOffset = this.co;
    this.ci = 0;
    this.buffered -= size;
    this.scanned = 0;
    this.phase = 'header';
    return decodeWhole(bytes);
  }
}

/** Decodes one complete packet; any failure here is malformed input, never a short read. */
function decodeWhole(bytes: Buffer): QuorumMessage {
  const r = new ByteReader(bytes);
  const message = decodeQuorumMessage(r);
  if (r.remaining !== 0) throw new CodecError(`${r.remaining} bytes after ${message.type}`, r.offset);
  return message;
}
