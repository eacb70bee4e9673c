// Turns one GroupWrite into RocksDB operations, purely: given the group's in-memory state
// it returns the operations and the state after them. The store executes the plan:
//   1. `stagingOps` (new snapshot chunks) in unsynced batches: invisible until step 2,
//      because readers only follow the generation named by the committed snapshot meta;
//   2. `ops` inside the ONE synced group-commit batch, in order (deletes before puts);
//   3. `clears` afterwards, unsynced: records nothing reads any more (log entries at or
//      below the snapshot index, chunks of other generations). A crash before they run
//      leaves garbage that the next snapshot's clears remove; it is never read.

import type { Entry, HardState, SnapshotMeta } from '../raft/types';
import { assert } from '../util/assert';
import { U32_MAX } from './byte-codec';
import { type GroupLogState, assertGroupLogState, snapshotGenerationOf, snapshotIndexOf } from './group-log-state';
import {
  KIND_DESCRIPTOR,
  KIND_HARD_STATE,
  type KeyRange,
  groupKey,
  logKey,
  logRange,
  snapshotChunkKey,
  snapshotChunksRange,
  snapshotMetaKey,
} from './keys';
import {
  type StoredSnapshotMeta,
  assertConfState,
  dataCrcOf,
  encodeEntry,
  encodeHardState,
  encodeOpaque,
  encodeSnapshotMeta,
} from './record-codecs';
import type { BatchOp } from './rocks-db';
import type { GroupWrite } from './storage-types';

export interface GroupWritePlan {
  readonly stagingOps: readonly BatchOp[];
  readonly ops: readonly BatchOp[];
  readonly clears: readonly KeyRange[];
  readonly nextState: GroupLogState;
  readonly entriesWritten: number;
}

interface PlanStep {
  readonly stagingOps: BatchOp[];
  readonly ops: BatchOp[];
  readonly clears: KeyRange[];
  state: GroupLogState;
}

/**
 * `termAtSnapshotIndex`: the term of what the store holds intact at `write.snapshot.meta.index`
 * (a stored entry, or the current snapshot at that very index), or null if nothing. Only
 * read when `write.snapshot` is set.
 */
export function planGroupWrite(
  state: GroupLogState,
  write: GroupWrite,
  termAtSnapshotIndex: number | null,
  options: { readonly snapshotChunkBytes: number },
): GroupWritePlan {
  assertGroupLogState(state);
  const groupId = write.groupId;
  const step: PlanStep = { stagingOps: [], ops: [], clears: [], state };
  if (write.snapshot !== undefined) {
    planSnapshot(step, groupId, write.snapshot, termAtSnapshotIndex, options.snapshotChunkBytes);
  }
  const entries = write.entries ?? [];
  if (entries.length > 0) planAppend(step, groupId, entries);
  if (write.hardState !== undefined) {
    assertHardState(groupId, write.hardState, step.state.lastIndex);
    const key = groupKey(KIND_HARD_STATE, groupId);
    step.ops.push({ type: 'put', key, value: encodeHardState(key, write.hardState) });
  }
  if (write.descriptor !== undefined) {
    const key = groupKey(KIND_DESCRIPTOR, groupId);
    step.ops.push({ type: 'put', key, value: encodeOpaque(key, write.descriptor) });
  }
  assertGroupLogState(step.state);
  return { ...step, nextState: step.state, entriesWritten: entries.length };
}

