#!/usr/bin/env node
// @ts-check
// Captures golden Kafka request frames from real clients (kcat, confluent-kafka-python,
// kafka-python, kafkajs) into test/fixtures/kafka/<scenario>-<api>-v<version>[-<n>].hex.
// A loopback stub broker built on the project's own codecs (dist/, so run `npx tsc -b` first)
// answers just enough for each client to proceed (ApiVersions, Metadata, Produce, groups, admin)
// and records every request frame it receives. Usage:
//   node scripts/capture-kafka-fixtures.js [--out DIR] [--only SCENARIO[,SCENARIO...]] [--list]
// Each scenario runs one client command with a time limit; the stub answers with the ranges the
// broker advertises (api-registry.ts) or, for "flexible" scenarios, every version the schemas have,
// so clients that would switch to flexible versions do so. Requires: kcat, Debian's python3 with
// python3-confluent-kafka and python3-kafka, and kafkajs in node_modules. Scenarios whose tool is
// missing are skipped with a message.

const net = require('node:net');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const P = require(path.join(DIST, 'kafka-broker/src/protocol/index.js'));
const { FrameSplitter } = require(path.join(DIST, 'shared/src/index.js'));

const PYTHON = '/usr/bin/python3';
const HOST = '127.0.0.1';
const FRAME_BYTES_MAX = 100 * 1024 * 1024;
const FRAMES_KEPT_PER_KEY = 2;
const FETCH_WAIT_MS_MAX = 300;
const SCENARIO_TIME_MS = 15_000;
const KILL_GRACE_MS = 5_000;
const HEX_BYTES_PER_LINE = 32;

// -------------------------------------------------------------------------------------------
// Stub broker.

/** @param {string} mode 'broker' (advertised ranges) or 'all' (every schema version) */
function apiVersionsBody(mode) {
  if (mode === 'broker') return P.apiVersionsBody();
  const apiKeys = P.API_NAMES.map((n) => ({
    apiKey: P.APIS[n].apiKey,
    minVersion: P.APIS[n].request.validVersions.min,
    maxVersion: Math.min(P.APIS[n].request.validVersions.max, P.APIS[n].response.validVersions.max),
  }));
  return { errorCode: 0, apiKeys, throttleTimeMs: 0 };
}

function decodeAnyRequest(frame) {
  const prefix = P.peekRequestHeader(frame);
  const api = P.apiNameOf(prefix.apiKey);
  if (api === undefined) throw new Error(`request with unknown api key ${prefix.apiKey}`);
  const schema = P.APIS[api].request;
  const flexible = schema.isFlexible(prefix.apiVersion);
  const { ByteReader } = require(path.join(DIST, 'shared/src/index.js'));
  const r = new ByteReader(frame);
  const header = P.RequestHeader.at(P.requestHeaderVersion(prefix.apiKey, prefix.apiVersion, flexible)).read(
    r,
  );
  const body = schema.hasVersion(prefix.apiVersion) ? schema.at(prefix.apiVersion).read(r) : undefined;
  return { api, version: prefix.apiVersion, header, body };
}

function metadataBody(req, port) {
  const requested = req.topics && req.topics.length > 0 ? req.topics.map((t) => t.name) : ['t'];
  return {
    brokers: [{ nodeId: 0, host: HOST, port, rack: null }],
    clusterId: 'capture-stub',
    controllerId: 0,
    topics: requested.map((name) => ({
      errorCode: 0,
      name,
      isInternal: false,
      partitions: [
        {
          errorCode: 0,
          partitionIndex: 0,
          leaderId: 0,
          leaderEpoch: 0,
          replicaNodes: [0],
          isrNodes: [0],
          offlineReplicas: [],
        },
      ],
    })),
  };
}

const perPartition = (topics, partitionsOf, make) =>
  (topics || []).map((t) => ({
    name: t.name,
    topic: t.topic,
    ...make.topic(t),
    [make.key]: (partitionsOf(t) || []).map(make.partition),
  }));

