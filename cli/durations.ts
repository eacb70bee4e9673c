// Durations on the command line: `500ms`, `10s`, `2m`, `1h`, or a bare number of seconds.

import { InvalidArgumentError } from 'commander';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
/** A day: nothing on the command line needs to be longer. */
export const DURATION_MS_MAX = 24 * 3_600_000;

/** Parses a duration into milliseconds; throws commander's InvalidArgumentError (a usage
 *  error, exit code 2) on anything else. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) throw new InvalidArgumentError(`"${text}" is not a duration (use 500ms, 10s, 2m, 1h, or seconds)`);
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']);
  if (!Number.isSafeInteger(ms) || ms > DURATION_MS_MAX) throw new InvalidArgumentError(`"${text}" is longer than ${DURATION_MS_MAX / 3_600_000} h`);
  return ms;
}

/** Like parseDurationMs but rejects zero. */
export function parsePositiveDurationMs(text: string): number {
  const ms = parseDurationMs(text);
  if (ms <= 0) throw new InvalidArgumentError(`"${text}" must be longer than 0`);
  return ms;
}

/** A non-negative integer (versions, revisions, counts, ids). */
export function parseCount(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError(`"${text}" is not a non-negative integer`);
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`"${text}" is too large`);
  return value;
}

export function parsePositiveCount(text: string): number {
  const value = parseCount(text);
  if (value < 1) throw new InvalidArgumentError(`"${text}" must be at least 1`);
  return value;
}
