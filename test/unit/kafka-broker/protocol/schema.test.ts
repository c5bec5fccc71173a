// The message DSL: classic and compact encodings, nullable fields, defaults for absent fields,
// tagged fields (written only when not default, unknown tags kept), the ignorable rule, and
// decode errors that name the field by JSON pointer. Expected bytes follow kafka.md section 1.

import { ByteReader, CodecError } from '../../../../shared/src';
import { MetadataResponse } from '../../../../kafka-broker/src/protocol/messages/metadata';
import { FieldCodecError, MessageCodecError, message } from '../../../../kafka-broker/src/protocol/schema';
import {
  ZERO_UUID,
  parseVersions,
  uuidFromBytes,
  uuidToBytes,
} from '../../../../kafka-broker/src/protocol/types';

const Sample = message({
  type: 'data',
  name: 'Sample',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'id', type: 'int32', versions: '0+' },
    { name: 'label', type: 'string', versions: '0+', nullableVersions: '1+' },
    { name: 'extra', type: 'int64', versions: '1+', default: -1n },
    { name: 'note', type: 'string', versions: '3+', nullableVersions: '3+', default: null, ignorable: true },
    {
      name: 'items',
      type: '[]Item',
      versions: '0+',
      fields: [
        { name: 'n', type: 'int16', versions: '0+' },
        { name: 'data', type: 'bytes', versions: '0+', nullableVersions: '0+' },
      ],
    },
    { name: 'hint', type: 'string', versions: '2+', taggedVersions: '2+', tag: 0 },
    {
      name: 'leader',
      type: 'Leader',
      versions: '2+',
      taggedVersions: '2+',
      tag: 1,
      fields: [{ name: 'leaderId', type: 'int32', versions: '2+', default: -1 }],
    },
  ],
});

const hex = (b: Buffer): string => b.toString('hex');
const value = {
  id: 1,
  label: 'ab',
  extra: -1n,
  note: null,
  items: [{ n: 2, data: null }],
  hint: '',
  leader: { leaderId: -1 },
};

describe('classic versions', () => {
  test('int32, int16-length string, int32-count array, int32-length nullable bytes', () => {
    expect(hex(Sample.at(0).encode(value))).toBe(
      '00000001' + '0002' + '6162' + '00000001' + '0002' + 'ffffffff',
    );
  });

  test('fields absent from the version decode as their defaults', () => {
    const decoded = Sample.at(0).decode(Buffer.from('00000001000161' + '00000000', 'hex'));
    expect(decoded).toEqual({
      id: 1,
      label: 'a',
      extra: -1n,
      note: null,
      items: [],
      hint: '',
      leader: { leaderId: -1 },
    });
  });

  test('a nullable string is int16 -1 where the version allows null', () => {
    expect(hex(Sample.at(1).encode({ ...value, label: null, items: [] }))).toBe(
      '00000001' + 'ffff' + 'ffffffffffffffff' + '00000000',
    );
  });
});

describe('flexible versions', () => {
  test('compact strings/arrays/bytes and a tag section after every struct', () => {
    const bytes = Sample.at(2).encode(value);
    expect(hex(bytes)).toBe('00000001' + '036162' + 'ffffffffffffffff' + '02' + '0002' + '00' + '00' + '00');
  });

  test('tagged fields are written only when they differ from their default, in tag order', () => {
    const bytes = Sample.at(2).encode({ ...value, items: [], hint: 'x', leader: { leaderId: 7 } });
    expect(hex(bytes)).toBe(
      '00000001' +
        '036162' +
        'ffffffffffffffff' +
        '01' +
        '02' +
        '00' +
        '02' +
        '0278' +
        '01' +
        '05' +
        '00000007' +
        '00',
    );
    expect(Sample.at(2).decode(bytes)).toEqual({ ...value, items: [], hint: 'x', leader: { leaderId: 7 } });
  });

  test('unknown tagged fields are kept and written back', () => {
    const bytes = Buffer.from(
      '00000001' + '01' + '0000000000000000' + '01' + '01' + '05' + '03' + 'aabbcc',
      'hex',
    );
    const decoded = Sample.at(2).decode(bytes);
    expect(decoded._unknownTaggedFields).toEqual([{ tag: 5, data: Buffer.from('aabbcc', 'hex') }]);
    expect(hex(Sample.at(2).encode(decoded))).toBe(hex(bytes));
  });

  test('a tagged field whose payload is not fully consumed is refused', () => {
    const bytes = Buffer.from(
      '00000001' + '01' + '0000000000000000' + '01' + '01' + '01' + '06' + '000000070000',
      'hex',
    );
    expect(() => Sample.at(2).decode(bytes)).toThrow(/\/leader: 1 bytes left in tagged field 1/);
  });
});

