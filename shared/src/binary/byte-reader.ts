// Bounds-checked big-endian cursor over a Buffer. Every read checks the remaining length first and
// throws CodecError with the offset; it never reads past `end`.

import { CodecError } from '../errors';
import { INT64_BYTE_ORDER, int64Scratch, int64ScratchBytes } from './int64-scratch';

export class ByteReader {
  offset: number;
  readonly end: number;

  constructor(readonly buf: Buffer, start = 0, end = buf.length) {
    this.offset = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new CodecError(`need ${n} bytes for ${what}, ${this.remaining} left`, this.offset);
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.offset++);
  }

  uint8(): number {
    this.need(1, 'uint8');
    return this.buf[this.offset++]!;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  int64(): bigint {
    this.need(8, 'int64');
    // Buffer.readBigInt64BE builds the value with BigInt arithmetic, allocating on the way
    const buf = this.buf;
    const at = this.offset;
    for (let i = 0; i < 8; i++) int64ScratchBytes[INT64_BYTE_ORDER[i]!] = buf[at + i]!;
    this.offset += 8;
    return int64Scratch[0]!;
  }

  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128-style varint (Kafka's uvarint), at most 5 bytes. */
  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.uint8();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value >>> 0;
      shift += 7;
    }
    throw new CodecError('varint longer than 5 bytes', this.offset);
  }

  /** Zigzag-encoded signed varint. */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zigzag-encoded signed varlong, at most 10 bytes. */
  varlong(): bigint {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.uint8();
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (value >> 1n) ^ -(value & 1n);
      shift += 7n;
    }
    throw new CodecError('varlong longer than 10 bytes', this.offset);
  }

  /** A view (no copy) of the next n bytes. */
  bytes(n: number): Buffer {
    this.need(n, 'bytes');
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  utf8(n: number): string {
    this.need(n, 'string');
    const v = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
}
