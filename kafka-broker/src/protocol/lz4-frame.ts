// LZ4 frame format, as Kafka uses it for compression type 3: magic 0x184D2204 (LE), FLG, BD,
// [content size u64], [dict id u32], HC, then blocks (u32 LE size, high bit = stored uncompressed,
// [u32 block checksum]) up to a zero end mark, then [u32 content checksum]. Kafka's Java reader
// requires independent blocks; its writer uses 64 KiB blocks and no checksums, and so does ours.
// Magic-0 messages from old Java clients carry a wrong header checksum (HC computed over the magic
// too), so the caller may ask for HC not to be checked. Decoding checks every length against the
// input and the output limit before copying; it never reads outside the input.

import { CodecError, LimitError } from '../../../shared/src';

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED_BIT = 0x80000000;
const BLOCK_MAX_BYTES_BY_ID: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };
/** BD byte for 64 KiB blocks (id 4 << 4), the size Kafka's writer uses. */
const BD_64KB = 0x40;
const WRITE_BLOCK_BYTES = 64 << 10;

// Block format constants (lz4_Block_format.md).
const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const MAX_OFFSET = 0xffff;
const HASH_BITS = 16;

// ---------------------------------------------------------------------------------------------
// xxHash32, for the header, block and content checksums.

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const read32le = (b: Uint8Array, i: number): number =>
  (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const round = (acc: number, input: number): number =>
  Math.imul(rotl((acc + Math.imul(input, P2)) | 0, 13), P1);

export function xxh32(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  let p = start;
  let h: number;
  if (end - start >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    while (p <= end - 16) {
      v1 = round(v1, read32le(data, p));
      v2 = round(v2, read32le(data, p + 4));
      v3 = round(v3, read32le(data, p + 8));
      v4 = round(v4, read32le(data, p + 12));
      p += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + (end - start)) | 0;
  for (; p + 4 <= end; p += 4) h = Math.imul(rotl((h + Math.imul(read32le(data, p), P3)) | 0, 17), P4);
  for (; p < end; p++) h = Math.imul(rotl((h + Math.imul(data[p]!, P5)) | 0, 11), P1);
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

const headerChecksum = (b: Uint8Array, start: number, end: number): number =>
  (xxh32(b, start, end) >>> 8) & 0xff;

// ---------------------------------------------------------------------------------------------
// Output buffer with a byte limit.

class Output {
  buf: Buffer;
  length = 0;
  constructor(
    capacity: number,
    private readonly limitBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(16, Math.min(capacity, limitBytes)));
  }
  ensure(n: number): void {
    const need = this.length + n;
    if (need > this.limitBytes) throw new LimitError(`lz4 output exceeds ${this.limitBytes} bytes`);
    if (need <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.min(this.limitBytes, Math.max(need, this.buf.length * 2)));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}

/** Decodes one LZ4 block src[start, end) onto `out`; matches may not reach before `blockStart`. */
function decodeBlock(src: Uint8Array, start: number, end: number, out: Output): void {
  const blockStart = out.length;
  let s = start;
  const bad = (what: string): never => {
    throw new CodecError(`lz4 block: ${what}`, s);
  };
  while (s < end) {
    const token = src[s++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (s >= end) bad('literal length runs past the block');
        b = src[s++]!;
        literals += b;
      } while (b === 255);
    }
    if (literals > end - s) bad('literals run past the block');
    out.ensure(literals);
    out.buf.set(src.subarray(s, s + literals), out.length);
    out.length += literals;
    s += literals;
    if (s === end) return;
    if (end - s < 2) bad('truncated match offset');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0 || offset > out.length - blockStart) bad(`match offset ${offset} out of range`);
    let match = (token & 15) + MIN_MATCH;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (s >= end) bad('match length runs past the block');
        b = src[s++]!;
        match += b;
      } while (b === 255);
    }
    out.ensure(match);
    const buf = out.buf;
    let from = out.length - offset;
    let to = out.length;
    for (const stop = to + match; to < stop; ) buf[to++] = buf[from++]!;
    out.length = to;
  }
}

