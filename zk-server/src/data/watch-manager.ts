// Watches of one kind (data or child): which watchers wait on which paths, in which mode, and who
// is told when an event happens at a path. A one-shot watch fires once, then is gone; a persistent
// one stays; a persistent-recursive one stays and also fires for every descendant, but never for
// NodeChildrenChanged. As upstream's WatcherModeManager, a (watcher, path) pair has one mode and the
// latest registration sets it: a one-shot getData after addWatch turns that watch one-shot.

import { EventType } from './watch-events';
import { parentOf } from './path';

export const enum WatcherMode {
  Standard = 1,
  Persistent = 2,
  PersistentRecursive = 4,
}

/** Anything that can receive events: in the server, a client connection. */
export interface Watcher {
  readonly watcherId: number;
}

export class WatchManager<W extends Watcher> {
  private readonly watchTable = new Map<string, Map<W, number>>();
  private readonly watch2Paths = new Map<W, Set<string>>();
  private recursiveCount = 0;
  /** What trigger returns when nobody waits: most writes touch unwatched paths. */
  private readonly nobody: ReadonlySet<W> = new Set<W>();

  add(path: string, watcher: W, mode: WatcherMode = WatcherMode.Standard): void {
    let watchers = this.watchTable.get(path);
    if (watchers === undefined) {
      watchers = new Map();
      this.watchTable.set(path, watchers);
    }
    const before = watchers.get(watcher) ?? 0;
    if (before === WatcherMode.PersistentRecursive) this.recursiveCount--;
    if (mode === WatcherMode.PersistentRecursive) this.recursiveCount++;
    watchers.set(watcher, mode);
    let paths = this.watch2Paths.get(watcher);
    if (paths === undefined) {
      paths = new Set();
      this.watch2Paths.set(watcher, paths);
    }
    paths.add(path);
  }

  /** The mode of `watcher` on `path` (0 when none). */
  modeOf(path: string, watcher: W): number {
    return this.watchTable.get(path)?.get(watcher) ?? 0;
  }

  contains(path: string, watcher: W): boolean {
    return this.modeOf(path, watcher) !== 0;
  }

  /** Removes the watches of `watcher` on `path` (all modes); true if there were any. */
  remove(path: string, watcher: W): boolean {
    const watchers = this.watchTable.get(path);
    const modes = watchers?.get(watcher);
    if (watchers === undefined || modes === undefined) return false;
    this.setModes(path, watchers, watcher, modes, 0);
    return true;
  }

  private setModes(path: string, watchers: Map<W, number>, watcher: W, before: number, after: number): void {
    if (before === WatcherMode.PersistentRecursive && after !== WatcherMode.PersistentRecursive) this.recursiveCount--;
    if (after !== 0) {
      watchers.set(watcher, after);
      return;
    }
    watchers.delete(watcher);
    if (watchers.size === 0) this.watchTable.delete(path);
    const paths = this.watch2Paths.get(watcher);
    paths?.delete(path);
    if (paths !== undefined && paths.size === 0) this.watch2Paths.delete(watcher);
  }

  /** Forgets everything `watcher` watches (its connection closed). */
  removeWatcher(watcher: W): void {
    const paths = this.watch2Paths.get(watcher);
    if (paths === undefined) return;
    for (const path of [...paths]) this.remove(path, watcher);
    this.watch2Paths.delete(watcher);
  }

  /**
   * The watchers to tell about `type` at `path`, one each; one-shot watches that fire are removed.
   * Watchers in `suppress` (already told by the other manager) are left out.
   */
  trigger(path: string, type: EventType, suppress?: ReadonlySet<W>): ReadonlySet<W> {
    if (this.recursiveCount === 0 && !this.watchTable.has(path)) return this.nobody;
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
    for (const [watcher, mode] of [...watchers]) {
      if (mode === WatcherMode.PersistentRecursive) {
        if (type !== EventType.NodeChildrenChanged) fired.add(watcher);
      } else if (isEventPath) {
        fired.add(watcher);
        if (mode === WatcherMode.Standard) this.setModes(at, watchers, watcher, mode, 0);
      }
    }
  }

  /** Number of (watcher, path) pairs. */
  get size(): number {
    let n = 0;
    for (const watchers of this.watchTable.values()) n += watchers.size;
    return n;
  }

  /** path -> watchers, for wchp. */
  byPath(): ReadonlyMap<string, ReadonlyMap<W, number>> {
    return this.watchTable;
  }

  /** watcher -> paths, for wchc. */
  byWatcher(): ReadonlyMap<W, ReadonlySet<string>> {
    return this.watch2Paths;
  }
}
