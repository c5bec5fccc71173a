// Checksums used on the wire and on disk: CRC-32C (Kafka record batches), CRC-32 (Kafka v0/v1
// messages, ZooKeeper tree digest) and Adler-32 (ZooKeeper txn log entries and snapshots).

function makeTable(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

const CRC32C_TABLE = makeTable(0x82f63b78);
const CRC32_TABLE = makeTable(0xedb88320);

function crcWith(table: Uint32Array, data: Uint8Array, start: number, end: number, seed: number): number {
  let crc = ~seed >>> 0;
  for (let i = start; i < end; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

export function crc32c(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  return crcWith(CRC32C_TABLE, data, start, end, seed);
}

export function crc32(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  return crcWith(CRC32_TABLE, data, start, end, seed);
}

const ADLER_MOD = 65521;
/** Largest run of bytes whose sums cannot overflow 2^53 before the modulo. */
const ADLER_CHUNK_BYTES = 5552;

/** Adler-32, optionally continued from an earlier value (as java.util.zip.Adler32 update()). */
export function adler32(data: Uint8Array, start = 0, end = data.length, seed = 1): number {
  let a = seed & 0xffff;
  let b = (seed >>> 16) & 0xffff;
  let i = start;
  while (i < end) {
    const stop = Math.min(end, i + ADLER_CHUNK_BYTES);
    for (; i < stop; i++) {
      a += data[i]!;
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}
