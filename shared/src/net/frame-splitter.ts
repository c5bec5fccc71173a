// Pure incremental splitter for streams of frames that are `int32 length` (big-endian, excluding
// itself) + payload, as both ZooKeeper and Kafka frame their messages. Feed it any chunking of the
// stream; it returns whole payloads. A length above `frameBytesMax` (or negative) is rejected before
// anything is allocated for it.

import { LimitError, CodecError } from '../errors';

const LENGTH_PREFIX_BYTES = 4;

export class FrameSplitter {
  private pending: Buffer | null = null;

  constructor(private readonly frameBytesMax: number) {}

  /** Bytes held back, waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Adds a chunk and returns the payloads of the frames it completes (views into the chunk where
   * possible). Throws LimitError for an oversized length, CodecError for a negative one.
   */
  push(chunk: Buffer): Buffer[] {
    let data = chunk;
    if (this.pending !== null) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    const frames: Buffer[] = [];
    let at = 0;
    while (data.length - at >= LENGTH_PREFIX_BYTES) {
      const length = data.readInt32BE(at);
      if (length < 0) throw new CodecError(`negative frame length ${length}`, at);
      if (length > this.frameBytesMax) {
        throw new LimitError(`frame of ${length} bytes exceeds the limit of ${this.frameBytesMax}`);
      }
      const end = at + LENGTH_PREFIX_BYTES + length;
      if (end > data.length) break;
      frames.push(data.subarray(at + LENGTH_PREFIX_BYTES, end));
      at = end;
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
    return frames;
  }
}
