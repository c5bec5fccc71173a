// message(spec): one Kafka message declared once for all its versions (validVersions,
// flexibleVersions, per-field versions / nullableVersions / taggedVersions + tag / defaults /
// ignorable), turned into one table-driven codec per version, built when the schema is declared.
// No per-version code exists anywhere: a new version means editing version ranges in a declaration.
//
// Rules (those of Kafka's generated message classes):
// - A decoded struct holds every declared field; fields absent from the version get their default.
// - In flexible versions strings, bytes, records and arrays are compact, and every struct (the body,
//   each array element, each nested struct) ends with a tagged-field section: uvarint count, then per
//   field uvarint tag, uvarint size, payload, tags ascending. Tagged fields are written only when
//   their value differs from the default; unknown tags are kept in `_unknownTaggedFields`.
// - Encoding a non-default value in a field the version lacks is refused unless the field is
//   `ignorable`; undefined in an encoder input means "the default".
// Decode errors are FieldCodecError with a JSON-pointer path such as `/topics/0/partitions/2/records`.

import { ByteReader, ByteWriter, CodecError } from '../../../shared/src';
import {
  DefaultValue,
  FieldSpec,
  MessageSpec,
  PRIMITIVE_TYPE_NAMES,
  PrimitiveTypeName,
  RawTaggedField,
  StructInput,
  StructValue,
  VersionRange,
  WireCodec,
  ZERO_UUID,
  bytesCodec,
  classicLength32,
  compactLength,
  inRange,
  isScalarType,
  parseVersions,
  scalarCodec,
  stringCodec,
  uvarintSize,
} from './types';

/** A decode or encode failure at a field; `path` is a JSON pointer into the message value. */
export class FieldCodecError extends CodecError {
  constructor(
    readonly reason: string,
    readonly path: string,
    offset: number,
    where = '',
  ) {
    super(`${where}${path || '/'}: ${reason}`, offset);
  }
}

function reasonOf(e: unknown): string {
  if (e instanceof FieldCodecError) return e.reason;
  const message = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message.replace(/ \(at byte \d+\)$/, '') : String(e);
}

/**
 * `e` with `segment` prepended to its path. Codec errors and the RangeError/TypeError that a bad
 * value raises while encoding (matched by name: Node's own errors come from another realm under
 * test runners) become FieldCodecError; anything else (an assertion) passes unchanged.
 */
function withPath(e: unknown, segment: string | number, offset: number): unknown {
  if (e instanceof FieldCodecError) return new FieldCodecError(e.reason, `/${segment}${e.path}`, e.offset);
  const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
  const badValue = name === 'RangeError' || name === 'TypeError';
  if (!(e instanceof CodecError || badValue)) return e;
  const at = e instanceof CodecError ? e.offset : offset;
  return new FieldCodecError(reasonOf(e), `/${segment}`, at);
}

// ---------------------------------------------------------------------------------------------
// Plans: a declaration resolved for one version.

export type FieldKind = 'scalar' | 'string' | 'bytes' | 'records' | 'array' | 'struct';

export interface FieldPlan {
  readonly spec: FieldSpec;
  readonly name: string;
  readonly kind: FieldKind;
  /** For 'scalar', and for arrays of primitives: the primitive type name. */
  readonly primitive: PrimitiveTypeName | undefined;
  /** Carried in this version, in the fixed part or in the tag section. */
  readonly present: boolean;
  readonly tagged: boolean;
  readonly tag: number | undefined;
  readonly nullable: boolean;
  /** Compact encoding for strings, bytes and arrays. */
  readonly flexible: boolean;
  readonly ignorable: boolean;
  /** The element struct of a struct array, or the nested struct. */
  readonly struct: StructPlan | undefined;
  readonly codec: WireCodec<unknown>;
  defaultValue(): unknown;
  isDefault(v: unknown): boolean;
}

export interface StructPlan {
  readonly name: string;
  readonly version: number;
  /** Ends with a tagged-field section. */
  readonly flexible: boolean;
  readonly fields: readonly FieldPlan[];
  readonly codec: WireCodec<Record<string, unknown>>;
  defaultValue(): Record<string, unknown>;
}

interface BuildContext {
  readonly messageName: string;
  readonly version: number;
  readonly flexibleVersions: VersionRange;
}

function structTypeName(spec: FieldSpec): string {
  return spec.type.startsWith('[]') ? spec.type.slice(2) : spec.type;
}