let memberSeq = 0;

/** Minimal answers that keep a client going; anything else gets the schema's defaults. */
function respond(api, version, req, port, mode) {
  switch (api) {
    case 'ApiVersions':
      return apiVersionsBody(mode);
    case 'Metadata':
      return metadataBody(req, port);
    case 'Produce':
      return {
        responses: req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: 0, baseOffset: 0n })),
        })),
      };
    case 'InitProducerId':
      return { errorCode: 0, producerId: 1000n, producerEpoch: 0 };
    case 'FindCoordinator':
      if (version >= 4)
        return {
          coordinators: req.coordinatorKeys.map((key) => ({
            key,
            nodeId: 0,
            host: HOST,
            port,
            errorCode: 0,
          })),
        };
      return { errorCode: 0, nodeId: 0, host: HOST, port };
    case 'JoinGroup': {
      if (version >= 4 && req.memberId === '')
        return { errorCode: P.ErrorCode.MEMBER_ID_REQUIRED, memberId: `member-${++memberSeq}` };
      const memberId = req.memberId || `member-${++memberSeq}`;
      const protocol = req.protocols[0];
      return {
        errorCode: 0,
        generationId: 1,
        protocolType: req.protocolType,
        protocolName: protocol.name,
        leader: memberId,
        memberId,
        members: [{ memberId, groupInstanceId: null, metadata: protocol.metadata }],
      };
    }
    case 'SyncGroup': {
      const mine = req.assignments.find((a) => a.memberId === req.memberId);
      return {
        errorCode: 0,
        protocolType: req.protocolType,
        protocolName: req.protocolName,
        assignment: mine ? mine.assignment : Buffer.alloc(0),
      };
    }
    case 'OffsetFetch':
      if (version >= 8)
        return {
          groups: req.groups.map((g) => ({
            groupId: g.groupId,
            topics: offsetFetchTopics(g.topics),
            errorCode: 0,
          })),
        };
      return { topics: offsetFetchTopics(req.topics), errorCode: 0 };
    case 'OffsetCommit':
      return {
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })),
        })),
      };
    case 'ListOffsets':
      return {
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: 0,
            oldStyleOffsets: version === 0 ? [0n] : [],
            timestamp: -1n,
            offset: 0n,
          })),
        })),
      };
    case 'Fetch':
      return {
        errorCode: 0,
        sessionId: 0,
        responses: req.topics.map((t) => ({
          topic: t.topic,
          topicId: t.topicId,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partition,
            errorCode: 0,
            highWatermark: 0n,
            lastStableOffset: 0n,
            logStartOffset: 0n,
            records: Buffer.alloc(0),
          })),
        })),
      };
    case 'CreateTopics':
      return {
        topics: req.topics.map((t) => ({
          name: t.name,
          errorCode: 0,
          errorMessage: null,
          numPartitions: Math.max(1, t.numPartitions),
          replicationFactor: 1,
        })),
      };
    case 'DeleteTopics':
      if (version >= 6)
        return { responses: req.topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode: 0 })) };
      return { responses: req.topicNames.map((name) => ({ name, errorCode: 0 })) };
    case 'CreatePartitions':
      return { results: req.topics.map((t) => ({ name: t.name, errorCode: 0, errorMessage: null })) };
    case 'DescribeConfigs':
      return {
        results: req.resources.map((r) => ({
          errorCode: 0,
          errorMessage: null,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          configs: [
            {
              name: 'retention.ms',
              value: '604800000',
              readOnly: false,
              isDefault: version === 0,
              configSource: 5,
              isSensitive: false,
              synonyms: [],
            },
          ],
        })),
      };
    case 'ListGroups':
      return { errorCode: 0, groups: [{ groupId: 'g1', protocolType: 'consumer', groupState: 'Empty' }] };
    case 'DescribeGroups':
      return {
        groups: req.groups.map((groupId) => ({
          errorCode: 0,
          groupId,
          groupState: 'Empty',
          protocolType: 'consumer',
          protocolData: '',
          members: [],
        })),
      };
    case 'DeleteGroups':
      return { results: req.groupsNames.map((groupId) => ({ groupId, errorCode: 0 })) };
    case 'LeaveGroup':
      return {
        errorCode: 0,
        members: (req.members || []).map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          errorCode: 0,
        })),
      };
    default:
      return {};
  }
}

