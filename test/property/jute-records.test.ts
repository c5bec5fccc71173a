// Round trip of every jute record: a value generated from the record's own declaration encodes,
// decodes back equal, and takes exactly sizeOf(value) bytes.
import fc from 'fast-check';
import { ByteReader, ByteWriter, jute } from '../../shared/src';
import * as data from '../../zk-server/src/protocol/records/data';
import * as proto from '../../zk-server/src/protocol/records/proto';
import * as txn from '../../zk-server/src/protocol/records/txn';
import * as quorum from '../../zk-server/src/protocol/records/quorum';

type AnyCodec = jute.Codec<any> & { fields?: readonly jute.FieldSpec[] };

function arbitraryFor(codec: AnyCodec): fc.Arbitrary<unknown> {
  if (codec.fields !== undefined) {
    const parts: Record<string, fc.Arbitrary<unknown>> = {};
    const required: string[] = [];
    for (const f of codec.fields) {
      const optional = f.length === 3;
      parts[f[0]] = optional ? fc.option(arbitraryFor(f[1]), { nil: undefined }) : arbitraryFor(f[1]);
      if (!optional) required.push(f[0]);
    }
    return fc.record(parts).map((o) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
      return out;
    });
  }
  switch (codec.kind) {
    case 'int':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'long':
      return fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
    case 'boolean':
      return fc.boolean();
    case 'buffer':
      return fc.option(fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), { nil: null });
    case 'ustring':
      return fc.fullUnicodeString({ maxLength: 32 });
    case 'ustring?':
      return fc.option(fc.fullUnicodeString({ maxLength: 32 }), { nil: null });
    default: {
      const m = /^vector<(.*)>$/.exec(codec.kind);
      if (m !== null) return fc.array(arbitraryFor(itemOf(codec)), { maxLength: 4 });
      throw new Error(`no arbitrary for ${codec.kind}`);
    }
  }
}

/** The item codec a vector codec carries. */
function itemOf(codec: AnyCodec): AnyCodec {
  const item = (codec as unknown as { item?: AnyCodec }).item;
  if (item === undefined) throw new Error(`vector codec ${codec.kind} does not expose its item codec`);
  return item;
}

const records = Object.entries({ ...data, ...proto, ...txn, ...quorum }).filter(
  ([, v]) => typeof v === 'object' && v !== null && 'fields' in (v as object),
) as Array<[string, jute.RecordCodec<any>]>;

describe('jute records round trip', () => {
  it('covers the records of zookeeper.jute', () => {
    expect(records.length).toBeGreaterThanOrEqual(60);
  });

  it.each(records)('%s', (_name, codec) => {
    fc.assert(
      fc.property(arbitraryFor(codec as AnyCodec), (value) => {
        const w = new ByteWriter(8);
        codec.encode(w, value);
        expect(w.offset).toBe(codec.sizeOf(value));
        const r = new ByteReader(w.view());
        expect(codec.decode(r)).toEqual(value);
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 50 },
    );
  });
});
