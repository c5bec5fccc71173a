// Page-cache warming ahead of the end of an active segment. A write into file pages the page cache
// does not hold yet allocates and zeroes them inside write(), on the event loop; on a virtual
// machine that first touch costs several times the copy (here ~2.5 ms per MiB against ~0.2 ms into
// cached pages). So the active segment's file is extended with a hole a few MiB past the log end
// and that hole is read on the libuv thread pool: the reads bring in zero-filled clean pages, and
// the appends then only copy into them. The reads go through a file descriptor of their own and
// change nothing, so one racing an append, a truncation or a close cannot harm data. The hole is
// cut off when the segment stops being active; after a crash, recovery cuts it as a torn tail.

import fs from 'node:fs';

/** How far past the log end the pages are kept warm. */
export const PREFAULT_AHEAD_BYTES = 4 * 1024 * 1024;
/** One read of the hole; warming restarts once the log end comes within half the window. */
export const PREFAULT_CHUNK_BYTES = 1024 * 1024;

/**
 * Shared by the logs of a log manager: the buffer every warming read lands in (never read back, so
 * reads of different segments may share it). An `aheadBytes` of 0 turns warming off.
 */
export class PagePrefault {
  private readonly scratch = Buffer.allocUnsafe(PREFAULT_CHUNK_BYTES);

  constructor(readonly aheadBytes: number = PREFAULT_AHEAD_BYTES) {}

  /** Reads [position, position + length) of `fd` into the scratch buffer, off the event loop. */
  read(fd: number, position: number, length: number, done: (failed: boolean) => void): void {
    const n = Math.min(length, this.scratch.length);
    fs.read(fd, this.scratch, 0, n, position, (err) => done(err !== null));
  }

  /** A read-only descriptor of its own for `filePath`; throws as fs.openSync does. */
  open(filePath: string): number {
    return fs.openSync(filePath, 'r');
  }

  /** Closes a descriptor from open(): read-only, so a failing close loses nothing and is ignored. */
  close(fd: number): void {
    fs.close(fd, () => undefined);
  }
}

/** What a segment lends its warming: its log end now, and a way to lengthen its file with a hole. */
export interface PrefaultTarget {
  logEnd(): number;
  /** Makes the file at least `size` bytes long; may throw. */
  extendTo(size: number): void;
  /** Warming has stopped for good because of `reason` (appends go on, into cold pages). */
  failed(reason: string): void;
}

/**
 * The warming state of one active segment: how far its pages are warm and whether a read is out.
 * `stop()` ends it; its descriptor is closed once no read is out.
 */
export class SegmentPrefault {
  private warmTo: number;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly prefault: PagePrefault,
    private readonly fd: number,
    private readonly target: PrefaultTarget,
  ) {
    this.warmTo = target.logEnd();
  }

  /**
   * Called after each append: starts the next read when less than half the window is warm. Never
   * throws (it runs after an append has succeeded, and from read callbacks): a failure ends the
   * warming and is reported to the target.
   */
  advance(): void {
    const ahead = this.prefault.aheadBytes;
    if (this.busy || this.stopped || ahead <= 0) return;
    const logEnd = this.target.logEnd();
    if (this.warmTo - logEnd >= ahead / 2) return;
    const from = Math.max(this.warmTo, logEnd);
    const length = Math.min(PREFAULT_CHUNK_BYTES, logEnd + ahead - from);
    try {
      this.target.extendTo(from + length);
    } catch (e) {
      return this.fail(`cannot lengthen the file: ${(e as Error).message}`);
    }
    this.busy = true;
    this.prefault.read(this.fd, from, length, (failed) => {
      this.busy = false;
      if (this.stopped) return this.prefault.close(this.fd);
      if (failed) return this.fail(`a read of [${from}, ${from + length}) failed`);
      this.warmTo = from + length;
      this.advance();
    });
  }

  private fail(reason: string): void {
    this.stop();
    this.target.failed(reason);
  }

  /** The file was cut at `size`: pages past it are gone. */
  truncated(size: number): void {
    this.warmTo = Math.min(this.warmTo, size);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.busy) this.prefault.close(this.fd);
  }
}
