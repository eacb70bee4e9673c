// Damage planted straight into RocksDB is detected on read: loadGroup stops before the
// first bad or missing entry and says where and why; it never returns a damaged entry.

import type { Entry } from '../../server/raft/types';
import { KIND_HARD_STATE, groupKey, logKey, logRange, snapshotChunkKey, snapshotMetaKey } from '../../server/storage/keys';
import { encodeEntry } from '../../server/storage/record-codecs';
import { makeEntries, makeTempDir, plainEntries, rawBatch, rawCount, rawGet, removeDir, withStore } from './store-fixtures';

let dir: string;
const groupId = 3;
const conf = { voters: [1, 2, 3], learners: [] };

beforeEach(async () => {
  dir = await makeTempDir('corruption');
  await withStore(dir, async (store) => {
    await store.write([{ groupId, entries: makeEntries(groupId, 1, 10, 1), hardState: { term: 1, vote: 1, commit: 6 } }]);
  });
});

afterEach(async () => {
  await removeDir(dir);
});

async function storedValue(index: number): Promise<Buffer> {
  const value = await rawGet(dir, logKey(groupId, index));
  expect(value).not.toBeNull();
  return value!;
}

async function putRaw(key: Buffer, value: Buffer): Promise<void> {
  await rawBatch(dir, [{ type: 'put', key, value }]);
}

async function expectLoadStopsAt(index: number, reason: RegExp): Promise<void> {
  await withStore(dir, async (store) => {
    const loaded = await store.loadGroup(groupId);
    expect(loaded.corruption).toEqual({ index, reason: expect.stringMatching(reason) });
    expect(plainEntries(loaded.initial.entries)).toEqual(plainEntries(makeEntries(groupId, 1, index - 1, 1)));
  });
}

