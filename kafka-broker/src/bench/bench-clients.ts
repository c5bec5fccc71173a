// The load generators of the Kafka benchmark, both librdkafka 2.0.2: kafka-load.py through
// confluent-kafka (Debian's /usr/bin/python3), which also measures latencies, and kcat, timed from
// start to exit (throughput only). Each run is a child process; its result comes back as a
// LoadResult. The Python file is read from next to this one in dist/ or, failing that, from the
// source tree.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, writeSync } from 'node:fs';
import * as path from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const KCAT = 'kcat';
const LOAD_SCRIPT_NAME = 'kafka-load.py';
const SOURCE_BENCH_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'kafka-broker', 'src', 'bench');
const RUN_TIMEOUT_MS = 600_000;
/** kcat consumes until it has the records asked for; a shortfall shows as this time-out. */
const KCAT_CONSUME_TIMEOUT_MS_MIN = 60_000;
const KCAT_CONSUME_RECORDS_PER_SEC_MIN = 100_000;
const STDERR_TAIL_CHARS_MAX = 8 * 1024;
/** Lines of the kcat input file are written this many at a time. */
const INPUT_CHUNK_RECORDS = 100_000;

export type Client = 'python' | 'kcat';

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly samples: number;
}

export interface LoadResult {
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  /** Producer: send -> acknowledgement; consumer: end to end. Null when not measured. */
  readonly latencyMs: Percentiles | null;
  readonly errors: readonly string[];
}

export interface ProduceRun {
  readonly bootstrap: string;
  readonly topic: string;
  readonly records: number;
  readonly recordBytes: number;
  readonly acks: '1' | 'all';
  /** Records/s to pace at; 0 for as fast as possible. */
  readonly rate: number;
}

export interface ConsumeRun {
  readonly bootstrap: string;
  readonly topic: string;
  readonly partitions: number;
  readonly records: number;
  readonly recordBytes: number;
  /** Measure end-to-end latency from the timestamps the producer wrote into the values. */
  readonly e2e: boolean;
}

export function loadScript(): string {
  const beside = path.join(__dirname, LOAD_SCRIPT_NAME);
  return existsSync(beside) ? beside : path.join(SOURCE_BENCH_DIR, LOAD_SCRIPT_NAME);
}

/** Why a client cannot run here, or undefined when it can. */
export function clientUnavailable(client: Client): string | undefined {
  if (client === 'kcat') {
    return spawnSync(KCAT, ['-V']).status === 0 ? undefined : 'kcat is not installed (Debian package kcat)';
  }
  if (!existsSync(loadScript())) return `${loadScript()} is missing`;
  const probe = spawnSync(PYTHON, ['-c', 'import confluent_kafka']);
  if (probe.status === 0) return undefined;
  return `${PYTHON} cannot import confluent_kafka (Debian package python3-confluent-kafka)`;
}

interface Finished {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly seconds: number;
}

function run(cmd: string, args: readonly string[], what: string, timeoutMs = RUN_TIMEOUT_MS): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-STDERR_TAIL_CHARS_MAX)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${what}: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

async function python(args: readonly string[], what: string): Promise<Record<string, unknown>> {
  const done = await run(PYTHON, [loadScript(), ...args], what);
  const line = done.stdout.trim().split('\n').pop() ?? '';
  if (done.code !== 0 || !line.startsWith('{')) {
    throw new Error(`${what} failed (exit ${done.code}):\n${done.stderr.trim()}`);
  }
  return JSON.parse(line) as Record<string, unknown>;
}

function fromPython(out: Record<string, unknown>, latencyKey: string): LoadResult {
  return {
    records: out['records'] as number,
    seconds: out['seconds'] as number,
    recordsPerSec: out['recordsPerSec'] as number,
    mbPerSec: out['mbPerSec'] as number,
    latencyMs: (out[latencyKey] as Percentiles | null) ?? null,
    errors: (out['errors'] as string[]) ?? [],
  };
}

export async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const args = ['create', '--bootstrap', bootstrap, '--topic', topic, '--partitions', String(partitions)];
  await python(args, `create ${topic}`);
}

export async function producePython(r: ProduceRun): Promise<LoadResult> {
  const args = ['produce', '--bootstrap', r.bootstrap, '--topic', r.topic, '--records', String(r.records)];
  args.push('--record-bytes', String(r.recordBytes), '--acks', r.acks, '--rate', String(r.rate));
  return fromPython(await python(args, `produce to ${r.topic}`), 'latencyMs');
}