function offsetFetchTopics(topics) {
  return (topics || []).map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      committedOffset: -1n,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode: 0,
    })),
  }));
}

function kebab(name) {
  return name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

function toHex(frame, comment) {
  const hex = frame.toString('hex');
  const lines = [];
  for (let i = 0; i < hex.length; i += HEX_BYTES_PER_LINE * 2)
    lines.push(hex.slice(i, i + HEX_BYTES_PER_LINE * 2));
  return `${comment.map((c) => `# ${c}`).join('\n')}\n${lines.join('\n')}\n`;
}

/** Starts the stub; `scenario` is swapped per run. Returns { port, setScenario, close }. */
function startStub() {
  let current = null;
  const server = net.createServer((socket) => {
    const splitter = new FrameSplitter(FRAME_BYTES_MAX);
    let queue = Promise.resolve();
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      let frames;
      try {
        frames = splitter.push(chunk);
      } catch (e) {
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        queue = queue
          .then(() => handle(socket, Buffer.from(frame)))
          .catch((e) => {
            console.error(`stub: ${e.message}`);
            socket.destroy();
          });
      }
    });
  });

  async function handle(socket, frame) {
    const scenario = current;
    if (scenario === null || socket.destroyed) return;
    const prefix = P.peekRequestHeader(frame);
    const api = P.apiNameOf(prefix.apiKey) ?? `key${prefix.apiKey}`;
    scenario.record(api, prefix.apiVersion, frame);
    if (P.apiNameOf(prefix.apiKey) === undefined) {
      socket.destroy();
      return;
    }
    const advertised =
      scenario.mode === 'broker'
        ? P.isVersionSupported(api, prefix.apiVersion)
        : P.APIS[api].request.hasVersion(prefix.apiVersion);
    if (!advertised) {
      if (api === 'ApiVersions') socket.write(P.encodeUnsupportedApiVersionsResponse(prefix.correlationId));
      else socket.destroy();
      return;
    }
    const req = decodeAnyRequest(frame);
    if (api === 'Produce' && req.body.acks === 0) return;
    if (api === 'Fetch')
      await new Promise((res) =>
        setTimeout(res, Math.min(FETCH_WAIT_MS_MAX, Math.max(0, req.body.maxWaitMs))),
      );
    const body = respond(api, prefix.apiVersion, req.body, port, scenario.mode);
    if (!socket.destroyed)
      socket.write(P.encodeResponseFrame(api, prefix.apiVersion, prefix.correlationId, body));
  }

  let port = 0;
  return new Promise((resolve) => {
    server.listen(0, HOST, () => {
      port = /** @type {net.AddressInfo} */ (server.address()).port;
      resolve({
        port,
        setScenario: (s) => {
          current = s;
        },
        close: () => new Promise((res) => server.close(() => res(undefined))),
      });
    });
  });
}

// -------------------------------------------------------------------------------------------
// Scenarios.

const KJS = (body) => [
  process.execPath,
  '-e',
  `const { Kafka, logLevel } = require(${JSON.stringify(path.join(ROOT, 'node_modules/kafkajs'))});
   const kafka = new Kafka({ clientId: 'kjs', brokers: [process.env.BROKER], logLevel: logLevel.NOTHING, retry: { retries: 1 } });
   (async () => { ${body} })().then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });`,
];

const PY = (body) => [PYTHON, '-c', `import os, sys\nB = os.environ['BROKER']\n${body}`];

const SEQ_LINES = 'hello kafka compression payload hello kafka compression payload\n'.repeat(40);

