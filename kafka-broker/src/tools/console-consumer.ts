// kafka-console-consumer: records of --topic (or of the topics matching --whitelist/--include) to
// stdout, one per line in the DefaultMessageFormatter's format (record-formatter.ts), as Kafka
// 2.8's ConsoleConsumer. With --group (or group.id in --consumer-property/--consumer.config) it is a
// group member: committed offsets first, auto-commit every 5 s and on exit. Without a group it
// reads every partition itself, from auto.offset.reset: latest, or earliest with --from-beginning
// (Kafka uses a throw-away console-consumer-NNNNN group there, which changes nothing it prints).
// --partition N [--offset earliest|latest|N] reads one partition. It stops after --max-messages,
// after --timeout-ms without a record, or on Ctrl-C, and always ends with
// "Processed a total of N messages" on stderr.

import { readFileSync } from 'node:fs';
import { parseProperties } from '../../../shared/src';
import { Consumer, ConsumerOptions, ConsumerRecord, OffsetResetPolicy } from '../client/consumer';
import { API_TIMEOUT_MS_DEFAULT, KafkaClient, topicPartitionKey } from '../client/kafka-client';
import { formatRecord, formatterSettings } from './record-formatter';
import {
  ToolExit,
  ToolIo,
  UsageError,
  bootstrapEndpoints,
  clientOptions,
  connectClient,
  errorReason,
  exitCodeForStop,
  logLine,
  parseKeyValues,
} from './tool-io';

export const CONSUMER_DESCRIPTION =
  'This tool helps to read data from Kafka topics and outputs it to standard output.';
const DEFAULT_FORMATTER = 'kafka.tools.DefaultMessageFormatter';
/** Kafka's consumer defaults that the tool uses. */
const CONSUMER_DEFAULTS = {
  'enable.auto.commit': 'true',
  'auto.commit.interval.ms': '5000',
  'session.timeout.ms': '10000',
  'heartbeat.interval.ms': '3000',
  'max.poll.interval.ms': '300000',
  'fetch.max.wait.ms': '500',
  'fetch.min.bytes': '1',
  'fetch.max.bytes': '52428800',
  'max.partition.fetch.bytes': '1048576',
  'metadata.max.age.ms': '300000',
  'allow.auto.create.topics': 'true',
  'isolation.level': 'read_uncommitted',
} as const;
const KNOWN_CONSUMER_CONFIGS = new Set([
  ...Object.keys(CONSUMER_DEFAULTS),
  'client.id',
  'bootstrap.servers',
  'group.id',
  'auto.offset.reset',
  'request.timeout.ms',
  'key.deserializer',
  'value.deserializer',
  'group.instance.id',
]);
/** A poll without a --timeout-ms waits this long at a time, so Ctrl-C and rebalances are seen. */
const POLL_STEP_MS = 1_000;

export interface ConsoleConsumerArgs {
  readonly bootstrapServer?: string;
  readonly topic?: string;
  readonly whitelist?: string;
  readonly include?: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly group?: string;
  readonly fromBeginning?: boolean;
  readonly maxMessages?: number;
  readonly timeoutMs?: number;
  readonly property?: readonly string[];
  readonly consumerProperty?: readonly string[];
  readonly consumerConfig?: string;
  readonly formatter?: string;
  readonly isolationLevel?: string;
  readonly skipMessageOnError?: boolean;
}

export interface ConsoleConsumerDeps {
  readonly readFile?: (path: string) => string;
}

type StartOffset = 'earliest' | 'latest' | bigint;

interface Plan {
  readonly topics: readonly string[] | RegExp;
  readonly partition: number | undefined;
  readonly startOffset: StartOffset;
  readonly groupId: string | null;
  readonly props: Map<string, string>;
}

function parseOffset(text: string): StartOffset {
  const t = text.toLowerCase();
  if (t === 'earliest' || t === 'latest') return t;
  if (/^\d+$/.test(t)) return BigInt(t);
  throw new UsageError(
    `The provided offset value '${text}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`,
  );
}

