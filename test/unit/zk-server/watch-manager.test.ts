import { WatchManager, WatcherMode } from '../../../zk-server/src/data/watch-manager';
import { EventType } from '../../../zk-server/src/data/watch-events';

const a = { watcherId: 1 };
const b = { watcherId: 2 };

describe('WatchManager', () => {
  it('fires a standard watch once', () => {
    const m = new WatchManager();
    m.add('/x', a);
    expect([...m.trigger('/x', EventType.NodeDataChanged)]).toEqual([a]);
    expect(m.trigger('/x', EventType.NodeDataChanged).size).toBe(0);
  });

  it('keeps persistent watches and fires recursive ones for descendants but not for child changes', () => {
    const m = new WatchManager();
    m.add('/p', a, WatcherMode.Persistent);
    m.add('/r', b, WatcherMode.PersistentRecursive);
    expect([...m.trigger('/p', EventType.NodeDataChanged)]).toEqual([a]);
    expect([...m.trigger('/p', EventType.NodeDataChanged)]).toEqual([a]);
    expect([...m.trigger('/r/deep/node', EventType.NodeCreated)]).toEqual([b]);
    expect(m.trigger('/r', EventType.NodeChildrenChanged).size).toBe(0);
    expect(m.trigger('/p/child', EventType.NodeCreated).size).toBe(0);
  });

  it('lets the latest registration set the mode, as upstream', () => {
    const m = new WatchManager();
    m.add('/r', a, WatcherMode.PersistentRecursive);
    m.add('/r', a, WatcherMode.Standard);
    expect(m.modeOf('/r', a)).toBe(WatcherMode.Standard);
    expect([...m.trigger('/r/child', EventType.NodeCreated)]).toEqual([]);
    expect([...m.trigger('/r', EventType.NodeChildrenChanged)]).toEqual([a]);
    expect(m.contains('/r', a)).toBe(false);
  });

  it('leaves out suppressed watchers and forgets a closed watcher', () => {
    const m = new WatchManager();
    m.add('/x', a);
    m.add('/x', b);
    expect([...m.trigger('/x', EventType.NodeDeleted, new Set([a]))]).toEqual([b]);
    m.add('/y', a);
    m.removeWatcher(a);
    expect(m.size).toBe(0);
  });
});
