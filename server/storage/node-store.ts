// The durable state of one node: every Raft group's log, hard state, snapshot and
// descriptor, the node's identity, and a small local-metadata map, in ONE RocksDB.
//
// Writes, loads, compactions and deletions run one at a time, in call order (SerialQueue):
// the rocksdb binding runs calls on a thread pool and would not keep batches in order. The
// queue also keeps the per-group cache (GroupLogState) consistent with the disk. Reads that
// need no cache (snapshots, identity, local metadata, listing) run directly.
//
// After an I/O error the store is poisoned: every later call fails 'failed'. The outcome of
// the failed fsync is unknown and retrying it is not safe; restart and reload instead.

import { mkdir } from 'node:fs/promises';
import type { RaftInitialState, Snapshot, SnapshotMeta } from '../raft/types';
import { assert } from '../util/assert';
import { checkFormatVersion } from './format-version';
import { type GroupLogState, readGroupLogState, snapshotIndexOf } from './group-log-state';
import { groupRangesOf } from './group-ranges';
import { scanGroupIds } from './group-scan';
import {
  GROUP_DATA_KINDS,
  KIND_DESCRIPTOR,
  KIND_GROUP_TOMBSTONE,
  KIND_HARD_STATE,
  type KeyRange,
  assertGroupId,
  groupKey,
  identityKey,
  localKey,
  logKey,
  logRange,
} from './keys';
import { readLogTail } from './log-reader';
import {
  CLUSTER_ID_BYTES_MAX,
  type NodeIdentity,
  decodeEntry,
  decodeHardState,
  decodeIdentity,
  decodeOpaque,
  encodeIdentity,
  encodeOpaque,
} from './record-codecs';
import type { Decoded } from './record-frame';
import { type BatchOp, RocksDb } from './rocks-db';
import { SerialQueue } from './serial-queue';
import { type SnapshotReader, openSnapshotReader } from './snapshot-reader';
import { StorageError } from './storage-error';
import type { GroupWrite, LoadedGroup, StoreStats } from './storage-types';
import { type NodeStoreOptions, defaultStoreOptions, validateStoreOptions } from './store-options';
import { planGroupWrite } from './write-plan';

type Status = 'open' | 'closing' | 'closed';

interface MutableStats {
  batchesWritten: number;
  entriesWritten: number;
  bytesWritten: number;
  lastSyncDurationMs: number;
  syncDurationMsTotal: number;
  syncDurationMsMax: number;
}

export class NodeStore {
  private status: Status = 'open';
  private closed: Promise<void> | null = null;
  private failure: StorageError | null = null;
  private readonly queue: SerialQueue;
  /** Per-group cache, filled lazily inside the queue; dropped by deleteGroup. */
  private readonly groups = new Map<number, GroupLogState>();
  private readonly counters: MutableStats = {
    batchesWritten: 0,
    entriesWritten: 0,
    bytesWritten: 0,
    lastSyncDurationMs: 0,
    syncDurationMsTotal: 0,
    syncDurationMsMax: 0,
  };

  private constructor(
    private readonly db: RocksDb,
    readonly options: NodeStoreOptions,
  ) {
    this.queue = new SerialQueue(options.queuedCallsMax, (error) => this.noteFailure(error));
  }

