// murmur2 and the keyed partition choice must equal the Java client's, so that keys land where
// Java producers put them: Kafka's own test vectors (UtilsTest.testMurmur2) and kafkajs' port.

import { murmur2, partitionForKey, toPositive } from '../../../../kafka-broker/src/client/partitioner';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: Buffer,
) => number;

describe('murmur2', () => {
  test.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('%s hashes to %i as in Kafka', (text, expected) => {
    expect(murmur2(Buffer.from(text))).toBe(expected);
  });

  test('equals the kafkajs port for keys of every length up to 64 bytes, multibyte text included', () => {
    for (let n = 0; n <= 64; n++) {
      const key = Buffer.from(
        Array.from({ length: n }, (_, i) => String.fromCharCode(0x41 + ((i * 7 + n) % 200))).join(''),
      );
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }
  });
});

test('partitionForKey is toPositive(murmur2) modulo the partition count', () => {
  const key = Buffer.from('k1');
  expect(toPositive(-1)).toBe(0x7fffffff);
  expect(partitionForKey(key, 7)).toBe(toPositive(murmur2(key)) % 7);
  expect(partitionForKey(Buffer.from('abc'), 3)).toBe(479470107 % 3);
});