/** Kafka's ConsumerConfig checks and consumerProps; returns what to read and the consumer configs. */
export function planConsumer(a: ConsoleConsumerArgs, deps: ConsoleConsumerDeps): Plan {
  const pattern = a.whitelist ?? a.include;
  if ((a.topic === undefined) === (pattern === undefined))
    throw new UsageError('Exactly one of whitelist/topic is required.');
  if (a.formatter !== undefined && a.formatter !== DEFAULT_FORMATTER) {
    throw new UsageError(
      `Only the default formatter (${DEFAULT_FORMATTER}) is available; got ${a.formatter}`,
    );
  }
  if (a.partition !== undefined) {
    if (a.topic === undefined) throw new UsageError('The topic is required when partition is specified.');
    if (a.fromBeginning && a.offset !== undefined)
      throw new UsageError('Options from-beginning and offset cannot be specified together.');
  } else if (a.offset !== undefined) {
    throw new UsageError('The partition is required when offset is specified.');
  }
  const startOffset =
    a.offset !== undefined ? parseOffset(a.offset) : a.fromBeginning ? 'earliest' : 'latest';
  if (a.bootstrapServer === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
  const fileProps = new Map<string, string>();
  if (a.consumerConfig !== undefined) {
    const read = deps.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
    for (const e of parseProperties(read(a.consumerConfig))) fileProps.set(e.key, e.value);
  }
  const extra = parseKeyValues(a.consumerProperty);
  const groups = new Set(
    [a.group, fileProps.get('group.id'), extra.get('group.id')].filter((g) => g !== undefined),
  );
  if (groups.size > 1) {
    throw new UsageError(
      "The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. " +
        `Detected group ids: ${[...groups].map((g) => `'${g}'`).join(', ')}`,
    );
  }
  const groupId = [...groups][0] ?? null;
  if (groupId !== null && a.partition !== undefined)
    throw new UsageError('Options group and partition cannot be specified together.');
  const props = new Map<string, string>([...Object.entries(CONSUMER_DEFAULTS), ...fileProps, ...extra]);
  if (groupId === null && !fileProps.has('enable.auto.commit') && !extra.has('enable.auto.commit'))
    props.set('enable.auto.commit', 'false');
  // The Java consumer's client.id: consumer-<group>-<n> (Kafka's console consumer always has a group).
  if (!props.has('client.id')) props.set('client.id', `consumer-${groupId ?? 'console-consumer'}-1`);
  if (a.isolationLevel !== undefined) props.set('isolation.level', a.isolationLevel);
  const explicitReset = fileProps.get('auto.offset.reset') ?? extra.get('auto.offset.reset');
  if (explicitReset !== undefined) {
    if (a.fromBeginning && explicitReset !== 'earliest') {
      throw new UsageError(
        `Can't simultaneously specify --from-beginning and 'auto.offset.reset=${explicitReset}', please remove one option`,
      );
    }
    props.set('auto.offset.reset', explicitReset);
  } else {
    props.set('auto.offset.reset', a.fromBeginning ? 'earliest' : 'latest');
  }
  const topics =
    a.topic !== undefined ? [a.topic] : new RegExp(`^(?:${pattern!.trim().replace(/,/g, '|')})$`);
  return { topics, partition: a.partition, startOffset, groupId, props };
}

function consumerOptions(p: Plan): ConsumerOptions {
  const num = (key: string): number => {
    const n = Number(p.props.get(key));
    if (!Number.isFinite(n))
      throw new UsageError(
        `Invalid value ${p.props.get(key)} for configuration ${key}: Not a number of type INT`,
      );
    return n;
  };
  const reset = p.props.get('auto.offset.reset')!;
  if (reset !== 'earliest' && reset !== 'latest' && reset !== 'none') {
    throw new UsageError(
      `Invalid value ${reset} for configuration auto.offset.reset: String must be one of: latest, earliest, none`,
    );
  }
  const isolation = p.props.get('isolation.level');
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') {
    throw new UsageError(
      `Invalid value ${isolation} for configuration isolation.level: String must be one of: read_committed, read_uncommitted`,
    );
  }
  return {
    groupId: p.groupId,
    autoOffsetReset: reset as OffsetResetPolicy,
    enableAutoCommit: p.props.get('enable.auto.commit')!.trim().toLowerCase() === 'true',
    autoCommitIntervalMs: num('auto.commit.interval.ms'),
    sessionTimeoutMs: num('session.timeout.ms'),
    rebalanceTimeoutMs: num('max.poll.interval.ms'),
    heartbeatIntervalMs: num('heartbeat.interval.ms'),
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    maxWaitMs: num('fetch.max.wait.ms'),
    minBytes: num('fetch.min.bytes'),
    fetchMaxBytes: num('fetch.max.bytes'),
    partitionMaxBytes: num('max.partition.fetch.bytes'),
    metadataMaxAgeMs: num('metadata.max.age.ms'),
    allowAutoTopicCreation: p.props.get('allow.auto.create.topics')!.trim().toLowerCase() === 'true',
  };
}

