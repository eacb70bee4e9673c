// Storage outcomes that the host must handle. Bugs (a broken invariant, a caller that breaks
// the contract) are AssertionErrors instead and are never turned into these.

export type StorageErrorCode =
  /** RocksDB reported an I/O error. The store is poisoned afterwards (see 'failed'). */
  | 'io'
  /** A stored record failed its CRC, length or field checks. */
  | 'corrupt'
  /** The data directory was written by an incompatible storage format. */
  | 'format-version'
  /** The data directory belongs to another cluster or another node id. */
  | 'identity-mismatch'
  /** A configured bound was exceeded (the message names the bound). */
  | 'limit-exceeded'
  /** Too many calls are queued behind the one in flight (`queuedCallsMax`). */
  | 'queue-full'
  /** NodeStore options out of bounds (the message names the option). */
  | 'invalid-options'
  /** The group has no stored snapshot. */
  | 'not-found'
  /** The store is closed (or closing). */
  | 'closed'
  /** An earlier write failed: the on-disk state is unknown, so every later call fails too.
   *  Retrying a failed fsync is not safe (the kernel may have dropped the dirty pages), so
   *  the only recovery is to restart the process and reload from disk. */
  | 'failed';

export class StorageError extends Error {
  override readonly name = 'StorageError';

  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Normalizes anything a RocksDB callback reported into an 'io' StorageError. */
  static fromRocks(operation: string, error: unknown): StorageError {
    if (error instanceof StorageError) return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new StorageError('io', `rocksdb ${operation} failed: ${detail}`, { cause: error });
  }
}
