// fast-check arbitraries derived from a message plan (one version of a schema): every field the
// version carries gets a random value of its wire type; fields the version lacks keep their
// default, since that is what decoding gives back. Shared by the kafka-* property tests.

import fc from 'fast-check';
import { FieldPlan, StructPlan } from '../../kafka-broker/src/protocol/schema';
import { PrimitiveTypeName, RawTaggedField } from '../../kafka-broker/src/protocol/types';

const ARRAY_LENGTH_MAX = 3;
const STRING_LENGTH_MAX = 12;
const BYTES_LENGTH_MAX = 24;
const UNKNOWN_TAG_BASE = 10_000;

const buffer = (maxLength = BYTES_LENGTH_MAX): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

export function primitiveArbitrary(p: PrimitiveTypeName): fc.Arbitrary<unknown> {
  switch (p) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'int32':
      return fc.integer({ min: -0x80000000, max: 0x7fffffff });
    case 'uint32':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double();
    case 'string':
      return fc.oneof(fc.string({ maxLength: STRING_LENGTH_MAX }), fc.fullUnicodeString({ maxLength: 4 }));
    case 'bytes':
    case 'records':
      return buffer();
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a).toString('base64url'));
  }
}

function nullable<T>(f: FieldPlan, a: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return f.nullable ? fc.option(a, { nil: null, freq: 4 }) : a;
}

export function fieldArbitrary(f: FieldPlan): fc.Arbitrary<unknown> {
  if (!f.present) return fc.constant(f.defaultValue());
  switch (f.kind) {
    case 'scalar':
    case 'string':
    case 'bytes':
    case 'records':
      return nullable(f, primitiveArbitrary(f.primitive!));
    case 'struct':
      return structArbitrary(f.struct!);
    case 'array': {
      const element = f.struct ? structArbitrary(f.struct) : primitiveArbitrary(f.primitive!);
      return nullable(f, fc.array(element, { maxLength: ARRAY_LENGTH_MAX }));
    }
  }
}

export function structArbitrary(plan: StructPlan): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of plan.fields) record[f.name] = fieldArbitrary(f);
  return fc.record(record);
}

/** Tagged fields no schema declares, for flexible versions: kept and re-encoded verbatim. */
export const unknownTaggedFields: fc.Arbitrary<RawTaggedField[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 50 }), { maxLength: 3 })
  .chain((tags) =>
    fc.tuple(
      ...tags
        .sort((a, b) => a - b)
        .map((t) => buffer(8).map((data) => ({ tag: UNKNOWN_TAG_BASE + t, data }))),
    ),
  );

/** A whole message value for one version, with unknown tagged fields in flexible versions. */
export function messageArbitrary(plan: StructPlan): fc.Arbitrary<Record<string, unknown>> {
  const body = structArbitrary(plan);
  if (!plan.flexible) return body;
  return fc
    .tuple(body, unknownTaggedFields)
    .map(([v, unknown]) => (unknown.length > 0 ? { ...v, _unknownTaggedFields: unknown } : v));
}
