// Options of a NodeStore: one `defaultStoreOptions()` and one `validateStoreOptions()` that
// checks every bound and says which one is wrong.

export interface NodeStoreOptions {
  /** Directory of the node's RocksDB (created if missing). */
  readonly dir: string;
  /** A snapshot's data is stored (and streamed) in chunks of at most this many bytes. */
  readonly snapshotChunkBytes: number;
  /** Snapshot chunks are staged before the synced batch in unsynced batches of at most this
   *  many bytes each (at least one chunk per batch). */
  readonly snapshotStagingBatchBytes: number;
  /** Bound on calls (writes, loads, deletes...) queued or running; past it calls fail
   *  'queue-full'. Calls run one at a time, in call order. */
  readonly queuedCallsMax: number;
  /** Bound on entries in one `write` call (all groups together). */
  readonly writeEntriesMax: number;
  /** Bound on entries `loadGroup` reads for one group (snapshots are meant to keep the log
   *  far below it); past it `loadGroup` fails 'limit-exceeded'. */
  readonly loadEntriesMax: number;
  /** RocksDB block cache size. */
  readonly cacheBytes: number;
}

export const SNAPSHOT_CHUNK_BYTES_DEFAULT = 1024 * 1024;

export function defaultStoreOptions(dir: string): NodeStoreOptions {
  return {
    dir,
    snapshotChunkBytes: SNAPSHOT_CHUNK_BYTES_DEFAULT,
    snapshotStagingBatchBytes: 16 * 1024 * 1024,
    queuedCallsMax: 256,
    writeEntriesMax: 1_000_000,
    loadEntriesMax: 4_000_000,
    cacheBytes: 8 * 1024 * 1024,
  };
}

/** Returns null when valid, or a message naming the first option that is out of bounds. */
export function validateStoreOptions(options: NodeStoreOptions): string | null {
  if (typeof options.dir !== 'string' || options.dir.length === 0) return 'dir must be a non-empty path';
  const bounds: readonly [keyof NodeStoreOptions, number, number][] = [
    ['snapshotChunkBytes', 1, 64 * 1024 * 1024],
    ['snapshotStagingBatchBytes', 1, 1024 * 1024 * 1024],
    ['queuedCallsMax', 1, 1_000_000],
    ['writeEntriesMax', 1, 100_000_000],
    ['loadEntriesMax', 1, 1_000_000_000],
    ['cacheBytes', 0, 0xffffffff],
  ];
  for (const [name, min, max] of bounds) {
    const value = options[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return `${name} must be an integer in [${min}, ${max}], got ${String(value)}`;
    }
  }
  return null;
}
