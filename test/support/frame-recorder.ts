// A loopback TCP proxy that records every frame passing between clients and a server: put it
// between a real client and a real ZooKeeper to capture golden bytes. Each direction of each
// connection is split on the 4-byte length prefix; a recorded frame is its payload (prefix
// stripped), with the connection number, direction and order. Bytes are forwarded unchanged and
// as they arrive. A connection that opens with a four-letter word is recorded as raw chunks.

import * as net from 'node:net';
import { FrameSplitter } from '../../shared/src';
import { waitFor } from './wait-for';
import type { Direction } from './zk-wire';

export interface RecordedFrame {
  /** 1 for the first connection the proxy accepted, 2 for the next, ... */
  conn: number;
  dir: Direction;
  /** Position among all recorded frames. */
  seq: number;
  atMs: number;
  payload: Buffer;
  /** True for bytes that are not a length-prefixed frame (four-letter words, a torn tail). */
  raw?: boolean;
}

const FRAME_BYTES_MAX = 64 * 1024 * 1024;
const FOUR_LETTER_WORD = /^[a-z]{4}$/;

interface Link {
  conn: number;
  client: net.Socket;
  server: net.Socket;
}

export class FrameRecorder {
  readonly frames: RecordedFrame[] = [];
  readonly host = '127.0.0.1';
  port = 0;
  private connCount = 0;
  private readonly links = new Set<Link>();

  private constructor(
    private readonly listener: net.Server,
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  /** Starts listening on a free loopback port, forwarding to target. */
  static async start(targetHost: string, targetPort: number): Promise<FrameRecorder> {
    let recorder: FrameRecorder | undefined;
    const listener = net.createServer((socket) => recorder!.accept(socket));
    recorder = new FrameRecorder(listener, targetHost, targetPort);
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(0, '127.0.0.1', () => resolve());
    });
    recorder.port = (listener.address() as net.AddressInfo).port;
    return recorder;
  }

  get connectString(): string {
    return `${this.host}:${this.port}`;
  }

  get connections(): number {
    return this.connCount;
  }

  /** Frames of one connection, in order. */
  framesOf(conn: number): RecordedFrame[] {
    return this.frames.filter((f) => f.conn === conn);
  }

  /** Waits until `predicate` holds over the frames recorded so far. */
  waitForFrames(predicate: (frames: RecordedFrame[]) => boolean, description: string, timeoutMs = 10_000): Promise<true> {
    return waitFor(() => predicate(this.frames) || undefined, { description, timeoutMs, intervalMs: 10 });
  }

  /** Cuts every open connection in both directions, as a network failure would. */
  dropConnections(): void {
    for (const link of this.links) {
      link.client.destroy();
      link.server.destroy();
    }
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private record(conn: number, dir: Direction, payload: Buffer, raw: boolean): void {
    const f: RecordedFrame = { conn, dir, seq: this.frames.length, atMs: Date.now(), payload: Buffer.from(payload) };
    if (raw) f.raw = true;
    this.frames.push(f);
  }

  private accept(client: net.Socket): void {
    const conn = ++this.connCount;
    const server = net.connect({ host: this.targetHost, port: this.targetPort });
    const link: Link = { conn, client, server };
    this.links.add(link);
    client.setNoDelay(true);
    server.setNoDelay(true);
    this.pipe(link, client, server, 'c2s');
    this.pipe(link, server, client, 's2c');
    const drop = (): void => {
      client.destroy();
      server.destroy();
      this.links.delete(link);
    };
    client.on('close', drop);
    server.on('close', drop);
    client.on('error', drop);
    server.on('error', drop);
  }

  private pipe(link: Link, from: net.Socket, to: net.Socket, dir: Direction): void {
    const splitter = new FrameSplitter(FRAME_BYTES_MAX);
    let raw = false;
    let first = true;
    from.on('data', (chunk: Buffer) => {
      // a socket still connecting queues writes itself
      if (!to.destroyed) to.write(chunk);
      if (first && dir === 'c2s' && chunk.length >= 4 && FOUR_LETTER_WORD.test(chunk.subarray(0, 4).toString('latin1'))) raw = true;
      if (dir === 's2c' && this.isRawConn(link.conn)) raw = true;
      first = false;
      if (raw) {
        this.record(link.conn, dir, chunk, true);
        return;
      }
      try {
        for (const f of splitter.push(chunk)) this.record(link.conn, dir, f, false);
      } catch {
        raw = true;
        this.record(link.conn, dir, chunk, true);
      }
    });
    from.on('end', () => to.end());
  }

  private isRawConn(conn: number): boolean {
    return this.frames.some((f) => f.conn === conn && f.dir === 'c2s' && f.raw === true);
  }
}
