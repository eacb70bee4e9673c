// The SDK's typed errors: one coded base class, one subclass per outcome a caller may want to
// catch, and `CorralError.from(unknown)` that normalizes anything caught (a grpc-js
// ServiceError, an AbortSignal reason, an Error, a string) into one of them.
//
// How a gRPC status becomes a class: the status code decides the family; the server's
// `corral-error` trailing metadata refines it ('not-leader' vs 'unavailable'); and, because
// the server folds several outcomes into FAILED_PRECONDITION / NOT_FOUND, the message text
// the server writes for each of them decides between version mismatch, not empty, lock not
// held and session expired (see `REFINEMENTS`). A `corral-reason` metadata key carrying the
// KV error code directly is honoured first when a server sends it.

import { status as GrpcStatus, type Metadata, type ServiceError } from '@grpc/grpc-js';

export type ErrorCode =
  | 'invalid-argument'
  | 'not-found'
  | 'already-exists'
  | 'failed-precondition'
  | 'version-mismatch'
  | 'not-empty'
  | 'session-expired'
  | 'lock-not-held'
  | 'lock-wait-timeout'
  | 'compacted'
  | 'resource-exhausted'
  | 'unavailable'
  | 'aborted'
  | 'deadline-exceeded'
  | 'outcome-unknown'
  | 'cancelled'
  | 'unauthenticated'
  | 'internal';

export interface ErrorDetails {
  /** Node id of the group's leader, when the server named one. */
  readonly leaderId?: number;
  /** Address of that leader, when the server named one. */
  readonly leaderAddress?: string;
  /** The gRPC status code the error came from, if it came from one. */
  readonly grpcCode?: number;
  /** The server's `corral-error` code, if it sent one. */
  readonly serverCode?: string;
  /** Revision to re-list at (compacted) or to resume from. */
  readonly revision?: number;
  /** The error this one was made from. */
  readonly cause?: unknown;
}

export class CorralError extends Error {
  override name = 'CorralError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  /** Safe to retry as is: the server did not apply the request. */
  get retryable(): boolean {
    return this.code === 'unavailable' || this.code === 'aborted';
  }

  /** Normalizes anything caught into a CorralError of the most specific class. */
  static from(error: unknown): CorralError {
    if (error instanceof CorralError) return error;
    if (isServiceError(error)) return fromServiceError(error);
    if (isAbortError(error)) return new CancelledError('the call was cancelled', { cause: error });
    if (error instanceof Error) return new CorralError('internal', error.message, { cause: error });
    return new CorralError('internal', String(error), { cause: error });
  }
}

export class NotFoundError extends CorralError {
  override name = 'NotFoundError';
  constructor(message: string, details: ErrorDetails = {}) { super('not-found', message, details); }
}
export class AlreadyExistsError extends CorralError {
  override name = 'AlreadyExistsError';
  constructor(message: string, details: ErrorDetails = {}) { super('already-exists', message, details); }
}
export class VersionMismatchError extends CorralError {
  override name = 'VersionMismatchError';
  constructor(message: string, details: ErrorDetails = {}) { super('version-mismatch', message, details); }
}
export class NotEmptyError extends CorralError {
  override name = 'NotEmptyError';
  constructor(message: string, details: ErrorDetails = {}) { super('not-empty', message, details); }
}
export class SessionExpiredError extends CorralError {
  override name = 'SessionExpiredError';
  constructor(message: string, details: ErrorDetails = {}) { super('session-expired', message, details); }
}
export class LockNotHeldError extends CorralError {
  override name = 'LockNotHeldError';
  constructor(message: string, details: ErrorDetails = {}) { super('lock-not-held', message, details); }
}
/** A lock acquire whose wait ran out (or that was told not to wait) while another held it. */
export class LockWaitTimeoutError extends CorralError {
  override name = 'LockWaitTimeoutError';
  constructor(message: string, details: ErrorDetails = {}) { super('lock-wait-timeout', message, details); }
}
/** A watch asked for history the server no longer has: re-list at `details.revision`. */
export class CompactedError extends CorralError {
  override name = 'CompactedError';
  constructor(message: string, details: ErrorDetails = {}) { super('compacted', message, details); }
}
export class UnavailableError extends CorralError {
  override name = 'UnavailableError';
  constructor(message: string, details: ErrorDetails = {}) { super('unavailable', message, details); }
}
export class AbortedError extends CorralError {
  override name = 'AbortedError';
  constructor(message: string, details: ErrorDetails = {}) { super('aborted', message, details); }
}
export class InvalidArgumentError extends CorralError {
  override name = 'InvalidArgumentError';
  constructor(message: string, details: ErrorDetails = {}) { super('invalid-argument', message, details); }
}
export class ResourceExhaustedError extends CorralError {
  override name = 'ResourceExhaustedError';
  constructor(message: string, details: ErrorDetails = {}) { super('resource-exhausted', message, details); }
}
/** A call ran out of time and nothing was changed by it (reads, idempotent writes). */
export class DeadlineExceededError extends CorralError {
  override name = 'DeadlineExceededError';
  constructor(message: string, details: ErrorDetails = {}) { super('deadline-exceeded', message, details); }
}
/** A write that may or may not have been applied (it timed out or its connection broke
 *  after it was sent). It was not retried, because retrying could apply it twice. */
