// Shared helpers for the storage tests: temp directories, entry builders, raw db access.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../../server/raft/types';
import { NodeStore } from '../../server/storage/node-store';
import { type BatchOp, RocksDb } from '../../server/storage/rocks-db';
import type { NodeStoreOptions } from '../../server/storage/store-options';

export async function makeTempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `corral-storage-${label}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Deterministic entry content, so a reader can check any entry without a side table. */
export function entryData(groupId: number, index: number, term: number, bytes = 32): Buffer {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (groupId * 131 + index * 31 + term * 7 + i) & 0xff;
  return data;
}

/** Size of the snapshots the crash writer saves (3 chunks of 4 KiB). */
export const CRASH_SNAPSHOT_BYTES = 10 * 1024;

/** Deterministic bytes (snapshot images) identified by a seed. */
export function patternData(bytes: number, seed: number): Buffer {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (seed * 7 + i * 13) & 0xff;
  return data;
}

export function makeEntries(groupId: number, fromIndex: number, count: number, term: number, bytes = 32): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const index = fromIndex + i;
    entries.push({ index, term, type: 'normal', data: entryData(groupId, index, term, bytes) });
  }
  return entries;
}

/** Compares entries by value (data as bytes, whatever the Uint8Array subclass). */
export function plainEntries(entries: readonly Entry[]): { index: number; term: number; type: string; data: string }[] {
  return entries.map((entry) => ({ index: entry.index, term: entry.term, type: entry.type, data: Buffer.from(entry.data).toString('hex') }));
}

export async function withStore<T>(
  dir: string,
  run: (store: NodeStore) => Promise<T>,
  options: Partial<NodeStoreOptions> = {},
): Promise<T> {
  const store = await NodeStore.open({ ...options, dir });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** Writes raw operations straight into the database of a CLOSED store (to plant damage). */
export async function rawBatch(dir: string, ops: readonly BatchOp[]): Promise<void> {
  const db = await RocksDb.open(dir, { cacheBytes: 0 });
  try {
    await db.batch(ops, { sync: true });
  } finally {
    await db.close();
  }
}

export async function rawGet(dir: string, key: Buffer): Promise<Buffer | null> {
  const db = await RocksDb.open(dir, { cacheBytes: 0 });
  try {
    return await db.get(key);
  } finally {
    await db.close();
  }
}

/** Counts the keys of a range in a CLOSED store's database. */
export async function rawCount(dir: string, range: { gte: Buffer; lt: Buffer }, countMax = 1_000_000): Promise<number> {
  const db = await RocksDb.open(dir, { cacheBytes: 0 });
  try {
    const cursor = db.cursor(range, { values: false });
    try {
      for (let count = 0; count < countMax; count++) {
        if ((await cursor.next()) === null) return count;
      }
      throw new Error(`more than ${countMax} keys in range`);
    } finally {
      await cursor.end();
    }
  } finally {
    await db.close();
  }
}
