// The shell client's own record of the watches it has set, as the Java client's ZKWatchManager keeps
// it: which incoming events reach the (single, default) watcher, which one-shot watches they use up,
// what removewatches may remove, and what to re-send with setWatches after a reconnect. Pure: paths
// in, decisions out.

import { EventType, WatcherType } from '../data/watch-events';

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

/** Watch-removed events removewatches produces, in the order the shell prints them. */
export type RemovedEventType = EventType.ChildWatchRemoved | EventType.DataWatchRemoved | EventType.PersistentWatchRemoved;

/** Ancestors of a path, the path itself first, "/" last (PathParentIterator.forAll). */
function pathAndParents(path: string): string[] {
  const out = [path];
  let at = path;
  while (at !== '/' && at !== '') {
    const slash = at.lastIndexOf('/');
    at = slash <= 0 ? '/' : at.slice(0, slash);
    out.push(at);
  }
  return out;
}

export class ClientWatches {
  private readonly sets: Record<WatchKind, Set<string>> = {
    data: new Set(),
    exist: new Set(),
    child: new Set(),
    persistent: new Set(),
    persistentRecursive: new Set(),
  };

  add(kind: WatchKind, path: string): void {
    this.sets[kind].add(path);
  }

  paths(kind: WatchKind): string[] {
    return [...this.sets[kind]];
  }

  get isEmpty(): boolean {
    return Object.values(this.sets).every((s) => s.size === 0);
  }

  /**
   * An event from the server: true when it reaches the watcher. One-shot watches it fires are
   * removed; a recursive watch never sees NodeChildrenChanged (ZKWatchManager.materialize).
   */
  materialize(type: EventType, path: string): boolean {
    const s = this.sets;
    let hit = false;
    const take = (set: Set<string>): void => {
      hit = set.delete(path) || hit;
    };
    switch (type) {
      case EventType.None:
        return true;
      case EventType.NodeDataChanged:
      case EventType.NodeCreated:
        take(s.data);
        take(s.exist);
        break;
      case EventType.NodeChildrenChanged:
        take(s.child);
        break;
      case EventType.NodeDeleted:
        take(s.data);
        take(s.exist);
        take(s.child);
        break;
      default:
        return false;
    }
    if (s.persistent.has(path)) hit = true;
    if (type !== EventType.NodeChildrenChanged && pathAndParents(path).some((p) => s.persistentRecursive.has(p))) hit = true;
    return hit;
  }

  /** Whether any watch of this type (as removewatches means it) is set on path. */
  contains(path: string, type: WatcherType): boolean {
    const s = this.sets;
    const persistent = s.persistent.has(path) || s.persistentRecursive.has(path);
    switch (type) {
      case WatcherType.Children:
        return s.child.has(path) || persistent;
      case WatcherType.Data:
        return s.data.has(path) || s.exist.has(path) || persistent;
      case WatcherType.Any:
        return s.child.has(path) || s.data.has(path) || s.exist.has(path) || persistent;
    }
  }

  /** Removes the watches removewatches names; returns the removal events, empty when none was set. */
  remove(path: string, type: WatcherType): RemovedEventType[] {
    const s = this.sets;
    const events: RemovedEventType[] = [];
    const child = type !== WatcherType.Data && s.child.delete(path);
    const dataRemoved = type !== WatcherType.Children && s.data.delete(path);
    const existRemoved = type !== WatcherType.Children && s.exist.delete(path);
    const persistentRemoved = type === WatcherType.Any && s.persistent.delete(path);
    const recursiveRemoved = type === WatcherType.Any && s.persistentRecursive.delete(path);
    if (child) events.push(EventType.ChildWatchRemoved);
    if (dataRemoved || existRemoved) events.push(EventType.DataWatchRemoved);
    if (persistentRemoved || recursiveRemoved) events.push(EventType.PersistentWatchRemoved);
    return events;
  }
}
