// Field types of the Kafka message DSL: version ranges, the declaration shapes (written the way
// apache/kafka writes clients/src/main/resources/common/message/*.json), the TypeScript value types
// inferred from a declaration, and the wire codecs of the primitive types in their classic and
// compact (flexible-version) forms. Pure: no I/O, no clocks, no state.
//
// Wire forms: string = int16 length + UTF-8 (-1 null); bytes/records = int32 length (-1 null);
// array = int32 count (-1 null). Compact (flexible) forms use uvarint(length + 1), 0 = null.
// uuid = 16 raw bytes, shown as Kafka shows it: 22 characters of URL-safe base64 without padding.

import { ByteReader, ByteWriter, CodecError } from '../../../shared/src';

// ---------------------------------------------------------------------------------------------
// Version ranges: "0+", "3-5", "7", "none".

export interface VersionRange {
  readonly min: number;
  /** Inclusive; Infinity for an open range ("3+"). */
  readonly max: number;
}

export const NO_VERSIONS: VersionRange = Object.freeze({ min: 1, max: 0 });

export function parseVersions(text: string): VersionRange {
  const s = text.trim();
  if (s === 'none') return NO_VERSIONS;
  let m = /^(\d+)\+$/.exec(s);
  if (m) return Object.freeze({ min: Number(m[1]), max: Infinity });
  m = /^(\d+)-(\d+)$/.exec(s);
  if (m) {
    const range = { min: Number(m[1]), max: Number(m[2]) };
    if (range.min > range.max) throw new Error(`empty version range "${text}"`);
    return Object.freeze(range);
  }
  m = /^(\d+)$/.exec(s);
  if (m) return Object.freeze({ min: Number(m[1]), max: Number(m[1]) });
  throw new Error(`bad version range "${text}"`);
}

export function inRange(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}

// ---------------------------------------------------------------------------------------------
// Declarations.

export type PrimitiveTypeName =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

export const PRIMITIVE_TYPE_NAMES: readonly PrimitiveTypeName[] = [
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'bytes',
  'records',
  'uuid',
];

export interface PrimitiveValues {
  bool: boolean;
  int8: number;
  int16: number;
  uint16: number;
  int32: number;
  uint32: number;
  int64: bigint;
  float64: number;
  string: string;
  /** A view into the decoded frame (no copy). */
  bytes: Buffer;
  /** A record set (v2 batches or a legacy message set), as a view into the decoded frame. */
  records: Buffer;
  /** 22-character URL-safe base64, as Kafka prints a Uuid. */
  uuid: string;
}

export type DefaultValue = number | bigint | string | boolean | null;

/**
 * One field, as in Kafka's JSON: `type` is a primitive name, `[]<primitive>`, `[]<StructName>` with
 * `fields`, or `<StructName>` with `fields` (a nested struct). Names are Kafka's, in camelCase.
 */
