// The record-set codecs of Kafka's attributes bits 0-2: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd.
// - gzip: node:zlib (multi-member streams accepted).
// - snappy: Java clients and kafka-python write xerial framing (magic 82 'SNAPPY' 00, int32 version,
//   int32 compat, then [int32 length, raw block]...), librdkafka a raw block; both are read. We
//   write xerial with 32 KiB blocks, as Java's SnappyOutputStream does. Blocks: snappyjs (pure JS).
// - lz4: the frame format with independent blocks (lz4-frame.ts, in house).
// - zstd: fzstd (pure JS) decompresses; compressing needs the wasm build of @bokuweb/zstd-wasm,
//   which loads asynchronously, so it is an explicit ZstdCompressor handed in by the caller.
// Every decompression stops at a byte limit. Corrupt input raises KafkaError CORRUPT_MESSAGE,
// an unknown codec UNSUPPORTED_COMPRESSION_TYPE, and output beyond the limit LimitError.

import * as zlib from 'node:zlib';
import { Decompress as ZstdStream } from 'fzstd';
import { LimitError } from '../../../shared/src';
import { KafkaError } from './error-codes';
import { lz4FrameCompress, lz4FrameDecompress } from './lz4-frame';
import { DECOMPRESSED_BYTES_MAX } from '../limits';

/** snappyjs ships no types: the part of its API used here. */
interface SnappyJs {
  compress(data: Uint8Array): Uint8Array;
  uncompress(data: Uint8Array, maxLength?: number): Uint8Array;
}
const snappyjs = require('snappyjs') as SnappyJs;

export const CompressionType = Object.freeze({ None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const);
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];
export const COMPRESSION_NAMES: readonly string[] = Object.freeze(['none', 'gzip', 'snappy', 'lz4', 'zstd']);
/** attributes & COMPRESSION_MASK = codec, for legacy messages and v2 batches alike. */
export const COMPRESSION_MASK = 0x07;

export function compressionName(type: number): string {
  return COMPRESSION_NAMES[type] ?? `unknown(${type})`;
}

