// jute-ts: ZooKeeper's jute binary encoding, records declared as data.
export { Codec, Infer, int, long, boolean, buffer, ustring, nullableUstring, vector } from './types';
export { record, RecordCodec, RecordOf, FieldSpec } from './record';