/** @type {{ name: string, tool: string, mode: 'broker'|'all', cmd: string[], what?: string, stdin?: string, timeMs?: number, stopAfterMs?: number }[]} */
const SCENARIOS = [
  {
    name: 'kcat-produce',
    tool: 'kcat',
    mode: 'broker',
    cmd: ['kcat', '-P', '-b', '$B', '-t', 't', '-k', 'key1', '-X', 'linger.ms=200'],
    stdin: 'm1\nm2\nm3\n',
  },
  {
    name: 'kcat-produce-gzip',
    tool: 'kcat',
    mode: 'broker',
    cmd: ['kcat', '-P', '-b', '$B', '-t', 't', '-z', 'gzip'],
    stdin: SEQ_LINES,
  },
  {
    name: 'kcat-produce-snappy',
    tool: 'kcat',
    mode: 'broker',
    cmd: ['kcat', '-P', '-b', '$B', '-t', 't', '-z', 'snappy'],
    stdin: SEQ_LINES,
  },
  {
    name: 'kcat-produce-lz4',
    tool: 'kcat',
    mode: 'broker',
    cmd: ['kcat', '-P', '-b', '$B', '-t', 't', '-z', 'lz4'],
    stdin: SEQ_LINES,
  },
  {
    name: 'kcat-produce-zstd',
    tool: 'kcat',
    mode: 'broker',
    cmd: ['kcat', '-P', '-b', '$B', '-t', 't', '-z', 'zstd'],
    stdin: SEQ_LINES,
  },
  {
    name: 'kcat-produce-headers',
    tool: 'kcat',
    mode: 'broker',
    cmd: ['kcat', '-P', '-b', '$B', '-t', 't', '-H', 'h1=v1', '-H', 'h2=v2'],
    stdin: 'with-headers\n',
  },
  {
    name: 'kcat-consume',
    tool: 'kcat',
    mode: 'broker',
    cmd: ['kcat', '-C', '-b', '$B', '-t', 't', '-o', 'beginning', '-e', '-q'],
  },
  { name: 'kcat-metadata', tool: 'kcat', mode: 'broker', cmd: ['kcat', '-L', '-b', '$B'] },
  {
    name: 'kcat-group',
    tool: 'kcat',
    mode: 'broker',
    cmd: ['kcat', '-b', '$B', '-G', 'g1', '-X', 'auto.offset.reset=earliest', 't'],
    stopAfterMs: 6000,
  },
  {
    name: 'kcat-group-flexible',
    tool: 'kcat',
    mode: 'all',
    cmd: ['kcat', '-b', '$B', '-G', 'g1', '-X', 'auto.offset.reset=earliest', 't'],
    stopAfterMs: 6000,
  },
  {
    name: 'ckp-idempotent',
    what: 'Producer(enable.idempotence=True, linger.ms=0); produce 3 keyed messages to t; flush',
    tool: 'confluent-kafka',
    mode: 'broker',
    cmd: PY(`from confluent_kafka import Producer
p = Producer({'bootstrap.servers': B, 'enable.idempotence': True, 'linger.ms': 0})
for i in range(3): p.produce('t', value=b'm%d' % i, key=b'k%d' % i)
sys.exit(p.flush(10))`),
  },
  {
    name: 'ckp-idempotent-flexible',
    what: 'Producer(enable.idempotence=True); produce 1 message; flush',
    tool: 'confluent-kafka',
    mode: 'all',
    cmd: PY(`from confluent_kafka import Producer
p = Producer({'bootstrap.servers': B, 'enable.idempotence': True, 'linger.ms': 0})
p.produce('t', value=b'm0', key=b'k0')
sys.exit(p.flush(10))`),
  },
  {
    name: 'ckp-admin',
    what: 'AdminClient: create_topics t2 (3 partitions, retention.ms), create_partitions t2 -> 4, describe_configs topic t2, list_groups, delete_topics t2',
    tool: 'confluent-kafka',
    mode: 'broker',
    cmd: PY(`from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource
a = AdminClient({'bootstrap.servers': B})
for f in a.create_topics([NewTopic('t2', num_partitions=3, replication_factor=1, config={'retention.ms': '1000'})]).values(): f.result(10)
for f in a.create_partitions([NewPartitions('t2', 4)]).values(): f.result(10)
for f in a.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, 't2')]).values(): f.result(10)
a.list_groups(timeout=5)
for f in a.delete_topics(['t2']).values(): f.result(10)`),
  },
  {
    name: 'ckp-admin-flexible',
    what: 'AdminClient: list_groups',
    tool: 'confluent-kafka',
    mode: 'all',
    cmd: PY(`from confluent_kafka.admin import AdminClient
a = AdminClient({'bootstrap.servers': B})
a.list_groups(timeout=5)`),
  },
  {
    name: 'kafka-python-producer',
    what: "KafkaProducer(acks='all', linger_ms=0); send 3 keyed messages to t; flush",
    tool: 'kafka-python',
    mode: 'broker',
    cmd: PY(`from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=B, acks='all', linger_ms=0)
for i in range(3): p.send('t', value=b'm%d' % i, key=b'k%d' % i)
p.flush(10); p.close(5)`),
  },
  {
    name: 'kafka-python-producer-gzip',
    what: "KafkaProducer(acks=1, compression_type='gzip'); send 20 messages; flush",
    tool: 'kafka-python',
    mode: 'broker',
    cmd: PY(`from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=B, acks=1, compression_type='gzip')
for i in range(20): p.send('t', value=b'hello kafka compression %d' % (i % 3))
p.flush(10); p.close(5)`),
  },
  {
    name: 'kafka-python-magic0',
    what: 'KafkaProducer(acks=1, api_version=(0, 8, 2), linger_ms=200); send 3 keyed messages; flush',
    tool: 'kafka-python',
    mode: 'broker',
    cmd: PY(`from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=B, acks=1, api_version=(0, 8, 2), linger_ms=200)
for i in range(3): p.send('t', value=b'm%d' % i, key=b'k%d' % i)
p.flush(10); p.close(5)`),
  },
  {
    name: 'kafka-python-magic0-gzip',
    what: "KafkaProducer(acks=1, api_version=(0, 8, 2), compression_type='gzip'); send 20 messages; flush",
    tool: 'kafka-python',
    mode: 'broker',
    cmd: PY(`from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=B, acks=1, api_version=(0, 8, 2), compression_type='gzip')
for i in range(20): p.send('t', value=b'hello kafka compression %d' % (i % 3), key=b'k')
p.flush(10); p.close(5)`),
  },
  {
    name: 'kafka-python-magic1',
    what: 'KafkaProducer(acks=1, api_version=(0, 10, 1), linger_ms=200); send 3 keyed messages; flush',
    tool: 'kafka-python',
    mode: 'broker',
    cmd: PY(`from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=B, acks=1, api_version=(0, 10, 1), linger_ms=200)
for i in range(3): p.send('t', value=b'm%d' % i, key=b'k%d' % i)
p.flush(10); p.close(5)`),
  },
  {
    name: 'kafka-python-magic1-gzip',
    what: "KafkaProducer(acks=1, api_version=(0, 10, 1), compression_type='gzip'); send 20 messages; flush",
    tool: 'kafka-python',
    mode: 'broker',
    cmd: PY(`from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=B, acks=1, api_version=(0, 10, 1), compression_type='gzip')
for i in range(20): p.send('t', value=b'hello kafka compression %d' % (i % 3))
p.flush(10); p.close(5)`),
  },
  {
    name: 'kafka-python-consumer',
    what: "KafkaConsumer('t', group_id='g2', auto_offset_reset='earliest', consumer_timeout_ms=4000); iterate; commit offset 5; close",
    tool: 'kafka-python',
    mode: 'broker',
    cmd: PY(`from kafka import KafkaConsumer
c = KafkaConsumer('t', bootstrap_servers=B, group_id='g2', auto_offset_reset='earliest', consumer_timeout_ms=4000, heartbeat_interval_ms=1000)
for m in c: pass
c.commit({__import__('kafka').TopicPartition('t', 0): __import__('kafka').OffsetAndMetadata(5, '')})
c.close()`),
  },
  {
    name: 'kafka-python-admin',
    what: 'KafkaAdminClient: create_topics t3, describe_configs, list_consumer_groups, describe_consumer_groups g1, delete_topics t3',
    tool: 'kafka-python',
    mode: 'broker',
    cmd: PY(`from kafka.admin import KafkaAdminClient, NewTopic, ConfigResource, ConfigResourceType
a = KafkaAdminClient(bootstrap_servers=B)
a.create_topics([NewTopic('t3', 2, 1)])
a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 't3')])
a.list_consumer_groups()
a.describe_consumer_groups(['g1'])
a.delete_topics(['t3'])
a.close()`),
  },
  {
    name: 'kafkajs-producer',
    what: 'producer.send 2 keyed messages (one with a header), acks -1',
    tool: 'kafkajs',
    mode: 'broker',
    cmd: KJS(`const p = kafka.producer(); await p.connect();
      await p.send({ topic: 't', acks: -1, messages: [{ key: 'k0', value: 'm0', headers: { h: 'v' } }, { key: 'k1', value: 'm1' }] });
      await p.disconnect();`),
  },
  {
    name: 'kafkajs-producer-gzip',
    what: 'producer.send 10 messages with CompressionTypes.GZIP',
    tool: 'kafkajs',
    mode: 'broker',
    cmd: KJS(`const { CompressionTypes } = require(${JSON.stringify(path.join(ROOT, 'node_modules/kafkajs'))});
      const p = kafka.producer(); await p.connect();
      await p.send({ topic: 't', compression: CompressionTypes.GZIP, messages: Array.from({ length: 10 }, (_, i) => ({ value: 'hello kafka ' + (i % 2) })) });
      await p.disconnect();`),
  },
  {
    name: 'kafkajs-idempotent',
    what: 'producer({ idempotent: true, maxInFlightRequests: 1 }).send 1 message',
    tool: 'kafkajs',
    mode: 'broker',
    cmd: KJS(`const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); await p.connect();
      await p.send({ topic: 't', acks: -1, messages: [{ key: 'k0', value: 'm0' }] });
      await p.disconnect();`),
  },
  {
    name: 'kafkajs-consumer',
    what: "consumer({ groupId: 'g3' }); subscribe t fromBeginning; run 3 s; commitOffsets t/0 = 5; disconnect",
    tool: 'kafkajs',
    mode: 'broker',
    stopAfterMs: 9000,
    cmd: KJS(`const c = kafka.consumer({ groupId: 'g3', heartbeatInterval: 500, maxWaitTimeInMs: 200 }); await c.connect();
      await c.subscribe({ topic: 't', fromBeginning: true });
      await c.run({ eachMessage: async () => {} });
      await new Promise((r) => setTimeout(r, 3000));
      await c.commitOffsets([{ topic: 't', partition: 0, offset: '5' }]).catch(() => {});
      await c.disconnect();`),
  },
  {
    name: 'kafkajs-admin',
    what: 'admin: createTopics t4, createPartitions t4 -> 3, describeConfigs, listGroups, describeGroups g3, fetchOffsets, deleteGroups g3, deleteTopics t4',
    tool: 'kafkajs',
    mode: 'broker',
    cmd: KJS(`const a = kafka.admin(); await a.connect();
      await a.createTopics({ topics: [{ topic: 't4', numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
      await a.createPartitions({ topicPartitions: [{ topic: 't4', count: 3 }] });
      await a.describeConfigs({ resources: [{ type: 2, name: 't4' }], includeSynonyms: false });
      await a.listGroups();
      await a.describeGroups(['g3']);
      await a.fetchOffsets({ groupId: 'g3', topics: ['t'] }).catch(() => {});
      await a.deleteGroups(['g3']).catch(() => {});
      await a.deleteTopics({ topics: ['t4'] });
      await a.disconnect();`),
  },
];

