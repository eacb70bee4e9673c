// Assertions catch programmer errors inside the SDK (broken invariants). They throw an
// AssertionError that is never turned into a CorralError: a bug must crash loudly.
// (The SDK never imports from server/, so it keeps its own copy of this tiny helper.)

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
