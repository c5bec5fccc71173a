// zxids: a 64-bit transaction id whose high 32 bits are the epoch of the leader that assigned it and
// whose low 32 bits count that leader's proposals from 1 ((e << 32) + 1 is the first txn of epoch e).
// Epochs fit 32 bits, so they are plain numbers; zxids stay bigint everywhere.

/** The low half of a zxid: the last proposal counter an epoch can use before a new election. */
export const ZXID_COUNTER_MAX = 0xffffffff;

export function makeZxid(epoch: number, counter: number): bigint {
  return (BigInt(epoch) << 32n) | BigInt(counter);
}

export function epochOf(zxid: bigint): number {
  return Number(BigInt.asUintN(64, zxid) >> 32n);
}

export function counterOf(zxid: bigint): number {
  return Number(zxid & 0xffffffffn);
}

/** 0x-prefixed lower-case hex, as ZooKeeper's logs print zxids. */
export function hexZxid(zxid: bigint): string {
  return zxid < 0n ? `-0x${(-zxid).toString(16)}` : `0x${zxid.toString(16)}`;
}
