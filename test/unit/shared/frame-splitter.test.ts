import { FrameSplitter, LimitError, CodecError } from '../../../shared/src';

function frame(payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  payload.copy(b, 4);
  return b;
}

describe('FrameSplitter', () => {
  const payloads = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world'), Buffer.alloc(300, 7)];
  const stream = Buffer.concat(payloads.map(frame));

  it('returns the same frames when fed one byte at a time', () => {
    const splitter = new FrameSplitter(1024);
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...splitter.push(stream.subarray(i, i + 1)).map((f) => Buffer.from(f)));
    expect(out).toEqual(payloads);
    expect(splitter.bufferedBytes).toBe(0);
  });

  it('returns all frames from one chunk and keeps a partial tail', () => {
    const splitter = new FrameSplitter(1024);
    const frames = splitter.push(stream.subarray(0, stream.length - 10));
    expect(frames.map((f) => Buffer.from(f))).toEqual(payloads.slice(0, 3));
    expect(splitter.push(stream.subarray(stream.length - 10)).map((f) => Buffer.from(f))).toEqual([payloads[3]]);
  });

  it('rejects a length above the limit before buffering it', () => {
    const splitter = new FrameSplitter(100);
    const header = Buffer.alloc(4);
    header.writeInt32BE(101, 0);
    expect(() => splitter.push(header)).toThrow(LimitError);
  });

  it('rejects a negative length', () => {
    const splitter = new FrameSplitter(100);
    expect(() => splitter.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(CodecError);
  });
});
