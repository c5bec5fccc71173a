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
  const names = new Set<string>();
  for (const f of fields) {
    // a literal {"__proto__": x} sets the prototype instead of a field
    if (names.has(f[0]) || f[0] === '__proto__') {
      throw new Error(`record ${name}: bad or repeated field name ${f[0]}`);
    }
    names.add(f[0]);
    if (seenOptional && !isOptional(f)) {
      throw new Error(`record ${name}: optional field before required field ${f[0]}`);
    }
    seenOptional = seenOptional || isOptional(f);
  }
}

type CompiledCodec<T> = Pick<Codec<T>, 'encode' | 'decode' | 'sizeOf'>;

/**
 * Builds encode/decode/sizeOf for one record as straight-line code, one function per record:
 * every record runs through its own property accesses and calls, so each stays monomorphic and
 * the decoded object is built as one literal. A single loop over the field list shared by all
 * records is megamorphic at every access; requests and txns pass through several records each.
 * The generated text holds only field names (as JSON string literals) and indexes into `codecs`.
 */
function compile<T>(fields: readonly FieldSpec[]): CompiledCodec<T> {
  const codecs = fields.map((f) => f[1]);
  const locals = codecs.map((_, i) => `const c${i} = codecs[${i}];`).join('\n');
  const encode: string[] = [];
  const size: string[] = ['let size = 0;'];
  const required: string[] = [];
  const optionalTail: string[] = [];
  fields.forEach((f, i) => {
    const key = JSON.stringify(f[0]);
    if (isOptional(f)) {
      encode.push(`if (v[${key}] === undefined) return;`);
      size.push(`if (v[${key}] === undefined) return size;`);
      optionalTail.push(`if (r.remaining === 0) return o;`, `o[${key}] = c${i}.decode(r);`);
    } else {
      required.push(`${key}: c${i}.decode(r)`);
    }
    encode.push(`c${i}.encode(w, v[${key}]);`);
    size.push(`size += c${i}.sizeOf(v[${key}]);`);
  });
  size.push('return size;');
  const decode = [`const o = { ${required.join(', ')} };`, ...optionalTail, 'return o;'];
  const body = [
    "'use strict';",
    locals,
    `return {`,
    `  encode(w, v) {\n${encode.join('\n')}\n  },`,
    `  decode(r) {\n${decode.join('\n')}\n  },`,
    `  sizeOf(v) {\n${size.join('\n')}\n  },`,
    `};`,
  ].join('\n');
  return new Function('codecs', body)(codecs) as CompiledCodec<T>;
}

export function record<const Fields extends readonly FieldSpec[]>(
  name: string,
  fields: Fields,
): RecordCodec<RecordOf<Fields>> {
  checkFieldList(name, fields);
  type T = RecordOf<Fields>;
  const compiled = compile<T>(fields);

  const codec: RecordCodec<T> = {
    kind: name,
    name,
    fields,
    encode: compiled.encode,
    decode: compiled.decode,
    sizeOf: compiled.sizeOf,
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
