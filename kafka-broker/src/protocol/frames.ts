// Whole frames: a request frame (as the frame splitter hands it over, without its int32 size) is
// classified and decoded into header + typed body; a response is encoded with its header and size
// prefix into one buffer. The client-side pair (encode a request, decode a response) serves the
// in-house client. The header version follows the body version's flexibility (headers.ts).

import { ByteReader, ByteWriter, CodecError } from '../../../shared/src';
import {
  APIS,
  API_VERSIONS_FALLBACK_VERSION,
  ApiName,
  RequestBody,
  RequestBodyInput,
  ResponseBody,
  ResponseBodyInput,
  apiNameOf,
  isVersionSupported,
  unsupportedApiVersionsBody,
} from './api-registry';
import {
  RequestHeader,
  ResponseHeader,
  peekRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from './headers';
import { MessageCodec } from './schema';

export const SIZE_PREFIX_BYTES = 4;

type AnyCodec = MessageCodec<unknown, unknown>;

export type DecodedRequest = {
  [N in ApiName]: {
    readonly kind: 'request';
    readonly api: N;
    readonly apiKey: number;
    readonly apiVersion: number;
    readonly header: RequestHeader;
    readonly body: RequestBody<N>;
  };
}[ApiName];

/** A key we do not serve: Kafka closes the connection. */
export interface UnknownApiRequest {
  readonly kind: 'unknown-api';
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
}

/**
 * A served key at a version outside our range. The header is decoded (its version follows the
 * schema's flexibleVersions, which also covers versions newer than we know); the body is not.
 * ApiVersions gets encodeUnsupportedApiVersionsResponse(); Kafka closes the connection for others.
 */
export interface UnsupportedVersionRequest {
  readonly kind: 'unsupported-version';
  readonly api: ApiName;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly header: RequestHeader;
}

export type RequestFrame = DecodedRequest | UnknownApiRequest | UnsupportedVersionRequest;

function requestCodecs(api: ApiName, apiVersion: number): { header: AnyCodec; body: AnyCodec } {
  const spec = APIS[api];
  const flexible = spec.request.isFlexible(apiVersion);
  return {
    header: RequestHeader.at(requestHeaderVersion(spec.apiKey, apiVersion, flexible)) as AnyCodec,
    body: spec.request.at(apiVersion) as AnyCodec,
  };
}

/** Classifies and decodes one request frame. Throws MessageCodecError for malformed bytes. */
export function decodeRequestFrame(frame: Buffer): RequestFrame {
  const prefix = peekRequestHeader(frame);
  const api = apiNameOf(prefix.apiKey);
  if (api === undefined) return { kind: 'unknown-api', ...prefix };
  const spec = APIS[api];
  const r = new ByteReader(frame);
  if (!isVersionSupported(api, prefix.apiVersion)) {
    const flexible = spec.request.isFlexible(prefix.apiVersion);
    const header = RequestHeader.at(requestHeaderVersion(spec.apiKey, prefix.apiVersion, flexible)).read(r);
    return { kind: 'unsupported-version', api, apiKey: prefix.apiKey, apiVersion: prefix.apiVersion, header };
  }
  const codecs = requestCodecs(api, prefix.apiVersion);
  const header = codecs.header.read(r) as RequestHeader;
  const body = codecs.body.read(r);
  if (r.remaining !== 0)
    throw new CodecError(
      `${r.remaining} bytes left after ${spec.request.name} v${prefix.apiVersion}`,
      r.offset,
    );
  return {
    kind: 'request',
    api,
    apiKey: prefix.apiKey,
    apiVersion: prefix.apiVersion,
    header,
    body,
  } as DecodedRequest;
}

function encodeFrame(header: AnyCodec, headerValue: unknown, body: AnyCodec, bodyValue: unknown): Buffer {
  const size = header.size(headerValue) + body.size(bodyValue);
  const w = new ByteWriter(SIZE_PREFIX_BYTES + size);
  w.int32(size);
  header.write(w, headerValue);
  body.write(w, bodyValue);
  return w.view();
}

function responseCodecs(api: ApiName, apiVersion: number): { header: AnyCodec; body: AnyCodec } {
  const spec = APIS[api];
  const body = spec.response.at(apiVersion) as AnyCodec;
  return { header: ResponseHeader.at(responseHeaderVersion(spec.apiKey, body.flexible)) as AnyCodec, body };
}

/** Encodes a response (size prefix + header + body) in the version of its request. */
export function encodeResponseFrame<N extends ApiName>(
  api: N,
  apiVersion: number,
  correlationId: number,
  body: ResponseBodyInput<N>,
): Buffer {
  const codecs = responseCodecs(api, apiVersion);
  return encodeFrame(codecs.header, { correlationId }, codecs.body, body);
}

/** The answer to an ApiVersions request of a version we do not serve: v0 body, error 35, our key list. */
export function encodeUnsupportedApiVersionsResponse(correlationId: number): Buffer {
  return encodeResponseFrame(
    'ApiVersions',
    API_VERSIONS_FALLBACK_VERSION,
    correlationId,
    unsupportedApiVersionsBody(),
  );
}

/** Client side: a request frame with its size prefix. Any version the schema has may be used. */
export function encodeRequestFrame<N extends ApiName>(
  api: N,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: RequestBodyInput<N>,
): Buffer {
  const codecs = requestCodecs(api, apiVersion);
  const header = { requestApiKey: APIS[api].apiKey, requestApiVersion: apiVersion, correlationId, clientId };
  return encodeFrame(codecs.header, header, codecs.body, body);
}

/** Client side: decodes a response frame (without its size) of a request sent as (api, apiVersion). */
export function decodeResponseFrame<N extends ApiName>(
  api: N,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: ResponseBody<N> } {
  const codecs = responseCodecs(api, apiVersion);
  const r = new ByteReader(frame);
  const header = codecs.header.read(r) as ResponseHeader;
  const body = codecs.body.read(r) as ResponseBody<N>;
  if (r.remaining !== 0)
    throw new CodecError(
      `${r.remaining} bytes left after ${APIS[api].response.name} v${apiVersion}`,
      r.offset,
    );
  return { correlationId: header.correlationId, body };
}
