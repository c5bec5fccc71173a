// Request frame in, outcome out: decodes the frame, picks the handler of its API and encodes the
// handler's response in the request's version. Answers as Kafka does where no handler runs: an
// ApiVersions request of a version we do not serve gets the v0 UNSUPPORTED_VERSION reply with our
// ranges; any other unsupported version, an unknown API key or bytes that do not decode close the
// connection. Never touches a socket.

import { Logger } from '../../../shared/src';
import {
  ApiName,
  decodeRequestFrame,
  DecodedRequest,
  encodeResponseFrame,
  encodeUnsupportedApiVersionsResponse,
  RequestFrame,
} from '../protocol';
import {
  BrokerContext,
  CloseConnection,
  HandlerOutcome,
  HandlerTable,
  NO_RESPONSE,
  RequestContext,
} from './context';

export type DispatchOutcome =
  | { readonly kind: 'respond'; readonly frame: Buffer }
  | { readonly kind: 'silent' }
  | { readonly kind: 'close'; readonly reason: string };

export interface ConnectionInfo {
  readonly listenerName: string;
  readonly clientAddress: string;
}

const SILENT: DispatchOutcome = Object.freeze({ kind: 'silent' });

export class Dispatcher {
  private readonly logger: Logger;

  constructor(
    private readonly handlers: HandlerTable,
    private readonly broker: BrokerContext,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'dispatcher' });
  }

  /** The outcome of one request frame (without its size prefix); a promise when the handler waits. */
  dispatch(frame: Buffer, conn: ConnectionInfo): DispatchOutcome | Promise<DispatchOutcome> {
    let request: RequestFrame;
    try {
      request = decodeRequestFrame(frame);
    } catch (e) {
      return close(`malformed request from ${conn.clientAddress}: ${(e as Error).message}`);
    }
    switch (request.kind) {
      case 'unknown-api':
        return close(
          `unknown API key ${request.apiKey} (version ${request.apiVersion}) from ${conn.clientAddress}`,
        );
      case 'unsupported-version':
        if (request.api === 'ApiVersions') {
          return {
            kind: 'respond',
            frame: encodeUnsupportedApiVersionsResponse(request.header.correlationId),
          };
        }
        return close(
          `unsupported version ${request.apiVersion} of ${request.api} from ${conn.clientAddress}`,
        );
      case 'request':
        return this.run(request, conn);
    }
  }

  private run(request: DecodedRequest, conn: ConnectionInfo): DispatchOutcome | Promise<DispatchOutcome> {
    const rc: RequestContext = {
      apiVersion: request.apiVersion,
      header: request.header,
      listenerName: conn.listenerName,
      clientAddress: conn.clientAddress,
    };
    if (this.logger.isDebugEnabled()) {
      this.logger.debug(
        `${request.api} v${request.apiVersion} corr ${request.header.correlationId} from ${conn.clientAddress}`,
      );
    }
    const handler = this.handlers[request.api] as (
      req: unknown,
      rc: RequestContext,
      b: BrokerContext,
    ) => unknown;
    let outcome: unknown;
    try {
      outcome = handler(request.body, rc, this.broker);
    } catch (e) {
      return this.failed(request, e);
    }
    if (outcome instanceof Promise) {
      return outcome.then(
        (o) => this.encode(request, o as HandlerOutcome<ApiName>),
        (e: unknown) => this.failed(request, e),
      );
    }
    return this.encode(request, outcome as HandlerOutcome<ApiName>);
  }

  private encode(request: DecodedRequest, outcome: HandlerOutcome<ApiName>): DispatchOutcome {
    if (outcome === NO_RESPONSE) return SILENT;
    if (outcome instanceof CloseConnection) return close(outcome.reason);
    const corr = request.header.correlationId;
    try {
      return {
        kind: 'respond',
        frame: encodeResponseFrame(request.api, request.apiVersion, corr, outcome as never),
      };
    } catch (e) {
      return this.failed(request, e);
    }
  }

  /** A handler threw: a bug or an outage. Kafka would answer UNKNOWN_SERVER_ERROR; we close. */
  private failed(request: DecodedRequest, e: unknown): DispatchOutcome {
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    this.logger.error(`${request.api} v${request.apiVersion} failed: ${detail}`);
    return close(`${request.api} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function close(reason: string): DispatchOutcome {
  return { kind: 'close', reason };
}
