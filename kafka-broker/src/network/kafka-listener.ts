// One listener (an entry of `listeners`, e.g. PLAINTEXT://127.0.0.1:9092): binds its address (port
// 0 picks a free one, reported by listen()), accepts connections and hands each to a
// KafkaConnection; close() stops accepting and drops every connection. Plaintext only.

import { createServer, Server, Socket } from 'node:net';
import { Logger } from '../../../shared/src';
import { Dispatcher } from '../api/dispatcher';
import { Endpoint } from '../config/broker-config';
import { KafkaConnection } from './kafka-connection';

export interface ListenerSettings {
  readonly endpoint: Endpoint;
  readonly requestBytesMax: number;
}

export class KafkaListener {
  private readonly server: Server;
  private readonly connections = new Set<KafkaConnection>();
  private readonly sockets = new Set<Socket>();
  private readonly logger: Logger;

  constructor(
    private readonly settings: ListenerSettings,
    private readonly dispatcher: Dispatcher,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'network', listener: settings.endpoint.listenerName });
    this.server = createServer((socket) => this.accept(socket));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Binds; resolves with the address actually bound (an empty host means every interface). */
  listen(): Promise<{ host: string; port: number }> {
    const { host, port } = this.settings.endpoint;
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: host === '' ? undefined : host, port }, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        if (address === null || typeof address === 'string') return reject(new Error('no address bound'));
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const connection = new KafkaConnection(
      socket,
      this.dispatcher,
      { requestBytesMax: this.settings.requestBytesMax, listenerName: this.settings.endpoint.listenerName },
      this.logger,
      (c) => this.connections.delete(c),
    );
    this.connections.add(connection);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of [...this.connections]) c.close('broker shutting down', 'debug');
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
