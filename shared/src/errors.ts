// Small named error classes with a stable `code`. Expected outcomes are these; broken invariants are assert failures.

export class BaseError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration file or value is wrong; the message names the key and, where known, the line. */
export class ConfigError extends BaseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
  }
}

/** Bytes on the wire or on disk do not decode; `offset` is where decoding stopped. */
export class CodecError extends BaseError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super('CODEC', `${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

/** A named limit was exceeded (frame size, connections, queue length). */
export class LimitError extends BaseError {
  constructor(message: string) {
    super('LIMIT', message);
  }
}