  /** Opens (creating the directory and database if missing) and finishes interrupted
   *  group deletions. Fails 'format-version' on a directory of another storage format. */
  static async open(options: Partial<NodeStoreOptions> & { readonly dir: string }): Promise<NodeStore> {
    const full: NodeStoreOptions = { ...defaultStoreOptions(options.dir), ...options };
    const problem = validateStoreOptions(full);
    if (problem !== null) throw new StorageError('invalid-options', problem);
    await mkdir(full.dir, { recursive: true });
    const db = await RocksDb.open(full.dir, { cacheBytes: full.cacheBytes });
    try {
      await checkFormatVersion(db, full.dir);
      const store = new NodeStore(db, full);
      await store.finishGroupDeletions();
      return store;
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** Waits for queued calls, then closes the database. Idempotent. */
  close(): Promise<void> {
    if (this.closed === null) {
      this.status = 'closing';
      this.closed = this.queue
        .drain()
        .then(() => this.db.close())
        .finally(() => {
          this.status = 'closed';
        });
    }
    return this.closed;
  }

  get dir(): string {
    return this.options.dir;
  }

  stats(): StoreStats {
    return { ...this.counters, queuedCalls: this.queue.size };
  }

  // ---- identity and local metadata ------------------------------------------------------

  async readIdentity(): Promise<NodeIdentity | null> {
    this.checkOpen();
    return this.readStoredIdentity();
  }

  /** Claims the data directory for a cluster and node id. Idempotent; fails
   *  'identity-mismatch' (without writing) if it already belongs to another identity. */
  writeIdentity(identity: NodeIdentity): Promise<void> {
    const clusterIdBytes = Buffer.byteLength(identity.clusterId, 'utf8');
    assert(clusterIdBytes > 0 && clusterIdBytes <= CLUSTER_ID_BYTES_MAX, `cluster id must be 1..${CLUSTER_ID_BYTES_MAX} bytes`);
    assert(Number.isInteger(identity.nodeId) && identity.nodeId > 0 && identity.nodeId <= 0xffffffff, `invalid node id ${identity.nodeId}`);
    return this.enqueue(async () => {
      const existing = await this.readStoredIdentity();
      if (existing !== null) {
        if (existing.clusterId === identity.clusterId && existing.nodeId === identity.nodeId) return;
        throw new StorageError(
          'identity-mismatch',
          `data dir ${this.dir} belongs to cluster '${existing.clusterId}' node ${existing.nodeId}; ` +
            `refusing to use it as cluster '${identity.clusterId}' node ${identity.nodeId}`,
        );
      }
      const key = identityKey();
      await this.commitBatch([{ type: 'put', key, value: encodeIdentity(key, identity) }], 0);
    });
  }

  async getLocal(name: string): Promise<Uint8Array | null> {
    this.checkOpen();
    const key = localKey(name);
    return this.decodeOrThrow(`local '${name}'`, await this.db.get(key), (raw) => decodeOpaque(key, raw));
  }

  /** Stores `value` under `name`, synced. */
  putLocal(name: string, value: Uint8Array): Promise<void> {
    const key = localKey(name);
    const record = encodeOpaque(key, value);
    return this.enqueue(() => this.commitBatch([{ type: 'put', key, value: record }], 0));
  }

  // ---- groups ---------------------------------------------------------------------------

  /** Every group with stored data, ascending. */
  async listGroups(): Promise<number[]> {
    this.checkOpen();
    const groups = new Set<number>();
    for (const kind of GROUP_DATA_KINDS) await scanGroupIds(this.db, kind, groups);
    const deleting = new Set<number>();
    await scanGroupIds(this.db, KIND_GROUP_TOMBSTONE, deleting);
    return [...groups].filter((groupId) => !deleting.has(groupId)).sort((a, b) => a - b);
  }

  /** Everything needed to restart the group's Raft core (see LoadedGroup for `corruption`).
   *  A group with nothing stored loads as empty: zero hard state, snapshot at 0, no entries. */
  loadGroup(groupId: number): Promise<LoadedGroup> {
    assertGroupId(groupId);
    return this.enqueue(async () => {
      const state = await readGroupLogState(this.db, groupId);
      this.groups.set(groupId, state);
      const hardStateKey = groupKey(KIND_HARD_STATE, groupId);
      const storedHardState = this.decodeOrThrow(`group ${groupId}: hard state`, await this.db.get(hardStateKey), (raw) =>
        decodeHardState(hardStateKey, raw),
      );
      const descriptorKey = groupKey(KIND_DESCRIPTOR, groupId);
      const descriptor = this.decodeOrThrow(`group ${groupId}: descriptor`, await this.db.get(descriptorKey), (raw) =>
        decodeOpaque(descriptorKey, raw),
      );
      const snapshot: SnapshotMeta = state.snapshot?.meta ?? { index: 0, term: 0, conf: { voters: [], learners: [] } };
      const tail = await readLogTail(this.db, groupId, snapshot, this.options.loadEntriesMax);
      const lastIndex = snapshot.index + tail.entries.length;
      // A snapshot only covers committed entries, so its index is committed even if the
      // stored commit lags (a snapshot saved after the last hard state write).
      const hardState = storedHardState ?? { term: 0, vote: 0, commit: 0 };
      const commit = Math.max(hardState.commit, snapshot.index);
      let corruption = tail.corruption;
      if (corruption === null && commit > lastIndex) {
        corruption = { index: lastIndex + 1, reason: `entry ${lastIndex + 1} is missing (hard state commit is ${commit})` };
      }
      const initial: RaftInitialState = {
        // Clipped only when `corruption` is set (the replica must not run from it then).
        hardState: { ...hardState, commit: Math.min(commit, lastIndex) },
        snapshot,
        entries: tail.entries,
        applied: snapshot.index,
      };
      return { initial, descriptor, corruption };
    });
  }

  /**
   * Group commit: ONE RocksDB batch with `sync: true` for every group given (at most one
   * GroupWrite per group). Resolves once the batch is durable. Calls complete in call order.
   * Snapshot data is staged in unsynced batches first (see write-plan.ts).
   * `sync: false` is for batches whose loss is harmless (a hard state whose only change is
   * the commit index); RocksDB's WAL keeps it ordered before any later synced batch.
   */
  write(batch: readonly GroupWrite[], options: { readonly sync?: boolean } = {}): Promise<void> {
    const sync = options.sync ?? true;
    const seen = new Set<number>();
    let entries = 0;
    for (const groupWrite of batch) {
      assertGroupId(groupWrite.groupId);
      assert(!seen.has(groupWrite.groupId), `group ${groupWrite.groupId} appears twice in one write`);
      seen.add(groupWrite.groupId);
      entries += groupWrite.entries?.length ?? 0;
    }
    if (entries > this.options.writeEntriesMax) {
      return Promise.reject(new StorageError('limit-exceeded', `${entries} entries in one write (writeEntriesMax ${this.options.writeEntriesMax})`));
    }
    let clears: readonly KeyRange[] = [];
    // The clears run right behind this write, before any later call: a later deleteGroup
    // and re-creation of the group must not see a stale clear land on its new records.
    return this.enqueue(
      async () => {
        clears = await this.writeGroups(batch, entries, sync);
      },
      () => this.clearRanges(clears),
    );
  }

  /** Replaces the group's snapshot (synced); see GroupWrite.snapshot for what happens to the log. */
  saveSnapshot(groupId: number, meta: SnapshotMeta, data: Uint8Array): Promise<void> {
    return this.write([{ groupId, snapshot: { meta, data } }]);
  }

  /** The group's snapshot with all its data in memory, or null if it has none. */
  async loadSnapshot(groupId: number): Promise<Snapshot | null> {
    const reader = await this.openSnapshot(groupId);
    if (reader === null) return null;
    const chunks: Uint8Array[] = [];
    for await (const chunk of reader.chunks()) chunks.push(chunk);
    return { meta: reader.meta, data: Buffer.concat(chunks, reader.dataBytes) };
  }

  /** A streaming reader of the group's snapshot (meta and chunks from one consistent view),
   *  or null if it has none. The caller must consume `chunks()` or call `close()`. */
  async openSnapshot(groupId: number): Promise<SnapshotReader | null> {
    assertGroupId(groupId);
    this.checkOpen();
    return openSnapshotReader(this.db, groupId);
  }

  /** The group's snapshot data, chunk by chunk; fails 'not-found' if it has no snapshot. */
  async *readSnapshotChunks(groupId: number): AsyncGenerator<Uint8Array> {
    const reader = await this.openSnapshot(groupId);
    if (reader === null) throw new StorageError('not-found', `group ${groupId} has no snapshot`);
    yield* reader.chunks();
  }

  /** Deletes log entries <= index (unsynced: they are dead once a snapshot covers them).
   *  `index` must not exceed the stored snapshot's index, or the log would have a hole. */
  compact(groupId: number, index: number): Promise<void> {
    assertGroupId(groupId);
    assert(Number.isSafeInteger(index) && index >= 0, `invalid compact index ${index}`);
    return this.enqueue(async () => {
      const state = await this.groupState(groupId);
      assert(index <= snapshotIndexOf(state), `group ${groupId}: compact to ${index} beyond the snapshot at ${snapshotIndexOf(state)}`);
      await this.db.clear(logRange(groupId, 0, index + 1));
    });
  }

  /** Removes everything of the group. A tombstone, written in the same synced batch that
   *  drops the group's hard state, descriptor and snapshot meta, makes the deletion finish
   *  on the next open if the process dies half way. */
  deleteGroup(groupId: number): Promise<void> {
    assertGroupId(groupId);
    return this.enqueue(async () => {
      const ranges = groupRangesOf(groupId);
      const tombstone = groupKey(KIND_GROUP_TOMBSTONE, groupId);
      await this.commitBatch([{ type: 'put', key: tombstone, value: encodeOpaque(tombstone, new Uint8Array(0)) }, ...ranges.anchorDeletes], 0);
      this.groups.delete(groupId);
      await this.clearRanges(ranges.all);
      await this.commitBatch([{ type: 'del', key: tombstone }], 0);
    });
  }

  // ---- internals ------------------------------------------------------------------------

  private async writeGroups(batch: readonly GroupWrite[], entries: number, sync: boolean): Promise<readonly KeyRange[]> {
    const plans = [];
    for (const groupWrite of batch) {
      const state = await this.groupState(groupWrite.groupId);
      const snapshotIndex = groupWrite.snapshot?.meta.index;
      const termAtSnapshotIndex = snapshotIndex === undefined ? null : await this.termAt(groupWrite.groupId, state, snapshotIndex);
      plans.push(planGroupWrite(state, groupWrite, termAtSnapshotIndex, this.options));
    }
    await this.stage(plans.flatMap((plan) => plan.stagingOps));
    await this.commitBatch(plans.flatMap((plan) => plan.ops), entries, sync);
    for (let i = 0; i < batch.length; i++) this.groups.set(batch[i]!.groupId, plans[i]!.nextState);
    return plans.flatMap((plan) => plan.clears);
  }

  /** The term of the intact record at `index` (stored entry, or the snapshot), else null. */
  private async termAt(groupId: number, state: GroupLogState, index: number): Promise<number | null> {
    if (state.snapshot !== null && state.snapshot.meta.index === index) return state.snapshot.meta.term;
    if (index <= snapshotIndexOf(state) || index > state.lastIndex) return null;
    const key = logKey(groupId, index);
    const raw = await this.db.get(key);
    if (raw === null) return null;
    const decoded = decodeEntry(key, index, raw);
    return decoded.ok ? decoded.value.term : null;
  }

  /** Only called inside the queue, so a cache fill never races a write of the group. */
  private async groupState(groupId: number): Promise<GroupLogState> {
    const cached = this.groups.get(groupId);
    if (cached !== undefined) return cached;
    const state = await readGroupLogState(this.db, groupId);
    this.groups.set(groupId, state);
    return state;
  }

  /** Snapshot chunks, unsynced, in batches of at most snapshotStagingBatchBytes. */
  private async stage(ops: readonly BatchOp[]): Promise<void> {
    let start = 0;
    while (start < ops.length) {
      let bytes = 0;
      let end = start;
      while (end < ops.length && (end === start || bytes + opBytes(ops[end]!) <= this.options.snapshotStagingBatchBytes)) {
        bytes += opBytes(ops[end]!);
        end += 1;
      }
      await this.db.batch(ops.slice(start, end), { sync: false });
      this.counters.bytesWritten += bytes;
      start = end;
    }
  }

  private async commitBatch(ops: readonly BatchOp[], entries: number, sync = true): Promise<void> {
    if (ops.length === 0) return;
    const startMs = performance.now();
    await this.db.batch(ops, { sync });
    const durationMs = performance.now() - startMs;
    const stats = this.counters;
    stats.batchesWritten += 1;
    stats.entriesWritten += entries;
    stats.bytesWritten += ops.reduce((sum, op) => sum + opBytes(op), 0);
    stats.lastSyncDurationMs = durationMs;
    stats.syncDurationMsTotal += durationMs;
    stats.syncDurationMsMax = Math.max(stats.syncDurationMsMax, durationMs);
  }

  private async clearRanges(ranges: readonly KeyRange[]): Promise<void> {
    for (const range of ranges) await this.db.clear(range);
  }

  private async finishGroupDeletions(): Promise<void> {
    const pending = new Set<number>();
    await scanGroupIds(this.db, KIND_GROUP_TOMBSTONE, pending);
    for (const groupId of pending) {
      await this.clearRanges(groupRangesOf(groupId).all);
      await this.commitBatch([{ type: 'del', key: groupKey(KIND_GROUP_TOMBSTONE, groupId) }], 0);
    }
  }

  private enqueue<T>(operation: () => Promise<T>, followUp?: () => Promise<void>): Promise<T> {
    try {
      this.checkOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    const guarded = async (): Promise<T> => {
      if (this.failure !== null) throw this.failure;
      return operation();
    };
    return this.queue.run(guarded, followUp);
  }

  private async readStoredIdentity(): Promise<NodeIdentity | null> {
    const key = identityKey();
    return this.decodeOrThrow('identity', await this.db.get(key), (raw) => decodeIdentity(key, raw));
  }

  private checkOpen(): void {
    if (this.status !== 'open') throw new StorageError('closed', `node store ${this.dir} is ${this.status}`);
  }

  private noteFailure(error: unknown): void {
    if (this.failure === null && error instanceof StorageError && error.code === 'io') {
      this.failure = new StorageError('failed', `an earlier storage write failed, restart to recover: ${error.message}`, { cause: error });
    }
  }

  private decodeOrThrow<T>(what: string, raw: Buffer | null, decode: (raw: Buffer) => Decoded<T>): T | null {
    if (raw === null) return null;
    const decoded = decode(raw);
    if (!decoded.ok) throw new StorageError('corrupt', `${what}: ${decoded.reason}`);
    return decoded.value;
  }
}

function opBytes(op: BatchOp): number {
  return op.key.length + (op.type === 'put' ? op.value.length : 0);
}
