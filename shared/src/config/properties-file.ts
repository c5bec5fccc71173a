// key=value parser shared by zoo.cfg and server.properties (Java properties, the subset operators use:
// `#`/`!` comments, `=` or `:` separators, surrounding blanks trimmed, backslash line continuation).
// Each entry keeps its line number so that errors can name it.

export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

export function parseProperties(text: string): PropertyEntry[] {
  const lines = text.split(/\r?\n/);
  const entries: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    let logical = lines[i]!.trim();
    while (logical.endsWith('\\') && i + 1 < lines.length) {
      i++;
      logical = logical.slice(0, -1) + lines[i]!.trim();
    }
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    const sep = logical.search(/[=:]/);
    const key = (sep === -1 ? logical : logical.slice(0, sep)).trim();
    const value = sep === -1 ? '' : logical.slice(sep + 1).trim();
    entries.push({ key, value, line: lineNumber });
  }
  return entries;
}
