// record(name, fields): a jute record declared once, as an ordered list of [name, codec] pairs
// (wire order is the list order, never object-key order). encode/decode/sizeOf and the TS type
// are derived from the list. A field marked optional must be trailing: it is decoded only when
// bytes remain (ConnectRequest's readOnly byte) and encoded only when present.

import { ByteReader } from '../binary/byte-reader';
import { ByteWriter } from '../binary/byte-writer';
import { CodecError } from '../errors';
import { Codec } from './types';

export type RequiredField = readonly [name: string, codec: Codec<any>];
export type OptionalField = readonly [name: string, codec: Codec<any>, flags: { readonly optional: true }];
export type FieldSpec = RequiredField | OptionalField;

type FieldValue<F> = F extends readonly [string, Codec<infer T>, { readonly optional: true }]
  ? T | undefined
  : F extends readonly [string, Codec<infer T>]
    ? T
    : never;

export type RecordOf<Fields extends readonly FieldSpec[]> = {
  [F in Fields[number] as F[0]]: FieldValue<F>;
};

export interface RecordCodec<T> extends Codec<T> {
  readonly name: string;
  readonly fields: readonly FieldSpec[];
  /** Encodes to a fresh buffer. */
  toBytes(v: T): Buffer;
  /** Decodes a whole buffer; trailing bytes are an error. */
  fromBytes(b: Buffer): T;
}

function isOptional(f: FieldSpec): boolean {
  return f.length === 3 && f[2].optional;
}

function checkFieldList(name: string, fields: readonly FieldSpec[]): void {
  let seenOptional = false;
  for (const f of fields) {
    if (seenOptional && !isOptional(f)) {
      throw new Error(`record ${name}: optional field before required field ${f[0]}`);
    }
    seenOptional = seenOptional || isOptional(f);
  }
}

export function record<const Fields extends readonly FieldSpec[]>(
  name: string,
  fields: Fields,
): RecordCodec<RecordOf<Fields>> {
  checkFieldList(name, fields);
  type T = RecordOf<Fields>;
  const names = fields.map((f) => f[0]);
  const codecs = fields.map((f) => f[1]);
  const optional = fields.map(isOptional);
  const count = fields.length;

  const codec: RecordCodec<T> = {
    kind: name,
    name,
    fields,
    encode(w: ByteWriter, v: T): void {
      const o = v as Record<string, unknown>;
      for (let i = 0; i < count; i++) {
        const value = o[names[i]!];
        if (optional[i] && value === undefined) return;
        codecs[i]!.encode(w, value);
      }
    },
    decode(r: ByteReader): T {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        if (optional[i] && r.remaining === 0) break;
        o[names[i]!] = codecs[i]!.decode(r);
      }
      return o as T;
    },
    sizeOf(v: T): number {
      const o = v as Record<string, unknown>;
      let size = 0;
      for (let i = 0; i < count; i++) {
        const value = o[names[i]!];
        if (optional[i] && value === undefined) break;
        size += codecs[i]!.sizeOf(value);
      }
      return size;
    },
    toBytes(v: T): Buffer {
      const w = new ByteWriter(codec.sizeOf(v));
      codec.encode(w, v);
      return w.view();
    },
    fromBytes(b: Buffer): T {
      const r = new ByteReader(b);
      const v = codec.decode(r);
      if (r.remaining !== 0) throw new CodecError(`${r.remaining} bytes left after ${name}`, r.offset);
      return v;
    },
  };
  return codec;
}
