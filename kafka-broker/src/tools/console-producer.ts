// kafka-console-producer: each line of stdin becomes a record of --topic (Kafka 2.8's
// ConsoleProducer with its LineMessageReader). --property parse.key=true splits a line at
// key.separator (default a tab) into key and value; ignore.error=true sends a line without the
// separator as a value instead of stopping. Producer settings: --producer.config file, then
// --producer-property k=v, then the tool's own options where given (--request-required-acks,
// --timeout = linger.ms, ...), else their defaults; --compression-codec [codec] (gzip when given
// without a value) or --compression-type. A ">" prompt is printed before each line only when stdin
// and stdout are a terminal. Failed sends are logged and the tool goes on, as Kafka's does; at end
// of input (or Ctrl-C) everything queued is sent before the tool exits.

import { readFileSync } from 'node:fs';
import * as readline from 'node:readline';
import { parseProperties } from '../../../shared/src';
import { KafkaClient } from '../client/kafka-client';
import { Producer, ProducerOptions } from '../client/producer';
import { CompressionType, compressionTypeByName, loadZstdCompressor } from '../protocol';
import {
  ToolExit,
  ToolIo,
  UsageError,
  bootstrapEndpoints,
  clientOptions,
  errorReason,
  exitCodeForStop,
  logLine,
  parseKeyValues,
} from './tool-io';

export const PRODUCER_DESCRIPTION =
  'This tool helps to read data from standard input and publish it to Kafka.';
const CLIENT_ID_DEFAULT = 'console-producer';
/** Kafka's buffer.memory default: reading stdin pauses while this much waits to be sent. */
export const BUFFER_MEMORY_BYTES_DEFAULT = 32 * 1024 * 1024;

export interface ConsoleProducerArgs {
  readonly bootstrapServer?: string;
  readonly brokerList?: string;
  readonly topic?: string;
  readonly sync?: boolean;
  /** undefined: not given; '': given without a value (gzip). */
  readonly compressionCodec?: string;
  readonly compressionType?: string;
  readonly messageSendMaxRetries?: number;
  readonly retryBackoffMs?: number;
  readonly timeout?: number;
  readonly requestRequiredAcks?: string;
  readonly requestTimeoutMs?: number;
  readonly maxBlockMs?: number;
  readonly maxMemoryBytes?: number;
  readonly maxPartitionMemoryBytes?: number;
  readonly property?: readonly string[];
  readonly producerProperty?: readonly string[];
  readonly producerConfig?: string;
}

export interface ConsoleProducerDeps {
  readonly randomInt: (n: number) => number;
  readonly readFile?: (path: string) => string;
}

/** The producer settings the tool understands, by Kafka's producer config names. */
const KNOWN_PRODUCER_CONFIGS = new Set([
  'bootstrap.servers',
  'client.id',
  'acks',
  'compression.type',
  'linger.ms',
  'batch.size',
  'retries',
  'retry.backoff.ms',
  'request.timeout.ms',
  'max.block.ms',
  'buffer.memory',
  'max.request.size',
  'key.serializer',
  'value.serializer',
  'metadata.max.age.ms',
  'send.buffer.bytes',
]);

/** The defaults of the tool's own options (Kafka 2.8's ConsoleProducer). */
const OPTION_DEFAULTS = {
  acks: '1',
  'linger.ms': '1000',
  'request.timeout.ms': '1500',
  retries: '3',
  'retry.backoff.ms': '100',
  'max.block.ms': '60000',
  'buffer.memory': String(BUFFER_MEMORY_BYTES_DEFAULT),
  'batch.size': '16384',
} as const;

interface ReaderSettings {
  readonly parseKey: boolean;
  readonly keySeparator: string;
  readonly ignoreError: boolean;
}

/** Kafka's producerProps: file, then --producer-property, then options given, then option defaults. */
export function producerSettings(
  a: ConsoleProducerArgs,
  readFile: (p: string) => string,
): Map<string, string> {
  const props = new Map<string, string>();
  if (a.producerConfig !== undefined) {
    for (const e of parseProperties(readFile(a.producerConfig))) props.set(e.key, e.value);
  }
  for (const [k, v] of parseKeyValues(a.producerProperty)) props.set(k, v);
  const merge = (key: keyof typeof OPTION_DEFAULTS, given: string | number | undefined): void => {
    if (given !== undefined) props.set(key, String(given));
    else if (!props.has(key)) props.set(key, OPTION_DEFAULTS[key]);
  };
  merge('acks', a.requestRequiredAcks);
  merge('linger.ms', a.timeout);
  merge('request.timeout.ms', a.requestTimeoutMs);
  merge('retries', a.messageSendMaxRetries);
  merge('retry.backoff.ms', a.retryBackoffMs);
  merge('max.block.ms', a.maxBlockMs);
  merge('buffer.memory', a.maxMemoryBytes);
  merge('batch.size', a.maxPartitionMemoryBytes);
  const codec = a.compressionCodec ?? a.compressionType;
  if (codec !== undefined) props.set('compression.type', codec === '' ? 'gzip' : codec);
  else if (!props.has('compression.type')) props.set('compression.type', 'none');
  if (!props.has('client.id')) props.set('client.id', CLIENT_ID_DEFAULT);
  return props;
}

export function parseAcks(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'all' || t === '-1') return -1;
  if (t === '0' || t === '1') return Number(t);
  throw new UsageError(`Invalid value ${text} for configuration acks: String must be one of: all, -1, 0, 1`);
}

function intSetting(props: Map<string, string>, key: string): number {
  const text = props.get(key) ?? '';
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`Invalid value ${text} for configuration ${key}: Not a number of type INT`);
  return n;
}

