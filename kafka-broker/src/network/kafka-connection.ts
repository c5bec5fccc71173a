// One client connection: request frames in (size-checked before allocation), one request handled
// at a time in arrival order, responses out in that same order (clients match them FIFO). Kafka
// mutes a channel until its response is sent; here frames keep arriving into a bounded queue while
// a request waits (a long-polling Fetch, an acks=all Produce, a CreateTopics), and reading pauses
// when the queue or the unsent output grows past its limit. Responses produced in one turn of the
// event loop leave in one corked (vectored) write. A request too large, malformed, of an unknown
// API or an unsupported version closes this connection with a log line; nothing else is affected.

import { Socket } from 'node:net';
import { FrameSplitter, Logger } from '../../../shared/src';
import { DispatchOutcome, Dispatcher, ConnectionInfo } from '../api/dispatcher';

/** Requests read ahead of the one being handled before the socket stops being read. */
export const QUEUED_REQUESTS_MAX = 1000;
/** Bytes of requests read ahead before the socket stops being read (a few 1 MB produces). */
export const QUEUED_REQUEST_BYTES_MAX = 16 * 1024 * 1024;
/** Unsent response bytes beyond which no further request is handled until the socket drains. */
export const OUTBOUND_BYTES_MAX = 64 * 1024 * 1024;
/** Responses gathered beyond this many bytes are written at once instead of at the end of the turn. */
export const WRITE_COALESCE_BYTES = 256 * 1024;
/** connections.max.idle.ms: Kafka's default. */
export const CONNECTION_IDLE_MS = 600_000;

export interface ConnectionSettings {
  readonly requestBytesMax: number;
  readonly listenerName: string;
  readonly idleMs?: number;
}

export class KafkaConnection {
  readonly info: ConnectionInfo;
  private readonly reader: FrameSplitter;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private busy = false;
  private out: Buffer[] = [];
  private outBytes = 0;
  private flushScheduled = false;
  private readPaused = false;
  private waitingForDrain = false;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly dispatcher: Dispatcher,
    settings: ConnectionSettings,
    private readonly logger: Logger,
    private readonly onClose: (c: KafkaConnection) => void,
  ) {
    const address = `${(socket.remoteAddress ?? '?').replace(/^::ffff:/, '')}:${socket.remotePort ?? 0}`;
    this.info = { listenerName: settings.listenerName, clientAddress: address };
    this.reader = new FrameSplitter(settings.requestBytesMax);
    socket.setNoDelay(true);
    socket.setTimeout(settings.idleMs ?? CONNECTION_IDLE_MS, () =>
      this.close(`idle for ${settings.idleMs ?? CONNECTION_IDLE_MS} ms`, 'debug'),
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (e) => this.close(`socket error: ${e.message}`, 'debug'));
    socket.on('close', () => this.close('closed by the client', 'debug'));
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.close(`bad request framing: ${(e as Error).message}`, 'warn');
      return;
    }
    for (const f of frames) {
      this.queue.push(f);
      this.queuedBytes += f.length;
    }
    if (this.queueFull()) this.pauseReading();
    this.drainQueue();
  }

  /** Handles queued requests in order; stops at one that waits, and resumes when it is answered. */
  private drainQueue(): void {
    while (!this.busy && !this.closed && this.queue.length > 0) {
      if (this.socket.writableLength + this.outBytes > OUTBOUND_BYTES_MAX) {
        this.flush();
        this.waitingForDrain = true;
        return;
      }
      const frame = this.queue.shift()!;
      this.queuedBytes -= frame.length;
      const outcome = this.dispatcher.dispatch(frame, this.info);
      if (outcome instanceof Promise) {
        this.busy = true;
        outcome.then(
          (o) => this.afterWait(o),
          (e: unknown) => this.close(`request failed: ${(e as Error).message}`, 'error'),
        );
        return;
      }
      this.apply(outcome);
    }
    if (this.readPaused && !this.queueFull()) this.resumeReading();
  }

  private queueFull(): boolean {
    return this.queue.length >= QUEUED_REQUESTS_MAX || this.queuedBytes >= QUEUED_REQUEST_BYTES_MAX;
  }

  private afterWait(outcome: DispatchOutcome): void {
    this.busy = false;
    if (this.closed) return;
    this.apply(outcome);
    this.drainQueue();
  }

  private apply(outcome: DispatchOutcome): void {
    switch (outcome.kind) {
      case 'respond':
        this.send(outcome.frame);
        return;
      case 'silent':
        return;
      case 'close':
        this.flush();
        this.close(outcome.reason, 'warn');
        return;
    }
  }

  private send(frame: Buffer): void {
    this.out.push(frame);
    this.outBytes += frame.length;
    if (this.outBytes >= WRITE_COALESCE_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes every gathered response in one corked batch (one writev). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.out.length === 0 || this.closed) return;
    const out = this.out;
    this.out = [];
    this.outBytes = 0;
    this.socket.cork();
    for (const b of out) this.socket.write(b);
    this.socket.uncork();
  }

  private onDrain(): void {
    if (!this.waitingForDrain) return;
    this.waitingForDrain = false;
    this.drainQueue();
  }

  private pauseReading(): void {
    if (this.readPaused) return;
    this.readPaused = true;
    this.socket.pause();
  }

  private resumeReading(): void {
    this.readPaused = false;
    this.socket.resume();
  }

  /** Closes the connection; `level` says how loudly (a client hanging up is not news). */
  close(reason: string, level: 'debug' | 'info' | 'warn' | 'error' = 'info'): void {
    if (this.closed) return;
    this.closed = true;
    this.logger.log(level, `closing connection from ${this.info.clientAddress}: ${reason}`);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.socket.end();
    this.socket.destroySoon?.();
    this.onClose(this);
  }
}
