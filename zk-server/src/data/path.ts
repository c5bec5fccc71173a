// znode path rules (PathUtils.validatePath) and parent/child helpers. Pure.

import { KeeperError, Code } from '../protocol/keeper-errors';

function isInvalidChar(c: number): boolean {
  return (
    (c > 0x0000 && c <= 0x001f) ||
    (c >= 0x007f && c <= 0x009f) ||
    (c >= 0xd800 && c <= 0xf8ff) ||
    (c >= 0xfff0 && c <= 0xffff)
  );
}

/** Why `path` is not a valid znode path, or null if it is. */
export function pathProblem(path: string): string | null {
  if (path.length === 0) return 'Path length must be > 0';
  if (path.charCodeAt(0) !== 0x2f) return 'Path must start with / character';
  if (path.length === 1) return null;
  if (path.charCodeAt(path.length - 1) === 0x2f) return 'Path must not end with / character';
  let last = 0x2f;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 0x2f && last === 0x2f) return `empty node name specified @${i}`;
    if (c === 0x2e && last === 0x2e) {
      const before = path.charCodeAt(i - 2);
      const after = i + 1 === path.length ? 0x2f : path.charCodeAt(i + 1);
      if (before === 0x2f && after === 0x2f) return `relative paths not allowed @${i}`;
    } else if (c === 0x2e) {
      const after = i + 1 === path.length ? 0x2f : path.charCodeAt(i + 1);
      if (last === 0x2f && after === 0x2f) return `relative paths not allowed @${i}`;
    } else if (isInvalidChar(c)) {
      return `invalid character @${i}`;
    }
    last = c;
  }
  return null;
}

export function validatePath(path: string): void {
  if (pathProblem(path) !== null) throw new KeeperError(Code.BADARGUMENTS, path);
}

/** The parent of a path ("/" for top-level nodes); the caller ensures path !== "/". */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? '/' + child : parent + '/' + child;
}

/** True if `path` is `prefix` itself or below it. */
export function isAtOrBelow(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 0x2f);
}
