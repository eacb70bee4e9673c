// Flow control for one follower: the 'app' messages sent but not acknowledged yet, as a ring
// of (last index, bytes). At most `capacity` messages and about `maxBytes` bytes in flight:
// `full()` pauses replication to that follower until acknowledgements free space.

import { assert } from '../util/assert';

/** The ring grows on demand up to `capacity`, starting at this many slots. */
const initialSlots = 4;

export class Inflights {
  private lastIndexes: number[] = [];
  private sizes: number[] = [];
  private start = 0;
  private count = 0;
  private bytes = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes: number,
  ) {
    assert(capacity >= 1 && maxBytes >= 1, 'inflights bounds must be positive');
  }

  get length(): number {
    return this.count;
  }

  get inflightBytes(): number {
    return this.bytes;
  }

  full(): boolean {
    return this.count === this.capacity || this.bytes >= this.maxBytes;
  }

  /** Bytes that may still be sent before `full()` (0 when full). */
  freeBytes(): number {
    return this.bytes >= this.maxBytes ? 0 : this.maxBytes - this.bytes;
  }

  /** Records a sent message whose last entry has `lastIndex`. */
  add(lastIndex: number, bytes: number): void {
    assert(this.count < this.capacity, 'inflights overflow: add() while full');
    if (this.count > 0) {
      const newest = this.lastIndexes[(this.start + this.count - 1) % this.lastIndexes.length];
      assert(newest !== undefined && lastIndex > newest, `inflights must grow: ${lastIndex} after ${newest}`);
    }
    if (this.count === this.lastIndexes.length) this.grow();
    const slot = (this.start + this.count) % this.lastIndexes.length;
    this.lastIndexes[slot] = lastIndex;
    this.sizes[slot] = bytes;
    this.count++;
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= `index` (acknowledged). */
  freeLE(index: number): void {
    const slots = this.lastIndexes.length;
    while (this.count > 0) {
      const oldest = this.lastIndexes[this.start] ?? 0;
      if (oldest > index) break;
      this.bytes -= this.sizes[this.start] ?? 0;
      this.start = (this.start + 1) % slots;
      this.count--;
    }
    if (this.count === 0) this.start = 0;
    assert(this.bytes >= 0, 'inflight bytes went negative');
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }

  private grow(): void {
    const slots = Math.min(this.capacity, Math.max(initialSlots, this.lastIndexes.length * 2));
    const indexes: number[] = new Array<number>(slots).fill(0);
    const sizes: number[] = new Array<number>(slots).fill(0);
    for (let i = 0; i < this.count; i++) {
      const from = (this.start + i) % this.lastIndexes.length;
      indexes[i] = this.lastIndexes[from] ?? 0;
      sizes[i] = this.sizes[from] ?? 0;
    }
    this.lastIndexes = indexes;
    this.sizes = sizes;
    this.start = 0;
  }
}
