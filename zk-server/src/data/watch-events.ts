import { ACL } from '../protocol/records/data';

// Watcher.Event.EventType and KeeperState codes, and the watch types of check/removeWatches.

export const enum EventType {
  None = -1,
  NodeCreated = 1,
  NodeDeleted = 2,
  NodeDataChanged = 3,
  NodeChildrenChanged = 4,
  DataWatchRemoved = 5,
  ChildWatchRemoved = 6,
  PersistentWatchRemoved = 7,
}

export const enum KeeperState {
  SyncConnected = 3,
}

/** WatcherType on the wire (checkWatches/removeWatches). */
export const enum WatcherType {
  Children = 1,
  Data = 2,
  Any = 3,
}

/** addWatch modes on the wire. */
export const enum AddWatchMode {
  Persistent = 0,
  PersistentRecursive = 1,
}

/** A change in the tree that watches may be waiting for, with the ACL a watcher must be able to read. */
export interface TreeEvent {
  readonly type: EventType;
  readonly path: string;
  readonly acl: readonly ACL[];
}
