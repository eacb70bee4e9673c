// A typed, promise-based wrapper over the `rocksdb` binding (abstract-leveldown 7 callback
// API). Nothing callback-shaped leaves this file; every RocksDB error becomes StorageError 'io'.
//
// Ordering: the binding runs each call on the libuv thread pool, so two batches issued
// back to back may execute concurrently and commit in either order. Callers that need
// ordered commits must await one batch before issuing the next (NodeStore does).

import { assert } from '../util/assert';
import { StorageError } from './storage-error';
import type { KeyRange } from './keys';

type Callback<T = void> = (error: Error | null | undefined, value?: T) => void;

interface BindingIterator {
  next(callback: (error: Error | null | undefined, key?: Buffer, value?: Buffer) => void): void;
  seek(target: Buffer): void;
  end(callback: Callback): void;
}

interface BindingDb {
  open(options: Record<string, unknown>, callback: Callback): void;
  close(callback: Callback): void;
  get(key: Buffer, options: { asBuffer: true; fillCache?: boolean }, callback: Callback<Buffer>): void;
  batch(ops: readonly BatchOp[], options: { sync: boolean }, callback: Callback): void;
  clear(options: { gte: Buffer; lt: Buffer }, callback: Callback): void;
  iterator(options: Record<string, unknown>): BindingIterator;
}

// The package ships no type declarations; this is the one place its shape is asserted.
const createBindingDb = require('rocksdb') as (location: string) => BindingDb;

export type BatchOp =
  | { readonly type: 'put'; readonly key: Buffer; readonly value: Buffer }
  | { readonly type: 'del'; readonly key: Buffer };

export interface RocksOpenOptions {
  readonly cacheBytes: number;
}

function settle<T>(operation: string, run: (callback: Callback<T>) => void): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    run((error, value) => (error ? reject(StorageError.fromRocks(operation, error)) : resolve(value)));
  });
}

export class RocksDb {
  /** Cursors not ended yet: `close` ends them first, so none outlives the database. */
  private readonly openCursors = new Set<RocksCursor>();

  private constructor(private readonly binding: BindingDb) {}

  static async open(dir: string, options: RocksOpenOptions): Promise<RocksDb> {
    const binding = createBindingDb(dir);
    const openOptions = { createIfMissing: true, errorIfExists: false, cacheSize: options.cacheBytes };
    await settle<void>(`open ${dir}`, (callback) => binding.open(openOptions, callback));
    return new RocksDb(binding);
  }

  async close(): Promise<void> {
    await Promise.all([...this.openCursors].map((cursor) => cursor.end()));
    await settle<void>('close', (callback) => this.binding.close(callback));
  }

  /** The value at `key`, or null when there is none. */
  get(key: Buffer): Promise<Buffer | null> {
    return new Promise<Buffer | null>((resolve, reject) => {
      this.binding.get(key, { asBuffer: true }, (error, value) => {
        if (error && /^NotFound/.test(error.message)) resolve(null);
        else if (error) reject(StorageError.fromRocks('get', error));
        else resolve(value ?? null);
      });
    });
  }

  async batch(ops: readonly BatchOp[], options: { sync: boolean }): Promise<void> {
    await settle<void>('batch', (callback) => this.binding.batch(ops, options, callback));
  }

  /** Deletes every key in the range (unsynced; RocksDB iterates and deletes internally). */
  async clear(range: KeyRange): Promise<void> {
    await settle<void>('clear', (callback) => this.binding.clear({ gte: range.gte, lt: range.lt }, callback));
  }

  /** A cursor over `range` that sees one consistent point-in-time view of the database. */
  cursor(range: KeyRange, options: { reverse?: boolean; limit?: number; values?: boolean } = {}): RocksCursor {
    const iterator = this.binding.iterator({
      gte: range.gte,
      lt: range.lt,
      reverse: options.reverse ?? false,
      limit: options.limit ?? -1,
      values: options.values ?? true,
      keyAsBuffer: true,
      valueAsBuffer: true,
    });
    const cursor = new RocksCursor(iterator, () => this.openCursors.delete(cursor));
    this.openCursors.add(cursor);
    return cursor;
  }
}

export interface CursorItem {
  readonly key: Buffer;
  /** Empty when the cursor was opened with `values: false`. */
  readonly value: Buffer;
}

export class RocksCursor {
  private ended = false;

  constructor(
    private readonly iterator: BindingIterator,
    private readonly onEnd: () => void,
  ) {}

  /** The next key/value pair, or null at the end of the range. */
  next(): Promise<CursorItem | null> {
    if (this.ended) return Promise.reject(new StorageError('closed', 'cursor already ended (store closed?)'));
    return new Promise<CursorItem | null>((resolve, reject) => {
      this.iterator.next((error, key, value) => {
        if (error) reject(StorageError.fromRocks('iterator next', error));
        else if (key === undefined) resolve(null);
        else resolve({ key, value: value ?? Buffer.alloc(0) });
      });
    });
  }

  /** Repositions at the first key >= target (synchronous in the binding). */
  seek(target: Buffer): void {
    assert(!this.ended, 'seek on an ended cursor');
    this.iterator.seek(target);
  }

  /** Releases the cursor; safe to call more than once. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    await settle<void>('iterator end', (callback) => this.iterator.end(callback));
  }
}