export async function runConsoleConsumer(
  a: ConsoleConsumerArgs,
  io: ToolIo,
  deps: ConsoleConsumerDeps,
): Promise<number> {
  const plan = planConsumer(a, deps);
  const options = consumerOptions(plan);
  for (const key of plan.props.keys()) {
    if (!KNOWN_CONSUMER_CONFIGS.has(key)) {
      io.stderr.write(
        logLine('WARN', `The configuration '${key}' was supplied but isn't a known config.`, io.nowMs()),
      );
    }
  }
  const endpoints = bootstrapEndpoints(a.bootstrapServer, 'bootstrap-server');
  const clientId = plan.props.get('client.id')!;
  const deadline =
    a.timeoutMs !== undefined ? Date.now() + Math.max(a.timeoutMs, 1) : Number.MAX_SAFE_INTEGER;
  let count = 0;
  let client;
  try {
    client = await connectClient(io, clientOptions(io, endpoints, clientId), deadline);
  } catch (e) {
    io.stderr.write(logLine('ERROR', `Unknown error when running consumer: ${errorReason(e)}`, io.nowMs()));
    io.stderr.write(`Processed a total of ${count} messages\n`);
    return ToolExit.ERROR;
  }
  if (client === null) {
    io.stderr.write(`Processed a total of ${count} messages\n`);
    return exitCodeForStop(io.signal);
  }
  const consumer = new Consumer(client, options);
  let failed = false;
  try {
    await start(consumer, plan, client);
    const result = await consume(consumer, a, io);
    count = result.count;
    failed = result.failed;
  } catch (e) {
    io.stderr.write(logLine('ERROR', `Unknown error when running consumer: ${errorReason(e)}`, io.nowMs()));
    failed = true;
  } finally {
    await consumer.close().catch(() => undefined);
    client.close();
    io.stderr.write(`Processed a total of ${count} messages\n`);
  }
  if (io.signal.aborted) return exitCodeForStop(io.signal);
  return failed ? ToolExit.ERROR : ToolExit.OK;
}

async function start(consumer: Consumer, plan: Plan, client: KafkaClient): Promise<void> {
  if (plan.partition === undefined) {
    await consumer.subscribe(plan.topics, Date.now() + API_TIMEOUT_MS_DEFAULT);
    return;
  }
  const tp = { topic: (plan.topics as string[])[0]!, partition: plan.partition };
  await client.waitForTopics([tp.topic], false, Date.now() + API_TIMEOUT_MS_DEFAULT);
  consumer.assign([tp]);
  consumer.seek(tp, plan.startOffset);
}

/** The poll loop of ConsoleConsumer.process: prints records until a stop condition. */
async function consume(
  consumer: Consumer,
  a: ConsoleConsumerArgs,
  io: ToolIo,
): Promise<{ count: number; failed: boolean }> {
  const formatter = formatterSettings(parseKeyValues(a.property));
  const max = a.maxMessages !== undefined && a.maxMessages >= 0 ? a.maxMessages : Infinity;
  let count = 0;
  let writeFailed = false;
  const onError = (): void => void (writeFailed = true);
  const stdout = io.stdout as { on?: (event: string, f: () => void) => void };
  stdout.on?.('error', onError);
  while (count < max && !io.signal.aborted) {
    const records = await pollOnce(consumer, a.timeoutMs, io.signal);
    if (records === null) {
      io.stderr.write(
        logLine('ERROR', 'Error processing message, terminating consumer process: ', io.nowMs()),
      );
      io.stderr.write('org.apache.kafka.common.errors.TimeoutException\n');
      break;
    }
    let i = 0;
    for (; i < records.length && count < max; i++) {
      io.stdout.write(formatRecord(records[i]!, formatter));
      count++;
      if (writeFailed) break;
    }
    if (i < records.length) seekBack(consumer, records.slice(i));
    if (writeFailed) {
      io.stderr.write('Unable to write to standard out, closing consumer.\n');
      break;
    }
  }
  return { count, failed: false };
}

/** Records of one poll; null when --timeout-ms passed without any. */
async function pollOnce(
  consumer: Consumer,
  timeoutMs: number | undefined,
  signal: AbortSignal,
): Promise<ConsumerRecord[] | null> {
  if (timeoutMs === undefined) {
    for (;;) {
      const records = await consumer.poll(POLL_STEP_MS, signal);
      if (records.length > 0 || signal.aborted) return records;
    }
  }
  const records = await consumer.poll(timeoutMs, signal);
  return records.length === 0 && !signal.aborted ? null : records;
}

/** ConsumerWrapper.resetUnconsumedOffsets: unprinted records are not committed as consumed. */
function seekBack(consumer: Consumer, unconsumed: readonly ConsumerRecord[]): void {
  const first = new Map<string, ConsumerRecord>();
  for (const r of unconsumed) if (!first.has(topicPartitionKey(r))) first.set(topicPartitionKey(r), r);
  for (const r of first.values()) consumer.seek(r, r.offset);
}
