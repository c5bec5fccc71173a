// A config key table: each key declared once with its type, default and check; parsing a properties
// file against it gives a typed, frozen object or a ConfigError naming the key and the line.

import { ConfigError } from '../errors';
import { PropertyEntry } from './properties-file';

export interface KeySpec<T> {
  /** Parses the raw text; throws a plain Error whose message says what is wrong. */
  parse(raw: string): T;
  /** Default when absent; `undefined` means the key is required. */
  default?: T;
  /** One line for help output. */
  doc: string;
}

export const types = {
  int(opts: { min?: number; max?: number } = {}) {
    return (raw: string): number => {
      if (!/^[-+]?\d+$/.test(raw)) throw new Error(`"${raw}" is not an integer`);
      const v = Number(raw);
      if (!Number.isSafeInteger(v)) throw new Error(`"${raw}" is out of range`);
      if (opts.min !== undefined && v < opts.min) throw new Error(`${v} is below the minimum ${opts.min}`);
      if (opts.max !== undefined && v > opts.max) throw new Error(`${v} is above the maximum ${opts.max}`);
      return v;
    };
  },
  bool(raw: string): boolean {
    const v = raw.toLowerCase();
    if (v === 'true' || v === 'yes') return true;
    if (v === 'false' || v === 'no') return false;
    throw new Error(`"${raw}" is not true/false (or yes/no)`);
  },
  string(raw: string): string {
    return raw;
  },
  nonEmpty(raw: string): string {
    if (raw === '') throw new Error('must not be empty');
    return raw;
  },
  list(raw: string): string[] {
    return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  },
};

export type TableValues<Table extends Record<string, KeySpec<unknown>>> = {
  [K in keyof Table]: Table[K] extends KeySpec<infer T> ? T : never;
};

export interface ParsedTable<V> {
  values: V;
  /** Entries whose key is not in the table, for the caller to handle (ZooKeeper passes them on). */
  unknown: PropertyEntry[];
}

export function applyTable<Table extends Record<string, KeySpec<unknown>>>(
  table: Table,
  entries: readonly PropertyEntry[],
  source: string,
): ParsedTable<TableValues<Table>> {
  const values: Record<string, unknown> = {};
  const unknown: PropertyEntry[] = [];
  for (const entry of entries) {
    const spec = table[entry.key];
    if (spec === undefined) {
      unknown.push(entry);
      continue;
    }
    try {
      values[entry.key] = spec.parse(entry.value);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new ConfigError(`${source}:${entry.line}: invalid value for ${entry.key}: ${reason}`, { cause: e });
    }
  }
  for (const [key, spec] of Object.entries(table)) {
    if (key in values) continue;
    if (spec.default === undefined) throw new ConfigError(`${source}: missing required key ${key}`);
    values[key] = spec.default;
  }
  return { values: values as TableValues<Table>, unknown };
}