export interface Lz4DecodeOptions {
  /** Largest output accepted; LimitError past it. */
  readonly limitBytes: number;
  /** Accept any header checksum (magic-0 messages of old Java clients computed it wrongly). */
  readonly ignoreHeaderChecksum?: boolean;
}

function readFrame(src: Buffer, at: number, out: Output, options: Lz4DecodeOptions): number {
  let s = at;
  const need = (n: number, what: string): void => {
    if (src.length - s < n) throw new CodecError(`lz4 frame: truncated ${what}`, s);
  };
  need(7, 'header');
  const magic = src.readUInt32LE(s);
  if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
    need(8, 'skippable frame');
    const size = src.readUInt32LE(s + 4);
    need(8 + size, 'skippable frame');
    return s + 8 + size;
  }
  if (magic !== FRAME_MAGIC) throw new CodecError(`lz4 frame: bad magic 0x${magic.toString(16)}`, s);
  s += 4;
  const descriptorStart = s;
  const flg = src[s++]!;
  const bd = src[s++]!;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01)
    throw new CodecError(`lz4 frame: version bits ${flg >>> 6}`, s - 2);
  if ((flg & FLG_BLOCK_INDEPENDENCE) === 0)
    throw new CodecError('lz4 frame: dependent blocks are not supported', s - 2);
  const blockMax = BLOCK_MAX_BYTES_BY_ID[(bd >>> 4) & 7];
  if (blockMax === undefined) throw new CodecError(`lz4 frame: bad block size id ${(bd >>> 4) & 7}`, s - 1);
  if (flg & FLG_CONTENT_SIZE) s += 8;
  if (flg & FLG_DICT_ID) s += 4;
  need(1, 'header checksum');
  const hc = src[s]!;
  if (!options.ignoreHeaderChecksum && hc !== headerChecksum(src, descriptorStart, s)) {
    throw new CodecError('lz4 frame: header checksum mismatch', s);
  }
  s++;
  const contentStart = out.length;
  for (;;) {
    need(4, 'block size');
    const word = src.readUInt32LE(s);
    s += 4;
    if (word === 0) break;
    const size = (word & ~BLOCK_UNCOMPRESSED_BIT) >>> 0;
    if (size > blockMax) throw new CodecError(`lz4 frame: block of ${size} bytes exceeds ${blockMax}`, s - 4);
    need(size + (flg & FLG_BLOCK_CHECKSUM ? 4 : 0), 'block');
    if (flg & FLG_BLOCK_CHECKSUM && xxh32(src, s, s + size) !== src.readUInt32LE(s + size)) {
      throw new CodecError('lz4 frame: block checksum mismatch', s);
    }
    if (word & BLOCK_UNCOMPRESSED_BIT) {
      out.ensure(size);
      src.copy(out.buf, out.length, s, s + size);
      out.length += size;
    } else {
      decodeBlock(src, s, s + size, out);
    }
    s += size + (flg & FLG_BLOCK_CHECKSUM ? 4 : 0);
  }
  if (flg & FLG_CONTENT_CHECKSUM) {
    need(4, 'content checksum');
    if (xxh32(out.buf, contentStart, out.length) !== src.readUInt32LE(s)) {
      throw new CodecError('lz4 frame: content checksum mismatch', s);
    }
    s += 4;
  }
  return s;
}

/** Decompresses one or more concatenated LZ4 frames. */
export function lz4FrameDecompress(src: Buffer, options: Lz4DecodeOptions): Buffer {
  const out = new Output(src.length * 4, options.limitBytes);
  let at = 0;
  do at = readFrame(src, at, out, options);
  while (at < src.length);
  return out.buf.subarray(0, out.length);
}

