// The request frame reader: any chunking of a stream gives the same frames, down to one byte at a
// time; whole frames inside a chunk are views (no copy); sizes above the limit or negative are
// refused as soon as the four size bytes are in, before the frame's bytes arrive.

import fc from 'fast-check';
import { CodecError, LimitError } from '../../../shared/src';
import { FrameSplitter } from '../../../shared/src';

function stream(frames: Buffer[]): Buffer {
  return Buffer.concat(
    frames.flatMap((f) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(f.length, 0);
      return [size, f];
    }),
  );
}

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

describe('request frame reader', () => {
  test('every chunking yields the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (frames, cuts) => {
          const input = frames.map((f) => Buffer.from(f));
          const reader = new FrameSplitter(1000);
          const got = split(stream(input), cuts).flatMap((c) => reader.push(c));
          expect(got.map((b) => b.toString('hex'))).toEqual(input.map((b) => b.toString('hex')));
          expect(reader.bufferedBytes).toBe(0);
        },
      ),
    );
  });

  test('one byte at a time', () => {
    const input = [Buffer.from('abc'), Buffer.alloc(0), Buffer.from('defgh')];
    const reader = new FrameSplitter(100);
    const bytes = stream(input);
    const got: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) got.push(...reader.push(bytes.subarray(i, i + 1)));
    expect(got.map(String)).toEqual(['abc', '', 'defgh']);
  });

  test('a frame lying whole in a chunk is a view of it', () => {
    const chunk = stream([Buffer.from('hello')]);
    const [frame] = new FrameSplitter(100).push(chunk);
    expect(frame!.buffer).toBe(chunk.buffer);
  });

  test('an oversized frame is refused from its size alone', () => {
    const reader = new FrameSplitter(1024);
    const size = Buffer.alloc(4);
    size.writeInt32BE(1025, 0);
    expect(() => reader.push(size.subarray(0, 2))).not.toThrow();
    expect(() => reader.push(size.subarray(2))).toThrow(LimitError);
    expect(() => new FrameSplitter(1024).push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(
      CodecError,
    );
  });
});