function isPrimitiveName(name: string): name is PrimitiveTypeName {
  return (PRIMITIVE_TYPE_NAMES as readonly string[]).includes(name);
}

function kindOf(
  ctx: BuildContext,
  spec: FieldSpec,
): { kind: FieldKind; primitive: PrimitiveTypeName | undefined } {
  if (spec.type.startsWith('[]')) {
    const element = spec.type.slice(2);
    if (spec.fields) return { kind: 'array', primitive: undefined };
    if (!isPrimitiveName(element) || element === 'bytes' || element === 'records') {
      throw new Error(`${ctx.messageName}.${spec.name}: unsupported array element type ${element}`);
    }
    return { kind: 'array', primitive: element };
  }
  if (spec.fields) return { kind: 'struct', primitive: undefined };
  if (!isPrimitiveName(spec.type))
    throw new Error(`${ctx.messageName}.${spec.name}: unknown type ${spec.type}`);
  if (spec.type === 'string') return { kind: 'string', primitive: 'string' };
  if (spec.type === 'bytes') return { kind: 'bytes', primitive: 'bytes' };
  if (spec.type === 'records') return { kind: 'records', primitive: 'records' };
  return { kind: 'scalar', primitive: spec.type };
}

/** Default of a primitive (not array, not struct) field, converted to the value type. */
function primitiveDefault(ctx: BuildContext, spec: FieldSpec, primitive: PrimitiveTypeName): DefaultValue {
  const d = spec.default;
  if (d === null) return null;
  switch (primitive) {
    case 'bool':
      return d === undefined ? false : Boolean(d);
    case 'int64':
      return d === undefined ? 0n : BigInt(d);
    case 'string':
      return d === undefined ? '' : String(d);
    case 'uuid':
      return d === undefined ? ZERO_UUID : String(d);
    case 'bytes':
    case 'records':
      if (d !== undefined)
        throw new Error(`${ctx.messageName}.${spec.name}: bytes defaults other than null are not supported`);
      return primitive === 'records' ? null : '';
    default:
      return d === undefined ? 0 : Number(d);
  }
}

function checkSpec(ctx: BuildContext, spec: FieldSpec, kind: FieldKind): void {
  const where = `${ctx.messageName}.${spec.name}`;
  if ((spec.tag === undefined) !== (spec.taggedVersions === undefined)) {
    throw new Error(`${where}: tag and taggedVersions go together`);
  }
  if (spec.nullableVersions !== undefined && (kind === 'scalar' || kind === 'struct')) {
    throw new Error(`${where}: a ${spec.type} cannot be nullable`);
  }
  if (spec.default === null && spec.nullableVersions === undefined) {
    throw new Error(`${where}: default null on a field that is never nullable`);
  }
  if (spec.taggedVersions !== undefined) {
    const tagged = parseVersions(spec.taggedVersions);
    if (tagged.min < ctx.flexibleVersions.min) throw new Error(`${where}: tagged outside flexible versions`);
  }
}

function buildField(ctx: BuildContext, spec: FieldSpec): FieldPlan {
  const { kind, primitive } = kindOf(ctx, spec);
  checkSpec(ctx, spec, kind);
  const v = ctx.version;
  const versions = parseVersions(spec.versions);
  const tagged = spec.taggedVersions !== undefined && inRange(parseVersions(spec.taggedVersions), v);
  const present = inRange(versions, v) || tagged;
  const nullable = spec.nullableVersions !== undefined && inRange(parseVersions(spec.nullableVersions), v);
  const flexible = inRange(
    spec.flexibleVersions !== undefined ? parseVersions(spec.flexibleVersions) : ctx.flexibleVersions,
    v,
  );
  const struct = spec.fields ? buildStruct(ctx, structTypeName(spec), spec.fields) : undefined;
  const base = { spec, name: spec.name, kind, primitive, present, tagged, tag: spec.tag, nullable, flexible };
  const ignorable = spec.ignorable === true;

  if (kind === 'struct') {
    const s = struct!;
    const isDefault = (x: unknown): boolean =>
      x === undefined || isDefaultStruct(s, x as Record<string, unknown>);
    return {
      ...base,
      ignorable,
      struct: s,
      codec: s.codec as WireCodec<unknown>,
      defaultValue: () => s.defaultValue(),
      isDefault,
    };
  }
  if (kind === 'array') {
    const element = struct ? (struct.codec as WireCodec<unknown>) : elementCodec(primitive!, flexible);
    const defaultNull = spec.default === null;
    const isDefault = (x: unknown): boolean =>
      x === undefined || (defaultNull ? x === null : x !== null && (x as unknown[]).length === 0);
    return {
      ...base,
      ignorable,
      struct,
      codec: arrayCodec(element, flexible, nullable),
      defaultValue: () => (defaultNull ? null : []),
      isDefault,
    };
  }
  const d = primitiveDefault(ctx, spec, primitive!);
  if (kind === 'bytes' || kind === 'records') {
    const isDefault = (x: unknown): boolean =>
      x === undefined || (d === null ? x === null : x !== null && (x as Buffer).length === 0);
    return {
      ...base,
      ignorable,
      struct: undefined,
      codec: bytesCodec(flexible, nullable) as WireCodec<unknown>,
      defaultValue: () => (d === null ? null : Buffer.alloc(0)),
      isDefault,
    };
  }
  const codec =
    kind === 'string'
      ? (stringCodec(flexible, nullable) as WireCodec<unknown>)
      : scalarCodec(primitive as never);
  return {
    ...base,
    ignorable,
    struct: undefined,
    codec,
    defaultValue: () => d,
    isDefault: (x) => x === undefined || x === d,
  };
}

