// The data of the quorum packets that carry client traffic between members, as upstream writes
// them with a DataOutputStream (so no jute length prefixes):
//   REQUEST (learner -> leader, Learner.request): long sessionId, int cxid, int type, then the
//     request record's bytes to the end; createSession's record is the int session timeout.
//   PING answer (learner -> leader, Learner.ping): (long sessionId, int timeoutMs)* to the end,
//     the sessions the learner's clients kept alive since its previous answer.

import { ByteReader, ByteWriter, CodecError } from '../../../shared/src';

export interface ForwardedRequest {
  readonly sessionId: bigint;
  readonly cxid: number;
  readonly type: number;
  readonly body: Buffer;
}

const REQUEST_HEAD_BYTES = 16;

export function encodeForwardedRequest(request: ForwardedRequest): Buffer {
  const w = new ByteWriter(REQUEST_HEAD_BYTES + request.body.length);
  w.int64(request.sessionId);
  w.int32(request.cxid);
  w.int32(request.type);
  w.bytes(request.body);
  return w.toBuffer();
}

export function decodeForwardedRequest(data: Buffer | null): ForwardedRequest {
  if (data === null || data.length < REQUEST_HEAD_BYTES) throw new CodecError(`forwarded request of ${data?.length ?? 0} bytes`, 0);
  const r = new ByteReader(data);
  return { sessionId: r.int64(), cxid: r.int32(), type: r.int32(), body: data.subarray(REQUEST_HEAD_BYTES) };
}

/** createSession's request record: the negotiated timeout. */
export function encodeSessionTimeout(timeoutMs: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(timeoutMs, 0);
  return b;
}

export function decodeSessionTimeout(body: Buffer): number {
  if (body.length < 4) throw new CodecError('createSession without its timeout', 0);
  return body.readInt32BE(0);
}

const TOUCH_BYTES = 12;

export function encodeSessionTouches(touches: ReadonlyMap<bigint, number>): Buffer {
  const w = new ByteWriter(touches.size * TOUCH_BYTES);
  for (const [sessionId, timeoutMs] of touches) {
    w.int64(sessionId);
    w.int32(timeoutMs);
  }
  return w.toBuffer();
}

export function decodeSessionTouches(data: Buffer | null): Array<[bigint, number]> {
  if (data === null) return [];
  if (data.length % TOUCH_BYTES !== 0) throw new CodecError(`session touches of ${data.length} bytes`, 0);
  const r = new ByteReader(data);
  const out: Array<[bigint, number]> = [];
  while (r.remaining > 0) out.push([r.int64(), r.int32()]);
  return out;
}
