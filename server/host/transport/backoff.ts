// Jittered exponential backoff for reconnects: the n-th delay after a failure is drawn
// uniformly from [max(min, base / 2), base] with base = min(max, min * 2^n) ("equal
// jitter"), so that peers that lost a node together do not all redial it in step.

import type { Random } from '../../raft/types';
import { assert } from '../../util/assert';

/** 2^30 times any sensible minimum exceeds any sensible maximum: stop doubling there. */
const DOUBLINGS_MAX = 30;

export interface BackoffOptions {
  readonly delayMsMin: number;
  readonly delayMsMax: number;
  readonly random: Random;
}

export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions) {
    assert(options.delayMsMin > 0, 'backoff minimum must be positive');
    assert(options.delayMsMin <= options.delayMsMax, 'backoff minimum must not exceed its maximum');
  }

  /** The delay before the next attempt; each call counts one more failure. */
  nextDelayMs(): number {
    const { delayMsMin, delayMsMax, random } = this.options;
    const base = Math.min(delayMsMax, delayMsMin * 2 ** Math.min(this.failures, DOUBLINGS_MAX));
    this.failures += 1;
    const low = Math.max(delayMsMin, Math.floor(base / 2));
    const delayMs = low + random.nextInt(base - low + 1);
    assert(delayMs >= delayMsMin && delayMs <= delayMsMax, `backoff delay ${delayMs} out of bounds`);
    return delayMs;
  }

  /** The longest delay, with jitter: for failures that retrying soon will not fix. */
  maxDelayMs(): number {
    const { delayMsMin, delayMsMax, random } = this.options;
    const low = Math.max(delayMsMin, Math.floor(delayMsMax / 2));
    return low + random.nextInt(delayMsMax - low + 1);
  }

  /** A connection worked: the next failure starts from the minimum again. */
  reset(): void {
    this.failures = 0;
  }
}