describe('log corruption', () => {
  test('a flipped byte in an entry payload', async () => {
    const value = await storedValue(5);
    value[value.length - 3]! ^= 0x40;
    await putRaw(logKey(groupId, 5), value);
    await expectLoadStopsAt(5, /crc mismatch/);
  });

  test('a flipped byte in the stored crc or length', async () => {
    const crcDamaged = await storedValue(4);
    crcDamaged[0]! ^= 0x01;
    await putRaw(logKey(groupId, 4), crcDamaged);
    await expectLoadStopsAt(4, /crc mismatch/);
  });

  test('a truncated entry value', async () => {
    const value = await storedValue(7);
    await putRaw(logKey(groupId, 7), value.subarray(0, value.length - 5));
    await expectLoadStopsAt(7, /length/);
  });

  test('a value shorter than its header', async () => {
    await putRaw(logKey(groupId, 2), Buffer.from([1, 2, 3]));
    await expectLoadStopsAt(2, /shorter than its header/);
  });

  test('a valid record stored under the wrong index (crc is bound to the key)', async () => {
    await putRaw(logKey(groupId, 5), await storedValue(6));
    await expectLoadStopsAt(5, /crc mismatch/);
  });

  test('a missing entry in the middle (gap)', async () => {
    await rawBatch(dir, [{ type: 'del', key: logKey(groupId, 6) }]);
    await expectLoadStopsAt(6, /entry 6 is missing \(next stored entry is 7\)/);
  });

  test('a well-formed entry whose term goes backwards', async () => {
    const entries = makeEntries(groupId, 1, 10, 3);
    await rawBatch(dir, entries.map((entry) => ({ type: 'put' as const, key: logKey(groupId, entry.index), value: encodeEntry(logKey(groupId, entry.index), entry) })));
    const regressed: Entry = { ...entries[7]!, term: 2 };
    await putRaw(logKey(groupId, 8), encodeEntry(logKey(groupId, 8), regressed));
    await withStore(dir, async (store) => {
      const loaded = await store.loadGroup(groupId);
      expect(loaded.corruption).toEqual({ index: 8, reason: 'term 2 is below the previous term 3' });
      expect(loaded.initial.entries.map((entry) => entry.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });
  });

  test('committed entries missing at the end of the log', async () => {
    await rawBatch(dir, [5, 6, 7, 8, 9, 10].map((index) => ({ type: 'del' as const, key: logKey(groupId, index) })));
    await withStore(dir, async (store) => {
      const loaded = await store.loadGroup(groupId);
      expect(loaded.corruption).toEqual({ index: 5, reason: 'entry 5 is missing (hard state commit is 6)' });
      expect(loaded.initial.entries.length).toBe(4);
      expect(loaded.initial.hardState.commit).toBe(4);
    });
  });

  test('an append at the corrupt index replaces the damaged suffix', async () => {
    const value = await storedValue(5);
    value[12]! ^= 0xff;
    await putRaw(logKey(groupId, 5), value);
    await withStore(dir, async (store) => {
      const loaded = await store.loadGroup(groupId);
      expect(loaded.corruption?.index).toBe(5);
      // The store's last index is the last STORED key (10), so this append truncates 7..10.
      await store.write([{ groupId, entries: makeEntries(groupId, 5, 2, 2) }]);
      const reloaded = await store.loadGroup(groupId);
      expect(reloaded.corruption).toBeNull();
      expect(plainEntries(reloaded.initial.entries)).toEqual(plainEntries([...makeEntries(groupId, 1, 4, 1), ...makeEntries(groupId, 5, 2, 2)]));
    });
    expect(await rawCount(dir, logRange(groupId, 7, 11))).toBe(0);
  });
});

describe('corruption of other records', () => {
  test('a corrupt hard state fails loadGroup with corrupt', async () => {
    const key = groupKey(KIND_HARD_STATE, groupId);
    const value = (await rawGet(dir, key))!;
    value[9]! ^= 0x10;
    await putRaw(key, value);
    await withStore(dir, async (store) => {
      await expect(store.loadGroup(groupId)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringMatching(/group 3: hard state: crc mismatch/) });
    });
  });

  test('a corrupt snapshot meta fails loadGroup and loadSnapshot with corrupt', async () => {
    await withStore(dir, async (store) => {
      await store.saveSnapshot(groupId, { index: 5, term: 1, conf }, Buffer.alloc(10, 7));
    });
    const value = (await rawGet(dir, snapshotMetaKey(groupId)))!;
    await putRaw(snapshotMetaKey(groupId), value.subarray(0, value.length - 1));
    await withStore(dir, async (store) => {
      await expect(store.loadGroup(groupId)).rejects.toMatchObject({ code: 'corrupt' });
      await expect(store.loadSnapshot(groupId)).rejects.toMatchObject({ code: 'corrupt' });
    });
  });

  test('a corrupt or missing snapshot chunk fails the read at that chunk', async () => {
    const data = Buffer.alloc(450, 9);
    await withStore(dir, async (store) => {
      await store.saveSnapshot(groupId, { index: 5, term: 1, conf }, data);
    }, { snapshotChunkBytes: 100 });
    const key = snapshotChunkKey(groupId, 1, 2);
    const value = (await rawGet(dir, key))!;
    value[50]! ^= 0x01;
    await putRaw(key, value);
    await withStore(dir, async (store) => {
      await expect(store.loadSnapshot(groupId)).rejects.toMatchObject({ code: 'corrupt', message: expect.stringMatching(/chunk 2: crc mismatch/) });
      const received: number[] = [];
      const stream = async (): Promise<void> => {
        for await (const chunk of store.readSnapshotChunks(groupId)) received.push(chunk.length);
      };
      await expect(stream()).rejects.toMatchObject({ code: 'corrupt' });
      expect(received).toEqual([100, 100]);
    });
    await rawBatch(dir, [{ type: 'del', key }]);
    await withStore(dir, async (store) => {
      await expect(store.loadSnapshot(groupId)).rejects.toThrow(/chunk 2 of 5 is missing/);
    });
  });
});