export class OutcomeUnknownError extends CorralError {
  override name = 'OutcomeUnknownError';
  constructor(message: string, details: ErrorDetails = {}) { super('outcome-unknown', message, details); }
}
/** The caller aborted the call (AbortSignal) or closed the client. */
export class CancelledError extends CorralError {
  override name = 'CancelledError';
  constructor(message: string, details: ErrorDetails = {}) { super('cancelled', message, details); }
}

type ErrorFactory = (message: string, details: ErrorDetails) => CorralError;

const BY_CODE: Readonly<Record<ErrorCode, ErrorFactory>> = {
  'invalid-argument': (m, d) => new InvalidArgumentError(m, d),
  'not-found': (m, d) => new NotFoundError(m, d),
  'already-exists': (m, d) => new AlreadyExistsError(m, d),
  'failed-precondition': (m, d) => new CorralError('failed-precondition', m, d),
  'version-mismatch': (m, d) => new VersionMismatchError(m, d),
  'not-empty': (m, d) => new NotEmptyError(m, d),
  'session-expired': (m, d) => new SessionExpiredError(m, d),
  'lock-not-held': (m, d) => new LockNotHeldError(m, d),
  'lock-wait-timeout': (m, d) => new LockWaitTimeoutError(m, d),
  compacted: (m, d) => new CompactedError(m, d),
  'resource-exhausted': (m, d) => new ResourceExhaustedError(m, d),
  unavailable: (m, d) => new UnavailableError(m, d),
  aborted: (m, d) => new AbortedError(m, d),
  'deadline-exceeded': (m, d) => new DeadlineExceededError(m, d),
  'outcome-unknown': (m, d) => new OutcomeUnknownError(m, d),
  cancelled: (m, d) => new CancelledError(m, d),
  unauthenticated: (m, d) => new CorralError('unauthenticated', m, d),
  internal: (m, d) => new CorralError('internal', m, d),
};

/** Builds the error class for a code (used by tests and by fakes). */
export function errorOfCode(code: ErrorCode, message: string, details: ErrorDetails = {}): CorralError {
  return BY_CODE[code](message, details);
}

/** The family of each gRPC status. */
const BY_STATUS: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [GrpcStatus.INVALID_ARGUMENT, 'invalid-argument'],
  [GrpcStatus.NOT_FOUND, 'not-found'],
  [GrpcStatus.ALREADY_EXISTS, 'already-exists'],
  [GrpcStatus.FAILED_PRECONDITION, 'failed-precondition'],
  [GrpcStatus.RESOURCE_EXHAUSTED, 'resource-exhausted'],
  [GrpcStatus.UNAVAILABLE, 'unavailable'],
  [GrpcStatus.ABORTED, 'aborted'],
  [GrpcStatus.DEADLINE_EXCEEDED, 'deadline-exceeded'],
  [GrpcStatus.CANCELLED, 'cancelled'],
  [GrpcStatus.UNAUTHENTICATED, 'unauthenticated'],
  [GrpcStatus.OUT_OF_RANGE, 'compacted'],
]);

