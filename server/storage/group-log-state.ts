// What the store keeps in memory per group to plan writes without reading: the snapshot's
// position and generation, and the last stored log index (truncations delete up to it).

import { assert } from '../util/assert';
import { KIND_LOG, groupRange, logIndexOfKey, snapshotMetaKey } from './keys';
import { decodeSnapshotMeta, type StoredSnapshotMeta } from './record-codecs';
import type { RocksDb } from './rocks-db';
import { StorageError } from './storage-error';

export interface GroupLogState {
  /** The stored snapshot, or null if the group has none. */
  readonly snapshot: StoredSnapshotMeta | null;
  /** Highest stored log index above the snapshot index, or the snapshot index (0 without a
   *  snapshot) when no entry is stored above it. Entries at or below the snapshot index may
   *  still be on disk until their background clear runs; they are never read. */
  readonly lastIndex: number;
}

export function snapshotIndexOf(state: GroupLogState): number {
  return state.snapshot === null ? 0 : state.snapshot.meta.index;
}

export function snapshotGenerationOf(state: GroupLogState): number {
  return state.snapshot === null ? 0 : state.snapshot.generation;
}

export function assertGroupLogState(state: GroupLogState): void {
  assert(state.lastIndex >= snapshotIndexOf(state), `last index ${state.lastIndex} below snapshot index`);
}

/** Reads the stored snapshot meta (failing 'corrupt' if it does not decode). */
export async function readStoredSnapshotMeta(db: RocksDb, groupId: number): Promise<StoredSnapshotMeta | null> {
  const key = snapshotMetaKey(groupId);
  const raw = await db.get(key);
  if (raw === null) return null;
  const decoded = decodeSnapshotMeta(key, raw);
  if (!decoded.ok) throw new StorageError('corrupt', `group ${groupId}: snapshot meta: ${decoded.reason}`);
  return decoded.value;
}

/** Builds a group's state from disk: the snapshot meta and the last log key. */
export async function readGroupLogState(db: RocksDb, groupId: number): Promise<GroupLogState> {
  const snapshot = await readStoredSnapshotMeta(db, groupId);
  const snapshotIndex = snapshot === null ? 0 : snapshot.meta.index;
  const cursor = db.cursor(groupRange(KIND_LOG, groupId), { reverse: true, limit: 1, values: false });
  let lastStored: number | null = null;
  try {
    const item = await cursor.next();
    if (item !== null) lastStored = logIndexOfKey(groupId, item.key);
  } finally {
    await cursor.end();
  }
  const state = { snapshot, lastIndex: Math.max(snapshotIndex, lastStored ?? 0) };
  assertGroupLogState(state);
  return state;
}
