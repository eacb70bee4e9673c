// API outcomes: one coded error class. The gRPC layer maps codes to statuses with a single
// table (server/api/status-map.ts). Bugs are AssertionErrors and are never turned into these.

export type ErrorCode =
  | 'invalid-argument'
  | 'not-found'
  | 'already-exists'
  | 'failed-precondition'
  | 'resource-exhausted'
  | 'unavailable' // retryable: no leader yet, node shutting down, peer unreachable
  | 'not-leader' // retryable at the leader named in `leaderHint`
  | 'deadline-exceeded' // the outcome is unknown: the operation may or may not have applied
  | 'aborted' // retryable: e.g. leadership changed before the proposal committed
  | 'unauthenticated'
  | 'internal';

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['unavailable', 'not-leader', 'aborted']);

export interface ErrorDetails {
  /** Node id of the group's leader, when known (for 'not-leader'). */
  readonly leaderHint?: number;
  /** Address of that leader, when known. */
  readonly leaderAddress?: string;
  readonly groupId?: number;
  /** Revision to resume a watch from, or to re-list at ('compacted'). */
  readonly revision?: number;
  /** The precise reason behind a broad code (e.g. 'version-mismatch' for failed-precondition). */
  readonly reason?: string;
}

export class CorralError extends Error {
  override readonly name = 'CorralError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** Normalize anything caught into a CorralError (unknown errors become 'internal'). */
  static from(error: unknown): CorralError {
    if (error instanceof CorralError) return error;
    if (error instanceof Error) return new CorralError('internal', error.message);
    return new CorralError('internal', String(error));
  }
}
