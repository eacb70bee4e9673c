// Polls a probe until it yields a value, bounded in time and in attempts.

import { sleep } from './time';

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/** Calls `probe` every `intervalMs` until it returns something other than undefined/false.
 *  A throwing probe counts as "not yet"; its last error is part of the timeout message. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const attemptsMax = Math.max(1, Math.ceil(options.timeoutMs / Math.max(1, options.intervalMs)) + 1);
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (let attempt = 0; attempt < attemptsMax && Date.now() < deadline; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(options.intervalMs);
  }
  throw new WaitTimeoutError(`timed out after ${options.timeoutMs} ms waiting for ${what}${lastError === '' ? '' : ` (last error: ${lastError})`}`);
}
