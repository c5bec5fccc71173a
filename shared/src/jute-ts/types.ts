// Jute primitive codecs (big-endian, no tags, no padding), as zookeeper.jute's binary archive defines:
// int 4 B, long 8 B (bigint), boolean 1 B, buffer = int length + bytes (-1 = null),
// ustring = int length + UTF-8 (-1 = null), vector<T> = int count (-1 = null) + items.
// Decoders compare every length with the bytes left before allocating anything.

import { ByteReader } from '../binary/byte-reader';
import { ByteWriter, utf8ByteLength } from '../binary/byte-writer';
import { CodecError } from '../errors';

export interface Codec<T> {
  /** Jute type name, for error messages and generated test values. */
  readonly kind: string;
  encode(w: ByteWriter, v: T): void;
  decode(r: ByteReader): T;
  sizeOf(v: T): number;
}

export const int: Codec<number> = {
  kind: 'int',
  encode: (w, v) => void w.int32(v),
  decode: (r) => r.int32(),
  sizeOf: () => 4,
};

export const long: Codec<bigint> = {
  kind: 'long',
  encode: (w, v) => void w.int64(v),
  decode: (r) => r.int64(),
  sizeOf: () => 8,
};

export const boolean: Codec<boolean> = {
  kind: 'boolean',
  encode: (w, v) => void w.uint8(v ? 1 : 0),
  decode: (r) => r.uint8() !== 0,
  sizeOf: () => 1,
};

function readLength(r: ByteReader, what: string): number {
  const at = r.offset;
  const n = r.int32();
  if (n < -1) throw new CodecError(`negative ${what} length ${n}`, at);
  if (n > r.remaining) throw new CodecError(`${what} length ${n} exceeds the ${r.remaining} bytes left`, at);
  return n;
}

/** buffer: null is encoded as length -1. */
export const buffer: Codec<Buffer | null> = {
  kind: 'buffer',
  encode: (w, v) => {
    if (v === null) {
      w.int32(-1);
      return;
    }
    w.int32(v.length).bytes(v);
  },
  decode: (r) => {
    const n = readLength(r, 'buffer');
    return n === -1 ? null : r.bytes(n);
  },
  sizeOf: (v) => 4 + (v === null ? 0 : v.length),
};

/** ustring that may be null (length -1). */
export const nullableUstring: Codec<string | null> = {
  kind: 'ustring?',
  encode: (w, v) => {
    if (v === null) {
      w.int32(-1);
      return;
    }
    const at = w.reserve(4);
    const start = w.offset;
    w.utf8(v);
    w.patchInt32(at, w.offset - start);
  },
  decode: (r) => {
    const n = readLength(r, 'ustring');
    return n === -1 ? null : r.utf8(n);
  },
  sizeOf: (v) => 4 + (v === null ? 0 : utf8ByteLength(v)),
};

/** ustring where a null (length -1) decodes as the empty string: callers never see null. */
export const ustring: Codec<string> = {
  kind: 'ustring',
  encode: (w, v) => nullableUstring.encode(w, v),
  decode: (r) => nullableUstring.decode(r) ?? '',
  sizeOf: (v) => nullableUstring.sizeOf(v),
};

/** vector<T>: a null vector (count -1) decodes as empty, which every ZooKeeper handler treats alike. */
export interface VectorCodec<T> extends Codec<T[]> {
  readonly item: Codec<T>;
}

export function vector<T>(item: Codec<T>): VectorCodec<T> {
  // the item's functions are taken once: every vector shares these loops, so `item.encode` would
  // be a lookup on a different codec object at each use
  const encodeItem = item.encode;
  const decodeItem = item.decode;
  const sizeOfItem = item.sizeOf;
  return {
    kind: `vector<${item.kind}>`,
    item,
    encode: (w, v) => {
      w.int32(v.length);
      for (let i = 0; i < v.length; i++) encodeItem(w, v[i]!);
    },
    decode: (r) => {
      const at = r.offset;
      const n = r.int32();
      if (n < -1) throw new CodecError(`negative vector count ${n}`, at);
      // every item takes at least one byte, so a count beyond the bytes left is malformed
      if (n > r.remaining) throw new CodecError(`vector count ${n} exceeds the ${r.remaining} bytes left`, at);
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(decodeItem(r));
      return out;
    },
    sizeOf: (v) => {
      let size = 4;
      for (let i = 0; i < v.length; i++) size += sizeOfItem(v[i]!);
      return size;
    },
  };
}

/** The value type of a codec: `type Stat = Infer<typeof Stat>`. */
export type Infer<C> = C extends Codec<infer T> ? T : never;
