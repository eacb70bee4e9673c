// Per-call options and the two primitives every call is built from: a deadline and an abort
// signal. Background timers (keepalives, reconnects) are unref()'d so that the SDK never
// holds a process open by itself; a timer that belongs to a call the caller is awaiting (a
// retry backoff) is kept referenced (`hold`), bounded by the call's deadline, so that the
// process does not exit under a pending await.

import { CancelledError, DeadlineExceededError } from './errors';

/** Accepted by every call. */
export interface CallOptions {
  /** Bound on the whole call, retries included. Defaults to the client's `timeoutMs`. */
  readonly timeoutMs?: number;
  /** Aborting it cancels the call; the call rejects with CancelledError. */
  readonly signal?: AbortSignal;
}

export function deadlineOf(options: CallOptions | undefined, defaultTimeoutMs: number, nowMs: number): number {
  const timeoutMs = options?.timeoutMs ?? defaultTimeoutMs;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  return nowMs + timeoutMs;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new CancelledError('the call was cancelled by its AbortSignal', { cause: signal.reason });
}

/** Resolves after `ms`, or rejects with CancelledError when `signal` aborts. The timer is
 *  unref'd unless `hold` (a call being awaited). */
export function sleep(ms: number, signal?: AbortSignal, hold = false): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new CancelledError('the call was cancelled by its AbortSignal', { cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError('the call was cancelled by its AbortSignal', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    if (!hold) timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Races a promise against a deadline and a signal; the loser's timer and listener are cleaned up. */
export function withDeadline<T>(promise: Promise<T>, deadlineMs: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const remainingMs = deadlineMs - Date.now();
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      cleanup();
      reject(new CancelledError(`${what} was cancelled by its AbortSignal`, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new DeadlineExceededError(`${what} timed out`));
    }, Math.max(0, remainingMs));
    timer.unref();
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
