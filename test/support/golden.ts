// Golden-bytes fixtures: frames captured from real software, stored as hex text with their
// provenance, read by unit tests that need no Java. File format (one fixture per file):
//
//   # key: value                         provenance header lines (tool, server, command, date, ...)
//   <conn> <dir> <hex> [# label]         one frame per line, in capture order
//
// <conn> numbers the proxied connection (1, 2, ...), <dir> is c2s (client to server) or s2c,
// raw-c2s/raw-s2c for bytes that are not a length-prefixed frame; <hex> is the frame payload
// WITHOUT its 4-byte length prefix. The label is for readers and is re-derived by the tests.
// UPDATE_GOLDEN=1 lets `expectGolden` rewrite a fixture instead of comparing against it.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Direction } from './zk-wire';

export interface GoldenFrame {
  conn: number;
  dir: Direction;
  bytes: Buffer;
  label: string;
  raw?: boolean;
}

export interface GoldenFixture {
  name: string;
  /** Provenance: tool, server, command, date and anything else worth keeping. */
  meta: Record<string, string>;
  frames: GoldenFrame[];
}

export const FIXTURES_DIR = path.resolve(__dirname, '..', 'fixtures');
export const ZK_FIXTURES_DIR = path.join(FIXTURES_DIR, 'zk');
const EXT = '.hex';

export function updateGolden(): boolean {
  return process.env['UPDATE_GOLDEN'] === '1';
}

export function fixturePath(dir: string, name: string): string {
  return path.join(dir, `${name}${EXT}`);
}

export function listFixtures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(EXT))
    .map((f) => f.slice(0, -EXT.length))
    .sort();
}

export function parseFixture(name: string, text: string): GoldenFixture {
  const meta: Record<string, string> = {};
  const frames: GoldenFrame[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    if (trimmed.startsWith('#')) {
      const m = /^#\s*([\w.-]+):\s?(.*)$/.exec(trimmed);
      if (m !== null) meta[m[1]!] = m[2]!;
      return;
    }
    const m = /^(\d+)\s+(raw-)?(c2s|s2c)\s+([0-9a-fA-F]*)\s*(?:#\s?(.*))?$/.exec(trimmed);
    if (m === null || m[4]!.length % 2 !== 0) throw new Error(`${name}${EXT} line ${i + 1}: not "<conn> <dir> <hex> [# label]"`);
    const frame: GoldenFrame = { conn: Number(m[1]), dir: m[3] as Direction, bytes: Buffer.from(m[4]!, 'hex'), label: m[5] ?? '' };
    if (m[2] !== undefined) frame.raw = true;
    frames.push(frame);
  });
  return { name, meta, frames };
}

export function formatFixture(f: GoldenFixture): string {
  const head = Object.entries(f.meta).map(([k, v]) => `# ${k}: ${v}`);
  const body = f.frames.map((fr) => {
    const dir = `${fr.raw === true ? 'raw-' : ''}${fr.dir}`;
    const label = fr.label === '' ? '' : ` # ${fr.label}`;
    return `${fr.conn} ${dir} ${fr.bytes.toString('hex')}${label}`;
  });
  return `${[...head, ...body].join('\n')}\n`;
}

export function loadFixture(dir: string, name: string): GoldenFixture {
  return parseFixture(name, readFileSync(fixturePath(dir, name), 'utf8'));
}

export function saveFixture(dir: string, fixture: GoldenFixture): string {
  mkdirSync(dir, { recursive: true });
  const file = fixturePath(dir, fixture.name);
  writeFileSync(file, formatFixture(fixture));
  return file;
}

/**
 * With UPDATE_GOLDEN=1 writes `actual` and returns it; otherwise loads the stored fixture and
 * returns it, for the caller to compare with `actual`.
 */
export function expectGolden(dir: string, actual: GoldenFixture): GoldenFixture {
  if (updateGolden()) {
    saveFixture(dir, actual);
    return actual;
  }
  return loadFixture(dir, actual.name);
}