/** KV error codes a server may send in `corral-reason`, and the class each one means. */
const BY_REASON: Readonly<Record<string, ErrorCode>> = {
  'version-mismatch': 'version-mismatch',
  'not-empty': 'not-empty',
  'no-parent': 'not-found',
  'session-not-found': 'session-expired',
  'session-expired': 'session-expired',
  'lock-not-held': 'lock-not-held',
  'guard-failed': 'lock-not-held',
  'lock-wait-timeout': 'lock-wait-timeout',
  compacted: 'compacted',
};

/** Message shapes the server writes for outcomes it folds into one status. Checked in order;
 *  the first whose family matches and whose pattern matches wins. */
const REFINEMENTS: readonly { readonly family: ErrorCode; readonly pattern: RegExp; readonly code: ErrorCode }[] = [
  { family: 'failed-precondition', pattern: /is at version \d+, expected \d+/, code: 'version-mismatch' },
  { family: 'failed-precondition', pattern: /has \d+ children/, code: 'not-empty' },
  { family: 'failed-precondition', pattern: /lock .* (is not held|is held with token)/, code: 'lock-not-held' },
  { family: 'failed-precondition', pattern: /session \d+ (has expired|does not exist)/, code: 'session-expired' },
  { family: 'not-found', pattern: /session \d+ (has expired|does not exist)/, code: 'session-expired' },
  { family: 'deadline-exceeded', pattern: /^lock \S+ was not acquired: the wait timed out/, code: 'lock-wait-timeout' },
];

/** Server-sent `corral-error` codes that name a more specific family than the status. */
const BY_SERVER_CODE: Readonly<Record<string, ErrorCode>> = {
  'not-leader': 'unavailable',
  compacted: 'compacted',
  'lock-wait-timeout': 'lock-wait-timeout',
};

function metadataString(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toString('utf8');
}

function numberOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function refinedCode(family: ErrorCode, message: string, serverCode: string | undefined, reason: string | undefined): ErrorCode {
  if (reason !== undefined && BY_REASON[reason] !== undefined) return BY_REASON[reason];
  if (serverCode !== undefined && BY_SERVER_CODE[serverCode] !== undefined) return BY_SERVER_CODE[serverCode];
  for (const refinement of REFINEMENTS) {
    if (refinement.family === family && refinement.pattern.test(message)) return refinement.code;
  }
  return family;
}

function fromServiceError(error: ServiceError): CorralError {
  const serverCode = metadataString(error.metadata, 'corral-error');
  const reason = metadataString(error.metadata, 'corral-reason');
  const family = BY_STATUS.get(error.code) ?? 'internal';
  const message = error.details !== undefined && error.details !== '' ? error.details : error.message;
  const code = refinedCode(family, message, serverCode, reason);
  const leaderId = numberOrUndefined(metadataString(error.metadata, 'corral-leader-id'));
  const leaderAddress = metadataString(error.metadata, 'corral-leader-address');
  const revision = numberOrUndefined(metadataString(error.metadata, 'corral-revision'));
  const details: ErrorDetails = {
    grpcCode: error.code,
    cause: error,
    ...(serverCode !== undefined ? { serverCode } : {}),
    ...(leaderId !== undefined ? { leaderId } : {}),
    ...(leaderAddress !== undefined ? { leaderAddress } : {}),
    ...(revision !== undefined ? { revision } : {}),
  };
  return errorOfCode(code, message, details);
}

export function isServiceError(error: unknown): error is ServiceError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as Partial<ServiceError>;
  return typeof candidate.code === 'number' && 'metadata' in candidate && candidate.metadata !== undefined;
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
