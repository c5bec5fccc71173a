// PURE: incremental splitter for streams of frames that are `int32 length` (big-endian, excluding
// itself) + payload, as both ZooKeeper and Kafka frame their messages. Feed it any chunking of the
// stream; it returns whole payloads. A length above `frameBytesMax` (or negative) is rejected as
// soon as its four bytes are in, before anything is allocated for it. A frame lying whole inside one
// chunk is handed out as a view of that chunk (no copy); a frame spread over chunks is assembled
// once into a buffer of its exact size (never by re-concatenating what came before, which would be
// quadratic for large frames arriving in many chunks).

import { CodecError, LimitError } from '../errors';

const SIZE_BYTES = 4;

export class FrameSplitter {
  private readonly sizeBuf = Buffer.alloc(SIZE_BYTES);
  private sizeHave = 0;
  /** The frame being assembled across chunks, once its size is known. */
  private frame: Buffer | null = null;
  private frameHave = 0;

  constructor(private readonly frameBytesMax: number) {}

  /** Bytes held back while a frame is incomplete. */
  get bufferedBytes(): number {
    return this.sizeHave + this.frameHave;
  }

  /**
   * Adds a chunk; returns the frames it completes, in order. Throws LimitError for a size above
   * the limit and CodecError for a negative one; the reader is unusable afterwards.
   */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.frame !== null) {
        at = this.fill(chunk, at, out);
        continue;
      }
      if (this.sizeHave === 0 && chunk.length - at >= SIZE_BYTES) {
        const size = this.checkedSize(chunk.readInt32BE(at));
        at += SIZE_BYTES;
        if (chunk.length - at >= size) {
          out.push(chunk.subarray(at, at + size));
          at += size;
        } else this.startFrame(size);
        continue;
      }
      const n = Math.min(SIZE_BYTES - this.sizeHave, chunk.length - at);
      chunk.copy(this.sizeBuf, this.sizeHave, at, at + n);
      this.sizeHave += n;
      at += n;
      if (this.sizeHave < SIZE_BYTES) break;
      this.sizeHave = 0;
      const size = this.checkedSize(this.sizeBuf.readInt32BE(0));
      if (size === 0) out.push(Buffer.alloc(0));
      else this.startFrame(size);
    }
    return out;
  }

  private checkedSize(size: number): number {
    if (size < 0) throw new CodecError(`negative frame length ${size}`, 0);
    if (size > this.frameBytesMax) {
      throw new LimitError(`frame of ${size} bytes exceeds the limit of ${this.frameBytesMax}`);
    }
    return size;
  }

  private startFrame(size: number): void {
    this.frame = Buffer.allocUnsafe(size);
    this.frameHave = 0;
  }

  private fill(chunk: Buffer, at: number, out: Buffer[]): number {
    const frame = this.frame!;
    const n = Math.min(frame.length - this.frameHave, chunk.length - at);
    chunk.copy(frame, this.frameHave, at, at + n);
    this.frameHave += n;
    if (this.frameHave === frame.length) {
      out.push(frame);
      this.frame = null;
      this.frameHave = 0;
    }
    return at + n;
  }
}