function readerSettings(a: ConsoleProducerArgs): ReaderSettings {
  const p = parseKeyValues(a.property);
  return {
    parseKey: p.has('parse.key') && p.get('parse.key')!.trim().toLowerCase() === 'true',
    keySeparator: p.get('key.separator') ?? '\t',
    ignoreError: p.has('ignore.error') && p.get('ignore.error')!.trim().toLowerCase() === 'true',
  };
}

/** LineMessageReader: a line -> key and value bytes, or the error Kafka raises for it. */
export function parseLine(
  line: string,
  lineNumber: number,
  r: ReaderSettings,
): { key: Buffer | null; value: Buffer } {
  if (!r.parseKey) return { key: null, value: Buffer.from(line, 'utf8') };
  const n = r.keySeparator === '' ? -1 : line.indexOf(r.keySeparator);
  if (n === -1) {
    if (r.ignoreError) return { key: null, value: Buffer.from(line, 'utf8') };
    throw new Error(`No key found on line ${lineNumber}: ${line}`);
  }
  return {
    key: Buffer.from(line.slice(0, n), 'utf8'),
    value: Buffer.from(line.slice(n + r.keySeparator.length), 'utf8'),
  };
}

async function producerOptions(
  props: Map<string, string>,
  deps: ConsoleProducerDeps,
  io: ToolIo,
): Promise<ProducerOptions> {
  const compression = compressionTypeByNameOrUsage(props.get('compression.type')!);
  return {
    acks: parseAcks(props.get('acks')!),
    compression,
    ...(compression === CompressionType.Zstd ? { zstd: await loadZstdCompressor() } : {}),
    requestTimeoutMs: intSetting(props, 'request.timeout.ms'),
    retries: intSetting(props, 'retries'),
    retryBackoffMs: intSetting(props, 'retry.backoff.ms'),
    lingerMs: intSetting(props, 'linger.ms'),
    batchBytesMax: intSetting(props, 'batch.size'),
    maxBlockMs: intSetting(props, 'max.block.ms'),
    ...(props.has('max.request.size') ? { recordBytesMax: intSetting(props, 'max.request.size') } : {}),
    allowAutoTopicCreation: true,
    randomInt: deps.randomInt,
    nowMs: io.nowMs,
  };
}

function compressionTypeByNameOrUsage(name: string): CompressionType {
  try {
    return compressionTypeByName(name.trim().toLowerCase());
  } catch {
    throw new UsageError(
      `Invalid value ${name} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd`,
    );
  }
}

export async function runConsoleProducer(
  a: ConsoleProducerArgs,
  io: ToolIo,
  deps: ConsoleProducerDeps,
): Promise<number> {
  if (a.topic === undefined) throw new UsageError('Missing required argument "[topic]"');
  if (a.bootstrapServer === undefined && a.brokerList === undefined) {
    throw new UsageError('Missing required option(s) [bootstrap-server]');
  }
  const servers = a.bootstrapServer ?? a.brokerList;
  const endpoints = bootstrapEndpoints(
    servers,
    a.bootstrapServer !== undefined ? 'bootstrap-server' : 'broker-list',
  );
  const props = producerSettings(a, deps.readFile ?? ((p) => readFileSync(p, 'utf8')));
  for (const key of props.keys()) {
    if (!KNOWN_PRODUCER_CONFIGS.has(key)) {
      io.stderr.write(
        logLine('WARN', `The configuration '${key}' was supplied but isn't a known config.`, io.nowMs()),
      );
    }
  }
  const options = await producerOptions(props, deps, io);
  const client = KafkaClient.create(clientOptions(io, endpoints, props.get('client.id')!));
  const producer = new Producer(client, options);
  try {
    return await produceLines(a, io, producer, readerSettings(a), intSetting(props, 'buffer.memory'));
  } finally {
    await producer.close();
    client.close();
  }
}

async function produceLines(
  a: ConsoleProducerArgs,
  io: ToolIo,
  producer: Producer,
  reader: ReaderSettings,
  bufferMemoryBytes: number,
): Promise<number> {
  const topic = a.topic!;
  const lines = readline.createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  const onAbort = (): void => lines.close();
  io.signal.addEventListener('abort', onAbort, { once: true });
  let lineNumber = 0;
  try {
    if (io.console) io.stdout.write('>');
    for await (const line of lines) {
      lineNumber++;
      let record;
      try {
        record = parseLine(line, lineNumber, reader);
      } catch (e) {
        io.stderr.write(`org.apache.kafka.common.KafkaException: ${(e as Error).message}\n`);
        return ToolExit.ERROR;
      }
      const sent = producer.send({ topic, key: record.key, value: record.value });
      sent.catch((e: unknown) =>
        io.stderr.write(sendFailure(topic, record.key, record.value, e, io.nowMs())),
      );
      if (a.sync === true) await sent.catch(() => undefined);
      else if (producer.bufferedBytes > bufferMemoryBytes) await producer.flush();
      if (io.console) io.stdout.write('>');
    }
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    lines.close();
  }
  return io.signal.aborted ? exitCodeForStop(io.signal) : ToolExit.OK;
}

/** Kafka's ErrorLoggingCallback line. */
function sendFailure(topic: string, key: Buffer | null, value: Buffer, e: unknown, nowMs: number): string {
  const keyText = key === null ? 'null' : `${key.length} bytes`;
  const reason = errorReason(e);
  return logLine(
    'ERROR',
    `Error when sending message to topic ${topic} with key: ${keyText}, value: ${value.length} bytes with error: ${reason}`,
    nowMs,
  );
}
