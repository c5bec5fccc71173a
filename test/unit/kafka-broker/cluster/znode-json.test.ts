// The JSON the broker writes to and reads from ZooKeeper: its registration (version 4), endpoints
// of other brokers' registrations, topic assignments and partition states, chroot splitting and
// advertised endpoints.

import { advertisedEndpoints, splitChroot } from '../../../../kafka-broker/src/broker';
import { newClusterId, registrationJson } from '../../../../kafka-broker/src/cluster/broker-registration';
import {
  parseAssignment,
  parseEndpoints,
  toLeaderAndIsr,
} from '../../../../kafka-broker/src/cluster/metadata-cache';
import { parseBrokerConfig } from '../../../../kafka-broker/src/config/broker-config';

describe('znode JSON', () => {
  test('the registration is version 4 with the first PLAINTEXT endpoint as host and port', () => {
    const json = registrationJson(
      [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '10.0.0.1', port: 9092 }],
      1_700_000_000_000,
      null,
    );
    expect(json).toEqual({
      version: 4,
      host: '10.0.0.1',
      port: 9092,
      jmx_port: -1,
      timestamp: '1700000000000',
      endpoints: ['PLAINTEXT://10.0.0.1:9092'],
      listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
    });
    expect(parseEndpoints(json)).toEqual([
      { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '10.0.0.1', port: 9092 },
    ]);
  });

  test('endpoints of a Kafka registration with several listeners', () => {
    const json = {
      version: 4 as const,
      host: null,
      port: -1,
      jmx_port: -1,
      timestamp: '1',
      endpoints: ['INTERNAL://[::1]:9093', 'EXTERNAL://kafka.example:9094'],
      listener_security_protocol_map: { INTERNAL: 'PLAINTEXT', EXTERNAL: 'SSL' },
    };
    expect(parseEndpoints(json)).toEqual([
      { listenerName: 'INTERNAL', securityProtocol: 'PLAINTEXT', host: '::1', port: 9093 },
      { listenerName: 'EXTERNAL', securityProtocol: 'SSL', host: 'kafka.example', port: 9094 },
    ]);
  });

  test('a cluster id is 22 characters of URL-safe base64', () => {
    expect(newClusterId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  test('assignments must list partitions 0..n-1', () => {
    expect(parseAssignment({ version: 1, partitions: { '1': [2, 1], '0': [1, 2] } })).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(parseAssignment({ version: 1, partitions: { '0': [1], '2': [1] } })).toBeNull();
    expect(parseAssignment({ version: 1, partitions: { '0': ['1' as unknown as number] } })).toBeNull();
  });

  test('partition states carry leader, epoch, ISR and the znode version', () => {
    expect(
      toLeaderAndIsr({ controller_epoch: 3, leader: 1, version: 1, leader_epoch: 7, isr: [1, 2] }, [1, 2], 9),
    ).toEqual({
      leader: 1,
      leaderEpoch: 7,
      isr: [1, 2],
      replicas: [1, 2],
      controllerEpoch: 3,
      zkVersion: 9,
    });
  });

  test('a chroot is split off the connect string', () => {
    expect(splitChroot('a:1,b:2/kafka/prod')).toEqual({ servers: 'a:1,b:2', chroot: '/kafka/prod' });
    expect(splitChroot('a:1')).toEqual({ servers: 'a:1', chroot: null });
    expect(splitChroot('a:1/')).toEqual({ servers: 'a:1', chroot: null });
  });

  test('advertised endpoints get the bound port and a real host for wildcards', () => {
    const config = parseBrokerConfig('zookeeper.connect=z:1\nlisteners=PLAINTEXT://0.0.0.0:0\n', 'p');
    const [e] = advertisedEndpoints(config, new Map([['PLAINTEXT', 40000]]));
    expect(e!.port).toBe(40000);
    expect(e!.host).not.toBe('0.0.0.0');
  });
});
