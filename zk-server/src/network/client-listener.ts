// The client port: accepts connections, enforces maxClientCnxns per IP, tells four-letter words
// apart from ZooKeeper sessions by the first four bytes, and hands sessions to ClientConnection.

import { createServer, Server, Socket } from 'node:net';
import { Logger } from '../../../shared/src';
import { ClientConnection, ConnectionSettings } from './client-connection';
import { ZooKeeperServer } from '../zookeeper-server';
import { FourLetterSource, isFourLetterWord, runFourLetterWord } from '../protocol/four-letter';

export interface ListenerSettings extends ConnectionSettings {
  host: string | null;
  port: number;
  maxClientCnxns: number;
  fourLetterWords: ReadonlySet<string> | 'all';
}

export class ClientListener {
  readonly connections = new Set<ClientConnection>();
  private readonly perIp = new Map<string, number>();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly zk: ZooKeeperServer,
    private readonly settings: ListenerSettings,
    private readonly fourLetterSource: FourLetterSource,
    private readonly logger: Logger,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: this.settings.port, host: this.settings.host ?? undefined }, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        if (address === null || typeof address === 'string') return reject(new Error('no address bound'));
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  private accept(socket: Socket): void {
    const ip = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const count = this.perIp.get(ip) ?? 0;
    if (this.settings.maxClientCnxns > 0 && count >= this.settings.maxClientCnxns) {
      this.logger.warn(`Too many connections from /${ip} - max is ${this.settings.maxClientCnxns}`);
      socket.destroy();
      return;
    }
    this.perIp.set(ip, count + 1);
    this.sockets.add(socket);
    socket.on('error', (e) => this.logger.debug(`socket error from ${ip}: ${e.message}`));
    socket.on('close', () => {
      this.sockets.delete(socket);
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    });
    let first: Buffer | null = Buffer.alloc(0);
    let connection: ClientConnection | null = null;
    socket.on('data', (chunk: Buffer) => {
      if (connection !== null) return connection.onData(chunk);
      first = Buffer.concat([first!, chunk]);
      if (first.length < 4) return;
      const word = isFourLetterWord(first);
      if (word !== null) {
        socket.end(runFourLetterWord(word, this.settings.fourLetterWords, this.fourLetterSource));
        connection = null;
        first = null;
        socket.removeAllListeners('data');
        return;
      }
      connection = new ClientConnection(socket, this.zk, this.settings, this.logger, (c) => this.connections.delete(c));
      this.connections.add(connection);
      socket.on('close', () => connection?.close('client disconnected', false));
      const pending = first;
      first = null;
      connection.onData(pending);
    });
  }

  /** Closes every client connection and keeps listening (an ensemble member that stopped serving). */
  closeAll(reason: string): void {
    for (const c of [...this.connections]) c.close(reason, false);
  }

  async close(): Promise<void> {
    for (const c of [...this.connections]) c.close('server shutting down', false);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