export function compressionTypeByName(name: string): CompressionType {
  const i = COMPRESSION_NAMES.indexOf(name);
  if (i < 0) throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression "${name}"`);
  return i as CompressionType;
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;
const XERIAL_BLOCK_BYTES = 32 * 1024;

export interface DecompressOptions {
  /** Largest decompressed size accepted (default DECOMPRESSED_BYTES_MAX). */
  readonly limitBytes?: number;
  /** Accept any lz4 header checksum: magic-0 messages of old Java clients got it wrong. */
  readonly legacyLz4Checksum?: boolean;
}

function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_BYTES && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** A raw snappy block starts with its uncompressed length as a uvarint. */
function snappyLength(data: Uint8Array): number {
  let n = 0;
  for (let i = 0, shift = 0; i < Math.min(data.length, 5); i++, shift += 7) {
    n += (data[i]! & 0x7f) * 2 ** shift;
    if ((data[i]! & 0x80) === 0) return n;
  }
  throw new Error('bad snappy length preamble');
}

function snappyBlock(data: Uint8Array, limitBytes: number): Buffer {
  const n = snappyLength(data);
  if (n > limitBytes) throw new LimitError(`snappy output of ${n} bytes exceeds ${limitBytes}`);
  const out = snappyjs.uncompress(data, limitBytes);
  return Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function snappyDecompress(data: Buffer, limitBytes: number): Buffer {
  if (!isXerial(data)) return snappyBlock(data, limitBytes);
  const blocks: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_BYTES;
  while (at < data.length) {
    if (data.length - at < 4) throw new Error('truncated xerial block length');
    const n = data.readInt32BE(at);
    at += 4;
    if (n < 0 || n > data.length - at)
      throw new Error(`xerial block of ${n} bytes exceeds the ${data.length - at} left`);
    const block = snappyBlock(data.subarray(at, at + n), limitBytes - total);
    total += block.length;
    blocks.push(block);
    at += n;
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks, total);
}

function zstdDecompress(data: Buffer, limitBytes: number): Buffer {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new ZstdStream((chunk) => {
    total += chunk.length;
    if (total > limitBytes) throw new LimitError(`zstd output exceeds ${limitBytes} bytes`);
    chunks.push(chunk);
  });
  stream.push(data, true);
  return Buffer.concat(chunks, total);
}

function gzipDecompress(data: Buffer, limitBytes: number): Buffer {
  try {
    return zlib.gunzipSync(data, { maxOutputLength: limitBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new LimitError(`gzip output exceeds ${limitBytes} bytes`);
    throw e;
  }
}

/** Decompresses a record set (v2 batch records, or a legacy wrapper's value). */
export function decompress(type: number, data: Buffer, options: DecompressOptions = {}): Buffer {
  const limitBytes = options.limitBytes ?? DECOMPRESSED_BYTES_MAX;
  try {
    switch (type) {
      case CompressionType.None:
        if (data.length > limitBytes)
          throw new LimitError(`record set of ${data.length} bytes exceeds ${limitBytes}`);
        return data;
      case CompressionType.Gzip:
        return gzipDecompress(data, limitBytes);
      case CompressionType.Snappy:
        return snappyDecompress(data, limitBytes);
      case CompressionType.Lz4:
        return lz4FrameDecompress(data, {
          limitBytes,
          ignoreHeaderChecksum: options.legacyLz4Checksum === true,
        });
      case CompressionType.Zstd:
        return zstdDecompress(data, limitBytes);
    }
  } catch (e) {
    if (e instanceof LimitError || e instanceof KafkaError) throw e;
    throw new KafkaError(
      'CORRUPT_MESSAGE',
      `${compressionName(type)} data does not decompress: ${(e as Error).message}`,
      { cause: e },
    );
  }
  throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', `compression type ${type}`);
}

/** A zstd compressor; obtained once from loadZstdCompressor() and passed to compress(). */
export interface ZstdCompressor {
  compress(data: Uint8Array, level: number): Uint8Array;
}

/** Loads the zstd wasm module (reads its .wasm file) and returns a synchronous compressor. */
export async function loadZstdCompressor(): Promise<ZstdCompressor> {
  const wasm = require('@bokuweb/zstd-wasm') as typeof import('@bokuweb/zstd-wasm');
  await wasm.init();
  return { compress: (data, level) => wasm.compress(data, level) };
}

export interface CompressOptions {
  /** Needed for zstd only. */
  readonly zstd?: ZstdCompressor;
  readonly zstdLevel?: number;
  readonly gzipLevel?: number;
  /** 'xerial' (Java clients' framing, the default) or 'raw' (librdkafka). */
  readonly snappyFraming?: 'xerial' | 'raw';
}

const ZSTD_DEFAULT_LEVEL = 3;

function snappyCompress(data: Buffer, framing: 'xerial' | 'raw'): Buffer {
  if (framing === 'raw') return Buffer.from(snappyjs.compress(data));
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  parts.push(header);
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_BYTES) {
    const block = Buffer.from(snappyjs.compress(data.subarray(at, at + XERIAL_BLOCK_BYTES)));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

export function compress(type: number, data: Buffer, options: CompressOptions = {}): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return zlib.gzipSync(data, { level: options.gzipLevel ?? zlib.constants.Z_DEFAULT_COMPRESSION });
    case CompressionType.Snappy:
      return snappyCompress(data, options.snappyFraming ?? 'xerial');
    case CompressionType.Lz4:
      return lz4FrameCompress(data);
    case CompressionType.Zstd: {
      if (options.zstd === undefined)
        throw new Error('zstd compression needs a ZstdCompressor (loadZstdCompressor())');
      const out = options.zstd.compress(data, options.zstdLevel ?? ZSTD_DEFAULT_LEVEL);
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    }
  }
  throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', `compression type ${type}`);
}
