// What the Kafka command-line tools are given in place of the process (bin/ builds it from the real
// one; tests give strings and streams), and the small pieces they share: Kafka's key=value option
// lists, its log-line look on stderr, bootstrap lists, exit codes. Nothing here touches `process`.

import { ExitCode } from '../../../shared/src/cli/exit-codes';
import { Endpoint, KafkaClient, KafkaClientOptions, parseEndpoints } from '../client/kafka-client';
import { KafkaError } from '../protocol';

/** Where a tool writes: text, or raw bytes (record keys and values are printed as they are). */
export interface OutputSink {
  write(chunk: string | Uint8Array): unknown;
}

export interface ToolIo {
  readonly stdout: OutputSink;
  readonly stderr: OutputSink;
  readonly stdin: NodeJS.ReadableStream;
  /** stdin and stdout are both terminals (Java's System.console() != null): prompts are shown. */
  readonly console: boolean;
  /** Aborted when the person asks the tool to stop (Ctrl-C, SIGTERM); `reason` is the signal name. */
  readonly signal: AbortSignal;
  /** Wall clock, ms (injected so output with times can be tested). */
  readonly nowMs: () => number;
}

/** Exit codes beyond the shared ones: the JVM's 128 + signal number after a shutdown hook ran. */
export const ToolExit = {
  ...ExitCode,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const;

export function exitCodeForStop(signal: AbortSignal): number {
  return signal.reason === 'SIGTERM' ? ToolExit.TERMINATED : ToolExit.INTERRUPTED;
}

/** A usage problem: the tool prints the message (and its usage hint) and exits 1, as Kafka's do. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Kafka's CommandLineUtils.parseKeyValueArgs: each "key=value" split at the first '='; a key
 * without a value gets "".
 */
export function parseKeyValues(items: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items ?? []) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) out.set(item, '');
    else out.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return out;
}

/** A line in the look of Kafka's tools' log4j output: `[2024-01-01 12:00:00,000] WARN text`. */
export function logLine(level: 'ERROR' | 'WARN' | 'INFO', text: string, nowMs: number): string {
  const d = new Date(nowMs);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp =
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
  return `[${stamp}] ${level} ${text}\n`;
}

/** Kafka's ToolsUtils.validatePortOrDie: a list of host:port, or a UsageError. */
export function bootstrapEndpoints(list: string | undefined, option: string): Endpoint[] {
  if (list === undefined || list.trim() === '')
    throw new UsageError(`Missing required argument "[${option}]"`);
  try {
    return parseEndpoints(list);
  } catch {
    throw new UsageError(`Please provide valid host:port like host1:9091,host2:9092\n`);
  }
}

/** Client options for a tool: warnings go to stderr as log lines. */
export function clientOptions(
  io: ToolIo,
  endpoints: readonly Endpoint[],
  clientId: string,
): KafkaClientOptions {
  return {
    bootstrapServers: endpoints,
    clientId,
    onWarning: (text) => io.stderr.write(logLine('WARN', text, io.nowMs())),
  };
}

/** Connects, or resolves null once `io.signal` aborts first. */
export async function connectClient(
  io: ToolIo,
  options: KafkaClientOptions,
  deadlineMs: number,
): Promise<KafkaClient | null> {
  const connecting = KafkaClient.connect(options, deadlineMs);
  connecting.catch(() => undefined);
  const stopped = new Promise<null>((resolve) => {
    if (io.signal.aborted) resolve(null);
    io.signal.addEventListener('abort', () => resolve(null), { once: true });
  });
  const client = await Promise.race([connecting, stopped]);
  if (client === null)
    void connecting.then(
      (c) => c.close(),
      () => undefined,
    );
  return client;
}

/** A failure's text for a person: its message, with the Kafka error name when it lacks it. */
export function errorReason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e instanceof KafkaError && !e.message.includes(e.code)) return `${e.code}: ${e.message}`;
  return e.message;
}
