// The host's storage port with timing around it: every group-commit write reports its
// duration and entries per group, every snapshot write its size and duration. It delegates
// everything else unchanged, so the host cannot tell it from the store.

import type { GroupId, GroupWrite, HostStorage, LoadedGroup } from '../host/ports';
import type { Snapshot, SnapshotMeta } from '../raft/types';

export interface StorageObserver {
  recordFsync(durationMs: number, entriesByGroup: ReadonlyMap<GroupId, number>): void;
  recordSnapshot(groupId: GroupId, kind: 'taken' | 'installed', bytes: number, durationMs: number): void;
}

export class ObservedStorage implements HostStorage {
  constructor(
    private readonly inner: HostStorage,
    private readonly observer: StorageObserver,
  ) {}

  async write(batch: readonly GroupWrite[]): Promise<void> {
    const startMs = performance.now();
    await this.inner.write(batch);
    const durationMs = performance.now() - startMs;
    const entriesByGroup = new Map<GroupId, number>();
    for (const groupWrite of batch) {
      entriesByGroup.set(groupWrite.groupId, groupWrite.entries?.length ?? 0);
      // A snapshot inside a Ready batch is one installed from the leader.
      if (groupWrite.snapshot !== undefined) this.observer.recordSnapshot(groupWrite.groupId, 'installed', groupWrite.snapshot.data.length, durationMs);
    }
    this.observer.recordFsync(durationMs, entriesByGroup);
  }

  async saveSnapshot(groupId: GroupId, meta: SnapshotMeta, data: Uint8Array): Promise<void> {
    const startMs = performance.now();
    await this.inner.saveSnapshot(groupId, meta, data);
    this.observer.recordSnapshot(groupId, 'taken', data.length, performance.now() - startMs);
  }

  listGroups(): Promise<GroupId[]> {
    return this.inner.listGroups();
  }

  loadGroup(groupId: GroupId): Promise<LoadedGroup> {
    return this.inner.loadGroup(groupId);
  }

  loadSnapshot(groupId: GroupId): Promise<Snapshot | null> {
    return this.inner.loadSnapshot(groupId);
  }

  compact(groupId: GroupId, index: number): Promise<void> {
    return this.inner.compact(groupId, index);
  }

  deleteGroup(groupId: GroupId): Promise<void> {
    return this.inner.deleteGroup(groupId);
  }
}
