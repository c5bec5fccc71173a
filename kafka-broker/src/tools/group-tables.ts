// PURE: the tables kafka-consumer-groups prints, column for column as Kafka 2.8's
// ConsumerGroupCommand formats them (left-aligned, "-" for unknown values, the first columns at
// least 15 wide and as wide as their longest value). Each table starts with a blank line.

export const MISSING = '-';

export interface OffsetRow {
  readonly group: string;
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: bigint | null;
  readonly logEndOffset: bigint | null;
  readonly consumerId: string | null;
  readonly host: string | null;
  readonly clientId: string | null;
}

export interface MemberRow {
  readonly group: string;
  readonly consumerId: string;
  readonly groupInstanceId: string;
  readonly host: string;
  readonly clientId: string;
  /** topic -> partitions (for --verbose). */
  readonly assignment: ReadonlyMap<string, readonly number[]>;
}

export interface StateRow {
  readonly group: string;
  /** "host:port (id)". */
  readonly coordinator: string;
  readonly assignmentStrategy: string;
  readonly state: string;
  readonly members: number;
}

/** Java's "%-Ns": left-aligned, padded to n, never cut. */
const pad = (text: string, width: number): string => text.padEnd(width);

/** Columns padded to their widths (a column without one is printed as it is), joined by blanks. */
const columns = (cols: readonly string[], widths: readonly number[]): string =>
  cols.map((col, i) => (i < widths.length ? pad(col, widths[i]!) : col)).join(' ');
const show = (v: string | number | bigint | null): string => (v === null ? MISSING : String(v));

/** LAG: log end minus the committed offset, when both are known. */
export function lagOf(offset: bigint | null, logEndOffset: bigint | null): bigint | null {
  if (offset === null || offset === -1n || logEndOffset === null) return null;
  return logEndOffset - offset;
}

export function offsetsTable(rows: readonly OffsetRow[]): string {
  const width = (f: (r: OffsetRow) => string): number => Math.max(15, ...rows.map((r) => f(r).length));
  const g = width((r) => r.group);
  const t = width((r) => show(r.topic));
  const c = width((r) => show(r.consumerId));
  const h = width((r) => show(r.host));
  const line = (cols: string[]): string => `${columns(cols, [g, t, 10, 15, 15, 15, c, h])}\n`;
  const header = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST'];
  let out = `\n${line([...header, 'CLIENT-ID'])}`;
  for (const r of rows) {
    out += line([
      r.group,
      show(r.topic),
      show(r.partition),
      show(r.offset),
      show(r.logEndOffset),
      show(lagOf(r.offset, r.logEndOffset)),
      show(r.consumerId),
      show(r.host),
      show(r.clientId),
    ]);
  }
  return out;
}

/** "t1(0,1), t2(3)": a member's partitions for --members --verbose. */
export function assignmentText(assignment: ReadonlyMap<string, readonly number[]>): string {
  if ([...assignment.values()].every((ps) => ps.length === 0)) return MISSING;
  return [...assignment]
    .filter(([, ps]) => ps.length > 0)
    .map(([topic, ps]) => `${topic}(${[...ps].sort((a, b) => a - b).join(',')})`)
    .sort()
    .join(', ');
}

export function membersTable(rows: readonly MemberRow[], verbose: boolean): string {
  const width = (min: number, f: (r: MemberRow) => string): number =>
    Math.max(min, ...rows.map((r) => f(r).length));
  const g = width(15, (r) => r.group);
  const c = width(15, (r) => r.consumerId);
  const gi = width(17, (r) => r.groupInstanceId);
  const h = width(15, (r) => r.host);
  const ci = width(15, (r) => r.clientId);
  const withInstance = rows.some((r) => r.groupInstanceId.length > 0);
  const line = (
    group: string,
    id: string,
    instance: string,
    host: string,
    client: string,
    n: string,
  ): string =>
    withInstance
      ? `${columns([group, id, instance, host, client, n], [g, c, gi, h, ci, 15])} `
      : `${columns([group, id, host, client, n], [g, c, h, ci, 15])} `;
  const header = line('GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS');
  let out = `\n${header}${verbose ? 'ASSIGNMENT' : ''}\n`;
  for (const r of rows) {
    const count = [...r.assignment.values()].reduce((n, ps) => n + ps.length, 0);
    const row = line(r.group, r.consumerId, r.groupInstanceId, r.host, r.clientId, String(count));
    out += `${row}${verbose ? assignmentText(r.assignment) : ''}\n`;
  }
  return out;
}

export function stateTable(r: StateRow): string {
  const w = Math.max(25, r.coordinator.length);
  const line = (cols: string[]): string =>
    `\n${pad(cols[0]!, w)} ${pad(cols[1]!, 25)} ${pad(cols[2]!, 20)} ${pad(cols[3]!, 15)} ${cols[4]!}`;
  return (
    line(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS']) +
    line([r.group, r.coordinator, r.assignmentStrategy, r.state, String(r.members)]) +
    '\n'
  );
}

export function groupStatesTable(rows: readonly { group: string; state: string }[]): string {
  const g = Math.max(15, ...rows.map((r) => r.group.length));
  return [`${pad('GROUP', g)} STATE`, ...rows.map((r) => `${pad(r.group, g)} ${r.state}`)]
    .map((l) => `${l}\n`)
    .join('');
}

export function resetTable(
  rows: readonly { group: string; topic: string; partition: number; offset: bigint }[],
): string {
  const line = (cols: string[]): string => `${columns(cols, [30, 30, 10, 15])}\n`;
  const body = rows.map((r) => line([r.group, r.topic, String(r.partition), String(r.offset)]));
  return `\n${line(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'])}${body.join('')}`;
}
