import { sessionPassword } from '../../../zk-server/src/session/session-password';
import { SessionTracker } from '../../../zk-server/src/session/session-tracker';

describe('session password', () => {
  // expected values printed by java.util.Random(id ^ 0xB3415C00).nextBytes(new byte[16]) on OpenJDK 17
  it.each([
    [0x0100000538890000n, '9da24a48667c31b14367deb11f72de6d'],
    [0x01a1fca0609e0010n, 'ce69fc878ed69c038ad661fce4ae671f'],
    [-1n, '20f62cb5648dc2d771471c8a2486a9ee'],
  ])('matches upstream for 0x%s', (id, hex) => {
    expect(sessionPassword(id).toString('hex')).toBe(hex);
  });
});

describe('SessionTracker', () => {
  it('allocates ids as upstream: server id in the top byte, then +1', () => {
    const tracker = new SessionTracker(1, 2000, 0x5388900);
    const first = tracker.allocateSessionId();
    expect(first >> 56n).toBe(1n);
    expect(tracker.allocateSessionId()).toBe(first + 1n);
  });

  it('expires a session one timeout after its last touch, rounded up to a tick', () => {
    const tracker = new SessionTracker(1, 1000, 0);
    tracker.add(7n, 4000, 0);
    expect(tracker.expire(4999)).toEqual([]);
    tracker.touch(7n, 3000);
    expect(tracker.expire(7999)).toEqual([]);
    const expired = tracker.expire(8000);
    expect(expired.map((s) => s.sessionId)).toEqual([7n]);
    expect(tracker.get(7n)?.closing).toBe(true);
    expect(tracker.touch(7n, 8000)).toBe(false);
  });
});
