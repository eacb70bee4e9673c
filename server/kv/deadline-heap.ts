// A binary min-heap of (dueMs, id), ordered by due time then id, so that equal deadlines pop
// in a deterministic order. Entries are never updated in place: the owner pops an entry,
// compares it with its current truth, and re-pushes if it moved (lazy deletion).

import { assert } from '../util/assert';

export interface DeadlineEntry {
  readonly dueMs: number;
  readonly id: number;
}

function before(a: DeadlineEntry, b: DeadlineEntry): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.id < b.id);
}

export class DeadlineHeap {
  private readonly entries: DeadlineEntry[] = [];

  get size(): number {
    return this.entries.length;
  }

  peek(): DeadlineEntry | undefined {
    return this.entries[0];
  }

  push(entry: DeadlineEntry): void {
    const entries = this.entries;
    entries.push(entry);
    let at = entries.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(entries[at], entries[parent])) break;
      [entries[at], entries[parent]] = [entries[parent], entries[at]];
      at = parent;
    }
  }

  pop(): DeadlineEntry {
    const entries = this.entries;
    assert(entries.length > 0, 'pop from an empty heap');
    const top = entries[0];
    const last = entries.pop() as DeadlineEntry;
    if (entries.length === 0) return top;
    entries[0] = last;
    let at = 0;
    for (;;) {
      const left = at * 2 + 1;
      const right = left + 1;
      let smallest = at;
      if (left < entries.length && before(entries[left], entries[smallest])) smallest = left;
      if (right < entries.length && before(entries[right], entries[smallest])) smallest = right;
      if (smallest === at) return top;
      [entries[at], entries[smallest]] = [entries[smallest], entries[at]];
      at = smallest;
    }
  }

  clear(): void {
    this.entries.length = 0;
  }
}
