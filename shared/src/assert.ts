// Assertions for invariants. A failure is a programmer error: it throws and is never caught to continue.

export class AssertionFailure extends Error {}

export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

export function assertNever(value: never, what = 'value'): never {
  throw new AssertionFailure(`unexpected ${what}: ${String(value)}`);
}
