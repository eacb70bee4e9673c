// Round trips through a real RocksDB in a temp dir: what is written is what loads, also
// after close and reopen.

import type { HostStorage } from '../../server/host/ports';
import type { SnapshotMeta } from '../../server/raft/types';
import {
  KIND_DESCRIPTOR,
  KIND_GROUP_TOMBSTONE,
  KIND_HARD_STATE,
  KIND_LOG,
  KIND_SNAPSHOT,
  groupKey,
  groupRange,
  logKey,
  logRange,
  snapshotChunkKey,
  snapshotChunksRange,
} from '../../server/storage/keys';
import { NodeStore } from '../../server/storage/node-store';
import { encodeEntry, encodeOpaque } from '../../server/storage/record-codecs';
import type { RocksDb } from '../../server/storage/rocks-db';
import { StorageError } from '../../server/storage/storage-error';
import { AssertionError } from '../../server/util/assert';
import { makeEntries, makeTempDir, plainEntries, rawBatch, rawCount, removeDir, withStore } from './store-fixtures';

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('roundtrip');
});

afterEach(async () => {
  await removeDir(dir);
});

const conf = { voters: [1, 2, 3], learners: [4] };

function snapshotData(bytes: number, seed: number): Buffer {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 13 + seed) & 0xff;
  return data;
}