export interface FieldSpec {
  readonly name: string;
  readonly type: string;
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  readonly default?: DefaultValue;
  /** May be set to a non-default value in a version that lacks it (it is then dropped on encode). */
  readonly ignorable?: boolean;
  /** Overrides the message's flexibleVersions for this field (the request header's client id). */
  readonly flexibleVersions?: string;
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSpec {
  readonly apiKey?: number;
  readonly type: 'request' | 'response' | 'header' | 'data';
  readonly name: string;
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSpec[];
}

/** A tagged field this codec does not know, kept so re-encoding gives back the same bytes. */
export interface RawTaggedField {
  tag: number;
  data: Buffer;
}

/** Present on a decoded struct only when it carried unknown tagged fields. */
export interface TaggedFieldsCarrier {
  _unknownTaggedFields?: RawTaggedField[];
}

// ---------------------------------------------------------------------------------------------
// Value types inferred from declarations.

type OrNull<F, T> = F extends { readonly nullableVersions: string } ? T | null : T;

export type FieldValue<F extends FieldSpec> = F extends {
  readonly fields: infer S extends readonly FieldSpec[];
}
  ? F['type'] extends `[]${string}`
    ? OrNull<F, StructValue<S>[]>
    : StructValue<S>
  : F['type'] extends `[]${infer E extends PrimitiveTypeName}`
    ? OrNull<F, PrimitiveValues[E][]>
    : F['type'] extends PrimitiveTypeName
      ? OrNull<F, PrimitiveValues[F['type']]>
      : never;

export type StructValue<S extends readonly FieldSpec[]> = {
  -readonly [F in S[number] as F['name']]: FieldValue<F>;
} & TaggedFieldsCarrier;

export type MessageValue<M extends { readonly spec: MessageSpec }> = StructValue<M['spec']['fields']>;

/**
 * What an encoder accepts: any field may be left out (undefined), and is then written as its
 * default, as Kafka's generated message classes start from defaults. A decoded value is a valid input.
 */
export type FieldInput<F extends FieldSpec> = F extends {
  readonly fields: infer S extends readonly FieldSpec[];
}
  ? F['type'] extends `[]${string}`
    ? OrNull<F, StructInput<S>[]>
    : StructInput<S>
  : FieldValue<F>;

export type StructInput<S extends readonly FieldSpec[]> = {
  -readonly [F in S[number] as F['name']]?: FieldInput<F>;
} & TaggedFieldsCarrier;

export type MessageInput<M extends { readonly spec: MessageSpec }> = StructInput<M['spec']['fields']>;

// ---------------------------------------------------------------------------------------------
// Primitive wire codecs.

export interface WireCodec<T> {
  read(r: ByteReader): T;
  write(w: ByteWriter, v: T): void;
  size(v: T): number;
}

export const INT16_MAX = 0x7fff;
export const UUID_BYTES = 16;
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function uvarintSize(v: number): number {
  let u = v >>> 0;
  let n = 1;
  while (u >= 0x80) {
    u >>>= 7;
    n++;
  }
  return n;
}

export function varintSize(v: number): number {
  return uvarintSize(((v << 1) ^ (v >> 31)) >>> 0);
}

export function varlongSize(v: bigint): number {
  let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  let n = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    n++;
  }
  return n;
}

export function uuidToBytes(id: string): Buffer {
  const b = Buffer.from(id, 'base64url');
  if (b.length !== UUID_BYTES || b.toString('base64url') !== id) {
    throw new CodecError(`"${id}" is not a 22-character base64url uuid`, 0);
  }
  return b;
}

export function uuidFromBytes(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
}

/** Reads an int32 length or count; -1 is null; anything larger than the bytes left is refused. */
function readClassicLength(r: ByteReader, what: string, bits: 16 | 32): number {
  const at = r.offset;
  const n = bits === 16 ? r.int16() : r.int32();
  if (n < -1) throw new CodecError(`negative ${what} length ${n}`, at);
  if (n > r.remaining) throw new CodecError(`${what} length ${n} exceeds the ${r.remaining} bytes left`, at);
  return n;
}

/** Reads a compact length (uvarint length + 1); returns -1 for null. */
function readCompactLength(r: ByteReader, what: string): number {
  const at = r.offset;
  const n = r.uvarint() - 1;
  if (n > r.remaining) throw new CodecError(`${what} length ${n} exceeds the ${r.remaining} bytes left`, at);
  return n;
}

/** Length/count prefix of strings, bytes and arrays in one of the two forms. */
export interface LengthCodec {
  read(r: ByteReader, what: string): number;
  write(w: ByteWriter, n: number): void;
  size(n: number): number;
}

export const classicLength16: LengthCodec = {
  read: (r, what) => readClassicLength(r, what, 16),
  write: (w, n) => void w.int16(n),
  size: () => 2,
};

export const classicLength32: LengthCodec = {
  read: (r, what) => readClassicLength(r, what, 32),
  write: (w, n) => void w.int32(n),
  size: () => 4,
};

export const compactLength: LengthCodec = {
  read: readCompactLength,
  write: (w, n) => void w.uvarint(n + 1),
  size: (n) => uvarintSize(n + 1),
};

