// The console consumer's DefaultMessageFormatter: columns, separators, null literals and headers
// as Kafka prints them.

import type { ConsumerRecord } from '../../../../kafka-broker/src/client/consumer';
import { formatRecord, formatterSettings } from '../../../../kafka-broker/src/tools/record-formatter';

const record = (o: Partial<ConsumerRecord> = {}): ConsumerRecord => ({
  topic: 't',
  partition: 2,
  offset: 41n,
  timestamp: 1700000000000n,
  timestampType: 'CreateTime',
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  headers: [],
  ...o,
});
const format = (props: Record<string, string>, r = record()): string =>
  formatRecord(r, formatterSettings(new Map(Object.entries(props)))).toString('utf8');

test('the value alone by default', () => {
  expect(format({})).toBe('v\n');
});

test("every column in Kafka's order with the key separator between them", () => {
  const all = {
    'print.timestamp': 'true',
    'print.partition': 'true',
    'print.offset': 'true',
    'print.headers': 'true',
    'print.key': 'true',
  };
  expect(format(all)).toBe('CreateTime:1700000000000\tPartition:2\tOffset:41\tNO_HEADERS\tk\tv\n');
  expect(format({ ...all, 'key.separator': '|', 'line.separator': ';' })).toBe(
    'CreateTime:1700000000000|Partition:2|Offset:41|NO_HEADERS|k|v;',
  );
});

test('null key and value print null.literal; headers join with headers.separator', () => {
  const r = record({
    key: null,
    value: null,
    headers: [
      { key: 'a', value: Buffer.from('1') },
      { key: 'b', value: null },
    ],
  });
  expect(format({ 'print.key': 'true', 'print.headers': 'true' }, r)).toBe('a:1,b:null\tnull\tnull\n');
  expect(format({ 'print.key': 'TRUE', 'null.literal': '-', 'headers.separator': ' ' }, r)).toBe('-\t-\n');
});

test('print.value=false ends the line after the last column; LogAppendTime is named', () => {
  expect(format({ 'print.key': 'true', 'print.value': 'false' })).toBe('k\n');
  expect(
    format({ 'print.timestamp': 'true', 'print.value': 'false' }, record({ timestampType: 'LogAppendTime' })),
  ).toBe('LogAppendTime:1700000000000\n');
});