describe('NodeStore round trips', () => {
  test('a NodeStore is a HostStorage (the host port accepts it as is)', async () => {
    await withStore(dir, async (store) => {
      const port: HostStorage = store;
      expect(await port.listGroups()).toEqual([]);
    });
  });

  test('an empty store loads empty groups', async () => {
    await withStore(dir, async (store) => {
      expect(await store.listGroups()).toEqual([]);
      expect(await store.readIdentity()).toBeNull();
      expect(await store.getLocal('anything')).toBeNull();
      expect(await store.loadSnapshot(7)).toBeNull();
      const loaded = await store.loadGroup(7);
      expect(loaded).toEqual({
        initial: {
          hardState: { term: 0, vote: 0, commit: 0 },
          snapshot: { index: 0, term: 0, conf: { voters: [], learners: [] } },
          entries: [],
          applied: 0,
        },
        descriptor: null,
        corruption: null,
      });
    });
  });

  test('entries, hard state and descriptor survive close and reopen', async () => {
    const entries = makeEntries(3, 1, 20, 2);
    const conf = { ...entries[4]!, type: 'conf-change' as const, data: Buffer.from('cc') };
    entries[4] = conf;
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 3, hardState: { term: 2, vote: 1, commit: 15 }, entries, descriptor: Buffer.from('replicas:1,2,3') }]);
    });
    await withStore(dir, async (store) => {
      expect(await store.listGroups()).toEqual([3]);
      const loaded = await store.loadGroup(3);
      expect(loaded.corruption).toBeNull();
      expect(loaded.initial.hardState).toEqual({ term: 2, vote: 1, commit: 15 });
      expect(loaded.initial.applied).toBe(0);
      expect(plainEntries(loaded.initial.entries)).toEqual(plainEntries(entries));
      expect(loaded.initial.entries[4]!.type).toBe('conf-change');
      expect(Buffer.from(loaded.descriptor!).toString()).toBe('replicas:1,2,3');
    });
  });

  test('many groups in one write are one synced batch', async () => {
    const groupCount = 40;
    await withStore(dir, async (store) => {
      const batch = [];
      for (let groupId = 0; groupId < groupCount; groupId++) {
        batch.push({ groupId, hardState: { term: 1, vote: 1, commit: 5 }, entries: makeEntries(groupId, 1, 10, 1) });
      }
      const before = store.stats();
      await store.write(batch);
      const after = store.stats();
      expect(after.batchesWritten - before.batchesWritten).toBe(1);
      expect(after.entriesWritten - before.entriesWritten).toBe(groupCount * 10);
      expect(after.bytesWritten).toBeGreaterThan(before.bytesWritten + groupCount * 10 * 32);
      expect(after.lastSyncDurationMs).toBeGreaterThan(0);
    });
    await withStore(dir, async (store) => {
      const groups = await store.listGroups();
      expect(groups).toEqual(Array.from({ length: groupCount }, (_, i) => i));
      for (const groupId of groups) {
        const loaded = await store.loadGroup(groupId);
        expect(loaded.corruption).toBeNull();
        expect(plainEntries(loaded.initial.entries)).toEqual(plainEntries(makeEntries(groupId, 1, 10, 1)));
      }
    });
  });

  test('an append truncates the stored suffix, also after a reopen', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 1, entries: makeEntries(1, 1, 10, 1) }]);
      await store.write([{ groupId: 1, entries: makeEntries(1, 6, 2, 2) }]);
      const loaded = await store.loadGroup(1);
      expect(plainEntries(loaded.initial.entries)).toEqual(plainEntries([...makeEntries(1, 1, 5, 1), ...makeEntries(1, 6, 2, 2)]));
      // The cache now says the log ends at 7: appending 8 leaves no gap.
      await store.write([{ groupId: 1, entries: makeEntries(1, 8, 1, 2) }]);
    });
    expect(await rawCount(dir, logRange(1, 9, 11))).toBe(0);
    await withStore(dir, async (store) => {
      // Fresh cache from disk: truncate back to 4.
      await store.write([{ groupId: 1, entries: makeEntries(1, 4, 1, 3) }]);
      const loaded = await store.loadGroup(1);
      expect(plainEntries(loaded.initial.entries)).toEqual(plainEntries([...makeEntries(1, 1, 3, 1), ...makeEntries(1, 4, 1, 3)]));
    });
    expect(await rawCount(dir, groupRange(KIND_LOG, 1))).toBe(4);
  });

  test('a snapshot is stored in chunks and read back whole and streamed', async () => {
    const data = snapshotData(1050, 1);
    const meta: SnapshotMeta = { index: 12, term: 3, conf };
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 5, entries: makeEntries(5, 1, 12, 3), hardState: { term: 3, vote: 0, commit: 12 } }]);
      await store.saveSnapshot(5, meta, data);
    }, { snapshotChunkBytes: 100 });
    expect(await rawCount(dir, snapshotChunksRange(5))).toBe(11);
    await withStore(dir, async (store) => {
      const snapshot = await store.loadSnapshot(5);
      expect(snapshot!.meta).toEqual(meta);
      expect(Buffer.from(snapshot!.data).equals(data)).toBe(true);
      const sizes: number[] = [];
      const parts: Uint8Array[] = [];
      for await (const chunk of store.readSnapshotChunks(5)) {
        sizes.push(chunk.length);
        parts.push(chunk);
      }
      expect(sizes).toEqual([...Array<number>(10).fill(100), 50]);
      expect(Buffer.concat(parts).equals(data)).toBe(true);
      const loaded = await store.loadGroup(5);
      expect(loaded.initial.snapshot).toEqual(meta);
      expect(loaded.initial.applied).toBe(12);
      expect(loaded.initial.entries).toEqual([]);
    });
  });

  test('a snapshot with empty data round trips', async () => {
    const meta: SnapshotMeta = { index: 0, term: 0, conf: { voters: [1], learners: [] } };
    await withStore(dir, async (store) => {
      await store.saveSnapshot(9, meta, new Uint8Array(0));
      const snapshot = await store.loadSnapshot(9);
      expect(snapshot).toEqual({ meta, data: Buffer.alloc(0) });
      expect((await store.loadGroup(9)).initial.snapshot).toEqual(meta);
      expect(await store.listGroups()).toEqual([9]);
    });
  });

  test('reading a group without a snapshot as chunks fails not-found', async () => {
    await withStore(dir, async (store) => {
      const read = async (): Promise<void> => {
        for await (const chunk of store.readSnapshotChunks(4)) expect(chunk).toBeUndefined();
      };
      await expect(read()).rejects.toMatchObject({ code: 'not-found' });
    });
  });

  test('a snapshot replaces the old log and the previous snapshot', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 2, entries: makeEntries(2, 1, 30, 1), hardState: { term: 1, vote: 1, commit: 30 } }]);
      await store.saveSnapshot(2, { index: 15, term: 1, conf }, snapshotData(500, 2));
      await store.saveSnapshot(2, { index: 20, term: 1, conf }, snapshotData(250, 3));
      const loaded = await store.loadGroup(2);
      expect(loaded.initial.snapshot.index).toBe(20);
      expect(loaded.initial.applied).toBe(20);
      expect(plainEntries(loaded.initial.entries)).toEqual(plainEntries(makeEntries(2, 21, 10, 1)));
      expect(Buffer.from((await store.loadSnapshot(2))!.data).equals(snapshotData(250, 3))).toBe(true);
    }, { snapshotChunkBytes: 100 });
    // Background clears ran before close: dead entries and the old generation are gone.
    expect(await rawCount(dir, logRange(2, 0, 21))).toBe(0);
    expect(await rawCount(dir, logRange(2, 21, 31))).toBe(10);
    expect(await rawCount(dir, snapshotChunksRange(2))).toBe(3);
  });

  test('a snapshot whose term does not match the stored log drops the whole tail', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 1, entries: makeEntries(1, 1, 10, 1) }]);
      // A leader's snapshot at 8 with term 2: the local entries 9..10 (term 1) diverge.
      await store.write([{ groupId: 1, snapshot: { meta: { index: 8, term: 2, conf }, data: snapshotData(10, 4) }, hardState: { term: 2, vote: 0, commit: 8 } }]);
      const loaded = await store.loadGroup(1);
      expect(loaded.corruption).toBeNull();
      expect(loaded.initial.snapshot.index).toBe(8);
      expect(loaded.initial.entries).toEqual([]);
      // The log restarts right after the snapshot.
      await store.write([{ groupId: 1, entries: makeEntries(1, 9, 2, 2) }]);
      expect(plainEntries((await store.loadGroup(1)).initial.entries)).toEqual(plainEntries(makeEntries(1, 9, 2, 2)));
    });
    expect(await rawCount(dir, groupRange(KIND_LOG, 1))).toBe(2);
  });

  test('a snapshot and an append in one write (install then continue)', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 6, entries: makeEntries(6, 1, 10, 1), hardState: { term: 1, vote: 2, commit: 3 } }]);
      await store.write([
        {
          groupId: 6,
          snapshot: { meta: { index: 100, term: 3, conf }, data: snapshotData(64, 5) },
          entries: makeEntries(6, 101, 5, 3),
          hardState: { term: 3, vote: 0, commit: 102 },
        },
      ]);
    });
    await withStore(dir, async (store) => {
      const loaded = await store.loadGroup(6);
      expect(loaded.corruption).toBeNull();
      expect(loaded.initial.snapshot).toEqual({ index: 100, term: 3, conf });
      expect(loaded.initial.hardState).toEqual({ term: 3, vote: 0, commit: 102 });
      expect(plainEntries(loaded.initial.entries)).toEqual(plainEntries(makeEntries(6, 101, 5, 3)));
    });
    expect(await rawCount(dir, groupRange(KIND_LOG, 6))).toBe(5);
  });

  test('a snapshot older than the stored one is a bug', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 1, entries: makeEntries(1, 1, 10, 1) }]);
      await store.saveSnapshot(1, { index: 8, term: 1, conf }, snapshotData(8, 1));
      await expect(store.saveSnapshot(1, { index: 7, term: 1, conf }, snapshotData(8, 1))).rejects.toBeInstanceOf(AssertionError);
    });
  });

  test('commit is at least the snapshot index on load', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 1, entries: makeEntries(1, 1, 10, 1), hardState: { term: 1, vote: 1, commit: 2 } }]);
      await store.saveSnapshot(1, { index: 5, term: 1, conf }, snapshotData(8, 1));
      const loaded = await store.loadGroup(1);
      expect(loaded.initial.hardState.commit).toBe(5);
      expect(loaded.corruption).toBeNull();
    });
  });

  test('compact deletes entries left at or below the snapshot index', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 4, entries: makeEntries(4, 1, 20, 1) }]);
      await store.saveSnapshot(4, { index: 10, term: 1, conf }, snapshotData(8, 1));
    });
    // Plant what a crash before the snapshot's background clear would leave behind.
    await rawBatch(dir, makeEntries(4, 1, 10, 1).map((entry) => ({ type: 'put' as const, key: logKey(4, entry.index), value: encodeEntry(logKey(4, entry.index), entry) })));
    expect(await rawCount(dir, logRange(4, 0, 11))).toBe(10);
    await withStore(dir, async (store) => {
      await store.compact(4, 6);
      await expect(store.compact(4, 11)).rejects.toBeInstanceOf(AssertionError);
      const loaded = await store.loadGroup(4);
      expect(plainEntries(loaded.initial.entries)).toEqual(plainEntries(makeEntries(4, 11, 10, 1)));
    });
    expect(await rawCount(dir, logRange(4, 0, 7))).toBe(0);
    expect(await rawCount(dir, logRange(4, 7, 11))).toBe(4);
  });

  test('deleteGroup removes every record of the group and nothing else', async () => {
    await withStore(dir, async (store) => {
      for (const groupId of [1, 2, 3]) {
        await store.write([{ groupId, entries: makeEntries(groupId, 1, 10, 1), hardState: { term: 1, vote: 1, commit: 10 }, descriptor: Buffer.from(`g${groupId}`) }]);
        await store.saveSnapshot(groupId, { index: 5, term: 1, conf }, snapshotData(300, groupId));
      }
      await store.deleteGroup(2);
      expect(await store.listGroups()).toEqual([1, 3]);
      const loaded = await store.loadGroup(2);
      expect(loaded.descriptor).toBeNull();
      expect(loaded.initial.entries).toEqual([]);
      expect(await store.loadSnapshot(2)).toBeNull();
      // A replica of the same group can come back later.
      await store.write([{ groupId: 2, entries: makeEntries(2, 1, 3, 4) }]);
      expect(plainEntries((await store.loadGroup(2)).initial.entries)).toEqual(plainEntries(makeEntries(2, 1, 3, 4)));
      await store.deleteGroup(2);
    }, { snapshotChunkBytes: 100 });
    for (const kind of [KIND_HARD_STATE, KIND_DESCRIPTOR, KIND_SNAPSHOT, KIND_LOG, KIND_GROUP_TOMBSTONE]) {
      expect(await rawCount(dir, groupRange(kind, 2))).toBe(0);
    }
    await withStore(dir, async (store) => {
      expect(await store.listGroups()).toEqual([1, 3]);
      expect(plainEntries((await store.loadGroup(3)).initial.entries)).toEqual(plainEntries(makeEntries(3, 6, 5, 1)));
    });
  });

  test('a deletion interrupted by a crash finishes on open', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 8, entries: makeEntries(8, 1, 10, 1) }, { groupId: 9, entries: makeEntries(9, 1, 2, 1) }]);
    });
    // What a crash right after deleteGroup's first batch leaves: a tombstone and the log.
    const tombstone = groupKey(KIND_GROUP_TOMBSTONE, 8);
    await rawBatch(dir, [{ type: 'put', key: tombstone, value: encodeOpaque(tombstone, new Uint8Array(0)) }]);
    await withStore(dir, async (store) => {
      expect(await store.listGroups()).toEqual([9]);
    });
    expect(await rawCount(dir, groupRange(KIND_LOG, 8))).toBe(0);
    expect(await rawCount(dir, groupRange(KIND_GROUP_TOMBSTONE, 8))).toBe(0);
  });

  test('identity: claimed once, read back after reopen, another one refused', async () => {
    await withStore(dir, async (store) => {
      await store.writeIdentity({ clusterId: 'prod-eu', nodeId: 3 });
      await store.writeIdentity({ clusterId: 'prod-eu', nodeId: 3 });
    });
    await withStore(dir, async (store) => {
      expect(await store.readIdentity()).toEqual({ clusterId: 'prod-eu', nodeId: 3 });
      const otherNode = store.writeIdentity({ clusterId: 'prod-eu', nodeId: 4 });
      await expect(otherNode).rejects.toMatchObject({ code: 'identity-mismatch' });
      await expect(store.writeIdentity({ clusterId: 'staging', nodeId: 3 })).rejects.toThrow(/belongs to cluster 'prod-eu' node 3; refusing to use it as cluster 'staging' node 3/);
      expect(await store.readIdentity()).toEqual({ clusterId: 'prod-eu', nodeId: 3 });
    });
  });

  test('local metadata round trips and is replaced on put', async () => {
    await withStore(dir, async (store) => {
      await store.putLocal('advertise-address', Buffer.from('10.0.0.5:7000'));
      await store.putLocal('joined', Buffer.from([1]));
      await store.putLocal('joined', Buffer.from([2, 3]));
    });
    await withStore(dir, async (store) => {
      expect(Buffer.from((await store.getLocal('advertise-address'))!).toString()).toBe('10.0.0.5:7000');
      expect([...(await store.getLocal('joined'))!]).toEqual([2, 3]);
      expect(await store.getLocal('join')).toBeNull();
      expect(await store.listGroups()).toEqual([]);
    });
  });

  test('a descriptor is replaced by the next one', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 11, descriptor: Buffer.from('v1') }]);
      await store.write([{ groupId: 11, descriptor: Buffer.from('v2') }]);
    });
    await withStore(dir, async (store) => {
      expect(await store.listGroups()).toEqual([11]);
      expect(Buffer.from((await store.loadGroup(11)).descriptor!).toString()).toBe('v2');
    });
  });
});