function elementCodec(primitive: PrimitiveTypeName, flexible: boolean): WireCodec<unknown> {
  if (primitive === 'string') return stringCodec(flexible, false) as WireCodec<unknown>;
  if (!isScalarType(primitive)) throw new Error(`unsupported array element ${primitive}`);
  return scalarCodec(primitive);
}

function arrayCodec(element: WireCodec<unknown>, flexible: boolean, nullable: boolean): WireCodec<unknown> {
  const len = flexible ? compactLength : classicLength32;
  return {
    read(r) {
      const at = r.offset;
      const n = len.read(r, 'array');
      if (n < 0) {
        if (!nullable) throw new CodecError('null array in a non-nullable field', at);
        return null;
      }
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const start = r.offset;
        try {
          out[i] = element.read(r);
        } catch (e) {
          throw withPath(e, i, start);
        }
      }
      return out;
    },
    write(w, v) {
      if (v === null || v === undefined) {
        if (v === null && !nullable) throw new CodecError('null array in a non-nullable field', w.offset);
        len.write(w, v === null ? -1 : 0);
        return;
      }
      const a = v as unknown[];
      len.write(w, a.length);
      for (let i = 0; i < a.length; i++) {
        const start = w.offset;
        try {
          element.write(w, a[i]);
        } catch (e) {
          throw withPath(e, i, start);
        }
      }
    },
    size(v) {
      if (v === null || v === undefined) return len.size(v === null ? -1 : 0);
      const a = v as unknown[];
      let n = len.size(a.length);
      for (let i = 0; i < a.length; i++) n += element.size(a[i]);
      return n;
    },
  };
}

function isDefaultStruct(s: StructPlan, o: Record<string, unknown>): boolean {
  const unknown = o['_unknownTaggedFields'] as RawTaggedField[] | undefined;
  if (unknown !== undefined && unknown.length > 0) return false;
  return s.fields.every((f) => f.isDefault(o[f.name]));
}

function checkTags(ctx: BuildContext, name: string, fields: readonly FieldPlan[]): void {
  const seen = new Set<number>();
  const names = new Set<string>();
  for (const f of fields) {
    if (names.has(f.name)) throw new Error(`${ctx.messageName}.${name}: duplicate field ${f.name}`);
    names.add(f.name);
    if (!f.tagged) continue;
    if (seen.has(f.tag!))
      throw new Error(`${ctx.messageName}.${name}: duplicate tag ${f.tag} in version ${ctx.version}`);
    seen.add(f.tag!);
  }
}

function buildStruct(ctx: BuildContext, name: string, specs: readonly FieldSpec[]): StructPlan {
  const fields = specs.map((s) => buildField(ctx, s));
  checkTags(ctx, name, fields);
  const flexible = inRange(ctx.flexibleVersions, ctx.version);
  const plan: StructPlan = {
    name,
    version: ctx.version,
    flexible,
    fields,
    codec: structCodec(fields, flexible, `${name} v${ctx.version}`),
    defaultValue() {
      const o: Record<string, unknown> = {};
      for (const f of fields) o[f.name] = f.defaultValue();
      return o;
    },
  };
  return plan;
}

// ---------------------------------------------------------------------------------------------
// The struct codec: fixed fields in declaration order, then (flexible) the tag section.