// -------------------------------------------------------------------------------------------
// Running.

function toolVersion(tool) {
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  switch (tool) {
    case 'kcat': {
      const v = run('kcat', ['-V']);
      const m = v && /Version ([^\s]+) .*librdkafka ([^\s]+)/.exec(v);
      return m ? `kcat ${m[1]} (librdkafka ${m[2]})` : undefined;
    }
    case 'confluent-kafka':
      return run(PYTHON, [
        '-c',
        'import confluent_kafka as c; print("confluent-kafka %s (librdkafka %s)" % (c.version()[0], c.libversion()[0]))',
      ]);
    case 'kafka-python':
      return run(PYTHON, ['-c', 'import kafka; print("kafka-python %s" % kafka.__version__)']);
    case 'kafkajs':
      return fs.existsSync(path.join(ROOT, 'node_modules/kafkajs/package.json'))
        ? `kafkajs ${JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/kafkajs/package.json'), 'utf8')).version}`
        : undefined;
    default:
      return undefined;
  }
}

function runScenario(stub, scenario, outDir) {
  const kept = new Map();
  const written = [];
  const record = (api, version, frame) => {
    const key = `${api}-v${version}`;
    const n = (kept.get(key) ?? 0) + 1;
    kept.set(key, n);
    if (n > FRAMES_KEPT_PER_KEY) return;
    const file = `${scenario.name}-${kebab(api)}-v${version}${n > 1 ? `-${n}` : ''}.hex`;
    const comment = [
      `${scenario.versionText}: ${api} v${version} request frame (without its size prefix)`,
      `scenario ${scenario.name}; see PROVENANCE.md`,
    ];
    fs.writeFileSync(path.join(outDir, file), toHex(frame, comment));
    written.push(file);
  };
  stub.setScenario({ mode: scenario.mode, record });
  const broker = `${HOST}:${stub.port}`;
  const argv = scenario.cmd.map((a) => (a === '$B' ? broker : a));
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, BROKER: broker },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {});
    child.stdin.end(scenario.stdin ?? '');
    const stopTimer = scenario.stopAfterMs
      ? setTimeout(() => child.kill('SIGTERM'), scenario.stopAfterMs)
      : undefined;
    const limitTimer = setTimeout(() => child.kill('SIGTERM'), scenario.timeMs ?? SCENARIO_TIME_MS);
    const killTimer = setTimeout(
      () => child.kill('SIGKILL'),
      (scenario.timeMs ?? SCENARIO_TIME_MS) + KILL_GRACE_MS,
    );
    child.on('exit', (code, signal) => {
      for (const t of [stopTimer, limitTimer, killTimer]) if (t) clearTimeout(t);
      stub.setScenario(null);
      resolve({
        code,
        signal,
        stderr: stderr.trim().split('\n').slice(-3).join(' | '),
        written: written.sort(),
      });
    });
  });
}

