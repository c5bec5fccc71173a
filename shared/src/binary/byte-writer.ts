// Growable big-endian writer. Length prefixes are reserved and patched once the body is written.

import { INT64_BYTE_ORDER, int64Scratch, int64ScratchBytes } from './int64-scratch';

const INITIAL_CAPACITY_BYTES = 256;
/** Strings up to this length are checked for ASCII and copied in JS; longer ones go to Buffer. */
const SHORT_STRING_CHARS_MAX = 64;

/** UTF-8 length of `s`: the code unit count when it is short ASCII, else Buffer.byteLength. */
export function utf8ByteLength(s: string): number {
  if (s.length <= SHORT_STRING_CHARS_MAX) {
    let i = 0;
    while (i < s.length && s.charCodeAt(i) < 0x80) i++;
    if (i === s.length) return i;
  }
  return Buffer.byteLength(s);
}

export class ByteWriter {
  buf: Buffer;
  offset = 0;

  constructor(capacity = INITIAL_CAPACITY_BYTES) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, INITIAL_CAPACITY_BYTES);
    while (size < this.offset + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.offset++);
    return this;
  }

  uint8(v: number): this {
    this.ensure(1);
    this.buf[this.offset++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.offset);
    this.offset += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.offset);
    this.offset += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.offset);
    this.offset += 4;
    return this;
  }

  /** Wraps modulo 2^64, as BigInt.asIntN(64, v). */
  int64(v: bigint): this {
    this.ensure(8);
    // Buffer.writeBigInt64BE splits the value with BigInt arithmetic in JS, allocating several
    // BigInts per call, and zxids, times and every Stat field but four are longs
    int64Scratch[0] = v;
    const buf = this.buf;
    const at = this.offset;
    for (let i = 0; i < 8; i++) buf[at + i] = int64ScratchBytes[INT64_BYTE_ORDER[i]!]!;
    this.offset += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.offset);
    this.offset += 8;
    return this;
  }

  uvarint(v: number): this {
    let u = v >>> 0;
    this.ensure(5);
    while (u >= 0x80) {
      this.buf[this.offset++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    this.buf[this.offset++] = u;
    return this;
  }

  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  varlong(v: bigint): this {
    let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.ensure(10);
    while (u >= 0x80n) {
      this.buf[this.offset++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.offset++] = Number(u);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  utf8(s: string): this {
    if (s.length <= SHORT_STRING_CHARS_MAX) {
      // short ASCII (paths, ACL schemes and ids) is copied here: cheaper than a call into C++
      this.ensure(s.length);
      const buf = this.buf;
      const at = this.offset;
      let i = 0;
      while (i < s.length) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
        i++;
      }
      if (i === s.length) {
        this.offset += i;
        return this;
      }
    }
    const n = Buffer.byteLength(s);
    this.ensure(n);
    this.buf.write(s, this.offset, n, 'utf8');
    this.offset += n;
    return this;
  }

  /** Reserves `n` bytes and returns their position, to be patched later (length prefixes). */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.offset;
    this.offset += n;
    return at;
  }

  patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }

  /** A view of the bytes written so far (shares memory with the writer). */
  view(): Buffer {
    // a writer sized exactly (sizeOf first) is full: its buffer is the view, without a new object
    return this.offset === this.buf.length ? this.buf : this.buf.subarray(0, this.offset);
  }

  /** A copy of the bytes written so far. */
  toBuffer(): Buffer {
    return Buffer.from(this.view());
  }
}
