// server.properties through the broker's key table: defaults, listeners, the unit rules of the
// retention and roll keys, --override entries, and errors that name the key and the line.

import { ConfigError } from '../../../../shared/src';
import {
  brokerConfigHelp,
  overridesFromArgs,
  parseBrokerConfig,
} from '../../../../kafka-broker/src/config/broker-config';

const MINIMAL = 'zookeeper.connect=127.0.0.1:2181\n';

function parse(text: string, overrides: string[] = []) {
  return parseBrokerConfig(text, 'server.properties', overridesFromArgs(overrides));
}

function errorOf(text: string): string {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('broker config', () => {
  test("Kafka's defaults apply to every key not given", () => {
    const c = parse(MINIMAL);
    expect(c).toMatchObject({
      brokerId: -1,
      numPartitions: 1,
      defaultReplicationFactor: 1,
      autoCreateTopicsEnable: true,
      deleteTopicEnable: true,
      messageMaxBytes: 1_048_588,
      socketRequestMaxBytes: 104_857_600,
      logSegmentBytes: 1_073_741_824,
      logRetentionMs: 168 * 3_600_000,
      zookeeperSessionTimeoutMs: 18_000,
      minInsyncReplicas: 1,
    });
    expect(c.listeners).toEqual([
      { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '', port: 9092 },
    ]);
    expect(c.advertisedListeners).toEqual(c.listeners);
  });

  test('listeners, advertised listeners and log dirs are lists', () => {
    const c = parse(
      `${MINIMAL}listeners=PLAINTEXT://127.0.0.1:0\nadvertised.listeners=PLAINTEXT://kafka.example:9092\nlog.dirs=/a, /b\n`,
    );
    expect(c.listeners[0]).toMatchObject({ host: '127.0.0.1', port: 0 });
    expect(c.advertisedListeners[0]).toMatchObject({ host: 'kafka.example', port: 9092 });
    expect(c.logDirs).toEqual(['/a', '/b']);
  });

  test('the finest retention unit given wins', () => {
    expect(parse(`${MINIMAL}log.retention.hours=1\nlog.retention.minutes=5\n`).logRetentionMs).toBe(300_000);
    expect(parse(`${MINIMAL}log.retention.minutes=5\nlog.retention.ms=1234\n`).logRetentionMs).toBe(1234);
    expect(parse(`${MINIMAL}log.retention.ms=-1\n`).logRetentionMs).toBe(-1);
    expect(parse(`${MINIMAL}log.roll.hours=2\n`).logRollMs).toBe(7_200_000);
  });

  test('--override entries win over the file', () => {
    const c = parse(`${MINIMAL}broker.id=3\nnum.partitions=2\n`, ['num.partitions=8', 'broker.id=4']);
    expect(c.numPartitions).toBe(8);
    expect(c.brokerId).toBe(4);
  });

  test.each([
    ['broker.id=-2', /server.properties:2: invalid value for broker.id: -2 is below the minimum -1/],
    [
      'num.partitions=zero',
      /server.properties:2: invalid value for num.partitions: "zero" is not an integer/,
    ],
    ['auto.create.topics.enable=maybe', /invalid value for auto.create.topics.enable/],
    [
      'log.message.timestamp.type=WallClock',
      /invalid value for log.message.timestamp.type: "WallClock" is not CreateTime or LogAppendTime/,
    ],
    ['listeners=127.0.0.1:9092', /invalid value for listeners: "127.0.0.1:9092" is not NAME:\/\/host:port/],
    ['socket.request.max.bytes=0', /invalid value for socket.request.max.bytes: 0 is below the minimum 1/],
  ])('%s is refused with the key named', (line, expected) => {
    expect(errorOf(`${MINIMAL}${line}\n`)).toMatch(expected);
  });

  test('zookeeper.connect is required', () => {
    expect(errorOf('broker.id=0\n')).toMatch(/missing required key zookeeper.connect/);
  });

  test('unknown keys are kept for a warning', () => {
    expect(parse(`${MINIMAL}no.such.key=1\n`).unknownKeys).toEqual(['no.such.key']);
  });

  test('an override without "=" names itself', () => {
    expect(() => overridesFromArgs(['broker.id'])).toThrow(/--override broker.id: expected key=value/);
  });

  test('the help lists every key with its default', () => {
    const help = brokerConfigHelp();
    expect(help).toMatch(/zookeeper\.connect\s+host:port/);
    expect(help).toMatch(/message\.max\.bytes\s+.*\(default 1048588\)/);
  });
});
