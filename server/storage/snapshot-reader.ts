// Reads a group's stored snapshot: its meta, then its data chunk by chunk, all from ONE
// RocksDB cursor. A cursor sees a point-in-time view, so a snapshot saved (and the old
// generation cleared) while a reader streams does not disturb it.

import { crc32 } from 'node:zlib';
import type { SnapshotMeta } from '../raft/types';
import { assert } from '../util/assert';
import { KIND_SNAPSHOT, groupRange, snapshotChunkKey, snapshotMetaKey } from './keys';
import { type StoredSnapshotMeta, decodeOpaque, decodeSnapshotMeta } from './record-codecs';
import type { RocksCursor, RocksDb } from './rocks-db';
import { StorageError } from './storage-error';

export interface SnapshotReader {
  readonly meta: SnapshotMeta;
  readonly dataBytes: number;
  readonly chunkCount: number;
  /** The data, chunk by chunk (each at most `snapshotChunkBytes`). Single use. Each chunk's
   *  CRC is checked before it is yielded; the total length and the CRC of the whole data are
   *  checked after the last one (a failure there throws 'corrupt' after the data was yielded:
   *  a receiver must not install it before the iteration completes). Ends the reader. */
  chunks(): AsyncIterable<Uint8Array>;
  /** Releases the reader without reading (safe to call after `chunks()` too). */
  close(): Promise<void>;
}

/** A reader of the group's snapshot, or null if the group has none. */
export async function openSnapshotReader(db: RocksDb, groupId: number): Promise<SnapshotReader | null> {
  const cursor = db.cursor(groupRange(KIND_SNAPSHOT, groupId));
  let reader: SnapshotReader | null = null;
  try {
    const first = await cursor.next();
    const metaKey = snapshotMetaKey(groupId);
    // Chunks without a meta are leftovers of an interrupted save: no snapshot.
    if (first === null || !first.key.equals(metaKey)) return null;
    const decoded = decodeSnapshotMeta(metaKey, first.value);
    if (!decoded.ok) throw new StorageError('corrupt', `group ${groupId}: snapshot meta: ${decoded.reason}`);
    cursor.seek(snapshotChunkKey(groupId, decoded.value.generation, 0));
    reader = new CursorSnapshotReader(cursor, groupId, decoded.value);
    return reader;
  } finally {
    if (reader === null) await cursor.end();
  }
}

class CursorSnapshotReader implements SnapshotReader {
  private consumed = false;

  constructor(
    private readonly cursor: RocksCursor,
    private readonly groupId: number,
    private readonly stored: StoredSnapshotMeta,
  ) {}

  get meta(): SnapshotMeta {
    return this.stored.meta;
  }

  get dataBytes(): number {
    return this.stored.dataBytes;
  }

  get chunkCount(): number {
    return this.stored.chunkCount;
  }

  close(): Promise<void> {
    return this.cursor.end();
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    assert(!this.consumed, 'snapshot chunks are single use');
    this.consumed = true;
    const { generation, chunkCount, dataBytes, dataCrc } = this.stored;
    try {
      let crc = 0;
      let bytes = 0;
      for (let chunk = 0; chunk < chunkCount; chunk++) {
        const key = snapshotChunkKey(this.groupId, generation, chunk);
        const item = await this.cursor.next();
        if (item === null || !item.key.equals(key)) throw this.corrupt(`chunk ${chunk} of ${chunkCount} is missing`);
        const payload = decodeOpaque(key, item.value);
        if (!payload.ok) throw this.corrupt(`chunk ${chunk}: ${payload.reason}`);
        crc = crc32(payload.value, crc);
        bytes += payload.value.length;
        yield payload.value;
      }
      if (bytes !== dataBytes) throw this.corrupt(`data is ${bytes} bytes, meta says ${dataBytes}`);
      if (crc !== dataCrc) throw this.corrupt('crc of the whole data does not match');
    } finally {
      await this.cursor.end();
    }
  }

  private corrupt(reason: string): StorageError {
    return new StorageError('corrupt', `group ${this.groupId}: snapshot at ${this.stored.meta.index}: ${reason}`);
  }
}
