// One TCP connection of the in-house client to one broker: size-prefixed frames out, responses
// matched to requests in order (a broker answers a connection's requests in the order they came),
// a timeout per request, and the ApiVersions exchange that opens every connection and fixes the
// version of each API to the highest both sides have (capped at the ranges of api-registry.ts).
// A timed-out or undecodable response closes the connection: later responses could not be matched.

import * as net from 'node:net';
import { BaseError, FrameSplitter } from '../../../shared/src';
import {
  APIS,
  ApiName,
  ErrorCode,
  RequestBodyInput,
  ResponseBody,
  decodeResponseFrame,
  encodeRequestFrame,
  errorName,
} from '../protocol';
import { FieldSpec, inRange, parseVersions } from '../protocol/types';

/** Largest response frame accepted (a Fetch asks for at most FETCH_MAX_BYTES_DEFAULT = 50 MiB). */
export const RESPONSE_FRAME_BYTES_MAX = 128 * 1024 * 1024;
/** Requests sent and not yet answered on one connection. */
export const IN_FLIGHT_REQUESTS_MAX = 1000;
export const CLIENT_SOFTWARE_NAME = 'zk-kafka-tools';
export const CLIENT_SOFTWARE_VERSION = '0.1.0';
const API_VERSIONS_NEWEST = 3;
/** The errorCode of an ApiVersions response sits right after the 4-byte correlation id. */
const API_VERSIONS_ERROR_AT = 4;

/**
 * Why a request could not be answered: connection refused or lost, a request timeout, a retried
 * operation past its deadline, no common version, bytes that do not decode.
 */