describe('NodeStore ordering, bounds and lifecycle', () => {
  test('concurrent writes complete in call order and the log stays contiguous', async () => {
    const writeCount = 60;
    await withStore(dir, async (store) => {
      const completed: number[] = [];
      const writes: Promise<void>[] = [];
      for (let i = 1; i <= writeCount; i++) {
        // Every 10th write truncates back one entry and rewrites it in a higher term.
        const entries = i % 10 === 0 ? makeEntries(1, i - 1, 2, 2) : makeEntries(1, i, 1, i < 10 ? 1 : 2);
        writes.push(store.write([{ groupId: 1, entries }]).then(() => void completed.push(i)));
      }
      await Promise.all(writes);
      expect(completed).toEqual(Array.from({ length: writeCount }, (_, i) => i + 1));
      const loaded = await store.loadGroup(1);
      expect(loaded.corruption).toBeNull();
      expect(loaded.initial.entries.map((entry) => entry.index)).toEqual(Array.from({ length: writeCount }, (_, i) => i + 1));
    });
  });

  test('calls past queuedCallsMax fail queue-full, the rest succeed', async () => {
    await withStore(dir, async (store) => {
      const first = store.write([{ groupId: 1, entries: makeEntries(1, 1, 1, 1) }]);
      const second = store.write([{ groupId: 1, entries: makeEntries(1, 2, 1, 1) }]);
      const third = store.write([{ groupId: 1, entries: makeEntries(1, 3, 1, 1) }]);
      await expect(third).rejects.toMatchObject({ code: 'queue-full' });
      await Promise.all([first, second]);
      expect((await store.loadGroup(1)).initial.entries.length).toBe(2);
    }, { queuedCallsMax: 2 });
  });

  test('more entries than writeEntriesMax in one write fail limit-exceeded', async () => {
    await withStore(dir, async (store) => {
      await expect(store.write([{ groupId: 1, entries: makeEntries(1, 1, 11, 1) }])).rejects.toMatchObject({ code: 'limit-exceeded' });
      expect(store.stats().batchesWritten).toBe(0);
    }, { writeEntriesMax: 10 });
  });

  test('contract violations are assertion errors, not storage errors', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 1, entries: makeEntries(1, 1, 5, 1) }]);
      await expect(store.write([{ groupId: 1, entries: makeEntries(1, 7, 1, 1) }])).rejects.toBeInstanceOf(AssertionError);
      await expect(store.write([{ groupId: 1, hardState: { term: 1, vote: 0, commit: 6 } }])).rejects.toBeInstanceOf(AssertionError);
      expect(() => store.write([{ groupId: 1 }, { groupId: 1 }])).toThrow(AssertionError);
      // The store is still usable: nothing was written by the rejected calls.
      await store.write([{ groupId: 1, entries: makeEntries(1, 6, 1, 1), hardState: { term: 1, vote: 0, commit: 6 } }]);
      expect((await store.loadGroup(1)).initial.entries.length).toBe(6);
    });
  });

  test('after close every call fails closed; close is idempotent', async () => {
    const store = await NodeStore.open({ dir });
    const pending = store.write([{ groupId: 1, entries: makeEntries(1, 1, 3, 1) }]);
    const closing = store.close();
    await pending; // queued before close: completes
    await Promise.all([closing, store.close()]);
    await expect(store.write([{ groupId: 1, entries: makeEntries(1, 4, 1, 1) }])).rejects.toMatchObject({ code: 'closed' });
    await expect(store.listGroups()).rejects.toBeInstanceOf(StorageError);
    await withStore(dir, async (reopened) => {
      expect((await reopened.loadGroup(1)).initial.entries.length).toBe(3);
    });
  });

  test('open refuses bad options, another format version, and foreign data', async () => {
    await expect(NodeStore.open({ dir, snapshotChunkBytes: 0 })).rejects.toMatchObject({ code: 'invalid-options', message: expect.stringMatching(/snapshotChunkBytes/) });
    await withStore(dir, async () => undefined);
    const { formatVersionKey } = await import('../../server/storage/keys');
    const { encodeFormatVersion } = await import('../../server/storage/record-codecs');
    await rawBatch(dir, [{ type: 'put', key: formatVersionKey(), value: encodeFormatVersion(formatVersionKey(), 99) }]);
    await expect(NodeStore.open({ dir })).rejects.toMatchObject({ code: 'format-version' });
    const foreign = await makeTempDir('foreign');
    try {
      await rawBatch(foreign, [{ type: 'put', key: Buffer.from('hello'), value: Buffer.from('world') }]);
      await expect(NodeStore.open({ dir: foreign })).rejects.toMatchObject({ code: 'format-version' });
    } finally {
      await removeDir(foreign);
    }
  });

  test('a second store on the same directory is refused while the first is open', async () => {
    await withStore(dir, async () => {
      await expect(NodeStore.open({ dir })).rejects.toMatchObject({ code: 'io' });
    });
  });

  test('an I/O error poisons the store: every later call fails until a restart', async () => {
    await withStore(dir, async (store) => {
      await store.write([{ groupId: 1, entries: makeEntries(1, 1, 2, 1) }]);
      // Fault injection: make the next RocksDB batch fail as a failed fsync would.
      const db = (store as unknown as { db: RocksDb }).db;
      const realBatch = db.batch.bind(db);
      db.batch = () => Promise.reject(StorageError.fromRocks('batch', new Error('IO error: injected fsync failure')));
      await expect(store.write([{ groupId: 1, entries: makeEntries(1, 3, 1, 1) }])).rejects.toMatchObject({ code: 'io' });
      db.batch = realBatch;
      await expect(store.write([{ groupId: 1, entries: makeEntries(1, 3, 1, 1) }])).rejects.toMatchObject({
        code: 'failed',
        message: expect.stringMatching(/injected fsync failure/),
      });
      await expect(store.loadGroup(1)).rejects.toMatchObject({ code: 'failed' });
    });
    await withStore(dir, async (store) => {
      expect((await store.loadGroup(1)).initial.entries.length).toBe(2);
    });
  });

  test('chunks left by a snapshot save that crashed before its meta are never read, then cleared', async () => {
    await withStore(dir, async (store) => {
      await store.saveSnapshot(1, { index: 0, term: 0, conf }, snapshotData(250, 1));
    }, { snapshotChunkBytes: 100 });
    // A crashed save of generation 2 staged 6 chunks, but its meta never committed.
    await rawBatch(dir, Array.from({ length: 6 }, (_, chunk) => {
      const key = snapshotChunkKey(1, 2, chunk);
      return { type: 'put' as const, key, value: encodeOpaque(key, Buffer.alloc(100, 0xee)) };
    }));
    await withStore(dir, async (store) => {
      expect(Buffer.from((await store.loadSnapshot(1))!.data).equals(snapshotData(250, 1))).toBe(true);
      await store.saveSnapshot(1, { index: 0, term: 0, conf }, snapshotData(150, 2));
      expect(Buffer.from((await store.loadSnapshot(1))!.data).equals(snapshotData(150, 2))).toBe(true);
    }, { snapshotChunkBytes: 100 });
    expect(await rawCount(dir, snapshotChunksRange(1))).toBe(2);
  });

  test('a snapshot stream keeps its view while a newer snapshot replaces it', async () => {
    await withStore(dir, async (store) => {
      await store.saveSnapshot(1, { index: 0, term: 0, conf }, snapshotData(1000, 1));
      const reader = (await store.openSnapshot(1))!;
      expect(reader.chunkCount).toBe(10);
      const parts: Uint8Array[] = [];
      let replaced = false;
      for await (const chunk of reader.chunks()) {
        parts.push(chunk);
        if (!replaced) {
          replaced = true;
          await store.saveSnapshot(1, { index: 0, term: 0, conf }, snapshotData(300, 2));
          await store.compact(1, 0); // queued after the background clear of the old generation
        }
      }
      expect(Buffer.concat(parts).equals(snapshotData(1000, 1))).toBe(true);
      expect(Buffer.from((await store.loadSnapshot(1))!.data).equals(snapshotData(300, 2))).toBe(true);
    }, { snapshotChunkBytes: 100 });
    expect(await rawCount(dir, snapshotChunksRange(1))).toBe(3);
  });
});