const PROVENANCE = path.join(ROOT, 'test/fixtures/PROVENANCE.md');
const TABLE_BEGIN = '<!-- kafka-fixtures:begin (table rewritten by scripts/capture-kafka-fixtures.js) -->';
const TABLE_END = '<!-- kafka-fixtures:end -->';
const TABLE_HEAD = [
  '| Fixtures | Tool (client) | Stub advertised | Command | Date |',
  '|---|---|---|---|---|',
];

/** Replaces the rows of the scenarios just run in the Kafka table of PROVENANCE.md, keeping the others. */
function updateProvenance(rows) {
  const text = fs.existsSync(PROVENANCE) ? fs.readFileSync(PROVENANCE, 'utf8') : '# Fixture provenance\n';
  const begin = text.indexOf(TABLE_BEGIN);
  const end = text.indexOf(TABLE_END);
  if (begin < 0 || end < begin) {
    console.error(`PROVENANCE.md has no ${TABLE_BEGIN} marker; table not written`);
    return;
  }
  const old = text
    .slice(begin + TABLE_BEGIN.length, end)
    .split('\n')
    .filter((l) => l.startsWith('| `kafka/'));
  const byScenario = new Map(old.map((l) => [/`kafka\/([^`*]+)-\*/.exec(l)?.[1] ?? l, l]));
  for (const [name, row] of rows) byScenario.set(name, row);
  const order = SCENARIOS.map((s) => s.name);
  const sorted = [...byScenario.entries()]
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([, l]) => l);
  const table = ['', ...TABLE_HEAD, ...sorted, ''].join('\n');
  fs.writeFileSync(PROVENANCE, text.slice(0, begin + TABLE_BEGIN.length) + table + text.slice(end));
}

