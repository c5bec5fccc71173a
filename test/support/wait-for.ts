// Poll-until with a deadline and a description, so tests never sleep for a guessed time.
// A probe returns a value when the condition holds and undefined (or false) while it does not;
// a probe that throws is retried until the deadline, and its last error is kept as the cause.

export class WaitTimeoutError extends Error {
  constructor(description: string, timeoutMs: number, cause?: unknown) {
    const reason = cause instanceof Error ? `: last error: ${cause.message}` : '';
    super(`timed out after ${timeoutMs} ms waiting for ${description}${reason}`, { cause });
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitOptions {
  /** What is awaited, for the timeout message. */
  description: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Stop early: when this returns a reason (e.g. "process exited"), waitFor rejects with it. */
  abortIf?: () => string | undefined;
}

const WAIT_TIMEOUT_MS_DEFAULT = 10_000;
const WAIT_INTERVAL_MS_DEFAULT = 50;

/** Resolves after `ms`; for use between probes only. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS_DEFAULT;
  const intervalMs = options.intervalMs ?? WAIT_INTERVAL_MS_DEFAULT;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abortIf?.();
    if (aborted !== undefined) throw new Error(`gave up waiting for ${options.description}: ${aborted}`);
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(options.description, timeoutMs, lastError);
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Rejects with a WaitTimeoutError if `promise` does not settle within `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(description, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
