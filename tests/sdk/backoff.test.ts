// Jittered exponential backoff: ceilings double up to the cap; the draw scales the ceiling;
// the wait never exceeds the time left.

import { backoffCeilingMs, backoffDelayMs, validateBackoff } from '../../client-sdk/backoff';

const policy = { baseMs: 50, capMs: 1_000 };

test('ceilings double from the base and stop at the cap', () => {
  expect([0, 1, 2, 3, 4, 5, 6, 40].map((n) => backoffCeilingMs(policy, n))).toEqual([50, 100, 200, 400, 800, 1_000, 1_000, 1_000]);
});

test('the delay is the draw times the ceiling (full jitter), bounded by the time left', () => {
  expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
  expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(200);
  expect(backoffDelayMs(policy, 3, () => 0.999)).toBe(399);
  expect(backoffDelayMs(policy, 10, () => 0.5, 120)).toBe(120);
  expect(backoffDelayMs(policy, 10, () => 0.5, -5)).toBe(0);
});

test('jitter spreads retries: many draws cover the range', () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  const delays = Array.from({ length: 1_000 }, () => backoffDelayMs(policy, 4, random));
  expect(Math.min(...delays)).toBeLessThan(80);
  expect(Math.max(...delays)).toBeGreaterThan(720);
  expect(delays.every((d) => d >= 0 && d < 800)).toBe(true);
});

test('bad policies and bad random sources are bugs', () => {
  expect(() => validateBackoff({ baseMs: 0, capMs: 10 })).toThrow(/baseMs/);
  expect(() => validateBackoff({ baseMs: 100, capMs: 10 })).toThrow(/capMs/);
  expect(() => backoffDelayMs(policy, 0, () => 1)).toThrow(/\[0, 1\)/);
  expect(() => backoffCeilingMs(policy, -1)).toThrow(/retryIndex/);
});