const API_FILE_PART = new RegExp(`^(${P.API_NAMES.map(kebab).join('|')})-v\\d+(-\\d+)?\\.hex$`);

/** Deletes the frames an earlier run of this scenario wrote (not those of scenarios it prefixes). */
function removeFrames(outDir, scenarioName) {
  for (const f of fs.readdirSync(outDir)) {
    if (f.startsWith(`${scenarioName}-`) && API_FILE_PART.test(f.slice(scenarioName.length + 1)))
      fs.unlinkSync(path.join(outDir, f));
  }
}

function commandText(scenario) {
  if (scenario.cmd[0] === process.execPath)
    return `node -e <kafkajs script "${scenario.name}" in scripts/capture-kafka-fixtures.js>: ${scenario.what}`;
  if (scenario.cmd[0] === PYTHON)
    return `/usr/bin/python3 -c <script "${scenario.name}" in scripts/capture-kafka-fixtures.js>: ${scenario.what}`;
  const stdin =
    scenario.stdin === undefined
      ? ''
      : scenario.stdin.length > 40
        ? ' < 40 identical text lines'
        : ` < ${JSON.stringify(scenario.stdin)}`;
  const stop = scenario.stopAfterMs ? ` (stopped with SIGTERM after ${scenario.stopAfterMs / 1000} s)` : '';
  return `\`${scenario.cmd.join(' ').replace('$B', '127.0.0.1:<stub>')}${stdin}\`${stop}`;
}

