// The storage format version, stored once per database. A directory written by another
// format (or by another program) is refused on open instead of being misread.

import { formatVersionKey } from './keys';
import { decodeFormatVersion, encodeFormatVersion } from './record-codecs';
import type { RocksDb } from './rocks-db';
import { StorageError } from './storage-error';

/** Bump on any change of keys.ts or record-codecs.ts layouts (and write a migration). */
export const STORAGE_FORMAT_VERSION = 1;

const EVERY_KEY = { gte: Buffer.from([0x00]), lt: Buffer.alloc(16, 0xff) };

/** Stamps an empty database with the current version; checks a non-empty one. */
export async function checkFormatVersion(db: RocksDb, dir: string): Promise<void> {
  const key = formatVersionKey();
  const raw = await db.get(key);
  if (raw === null) {
    const cursor = db.cursor(EVERY_KEY, { limit: 1, values: false });
    let hasData: boolean;
    try {
      hasData = (await cursor.next()) !== null;
    } finally {
      await cursor.end();
    }
    if (hasData) throw new StorageError('format-version', `${dir} holds data but no storage format version: not a Corral node store`);
    await db.batch([{ type: 'put', key, value: encodeFormatVersion(key, STORAGE_FORMAT_VERSION) }], { sync: true });
    return;
  }
  const decoded = decodeFormatVersion(key, raw);
  if (!decoded.ok) throw new StorageError('corrupt', `${dir}: storage format version record: ${decoded.reason}`);
  if (decoded.value !== STORAGE_FORMAT_VERSION) {
    throw new StorageError('format-version', `${dir} uses storage format ${decoded.value}; this build reads format ${STORAGE_FORMAT_VERSION}`);
  }
}
