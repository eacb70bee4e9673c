// The vocabulary of the node store. The host's `HostStorage` port (server/host/ports.ts)
// reuses GroupWrite and LoadedGroup from here; storage does not import from host (layering).

import type { Entry, HardState, RaftInitialState, SnapshotMeta } from '../raft/types';

export type GroupId = number;

/** One group's share of a group-commit batch (see NodeStore.write). */
export interface GroupWrite {
  readonly groupId: GroupId;
  readonly hardState?: HardState;
  /** An append: stored entries with index >= entries[0].index are replaced (truncation). */
  readonly entries?: readonly Entry[];
  /** Replaces the group's snapshot; log entries <= meta.index are dropped. Stored entries
   *  above meta.index are kept only if the stored log holds meta.index with meta.term
   *  (then they match the snapshot by Log Matching); otherwise they are dropped too. */
  readonly snapshot?: { readonly meta: SnapshotMeta; readonly data: Uint8Array };
  /** Opaque bytes of the host (e.g. the group's replicas); replaces the previous ones. */
  readonly descriptor?: Uint8Array;
}

/** Where loading a group's log stopped early. */
export interface LogCorruption {
  /** The first index that could not be read intact. */
  readonly index: number;
  readonly reason: string;
}

export interface LoadedGroup {
  /** Hard state, snapshot meta and the intact, contiguous entries after the snapshot.
   *  `applied` is the snapshot index: the host replays the entries from there. */
  readonly initial: RaftInitialState;
  readonly descriptor: Uint8Array | null;
  /** Null when the whole stored log was read intact. Otherwise `initial.entries` stops
   *  before `index`, and the replica must NOT be started from `initial` as a voter: the
   *  lost records may have been acknowledged to a leader (counted in a commit quorum) or
   *  may hold committed entries (`index <= hardState.commit`). The host should keep the
   *  data for inspection, not run the replica, and have it replaced (removed from the
   *  group, its data deleted with `deleteGroup`, re-added so it catches up by snapshot). */
  readonly corruption: LogCorruption | null;
}

/** Counters since open, for the metrics exporter. */
export interface StoreStats {
  /** Synced group-commit batches (write, saveSnapshot, putLocal, ...). */
  readonly batchesWritten: number;
  readonly entriesWritten: number;
  /** Key and value bytes handed to RocksDB (synced batches and staged snapshot chunks). */
  readonly bytesWritten: number;
  /** Wall time of the last synced batch (RocksDB write + WAL fsync). */
  readonly lastSyncDurationMs: number;
  readonly syncDurationMsTotal: number;
  readonly syncDurationMsMax: number;
  /** Calls and background clears queued or running right now. */
  readonly queuedCalls: number;
}

export type { Entry, HardState, SnapshotMeta };