describe('encoding rules', () => {
  test('undefined fields are written as their defaults', () => {
    expect(hex(Sample.at(1).encode({ id: 3 }))).toBe('00000003' + '0000' + 'ffffffffffffffff' + '00000000');
  });

  test('null in a version where the field is not nullable is refused, naming the field', () => {
    expect(() => Sample.at(0).encode({ ...value, label: null })).toThrow(MessageCodecError);
    expect(() => Sample.at(0).encode({ ...value, label: null })).toThrow(/Sample v0 at \/label: null string/);
  });

  test('a non-default value in a field the version lacks is refused unless the field is ignorable', () => {
    expect(() => Sample.at(0).encode({ ...value, extra: 5n })).toThrow(/\/extra: field is not in Sample v0/);
    expect(hex(Sample.at(0).encode({ ...value, note: 'dropped' }))).toBe(hex(Sample.at(0).encode(value)));
  });

  test('out-of-range integers are refused', () => {
    expect(() => Sample.at(0).encode({ ...value, id: 2 ** 31 })).toThrow(/\/id/);
  });
});

describe('decode errors', () => {
  test('carry the message, version and a JSON pointer to the field', () => {
    const truncated = Buffer.from(
      '00000001' + '0000' + '00000002' + '0001' + '00000000' + '0002' + '000000',
      'hex',
    );
    try {
      Sample.at(0).decode(truncated);
      throw new Error('decoded');
    } catch (e) {
      expect(e).toBeInstanceOf(FieldCodecError);
      expect(e).toBeInstanceOf(CodecError);
      const err = e as MessageCodecError;
      expect([err.messageName, err.version, err.path]).toEqual(['Sample', 0, '/items/1/data']);
    }
  });

  test('an array count larger than the bytes left is refused before allocating', () => {
    expect(() => Sample.at(0).decode(Buffer.from('00000001' + '0000' + '7fffffff', 'hex'))).toThrow(
      /\/items: array length 2147483647 exceeds/,
    );
  });

  test('trailing bytes after a message are refused', () => {
    expect(() => Sample.at(0).decode(Buffer.from('00000001' + '0000' + '00000000' + '00', 'hex'))).toThrow(
      /1 bytes left/,
    );
  });

  test('read() stops at the end of the message', () => {
    const r = new ByteReader(Buffer.from('00000001' + '0000' + '00000000' + 'ffff', 'hex'));
    Sample.at(0).read(r);
    expect(r.remaining).toBe(2);
  });
});

describe('schemas', () => {
  test('versions outside validVersions have no codec, but flexibility is known beyond them', () => {
    expect(() => Sample.at(4)).toThrow(RangeError);
    expect([Sample.isFlexible(1), Sample.isFlexible(2), Sample.isFlexible(40)]).toEqual([false, true, true]);
  });

  test('defaults() follows the declarations (MetadataResponse)', () => {
    const d = MetadataResponse.defaults();
    expect(d.clusterId).toBeNull();
    expect(d.controllerId).toBe(-1);
    expect(d.clusterAuthorizedOperations).toBe(-2147483648);
  });

  test('declaration mistakes are caught when the schema is built', () => {
    const bad = (fields: object[]) => () =>
      message({
        type: 'data',
        name: 'Bad',
        validVersions: '0-2',
        flexibleVersions: '1+',
        fields: fields as never,
      });
    expect(bad([{ name: 'a', type: 'int32', versions: '0+', nullableVersions: '0+' }])).toThrow(
      /cannot be nullable/,
    );
    expect(bad([{ name: 'a', type: 'int32', versions: '0+', taggedVersions: '0+', tag: 0 }])).toThrow(
      /tagged outside flexible/,
    );
    expect(
      bad([
        { name: 'a', type: 'int32', versions: '1+', taggedVersions: '1+', tag: 0 },
        { name: 'b', type: 'int32', versions: '1+', taggedVersions: '1+', tag: 0 },
      ]),
    ).toThrow(/duplicate tag 0/);
    expect(bad([{ name: 'a', type: 'Thing', versions: '0+' }])).toThrow(/unknown type Thing/);
    expect(bad([{ name: 'a', type: 'string', versions: '0+', default: null }])).toThrow(/never nullable/);
  });

  test('version ranges', () => {
    expect(parseVersions('3+')).toEqual({ min: 3, max: Infinity });
    expect(parseVersions('2-5')).toEqual({ min: 2, max: 5 });
    expect(parseVersions('7')).toEqual({ min: 7, max: 7 });
    expect(parseVersions('none').min).toBeGreaterThan(parseVersions('none').max);
    expect(() => parseVersions('x')).toThrow();
  });

  test('uuids are 16 bytes shown as 22 characters of base64url', () => {
    const bytes = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    expect(uuidToBytes(uuidFromBytes(bytes)).equals(bytes)).toBe(true);
    expect(uuidToBytes(ZERO_UUID).equals(Buffer.alloc(16))).toBe(true);
    expect(() => uuidToBytes('short')).toThrow(CodecError);
  });
});