export async function consumePython(r: ConsumeRun): Promise<LoadResult> {
  const args = ['consume', '--bootstrap', r.bootstrap, '--topic', r.topic, '--partitions', String(r.partitions)];
  args.push('--records', String(r.records), '--record-bytes', String(r.recordBytes));
  if (r.e2e) args.push('--e2e', '--sample', '1');
  return fromPython(await python(args, `consume from ${r.topic}`), 'e2eLatencyMs');
}

/** librdkafka settings the Python generator uses too, so that both clients batch alike. */
const KCAT_PRODUCER = [
  'linger.ms=5',
  'batch.num.messages=1000000',
  'batch.size=1000000',
  'queue.buffering.max.messages=2000000',
  'queue.buffering.max.kbytes=2097151',
  'socket.nagle.disable=true',
];
const KCAT_CONSUMER = [
  'fetch.wait.max.ms=100',
  'max.partition.fetch.bytes=1048576',
  'queued.min.messages=1000000',
  'queued.max.messages.kbytes=1048576',
  'check.crcs=false',
  'socket.nagle.disable=true',
];

function kcatResult(done: Finished, records: number, recordBytes: number, what: string): LoadResult {
  if (done.code !== 0) throw new Error(`${what} failed (exit ${done.code}):\n${done.stderr.trim()}`);
  const errors = done.stderr.split('\n').filter((l) => /error|fail/i.test(l)).slice(0, 5);
  return {
    records,
    seconds: done.seconds,
    recordsPerSec: records / done.seconds,
    mbPerSec: (records * recordBytes) / done.seconds / 1e6,
    latencyMs: null,
    errors,
  };
}

/** A file of `records` lines of `recordBytes` characters each, kcat's producer input. */
export function writeKcatInput(file: string, records: number, recordBytes: number): void {
  const line = Buffer.alloc(recordBytes + 1, 0x78);
  line[recordBytes] = 0x0a;
  const chunk = Buffer.alloc(line.length * INPUT_CHUNK_RECORDS);
  for (let i = 0; i < INPUT_CHUNK_RECORDS; i++) line.copy(chunk, i * line.length);
  const fd = openSync(file, 'w');
  try {
    for (let left = records; left > 0; left -= INPUT_CHUNK_RECORDS) {
      writeSync(fd, chunk, 0, Math.min(left, INPUT_CHUNK_RECORDS) * line.length);
    }
  } finally {
    closeSync(fd);
  }
}

/** The sum of a topic's log end offsets. */
async function logEndOffsets(bootstrap: string, topic: string, partitions: number): Promise<number> {
  const args = ['offsets', '--bootstrap', bootstrap, '--topic', topic, '--partitions', String(partitions)];
  return (await python(args, `offsets of ${topic}`))['logEndOffsets'] as number;
}

/** kcat reports no count: the log end offsets before and after tell what was stored. */
export async function produceKcat(r: ProduceRun, inputFile: string, partitions: number): Promise<LoadResult> {
  const args = ['-P', '-b', r.bootstrap, '-t', r.topic, '-l', inputFile, '-X', `acks=${r.acks === 'all' ? -1 : 1}`];
  for (const x of KCAT_PRODUCER) args.push('-X', x);
  const before = await logEndOffsets(r.bootstrap, r.topic, partitions);
  const done = await run(KCAT, args, `kcat produce to ${r.topic}`);
  const result = kcatResult(done, r.records, r.recordBytes, 'kcat produce');
  const stored = (await logEndOffsets(r.bootstrap, r.topic, partitions)) - before;
  if (stored === r.records) return result;
  const error = `${r.records} records sent but the log end offsets moved by ${stored}`;
  return { ...result, errors: [...result.errors, error] };
}

export async function consumeKcat(r: ConsumeRun): Promise<LoadResult> {
  const args = ['-C', '-b', r.bootstrap, '-t', r.topic, '-o', 'beginning', '-c', String(r.records), '-q', '-f', ''];
  for (const x of KCAT_CONSUMER) args.push('-X', x);
  const timeoutMs = Math.max(KCAT_CONSUME_TIMEOUT_MS_MIN, (r.records / KCAT_CONSUME_RECORDS_PER_SEC_MIN) * 1000);
  const done = await run(KCAT, args, `kcat consume from ${r.topic}`, timeoutMs);
  return kcatResult(done, r.records, r.recordBytes, 'kcat consume');
}
