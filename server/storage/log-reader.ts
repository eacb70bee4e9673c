// Reads a group's log after its snapshot: intact, contiguous entries, stopping at the first
// record that is missing, fails its checks, or goes back in term. Never returns a bad entry.

import type { Entry } from '../raft/types';
import { assert } from '../util/assert';
import { KIND_LOG, groupRange, logIndexOfKey, logKey } from './keys';
import { decodeEntry } from './record-codecs';
import type { RocksDb } from './rocks-db';
import { StorageError } from './storage-error';
import type { LogCorruption } from './storage-types';

export interface LogTail {
  readonly entries: Entry[];
  readonly corruption: LogCorruption | null;
}

export async function readLogTail(
  db: RocksDb,
  groupId: number,
  after: { readonly index: number; readonly term: number },
  entriesMax: number,
): Promise<LogTail> {
  const entries: Entry[] = [];
  const cursor = db.cursor({ gte: logKey(groupId, after.index + 1), lt: groupRange(KIND_LOG, groupId).lt });
  try {
    let previousTerm = after.term;
    for (let expected = after.index + 1; ; expected++) {
      const item = await cursor.next();
      if (item === null) return { entries, corruption: null };
      if (entries.length === entriesMax) {
        throw new StorageError('limit-exceeded', `group ${groupId}: more than ${entriesMax} log entries after the snapshot (loadEntriesMax)`);
      }
      const index = logIndexOfKey(groupId, item.key);
      assert(index !== null && index >= expected, `group ${groupId}: cursor left the log range`);
      if (index !== expected) {
        return { entries, corruption: { index: expected, reason: `entry ${expected} is missing (next stored entry is ${index})` } };
      }
      const decoded = decodeEntry(item.key, index, item.value);
      if (!decoded.ok) return { entries, corruption: { index, reason: decoded.reason } };
      if (decoded.value.term < previousTerm) {
        return { entries, corruption: { index, reason: `term ${decoded.value.term} is below the previous term ${previousTerm}` } };
      }
      previousTerm = decoded.value.term;
      entries.push(decoded.value);
    }
  } finally {
    await cursor.end();
  }
}
