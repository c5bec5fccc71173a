// Watches of one kind (data or child): which watchers wait on which paths, in which mode, and who
// is told when an event happens at a path. Standard watches are one-shot; persistent ones stay;
// persistent-recursive ones also fire for every descendant, but never for NodeChildrenChanged.
// One mode per (watcher, path): a persistent mode is never downgraded by a later one-shot watch
// (so, as upstream, a recursive watch on P swallows a one-shot child watch on P of the same watcher).

import { EventType } from './watch-events';
import { parentOf } from './path';

export const enum WatcherMode {
  Standard = 0,
  Persistent = 1,
  PersistentRecursive = 2,
}

/** Anything that can receive events: in the server, a client connection. */
export interface Watcher {
  readonly watcherId: number;
}

export class WatchManager<W extends Watcher> {
  private readonly watchTable = new Map<string, Map<W, WatcherMode>>();
  private readonly watch2Paths = new Map<W, Set<string>>();
  private recursiveCount = 0;

  add(path: string, watcher: W, mode: WatcherMode = WatcherMode.Standard): void {
    let watchers = this.watchTable.get(path);
    if (watchers === undefined) {
      watchers = new Map();
      this.watchTable.set(path, watchers);
    }
    const existing = watchers.get(watcher);
    if (existing !== undefined && existing !== WatcherMode.Standard && mode === WatcherMode.Standard) return;
    if (existing === WatcherMode.PersistentRecursive) this.recursiveCount--;
    if (mode === WatcherMode.PersistentRecursive) this.recursiveCount++;
    watchers.set(watcher, mode);
    let paths = this.watch2Paths.get(watcher);
    if (paths === undefined) {
      paths = new Set();
      this.watch2Paths.set(watcher, paths);
    }
    paths.add(path);
  }

  /** The mode of `watcher` on `path`, or undefined. */
  modeOf(path: string, watcher: W): WatcherMode | undefined {
    return this.watchTable.get(path)?.get(watcher);
  }

  contains(path: string, watcher: W): boolean {
    return this.modeOf(path, watcher) !== undefined;
  }

  /** Removes the watch of `watcher` on `path` if its mode is one of `modes`; true if one was removed. */
  remove(path: string, watcher: W, modes?: readonly WatcherMode[]): boolean {
    const watchers = this.watchTable.get(path);
    const mode = watchers?.get(watcher);
    if (watchers === undefined || mode === undefined) return false;
    if (modes !== undefined && !modes.includes(mode)) return false;
    this.removeEntry(path, watchers, watcher, mode);
    return true;
  }

  private removeEntry(path: string, watchers: Map<W, WatcherMode>, watcher: W, mode: WatcherMode): void {
    watchers.delete(watcher);
    if (watchers.size === 0) this.watchTable.delete(path);
    if (mode === WatcherMode.PersistentRecursive) this.recursiveCount--;
    const paths = this.watch2Paths.get(watcher);
    paths?.delete(path);
    if (paths !== undefined && paths.size === 0) this.watch2Paths.delete(watcher);
  }

  /** Forgets everything `watcher` watches (its connection closed). */
  removeWatcher(watcher: W): void {
    const paths = this.watch2Paths.get(watcher);
    if (paths === undefined) return;
    for (const path of [...paths]) {
      const watchers = this.watchTable.get(path);
      const mode = watchers?.get(watcher);
      if (watchers !== undefined && mode !== undefined) this.removeEntry(path, watchers, watcher, mode);
    }
    this.watch2Paths.delete(watcher);
  }

  /**
   * The watchers to tell about `type` at `path`, one each; one-shot watches that fire are removed.
   * Watchers in `suppress` (already told by the other manager) are left out.
   */
  trigger(path: string, type: EventType, suppress?: ReadonlySet<W>): Set<W> {
    const fired = new Set<W>();
    let at = path;
    for (;;) {
      this.collect(at, at === path, type, fired);
      if (this.recursiveCount === 0 || at === '/') break;
      at = parentOf(at);
    }
    if (suppress !== undefined) for (const w of suppress) fired.delete(w);
    return fired;
  }

  private collect(at: string, isEventPath: boolean, type: EventType, fired: Set<W>): void {
    const watchers = this.watchTable.get(at);
    if (watchers === undefined) return;
    for (const [watcher, mode] of watchers) {
      if (mode === WatcherMode.PersistentRecursive) {
        if (type !== EventType.NodeChildrenChanged) fired.add(watcher);
      } else if (isEventPath) {
        fired.add(watcher);
        if (mode === WatcherMode.Standard) this.removeEntry(at, watchers, watcher, mode);
      }
    }
  }

  /** Number of (watcher, path) pairs. */
  get size(): number {
    let n = 0;
    for (const watchers of this.watchTable.values()) n += watchers.size;
    return n;
  }

  get pathCount(): number {
    return this.watchTable.size;
  }

  get watcherCount(): number {
    return this.watch2Paths.size;
  }

  /** path -> watchers, for wchp. */
  byPath(): ReadonlyMap<string, ReadonlyMap<W, WatcherMode>> {
    return this.watchTable;
  }

  /** watcher -> paths, for wchc. */
  byWatcher(): ReadonlyMap<W, ReadonlySet<string>> {
    return this.watch2Paths;
  }
}
