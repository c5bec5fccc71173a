// A deadline on ZooKeeper work. node-zookeeper-client keeps requests made while it is
// disconnected in a queue that is dropped without an answer when the session expires, so a
// promise on such a request may never settle; the coordinator's writes and reads race a Clock
// timer instead and fail with the retriable COORDINATOR_NOT_AVAILABLE when it fires first. With
// the deadline at the session timeout, a request still queued by then belongs to a dead session.

import { Clock } from '../../../shared/src';
import { KafkaError } from '../protocol';

export function withDeadline<T>(clock: Clock, timeoutMs: number, what: string, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimer(timeoutMs, () => {
      if (settled) return;
      settled = true;
      reject(new KafkaError('COORDINATOR_NOT_AVAILABLE', `${what}: no answer from ZooKeeper within ${timeoutMs} ms`));
    });
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clock.clearTimer(timer);
      fn();
    };
    let started: Promise<T>;
    try {
      started = work();
    } catch (e) {
      finish(() => reject(e));
      return;
    }
    started.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e)),
    );
  });
}
