// Expected outcomes of KV commands and queries are values, never exceptions: a failed
// command returns `{ ok: false, code, message }` and has changed nothing.

export type KvErrorCode =
  | 'invalid-argument' // bad path, value too large, bad TTL, malformed request
  | 'not-found' // the node (or the waiter to cancel) does not exist
  | 'already-exists' // create on an existing path; a second wait for the same lock
  | 'version-mismatch' // expectedVersion differs from the node's version
  | 'not-empty' // non-recursive delete of a node with children
  | 'no-parent' // create without makeParents under a missing parent
  | 'ephemeral-parent' // ephemeral nodes cannot have children
  | 'session-not-found' // unknown or closed session
  | 'session-expired' // the session was expired by the leader
  | 'lock-not-held' // release with a token that does not hold the lock
  | 'guard-failed' // the write's lock guard token no longer holds its lock
  | 'resource-exhausted'; // a KvLimits bound would be exceeded

export interface KvError {
  readonly ok: false;
  readonly code: KvErrorCode;
  readonly message: string;
}

export function kvError(code: KvErrorCode, message: string): KvError {
  return { ok: false, code, message };
}

/** The one table from KV error codes to gRPC status names, for the API layer. */
export const KV_ERROR_GRPC_STATUS: Readonly<Record<KvErrorCode, string>> = {
  'invalid-argument': 'INVALID_ARGUMENT',
  'not-found': 'NOT_FOUND',
  'already-exists': 'ALREADY_EXISTS',
  'version-mismatch': 'FAILED_PRECONDITION',
  'not-empty': 'FAILED_PRECONDITION',
  'no-parent': 'NOT_FOUND',
  'ephemeral-parent': 'FAILED_PRECONDITION',
  'session-not-found': 'NOT_FOUND',
  'session-expired': 'FAILED_PRECONDITION',
  'lock-not-held': 'FAILED_PRECONDITION',
  'guard-failed': 'FAILED_PRECONDITION',
  'resource-exhausted': 'RESOURCE_EXHAUSTED',
};

export const KV_ERROR_CODES: readonly KvErrorCode[] = Object.keys(KV_ERROR_GRPC_STATUS) as KvErrorCode[];