function fixed<T>(
  bytes: number,
  read: (r: ByteReader) => T,
  write: (w: ByteWriter, v: T) => void,
): WireCodec<T> {
  return { read, write, size: () => bytes };
}

const SCALAR_CODECS = {
  bool: fixed<boolean>(
    1,
    (r) => r.uint8() !== 0,
    (w, v) => void w.uint8(v ? 1 : 0),
  ),
  int8: fixed<number>(
    1,
    (r) => r.int8(),
    (w, v) => void w.int8(v),
  ),
  int16: fixed<number>(
    2,
    (r) => r.int16(),
    (w, v) => void w.int16(v),
  ),
  uint16: fixed<number>(
    2,
    (r) => (r.uint8() << 8) | r.uint8(),
    (w, v) => {
      if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`uint16 out of range: ${v}`);
      w.uint8(v >>> 8).uint8(v & 0xff);
    },
  ),
  int32: fixed<number>(
    4,
    (r) => r.int32(),
    (w, v) => void w.int32(v),
  ),
  uint32: fixed<number>(
    4,
    (r) => r.uint32(),
    (w, v) => void w.uint32(v),
  ),
  int64: fixed<bigint>(
    8,
    (r) => r.int64(),
    (w, v) => {
      if (BigInt.asIntN(64, v) !== v) throw new RangeError(`int64 out of range: ${v}`);
      w.int64(v);
    },
  ),
  float64: fixed<number>(
    8,
    (r) => r.float64(),
    (w, v) => void w.float64(v),
  ),
  uuid: fixed<string>(
    UUID_BYTES,
    (r) => uuidFromBytes(r.bytes(UUID_BYTES)),
    (w, v) => void w.bytes(uuidToBytes(v)),
  ),
} as const;

export type ScalarTypeName = keyof typeof SCALAR_CODECS;

export function isScalarType(name: string): name is ScalarTypeName {
  return Object.prototype.hasOwnProperty.call(SCALAR_CODECS, name);
}

export function scalarCodec(name: ScalarTypeName): WireCodec<unknown> {
  return SCALAR_CODECS[name] as WireCodec<unknown>;
}

/** A string, nullable or not, in classic or compact form. Null where not allowed is refused. */
export function stringCodec(flexible: boolean, nullable: boolean): WireCodec<string | null> {
  const len = flexible ? compactLength : classicLength16;
  return {
    read(r) {
      const at = r.offset;
      const n = len.read(r, 'string');
      if (n < 0) {
        if (!nullable) throw new CodecError('null string in a non-nullable field', at);
        return null;
      }
      return r.utf8(n);
    },
    write(w, v) {
      if (v === null) {
        if (!nullable) throw new CodecError('null string in a non-nullable field', w.offset);
        len.write(w, -1);
        return;
      }
      const n = Buffer.byteLength(v);
      if (!flexible && n > INT16_MAX)
        throw new CodecError(`string of ${n} bytes exceeds ${INT16_MAX}`, w.offset);
      len.write(w, n);
      w.utf8(v);
    },
    size(v) {
      if (v === null) return len.size(-1);
      const n = Buffer.byteLength(v);
      return len.size(n) + n;
    },
  };
}

/** bytes and records: int32 length (classic) or compact length. */
export function bytesCodec(flexible: boolean, nullable: boolean): WireCodec<Buffer | null> {
  const len = flexible ? compactLength : classicLength32;
  return {
    read(r) {
      const at = r.offset;
      const n = len.read(r, 'bytes');
      if (n < 0) {
        if (!nullable) throw new CodecError('null bytes in a non-nullable field', at);
        return null;
      }
      return r.bytes(n);
    },
    write(w, v) {
      if (v === null) {
        if (!nullable) throw new CodecError('null bytes in a non-nullable field', w.offset);
        len.write(w, -1);
        return;
      }
      len.write(w, v.length);
      w.bytes(v);
    },
    size(v) {
      return v === null ? len.size(-1) : len.size(v.length) + v.length;
    },
  };
}