// ---------------------------------------------------------------------------------------------
// Compression: greedy hash-chain-free LZ4 (one candidate per 4-byte hash), independent blocks.

function writeLength(dst: Buffer, at: number, n: number): number {
  let rest = n;
  while (rest >= 255) {
    dst[at++] = 255;
    rest -= 255;
  }
  dst[at++] = rest;
  return at;
}

function emitSequence(
  dst: Buffer,
  at: number,
  src: Uint8Array,
  anchor: number,
  literals: number,
  offset: number,
  match: number,
): number {
  const matchCode = match - MIN_MATCH;
  let d = at;
  const tokenAt = d++;
  dst[tokenAt] = ((literals >= 15 ? 15 : literals) << 4) | (matchCode >= 15 ? 15 : matchCode);
  if (literals >= 15) d = writeLength(dst, d, literals - 15);
  dst.set(src.subarray(anchor, anchor + literals), d);
  d += literals;
  dst[d++] = offset & 0xff;
  dst[d++] = offset >>> 8;
  if (matchCode >= 15) d = writeLength(dst, d, matchCode - 15);
  return d;
}

function emitLastLiterals(dst: Buffer, at: number, src: Uint8Array, anchor: number, end: number): number {
  const literals = end - anchor;
  let d = at;
  dst[d++] = (literals >= 15 ? 15 : literals) << 4;
  if (literals >= 15) d = writeLength(dst, d, literals - 15);
  dst.set(src.subarray(anchor, end), d);
  return d + literals;
}

const hash4 = (src: Uint8Array, i: number): number =>
  Math.imul(read32le(src, i), 2654435761) >>> (32 - HASH_BITS);

/** Compresses src[start, end) as one block into dst at `at`; returns the end offset in dst. */
function encodeBlock(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Buffer,
  at: number,
  table: Int32Array,
): number {
  table.fill(-1);
  let anchor = start;
  let i = start;
  let d = at;
  const matchLimit = end - LAST_LITERALS;
  while (i < end - MF_LIMIT) {
    const h = hash4(src, i);
    const ref = table[h]!;
    table[h] = i;
    if (ref < 0 || i - ref > MAX_OFFSET || read32le(src, ref) !== read32le(src, i)) {
      i++;
      continue;
    }
    let match = MIN_MATCH;
    while (i + match < matchLimit && src[ref + match] === src[i + match]) match++;
    d = emitSequence(dst, d, src, anchor, i - anchor, i - ref, match);
    i += match;
    anchor = i;
  }
  return emitLastLiterals(dst, d, src, anchor, end);
}

const blockBound = (n: number): number => n + Math.ceil(n / 255) + 16;

/** One LZ4 frame with 64 KiB independent blocks and no checksums, as Kafka's Java writer makes. */
export function lz4FrameCompress(src: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(src.length / WRITE_BLOCK_BYTES));
  const dst = Buffer.allocUnsafe(7 + blocks * (4 + blockBound(WRITE_BLOCK_BYTES)) + 4);
  dst.writeUInt32LE(FRAME_MAGIC, 0);
  dst[4] = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENCE;
  dst[5] = BD_64KB;
  dst[6] = headerChecksum(dst, 4, 6);
  let d = 7;
  const table = new Int32Array(1 << HASH_BITS);
  for (let s = 0; s < src.length; s += WRITE_BLOCK_BYTES) {
    const end = Math.min(src.length, s + WRITE_BLOCK_BYTES);
    const size = encodeBlock(src, s, end, dst, d + 4, table) - (d + 4);
    if (size >= end - s) {
      dst.writeUInt32LE((BLOCK_UNCOMPRESSED_BIT | (end - s)) >>> 0, d);
      dst.set(src.subarray(s, end), d + 4);
      d += 4 + (end - s);
    } else {
      dst.writeUInt32LE(size, d);
      d += 4 + size;
    }
  }
  dst.writeUInt32LE(0, d);
  return dst.subarray(0, d + 4);
}
