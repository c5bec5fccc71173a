// The server's two watch managers (data and child) and how tree events reach them: which manager
// an event consults, and the one-event-per-watcher rule across both for NodeDeleted.

import { ACL, Id } from '../protocol/records/data';
import { Perms, hasPermission } from './acl';
import { WatchManager, Watcher, WatcherMode } from './watch-manager';
import { EventType, TreeEvent, WatcherType } from './watch-events';

/** A watcher that can be told about an event (a client connection), and who it is. */
export interface EventSink extends Watcher {
  readonly authInfo: Id[];
  sendWatchEvent(type: EventType, path: string): void;
}

export class Watches<W extends EventSink> {
  readonly data = new WatchManager<W>();
  readonly child = new WatchManager<W>();

  constructor(private readonly superDigest: string | null = null) {}

  /** Tells every watcher waiting for `event`, and drops the one-shot watches that fired. */
  fire(event: TreeEvent): void {
    switch (event.type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        this.notify(this.data.trigger(event.path, event.type), event);
        return;
      case EventType.NodeDeleted: {
        const told = this.data.trigger(event.path, event.type);
        this.notify(told, event);
        this.notify(this.child.trigger(event.path, event.type, told), event);
        return;
      }
      case EventType.NodeChildrenChanged:
        this.notify(this.child.trigger(event.path, event.type), event);
        return;
      default:
        return;
    }
  }

  /** Only watchers allowed to read the node hear of it (ZOOKEEPER-4799, CVE-2024-23944). */
  private notify(watchers: ReadonlySet<W>, event: TreeEvent): void {
    for (const w of watchers) {
      if (this.mayRead(w, event.acl)) w.sendWatchEvent(event.type, event.path);
    }
  }

  private mayRead(w: W, acl: readonly ACL[]): boolean {
    return hasPermission({ authInfo: w.authInfo, superDigest: this.superDigest }, acl, Perms.READ);
  }

  addPersistent(path: string, watcher: W, recursive: boolean): void {
    const mode = recursive ? WatcherMode.PersistentRecursive : WatcherMode.Persistent;
    this.data.add(path, watcher, mode);
    this.child.add(path, watcher, mode);
  }

  /** checkWatches: does `watcher` have a watch of `type` on `path`? */
  has(path: string, type: number, watcher: W): boolean {
    const inData = this.data.contains(path, watcher);
    const inChild = this.child.contains(path, watcher);
    if (type === WatcherType.Children) return inChild;
    if (type === WatcherType.Data) return inData;
    return inData || inChild;
  }

  /** removeWatches: true if something was removed (every mode on that path). */
  remove(path: string, type: number, watcher: W): boolean {
    let removed = false;
    if (type === WatcherType.Children || type === WatcherType.Any) removed = this.child.remove(path, watcher) || removed;
    if (type === WatcherType.Data || type === WatcherType.Any) removed = this.data.remove(path, watcher) || removed;
    return removed;
  }

  removeWatcher(watcher: W): void {
    this.data.removeWatcher(watcher);
    this.child.removeWatcher(watcher);
  }

  get count(): number {
    return this.data.size + this.child.size;
  }
}