function planSnapshot(
  step: PlanStep,
  groupId: number,
  snapshot: { readonly meta: SnapshotMeta; readonly data: Uint8Array },
  termAtSnapshotIndex: number | null,
  chunkBytes: number,
): void {
  const { meta, data } = snapshot;
  const state = step.state;
  assert(Number.isSafeInteger(meta.index) && Number.isSafeInteger(meta.term) && meta.term >= 0, 'snapshot meta out of range');
  assert(meta.index >= snapshotIndexOf(state), `group ${groupId}: snapshot at ${meta.index} is older than the stored one at ${snapshotIndexOf(state)}`);
  assertConfState(meta.conf);
  const generation = snapshotGenerationOf(state) + 1;
  assert(generation <= U32_MAX, `group ${groupId}: snapshot generations exhausted`);

  // Log Matching: if the stored log holds (meta.index, meta.term), the entries after it
  // extend the snapshot and stay. Otherwise they diverge from it and must go, atomically
  // with the new meta, or a restart would load them on top of the snapshot.
  const keepTail = termAtSnapshotIndex !== null && termAtSnapshotIndex === meta.term;
  for (let index = meta.index + 1; !keepTail && index <= state.lastIndex; index++) {
    step.ops.push({ type: 'del', key: logKey(groupId, index) });
  }
  const chunkCount = Math.ceil(data.length / chunkBytes);
  for (let chunk = 0; chunk < chunkCount; chunk++) {
    const key = snapshotChunkKey(groupId, generation, chunk);
    const bytes = data.subarray(chunk * chunkBytes, Math.min(data.length, (chunk + 1) * chunkBytes));
    step.stagingOps.push({ type: 'put', key, value: encodeOpaque(key, bytes) });
  }
  const stored: StoredSnapshotMeta = { meta, generation, chunkCount, dataBytes: data.length, dataCrc: dataCrcOf(data) };
  const metaKey = snapshotMetaKey(groupId);
  step.ops.push({ type: 'put', key: metaKey, value: encodeSnapshotMeta(metaKey, stored) });

  // Dead once the meta commits: entries the snapshot covers, chunks of older generations,
  // and leftovers of this generation from an attempt that crashed before its meta
  // committed. Never a newer generation, so a clear is harmless whenever it runs.
  const nextGeneration = generation === U32_MAX ? snapshotChunksRange(groupId).lt : snapshotChunkKey(groupId, generation + 1, 0);
  step.clears.push(logRange(groupId, 0, meta.index + 1));
  step.clears.push({ gte: snapshotChunksRange(groupId).gte, lt: snapshotChunkKey(groupId, generation, 0) });
  step.clears.push({ gte: snapshotChunkKey(groupId, generation, chunkCount), lt: nextGeneration });
  if (keepTail) assert(state.lastIndex >= meta.index, 'a matching term implies a stored record at the index');
  step.state = { snapshot: stored, lastIndex: keepTail ? state.lastIndex : meta.index };
}

function planAppend(step: PlanStep, groupId: number, entries: readonly Entry[]): void {
  const state = step.state;
  const first = entries[0]!.index;
  assert(first > snapshotIndexOf(state), `group ${groupId}: append at ${first} is not above the snapshot at ${snapshotIndexOf(state)}`);
  assert(first <= state.lastIndex + 1, `group ${groupId}: append at ${first} leaves a gap after ${state.lastIndex}`);
  let previousTerm = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    assert(entry.index === first + i, `group ${groupId}: entries not contiguous at ${entry.index}`);
    assert(Number.isSafeInteger(entry.term) && entry.term >= previousTerm, `group ${groupId}: entry ${entry.index} term ${entry.term}`);
    previousTerm = entry.term;
    const key = logKey(groupId, entry.index);
    step.ops.push({ type: 'put', key, value: encodeEntry(key, entry) });
  }
  const last = first + entries.length - 1;
  // Truncation: drop the stored suffix the append does not overwrite.
  for (let index = last + 1; index <= state.lastIndex; index++) {
    step.ops.push({ type: 'del', key: logKey(groupId, index) });
  }
  step.state = { snapshot: state.snapshot, lastIndex: last };
}

function assertHardState(groupId: number, hardState: HardState, lastIndex: number): void {
  assert(Number.isSafeInteger(hardState.term) && hardState.term >= 0, `group ${groupId}: hard state term ${hardState.term}`);
  assert(Number.isInteger(hardState.vote) && hardState.vote >= 0 && hardState.vote <= U32_MAX, `group ${groupId}: vote ${hardState.vote}`);
  // Raft never commits past its own log: a commit beyond it would name entries this node lacks.
  assert(Number.isSafeInteger(hardState.commit) && hardState.commit >= 0 && hardState.commit <= lastIndex,
    `group ${groupId}: commit ${hardState.commit} beyond the last stored index ${lastIndex}`);
}