interface TaggedEntry {
  readonly tag: number;
  readonly field: FieldPlan | undefined;
  readonly value: unknown;
}

function taggedEntries(tagged: readonly FieldPlan[], o: Record<string, unknown>): TaggedEntry[] {
  const entries: TaggedEntry[] = [];
  for (const f of tagged) {
    const value = o[f.name];
    if (!f.isDefault(value)) entries.push({ tag: f.tag!, field: f, value });
  }
  const unknown = o['_unknownTaggedFields'] as RawTaggedField[] | undefined;
  if (unknown) for (const u of unknown) entries.push({ tag: u.tag, field: undefined, value: u.data });
  if (entries.length > 1) entries.sort((a, b) => a.tag - b.tag);
  return entries;
}

function taggedPayloadSize(e: TaggedEntry): number {
  return e.field ? e.field.codec.size(e.value) : (e.value as Buffer).length;
}

function structCodec(
  fields: readonly FieldPlan[],
  flexible: boolean,
  where: string,
): WireCodec<Record<string, unknown>> {
  const tagged = fields.filter((f) => f.tagged);
  const byTag = new Map<number, FieldPlan>(tagged.map((f) => [f.tag!, f]));

  function readTagSection(r: ByteReader, o: Record<string, unknown>): void {
    const at = r.offset;
    const count = r.uvarint();
    if (count > r.remaining)
      throw new CodecError(`${count} tagged fields exceed the ${r.remaining} bytes left`, at);
    for (let i = 0; i < count; i++) {
      const tag = r.uvarint();
      const sizeAt = r.offset;
      const size = r.uvarint();
      if (size > r.remaining)
        throw new CodecError(
          `tagged field ${tag} of ${size} bytes exceeds the ${r.remaining} bytes left`,
          sizeAt,
        );
      const f = byTag.get(tag);
      if (f === undefined) {
        const list = (o['_unknownTaggedFields'] as RawTaggedField[] | undefined) ?? [];
        list.push({ tag, data: r.bytes(size) });
        o['_unknownTaggedFields'] = list;
        continue;
      }
      const start = r.offset;
      const sub = new ByteReader(r.buf, start, start + size);
      try {
        o[f.name] = f.codec.read(sub);
        if (sub.remaining !== 0)
          throw new CodecError(`${sub.remaining} bytes left in tagged field ${tag}`, sub.offset);
      } catch (e) {
        throw withPath(e, f.name, start);
      }
      r.offset = start + size;
    }
  }

  return {
    read(r) {
      const o: Record<string, unknown> = {};
      for (const f of fields) {
        if (!f.present || f.tagged) {
          o[f.name] = f.defaultValue();
          continue;
        }
        const start = r.offset;
        try {
          o[f.name] = f.codec.read(r);
        } catch (e) {
          throw withPath(e, f.name, start);
        }
      }
      if (flexible) readTagSection(r, o);
      return o;
    },
    write(w, o) {
      for (const f of fields) {
        const value = o[f.name];
        if (f.tagged) continue;
        if (!f.present) {
          if (!f.ignorable && !f.isDefault(value)) {
            throw new FieldCodecError(
              `field is not in ${where} and its value is not the default`,
              `/${f.name}`,
              w.offset,
            );
          }
          continue;
        }
        const start = w.offset;
        try {
          f.codec.write(w, value === undefined ? f.defaultValue() : value);
        } catch (e) {
          throw withPath(e, f.name, start);
        }
      }
      if (!flexible) return;
      const entries = taggedEntries(tagged, o);
      w.uvarint(entries.length);
      for (const e of entries) {
        w.uvarint(e.tag).uvarint(taggedPayloadSize(e));
        if (e.field) e.field.codec.write(w, e.value);
        else w.bytes(e.value as Buffer);
      }
    },
    size(o) {
      let n = 0;
      for (const f of fields) {
        if (!f.present || f.tagged) continue;
        const value = o[f.name];
        n += f.codec.size(value === undefined ? f.defaultValue() : value);
      }
      if (!flexible) return n;
      const entries = taggedEntries(tagged, o);
      n += uvarintSize(entries.length);
      for (const e of entries) {
        const payload = taggedPayloadSize(e);
        n += uvarintSize(e.tag) + uvarintSize(payload) + payload;
      }
      return n;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Messages.

export interface MessageCodec<T, I> {
  readonly name: string;
  readonly version: number;
  readonly flexible: boolean;
  readonly plan: StructPlan;
  /** Decodes from the reader's position; errors carry the message name, version and field path. */
  read(r: ByteReader): T;
  write(w: ByteWriter, v: I): void;
  size(v: I): number;
  /** Encodes to a buffer of exactly size(v) bytes. */
  encode(v: I): Buffer;
  /** Decodes a whole buffer; trailing bytes are an error. */
  decode(b: Buffer): T;
}

export interface MessageSchema<S extends MessageSpec> {
  readonly spec: S;
  readonly name: string;
  readonly apiKey: number | undefined;
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange;
  /** Whether `version` uses the flexible encoding; also answers for versions beyond validVersions. */
  isFlexible(version: number): boolean;
  hasVersion(version: number): boolean;
  /** The codec of one version; throws for a version outside validVersions. */
  at(version: number): MessageCodec<StructValue<S['fields']>, StructInput<S['fields']>>;
  /** A value with every field at its default. */
  defaults(): StructValue<S['fields']>;
}

/** Any schema with its value types erased: for tables of schemas and generic tools. */
export interface AnyMessageSchema {
  readonly name: string;
  readonly apiKey: number | undefined;
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange;
  isFlexible(version: number): boolean;
  hasVersion(version: number): boolean;
  at(version: number): MessageCodec<unknown, unknown>;
}

/** Thrown by message codecs, wrapping a FieldCodecError with the message name and version. */
export class MessageCodecError extends FieldCodecError {
  constructor(
    readonly messageName: string,
    readonly version: number,
    cause: FieldCodecError,
  ) {
    super(cause.reason, cause.path, cause.offset, `${messageName} v${version} at `);
  }
}

function buildMessageCodec<T, I>(
  spec: MessageSpec,
  version: number,
  flexibleVersions: VersionRange,
): MessageCodec<T, I> {
  const ctx: BuildContext = { messageName: spec.name, version, flexibleVersions };
  const plan = buildStruct(ctx, spec.name, spec.fields);
  const struct = plan.codec;
  const fail = (e: unknown, offset: number): never => {
    const located = e instanceof FieldCodecError ? e : withPath(e, '', offset);
    if (!(located instanceof FieldCodecError)) throw located;
    throw new MessageCodecError(spec.name, version, located);
  };
  const codec: MessageCodec<T, I> = {
    name: spec.name,
    version,
    flexible: plan.flexible,
    plan,
    read(r) {
      const start = r.offset;
      try {
        return struct.read(r) as T;
      } catch (e) {
        return fail(e, start);
      }
    },
    write(w, v) {
      const start = w.offset;
      try {
        struct.write(w, v as Record<string, unknown>);
      } catch (e) {
        fail(e, start);
      }
    },
    size: (v) => struct.size(v as Record<string, unknown>),
    encode(v) {
      const w = new ByteWriter(Math.max(1, codec.size(v)));
      codec.write(w, v);
      return w.view();
    },
    decode(b) {
      const r = new ByteReader(b);
      const v = codec.read(r);
      if (r.remaining !== 0)
        fail(new CodecError(`${r.remaining} bytes left after the message`, r.offset), r.offset);
      return v;
    },
  };
  return codec;
}

export function message<const S extends MessageSpec>(spec: S): MessageSchema<S> {
  type V = StructValue<S['fields']>;
  type I = StructInput<S['fields']>;
  const validVersions = parseVersions(spec.validVersions);
  const flexibleVersions = parseVersions(spec.flexibleVersions);
  if (!Number.isFinite(validVersions.max)) throw new Error(`${spec.name}: validVersions must be closed`);
  const codecs: MessageCodec<V, I>[] = [];
  for (let v = validVersions.min; v <= validVersions.max; v++) {
    codecs[v] = buildMessageCodec<V, I>(spec, v, flexibleVersions);
  }
  const first = codecs[validVersions.min]!;
  return {
    spec,
    name: spec.name,
    apiKey: spec.apiKey,
    validVersions,
    flexibleVersions,
    isFlexible: (version) => inRange(flexibleVersions, version),
    hasVersion: (version) => inRange(validVersions, version),
    at(version) {
      const c = codecs[version];
      if (c === undefined || !inRange(validVersions, version)) {
        throw new RangeError(`${spec.name} has no version ${version} (valid ${spec.validVersions})`);
      }
      return c;
    },
    defaults: () => first.plan.defaultValue() as V,
  };
}
