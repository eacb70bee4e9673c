// The CLI's exit codes and how an error becomes one. One line on stderr, never a stack trace.

import { CommanderError } from 'commander';
import { CorralError } from '../client-sdk';

export const EXIT_OK = 0;
/** The operation failed (not found, version mismatch, unreachable cluster, ...). */
export const EXIT_FAILED = 1;
/** The command line was wrong (unknown command or option, bad argument, bad path). */
export const EXIT_USAGE = 2;
/** `lock acquire` / `lock run`: the lock was not granted within the wait. */
export const EXIT_LOCK_TIMEOUT = 3;
/** `lock run`: the lock was lost while the command ran; the command was terminated. */
export const EXIT_LOCK_LOST = 4;

/** A usage error found by the CLI itself (not by commander). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure with a chosen exit code (the message is the one line printed). */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';

  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface ErrorReport {
  readonly exitCode: number;
  readonly code: string;
  readonly message: string;
}

/** One line, whatever the error says. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function reportOf(error: unknown): ErrorReport {
  if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? EXIT_OK : EXIT_USAGE, code: error.code, message: oneLine(error.message.replace(/^error: /, '')) };
  if (error instanceof UsageError) return { exitCode: EXIT_USAGE, code: 'usage', message: oneLine(error.message) };
  if (error instanceof CliFailure) return { exitCode: error.exitCode, code: 'failed', message: oneLine(error.message) };
  const coded = CorralError.from(error);
  const exitCode = coded.code === 'invalid-argument' ? EXIT_USAGE : coded.code === 'lock-wait-timeout' ? EXIT_LOCK_TIMEOUT : EXIT_FAILED;
  const message = coded.code === 'internal' && !(error instanceof CorralError) ? `internal error: ${coded.message}` : coded.message;
  return { exitCode, code: coded.code, message: oneLine(message) };
}