async function main() {
  const args = process.argv.slice(2);
  const outDir = path.resolve(
    ROOT,
    args.includes('--out') ? args[args.indexOf('--out') + 1] : 'test/fixtures/kafka',
  );
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
  if (args.includes('--list')) {
    for (const s of SCENARIOS) console.log(`${s.name}\t${s.tool}\t${s.mode}`);
    return;
  }
  fs.mkdirSync(outDir, { recursive: true });
  const stub = await startStub();
  const date = new Date().toISOString().slice(0, 10);
  const rows = [];
  for (const scenario of SCENARIOS) {
    if (only && !only.includes(scenario.name)) continue;
    const versionText = toolVersion(scenario.tool);
    if (versionText === undefined) {
      console.error(`skip ${scenario.name}: ${scenario.tool} not available`);
      continue;
    }
    removeFrames(outDir, scenario.name);
    const result = await runScenario(stub, { ...scenario, versionText }, outDir);
    const advertised = scenario.mode === 'broker' ? 'api-registry ranges' : 'every schema version';
    rows.push([
      scenario.name,
      `| \`kafka/${scenario.name}-*.hex\` (${result.written.length}) | ${versionText} | ${advertised} | ${commandText(scenario)} | ${date} |`,
    ]);
    console.error(
      `${scenario.name}: exit ${result.code ?? result.signal}, ${result.written.length} frames${result.code ? `; ${result.stderr}` : ''}`,
    );
  }
  if (outDir === path.join(ROOT, 'test/fixtures/kafka')) updateProvenance(rows);
  await stub.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
