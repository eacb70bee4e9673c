// When may a failed call be sent again? Pure decisions, so that the rules are tested alone.
//
// - A read can always be resent.
// - An idempotent write (it carries a request id the server deduplicates, or it is a delete
//   that ignores a missing node) can be resent after any transport failure.
// - A plain write is resent only when the server certainly did not apply it: the server
//   answered with a retryable coded status (UNAVAILABLE with `corral-error`: no leader, not
//   leader; ABORTED: leadership changed before commit, not applied), or the request never
//   left this process (no connection could be established). A timeout or a connection that
//   broke after sending leaves the outcome unknown: that is surfaced, never retried.

import { status as GrpcStatus } from '@grpc/grpc-js';
import { CorralError, OutcomeUnknownError } from './errors';

export type CallSafety = 'read' | 'idempotent-write' | 'write';

export type RetryDecision =
  | { readonly action: 'retry'; readonly refreshTopology: boolean }
  | { readonly action: 'fail'; readonly error: CorralError };

export interface RetryInput {
  readonly error: CorralError;
  readonly safety: CallSafety;
  /** Attempts made so far, including the one that failed (>= 1). */
  readonly attempts: number;
  readonly attemptsMax: number;
  readonly remainingMs: number;
}

/** grpc-js messages for a call that failed before any byte of it was sent. */
const NOT_SENT_PATTERN = /No connection established|ECONNREFUSED|Name resolution failed|getaddrinfo|EHOSTUNREACH|ENETUNREACH|connect ETIMEDOUT/;

/** The request never reached a server: safe to resend whatever it was. */
export function neverSent(error: CorralError): boolean {
  return error.code === 'unavailable' && error.details.serverCode === undefined && NOT_SENT_PATTERN.test(error.message);
}

/** The server said it did not apply the request. */
export function notApplied(error: CorralError): boolean {
  if (error.code === 'aborted') return true;
  return error.code === 'unavailable' && error.details.serverCode !== undefined;
}

/** The request may have been applied and the caller cannot tell. */
export function outcomeAmbiguous(error: CorralError): boolean {
  if (error.code === 'deadline-exceeded' || error.code === 'cancelled') return true;
  return error.code === 'unavailable' && !neverSent(error) && !notApplied(error);
}

function resendable(error: CorralError, safety: CallSafety): boolean {
  if (neverSent(error) || notApplied(error)) return true;
  if (safety === 'write') return false;
  if (error.code === 'unavailable') return true;
  // A timeout the SERVER reports (read barrier, proposal not committed in time, a lock wait
  // whose cancel did not apply) is worth another try when resending is safe; a client-side
  // deadline is the end of the call.
  return error.code === 'deadline-exceeded' && error.details.grpcCode === GrpcStatus.DEADLINE_EXCEEDED && error.details.serverCode !== undefined;
}

/** Wraps an ambiguous write failure so that the caller sees "outcome unknown". */
export function finalError(error: CorralError, safety: CallSafety): CorralError {
  if (safety === 'read' || !outcomeAmbiguous(error) || error.code === 'cancelled') return error;
  return new OutcomeUnknownError(error.message, { ...error.details, cause: error });
}

export function decideRetry(input: RetryInput): RetryDecision {
  const { error, safety } = input;
  const canResend = resendable(error, safety);
  if (!canResend || input.attempts >= input.attemptsMax || input.remainingMs <= 0) {
    return { action: 'fail', error: finalError(error, safety) };
  }
  // Any routing-shaped failure means the cached leader or address may be stale.
  return { action: 'retry', refreshTopology: error.code === 'unavailable' || error.code === 'aborted' };
}
