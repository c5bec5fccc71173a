// The consumer protocol's Subscription and Assignment (v0-v3): our codecs against the bytes kafkajs
// writes and reads, newer versions read with our newest layout, empty assignments.

import { AssignerProtocol } from 'kafkajs';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../../../kafka-broker/src/coordinator/consumer-protocol';

describe('ConsumerProtocol Assignment', () => {
  test('decodes what kafkajs encodes', () => {
    const bytes = AssignerProtocol.MemberAssignment.encode({
      version: 1,
      assignment: { t1: [0, 2, 4], t2: [1] },
      userData: Buffer.from('ud'),
    });
    const { version, value } = decodeAssignment(bytes);
    expect(version).toBe(1);
    expect(value.assignedPartitions).toEqual([
      { topic: 't1', partitions: [0, 2, 4] },
      { topic: 't2', partitions: [1] },
    ]);
    expect(value.userData?.toString()).toBe('ud');
  });

  test('kafkajs decodes what we encode, in every version', () => {
    for (let v = 0; v <= 3; v++) {
      const bytes = encodeAssignment(v, { assignedPartitions: [{ topic: 't', partitions: [3, 5] }], userData: null });
      expect(AssignerProtocol.MemberAssignment.decode(bytes)).toMatchObject({ version: v, assignment: { t: [3, 5] } });
      expect(decodeAssignment(bytes).value.assignedPartitions).toEqual([{ topic: 't', partitions: [3, 5] }]);
    }
  });

  test('a version newer than ours is read with our newest layout, its extra fields ignored', () => {
    const v3 = encodeAssignment(3, { assignedPartitions: [{ topic: 't', partitions: [0] }], userData: null });
    const v9 = Buffer.concat([v3, Buffer.from([0, 0, 0, 7])]);
    v9.writeInt16BE(9, 0);
    expect(decodeAssignment(v9)).toEqual({ version: 9, value: { assignedPartitions: [{ topic: 't', partitions: [0] }], userData: null } });
  });

  test('empty bytes (a member the leader left out) assign nothing; truncated bytes fail', () => {
    expect(decodeAssignment(Buffer.alloc(0)).value.assignedPartitions).toEqual([]);
    const bytes = encodeAssignment(0, { assignedPartitions: [{ topic: 'topic', partitions: [1, 2] }] });
    expect(() => decodeAssignment(bytes.subarray(0, bytes.length - 6))).toThrow();
  });
});

describe('ConsumerProtocol Subscription', () => {
  test('decodes what kafkajs encodes', () => {
    const bytes = AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['a', 'b'], userData: Buffer.alloc(0) });
    expect(decodeSubscription(bytes).value.topics).toEqual(['a', 'b']);
  });

  test('round trips owned partitions, generation and rack of v1-v3', () => {
    const value = {
      topics: ['t'],
      userData: null,
      ownedPartitions: [{ topic: 't', partitions: [0, 1] }],
      generationId: 7,
      rackId: 'r1',
    };
    expect(decodeSubscription(encodeSubscription(3, value)).value).toEqual(value);
    expect(decodeSubscription(encodeSubscription(1, value)).value).toMatchObject({
      ownedPartitions: value.ownedPartitions,
      generationId: -1,
      rackId: null,
    });
  });
});
