// The 8 bytes through which ByteReader and ByteWriter convert between a BigInt and big-endian
// bytes without BigInt arithmetic: an element of a BigInt64Array is read and written natively.
// A conversion scratch, as Node's buffer.js keeps for doubles: it holds nothing between calls,
// and nothing can run between filling it and emptying it.

export const int64Scratch = new BigInt64Array(1);
export const int64ScratchBytes = new Uint8Array(int64Scratch.buffer);

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** INT64_BYTE_ORDER[i]: the scratch byte that is byte i of the big-endian encoding. */
export const INT64_BYTE_ORDER: readonly number[] = HOST_IS_LITTLE_ENDIAN
  ? [7, 6, 5, 4, 3, 2, 1, 0]
  : [0, 1, 2, 3, 4, 5, 6, 7];
