// A bounded retry for setup steps (preloading keys, arming watches): a system that is
// briefly between leaders should not fail a whole workload before it is measured.

import { sleep } from './time';

export interface RetryOptions {
  readonly attemptsMax: number;
  readonly delayMs: number;
}

export const SETUP_RETRY: RetryOptions = { attemptsMax: 20, delayMs: 250 };

export async function retrying<T>(what: string, options: RetryOptions, attempt: () => Promise<T>): Promise<T> {
  let lastError: unknown = null;
  for (let n = 0; n < options.attemptsMax; n++) {
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
      if (n + 1 < options.attemptsMax) await sleep(options.delayMs);
    }
  }
  throw new Error(`${what}: failed ${options.attemptsMax} times; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