export class ClientError extends BaseError {
  constructor(
    code: 'CONNECTION' | 'TIMEOUT' | 'DEADLINE' | 'UNSUPPORTED_VERSION' | 'PROTOCOL',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface ConnectionOptions {
  readonly clientId: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

interface Pending {
  readonly api: ApiName;
  readonly version: number;
  readonly correlationId: number;
  readonly resolve: (frame: Buffer) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export class BrokerConnection {
  private readonly splitter = new FrameSplitter(RESPONSE_FRAME_BYTES_MAX);
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private failure: Error | null = null;
  /** The broker's ranges by API key, from ApiVersions. */
  private brokerVersions = new Map<number, VersionRange>();

  private constructor(
    readonly endpoint: Endpoint,
    private readonly socket: net.Socket,
    private readonly o: ConnectionOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) =>
      this.fail(new ClientError('CONNECTION', `${this.name}: ${e.message}`, { cause: e })),
    );
    socket.on('close', () => this.fail(new ClientError('CONNECTION', `${this.name}: connection closed`)));
  }

  /** Connects and negotiates API versions; rejects with ClientError when either fails. */
  static async open(endpoint: Endpoint, o: ConnectionOptions): Promise<BrokerConnection> {
    const socket = await connectSocket(endpoint, o.connectTimeoutMs);
    const connection = new BrokerConnection(endpoint, socket, o);
    try {
      await connection.negotiate();
    } catch (e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  get name(): string {
    return `${this.endpoint.host}:${this.endpoint.port}`;
  }

  get isOpen(): boolean {
    return this.failure === null;
  }

  /** The version this connection uses for `api`; throws ClientError when there is none in common. */
  versionFor(api: ApiName): number {
    const ours = APIS[api];
    const theirs = this.brokerVersions.get(ours.apiKey);
    const max = theirs === undefined ? -1 : Math.min(theirs.max, ours.maxVersion);
    if (theirs === undefined || max < Math.max(theirs.min, ours.minVersion)) {
      throw new ClientError(
        'UNSUPPORTED_VERSION',
        `${this.name} does not serve ${api} in a version this client has (${ours.minVersion}..${ours.maxVersion})`,
      );
    }
    return max;
  }

  /** Whether the broker advertises `api` at all. */
  supports(api: ApiName): boolean {
    return this.brokerVersions.has(APIS[api].apiKey);
  }

  /** Sends a request in the negotiated version (or `version`) and resolves with its response body. */
  async request<N extends ApiName>(
    api: N,
    body: RequestBodyInput<N>,
    options: { version?: number; timeoutMs?: number } = {},
  ): Promise<ResponseBody<N>> {
    const version = options.version ?? this.versionFor(api);
    const frame = await this.exchange(api, version, body, options.timeoutMs ?? this.o.requestTimeoutMs);
    try {
      return decodeResponseFrame(api, version, frame).body;
    } catch (e) {
      const error = new ClientError(
        'PROTOCOL',
        `${this.name}: cannot decode ${api} v${version}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
      this.fail(error);
      this.socket.destroy();
      throw error;
    }
  }

  /** Sends a request the broker does not answer (Produce with acks=0). */
  sendOnly<N extends ApiName>(api: N, body: RequestBodyInput<N>): void {
    if (this.failure !== null) throw this.failure;
    const version = this.versionFor(api);
    const fitted = fitToVersion(APIS[api].request.spec.fields, version, body) as RequestBodyInput<N>;
    this.socket.write(encodeRequestFrame(api, version, this.nextCorrelationId++, this.o.clientId, fitted));
  }

  close(): void {
    this.fail(new ClientError('CONNECTION', `${this.name}: connection closed by the client`));
    this.socket.destroy();
  }

  private exchange<N extends ApiName>(
    api: N,
    version: number,
    body: RequestBodyInput<N>,
    timeoutMs: number,
  ): Promise<Buffer> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.pending.length >= IN_FLIGHT_REQUESTS_MAX) {
      return Promise.reject(
        new ClientError('CONNECTION', `${this.name}: ${IN_FLIGHT_REQUESTS_MAX} requests in flight`),
      );
    }
    const correlationId = this.nextCorrelationId++;
    const fitted = fitToVersion(APIS[api].request.spec.fields, version, body) as RequestBodyInput<N>;
    const bytes = encodeRequestFrame(api, version, correlationId, this.o.clientId, fitted);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new ClientError(
          'TIMEOUT',
          `${api} to ${this.name} got no response within ${timeoutMs} ms`,
        );
        this.fail(error);
        this.socket.destroy();
      }, timeoutMs);
      this.pending.push({ api, version, correlationId, resolve, reject, timer });
      this.socket.write(bytes);
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (e) {
      this.fail(new ClientError('PROTOCOL', `${this.name}: ${(e as Error).message}`, { cause: e }));
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      const p = this.pending.shift();
      const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : -1;
      if (p === undefined || p.correlationId !== correlationId) {
        if (p !== undefined) this.pending.unshift(p);
        this.fail(
          new ClientError(
            'PROTOCOL',
            `${this.name}: response with unexpected correlation id ${correlationId}`,
          ),
        );
        this.socket.destroy();
        return;
      }
      clearTimeout(p.timer);
      p.resolve(frame);
    }
  }

  private fail(error: Error): void {
    if (this.failure === null) this.failure = error;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(this.failure);
    }
  }

  /**
   * ApiVersions v3 first; a broker without v3 answers in the v0 format with UNSUPPORTED_VERSION and
   * its range for key 18 (KIP-511), and the request is repeated in the highest version it has.
   */
  private async negotiate(): Promise<void> {
    let version = API_VERSIONS_NEWEST;
    const body = { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION };
    for (;;) {
      const frame = await this.exchange('ApiVersions', version, body, this.o.requestTimeoutMs);
      const errorCode =
        frame.length >= API_VERSIONS_ERROR_AT + 2 ? frame.readInt16BE(API_VERSIONS_ERROR_AT) : -1;
      const decodeAs = errorCode === ErrorCode.UNSUPPORTED_VERSION ? 0 : version;
      const response = decodeResponseFrame('ApiVersions', decodeAs, frame).body;
      if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        const own = response.apiKeys.find((k) => k.apiKey === APIS.ApiVersions.apiKey);
        const next = Math.min(own?.maxVersion ?? 0, version - 1);
        if (version === 0 || next < 0)
          throw new ClientError('UNSUPPORTED_VERSION', `${this.name} refuses ApiVersions v0`);
        version = next;
        continue;
      }
      if (response.errorCode !== ErrorCode.NONE) {
        throw new ClientError(
          'PROTOCOL',
          `${this.name}: ApiVersions failed with ${errorName(response.errorCode)}`,
        );
      }
      this.brokerVersions = new Map(
        response.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]),
      );
      return;
    }
  }
}

function connectSocket(endpoint: Endpoint, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new ClientError(
          'CONNECTION',
          `${endpoint.host}:${endpoint.port}: no connection within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => undefined); // the connection adds its own handler next
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(new ClientError('CONNECTION', `${endpoint.host}:${endpoint.port}: ${e.message}`, { cause: e }));
    });
  });
}

/**
 * The request body without the fields its version does not have, nested structs included, so one
 * body can be written for every version (CreateTopics' validateOnly, FindCoordinator's key and
 * coordinatorKeys, LeaveGroup's memberId and members): the codec refuses a value it cannot send.
 */
export function fitToVersion(fields: readonly FieldSpec[], version: number, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value))
    return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = fields.find((f) => f.name === key);
    if (field === undefined) {
      out[key] = v;
      continue;
    }
    if (!inRange(parseVersions(field.versions), version)) continue;
    const nested = field.fields;
    if (nested === undefined) out[key] = v;
    else if (Array.isArray(v)) out[key] = v.map((item) => fitToVersion(nested, version, item));
    else out[key] = fitToVersion(nested, version, v);
  }
  return out;
}
