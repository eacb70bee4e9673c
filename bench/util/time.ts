// Clocks and sleeps for the benchmark. Latencies use the monotonic high-resolution clock;
// wall-clock time appears only in file names and report headers.

import { performance } from 'node:perf_hooks';

/** Monotonic milliseconds (fractional), comparable across this process only. */
export function nowMs(): number {
  return performance.now();
}

export function sleep(durationMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, durationMs)));
}

/** Rejects with `TimeoutError` when `promise` has not settled within `timeoutMs`. The timer
 *  is cleared either way, so it never holds the process open. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}
