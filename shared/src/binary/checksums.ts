// Checksums used on the wire and on disk: CRC-32C (Kafka record batches), CRC-32 (Kafka v0/v1
// messages, ZooKeeper tree digest) and Adler-32 (ZooKeeper txn log entries and snapshots).
//
// The CRCs are table-driven "slice-by-16" (16 bytes per step through 16 tables of 256 entries,
// 16 KiB per polynomial): about five times the byte-at-a-time loop (~450 MB/s), which the tests
// keep as the reference and which still handles the head and tail bytes here. On little-endian
// machines the 16-byte steps read four 32-bit words through an Int32Array view of the aligned
// middle of the input.

const TABLE_ENTRIES = 256;
const SLICES = 16;
const SLICE_BYTES = SLICES;
/** Below this many bytes the word view is not worth creating. */
const WORD_PATH_BYTES_MIN = 64;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reflected CRC table: entry n is the CRC of byte n. */
function crcTable(polynomial: number): Uint32Array {
  const table = new Uint32Array(TABLE_ENTRIES);
  for (let n = 0; n < TABLE_ENTRIES; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Table k (at k * 256) gives the CRC contribution of a byte followed by k zero bytes. */
function slicedTables(polynomial: number): Int32Array {
  const base = crcTable(polynomial);
  const tables = new Int32Array(TABLE_ENTRIES * SLICES);
  tables.set(base);
  for (let k = 1; k < SLICES; k++) {
    for (let n = 0; n < TABLE_ENTRIES; n++) {
      const previous = tables[(k - 1) * TABLE_ENTRIES + n]!;
      tables[k * TABLE_ENTRIES + n] = (previous >>> 8) ^ base[previous & 0xff]!;
    }
  }
  return tables;
}

const CRC32C_TABLES = slicedTables(0x82f63b78);
const CRC32_TABLES = slicedTables(0xedb88320);

function crcWith(t: Int32Array, data: Uint8Array, start: number, end: number, seed: number) {
  let crc = ~seed | 0;
  let i = start;
  if (LITTLE_ENDIAN && end - start >= WORD_PATH_BYTES_MIN) {
    for (; ((data.byteOffset + i) & 3) !== 0; i++) {
      crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
    }
    const steps = (end - i) >>> 4;
    crc = wordSteps(t, new Int32Array(data.buffer, data.byteOffset + i, steps * 4), crc);
    i += steps * SLICE_BYTES;
  } else {
    const stop = end - ((end - i) & (SLICE_BYTES - 1));
    for (; i < stop; i += SLICE_BYTES) crc = byteStep(t, data, i, crc);
  }
  for (; i < end; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** 16 bytes per step, read as four little-endian words. */
function wordSteps(t: Int32Array, w: Int32Array, crc: number): number {
  for (let j = 0; j < w.length; j += 4) {
    const a = crc ^ w[j]!;
    const b = w[j + 1]!;
    const c = w[j + 2]!;
    const d = w[j + 3]!;
    crc =
      t[3840 + (a & 0xff)]! ^ t[3584 + ((a >>> 8) & 0xff)]! ^
      t[3328 + ((a >>> 16) & 0xff)]! ^ t[3072 + (a >>> 24)]! ^
      t[2816 + (b & 0xff)]! ^ t[2560 + ((b >>> 8) & 0xff)]! ^
      t[2304 + ((b >>> 16) & 0xff)]! ^ t[2048 + (b >>> 24)]! ^
      t[1792 + (c & 0xff)]! ^ t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^ t[1024 + (c >>> 24)]! ^
      t[768 + (d & 0xff)]! ^ t[512 + ((d >>> 8) & 0xff)]! ^
      t[256 + ((d >>> 16) & 0xff)]! ^ t[d >>> 24]!;
  }
  return crc;
}

/** 16 bytes per step, read one by one (any byte order, short inputs). */
function byteStep(t: Int32Array, d: Uint8Array, i: number, crc: number): number {
  const a = crc ^ (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24));
  return (
    t[3840 + (a & 0xff)]! ^ t[3584 + ((a >>> 8) & 0xff)]! ^
    t[3328 + ((a >>> 16) & 0xff)]! ^ t[3072 + (a >>> 24)]! ^
    t[2816 + d[i + 4]!]! ^ t[2560 + d[i + 5]!]! ^ t[2304 + d[i + 6]!]! ^ t[2048 + d[i + 7]!]! ^
    t[1792 + d[i + 8]!]! ^ t[1536 + d[i + 9]!]! ^ t[1280 + d[i + 10]!]! ^ t[1024 + d[i + 11]!]! ^
    t[768 + d[i + 12]!]! ^ t[512 + d[i + 13]!]! ^ t[256 + d[i + 14]!]! ^ t[d[i + 15]!]!
  );
}

export function crc32c(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  return crcWith(CRC32C_TABLES, data, start, end, seed);
}

export function crc32(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  return crcWith(CRC32_TABLES, data, start, end, seed);
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
