// PURE: how kafka-console-consumer prints a record (Kafka's DefaultMessageFormatter), driven by
// --property print.timestamp|print.key|print.offset|print.partition|print.headers|print.value=
// true|false, key.separator (between columns, default a tab), line.separator (default "\n"),
// headers.separator (default ","), null.literal (default "null"). Columns, each when enabled:
//   CreateTime:<ms> | Partition:<p> | Offset:<o> | k:v,k2:v2 (or NO_HEADERS) | key | value
// Keys and values are written as the bytes they are.

import type { ConsumerRecord } from '../client/consumer';

export interface FormatterSettings {
  readonly printTimestamp: boolean;
  readonly printKey: boolean;
  readonly printValue: boolean;
  readonly printPartition: boolean;
  readonly printOffset: boolean;
  readonly printHeaders: boolean;
  readonly keySeparator: Buffer;
  readonly lineSeparator: Buffer;
  readonly headersSeparator: Buffer;
  readonly nullLiteral: Buffer;
}

const isTrue = (v: string): boolean => v.trim().toLowerCase() === 'true';

export function formatterSettings(props: ReadonlyMap<string, string>): FormatterSettings {
  const bool = (key: string, fallback: boolean): boolean =>
    props.has(key) ? isTrue(props.get(key)!) : fallback;
  const bytes = (key: string, fallback: string): Buffer => Buffer.from(props.get(key) ?? fallback, 'utf8');
  return {
    printTimestamp: bool('print.timestamp', false),
    printKey: bool('print.key', false),
    printValue: bool('print.value', true),
    printPartition: bool('print.partition', false),
    printOffset: bool('print.offset', false),
    printHeaders: bool('print.headers', false),
    keySeparator: bytes('key.separator', '\t'),
    lineSeparator: bytes('line.separator', '\n'),
    headersSeparator: bytes('headers.separator', ','),
    nullLiteral: bytes('null.literal', 'null'),
  };
}

/** The bytes printed for one record. */
export function formatRecord(r: ConsumerRecord, s: FormatterSettings): Buffer {
  const parts: Buffer[] = [];
  const text = (t: string): void => void parts.push(Buffer.from(t, 'utf8'));
  const separator = (moreColumns: boolean): void =>
    void parts.push(moreColumns ? s.keySeparator : s.lineSeparator);
  if (s.printTimestamp) {
    text(`${r.timestampType}:${r.timestamp}`);
    separator(s.printOffset || s.printPartition || s.printHeaders || s.printKey || s.printValue);
  }
  if (s.printPartition) {
    text(`Partition:${r.partition}`);
    separator(s.printOffset || s.printHeaders || s.printKey || s.printValue);
  }
  if (s.printOffset) {
    text(`Offset:${r.offset}`);
    separator(s.printHeaders || s.printKey || s.printValue);
  }
  if (s.printHeaders) {
    if (r.headers.length === 0) text('NO_HEADERS');
    r.headers.forEach((h, i) => {
      text(`${h.key}:`);
      parts.push(h.value ?? s.nullLiteral);
      if (i < r.headers.length - 1) parts.push(s.headersSeparator);
    });
    separator(s.printKey || s.printValue);
  }
  if (s.printKey) {
    parts.push(r.key ?? s.nullLiteral);
    separator(s.printValue);
  }
  if (s.printValue) {
    parts.push(r.value ?? s.nullLiteral);
    parts.push(s.lineSeparator);
  }
  return Buffer.concat(parts);
}
