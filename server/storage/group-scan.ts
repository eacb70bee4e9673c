// Lists the group ids that have records of one kind, by skip-scanning: read the first key,
// then seek past that group's keys. Cost is one seek per group, not one step per record.

import { GROUP_ID_MAX, groupIdOfKey, groupKey, kindRange } from './keys';
import type { RocksDb } from './rocks-db';
import { StorageError } from './storage-error';

/** Bound on distinct groups one scan visits (far above any real node's group count). */
export const SCAN_GROUPS_MAX = 1_000_000;

export async function scanGroupIds(db: RocksDb, kind: number, into: Set<number>): Promise<void> {
  const cursor = db.cursor(kindRange(kind), { values: false });
  try {
    for (let visited = 0; visited < SCAN_GROUPS_MAX; visited++) {
      const item = await cursor.next();
      if (item === null) return;
      const groupId = groupIdOfKey(item.key);
      into.add(groupId);
      if (groupId === GROUP_ID_MAX) return;
      cursor.seek(groupKey(kind, groupId + 1));
    }
    throw new StorageError('limit-exceeded', `more than ${SCAN_GROUPS_MAX} groups of kind ${kind} (SCAN_GROUPS_MAX)`);
  } finally {
    await cursor.end();
  }
}
