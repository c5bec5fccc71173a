// int64 fields read and written as JS numbers. Timestamps and file-local quantities stay far below
// 2^53, and reading them this way allocates nothing (readBigInt64BE would, once per batch).

const TWO_POW_32 = 4_294_967_296;

export function readInt64Number(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4);
}

export function writeInt64Number(buf: Buffer, value: number, at: number): void {
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, at);
  buf.writeUInt32BE(value - high * TWO_POW_32, at + 4);
}
