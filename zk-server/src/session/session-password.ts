// The session password, as upstream computes it: 16 bytes of java.util.Random(sessionId ^ SUPER_SECRET)
// .nextBytes(). Any server can recompute it from the id, so a client may reconnect anywhere.

import { SESSION_PASSWORD_BYTES } from '../limits';

const SUPER_SECRET = 0xb3415c00n;
const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK_48 = (1n << 48n) - 1n;

/** java.util.Random, just enough of it: seeding and nextInt(). */
class JavaRandom {
  private seed: bigint;
  constructor(seed: bigint) {
    this.seed = (BigInt.asUintN(64, seed) ^ MULTIPLIER) & MASK_48;
  }
  nextInt(): number {
    this.seed = (this.seed * MULTIPLIER + ADDEND) & MASK_48;
    return Number(BigInt.asIntN(32, this.seed >> 16n));
  }
}

export function sessionPassword(sessionId: bigint): Buffer {
  const random = new JavaRandom(sessionId ^ SUPER_SECRET);
  const out = Buffer.alloc(SESSION_PASSWORD_BYTES);
  let i = 0;
  while (i < out.length) {
    let rnd = random.nextInt();
    for (let n = Math.min(out.length - i, 4); n-- > 0; rnd >>= 8) out[i++] = rnd & 0xff;
  }
  return out;
}
