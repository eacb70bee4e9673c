// Jittered exponential backoff ("full jitter"): the n-th retry waits a uniformly random time
// in [0, min(capMs, baseMs * 2^n)]. Pure: the random source is passed in, so tests can pin it.

import { assert } from './assert';

export interface BackoffPolicy {
  /** Upper bound of the first wait. */
  readonly baseMs: number;
  /** Upper bound of any wait. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 50, capMs: 1_000 };

/** A uniform random number in [0, 1). */
export type RandomSource = () => number;

/** Exponents above this cannot grow the bound past any sane cap; it keeps 2^n finite. */
const EXPONENT_MAX = 30;

export function validateBackoff(policy: BackoffPolicy): void {
  assert(Number.isFinite(policy.baseMs) && policy.baseMs > 0, `backoff baseMs must be > 0, got ${policy.baseMs}`);
  assert(Number.isFinite(policy.capMs) && policy.capMs >= policy.baseMs, `backoff capMs must be >= baseMs, got ${policy.capMs}`);
}

/** The upper bound of the wait before retry number `retryIndex` (0 = first retry). */
export function backoffCeilingMs(policy: BackoffPolicy, retryIndex: number): number {
  assert(Number.isInteger(retryIndex) && retryIndex >= 0, `retryIndex must be a non-negative integer, got ${retryIndex}`);
  const exponent = Math.min(retryIndex, EXPONENT_MAX);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/** The wait before retry number `retryIndex`, never more than `remainingMs`. */
export function backoffDelayMs(policy: BackoffPolicy, retryIndex: number, random: RandomSource, remainingMs = Number.POSITIVE_INFINITY): number {
  const draw = random();
  assert(draw >= 0 && draw < 1, `random source must return [0, 1), got ${draw}`);
  const delayMs = Math.floor(draw * backoffCeilingMs(policy, retryIndex));
  return Math.max(0, Math.min(delayMs, remainingMs));
}
