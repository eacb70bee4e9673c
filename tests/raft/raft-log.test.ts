// The in-memory log: append/truncate, cursors, conflict search, slicing limits, compaction,
// with randomized comparisons against a naive model.

import { RaftLog, TERM_UNAVAILABLE } from '../../server/raft/raft-log';
import type { Entry } from '../../server/raft';
import { AssertionError } from '../../server/util/assert';
import { SeededRandom } from '../../server/util/random';

const conf = { voters: [1], learners: [] };

function entry(index: number, term: number, text = ''): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(text) };
}

/** Entries 1..terms.length with the given terms. */
function entries(terms: readonly number[], from = 1): Entry[] {
  return terms.map((term, i) => entry(from + i, term));
}

function emptyLog(): RaftLog {
  return new RaftLog({ index: 0, term: 0, conf }, [], 0, 0);
}

describe('RaftLog', () => {
  test('starts from the snapshot and the persisted entries, all stable', () => {
    const log = new RaftLog({ index: 5, term: 2, conf }, entries([2, 3, 3], 6), 7, 6);
    expect([log.firstIndex(), log.lastIndex(), log.lastTerm()]).toEqual([6, 8, 3]);
    expect([log.term(5), log.term(6), log.term(8)]).toEqual([2, 2, 3]);
    expect([log.term(4), log.term(9)]).toEqual([TERM_UNAVAILABLE, TERM_UNAVAILABLE]);
    expect(log.hasUnstableEntries()).toBe(false);
    expect(log.nextCommittedEntries({ maxBytes: 100, maxEntries: 100 }).map((e) => e.index)).toEqual([7]);
  });

  test('rejects an inconsistent initial state', () => {
    expect(() => new RaftLog({ index: 0, term: 0, conf }, entries([1, 1]), 3, 0)).toThrow(AssertionError);
    expect(() => new RaftLog({ index: 0, term: 0, conf }, [entry(2, 1)], 0, 0)).toThrow(AssertionError);
    expect(() => new RaftLog({ index: 0, term: 0, conf }, entries([2, 1]), 0, 0)).toThrow(AssertionError);
    expect(() => new RaftLog({ index: 4, term: 1, conf }, [], 4, 3)).toThrow(AssertionError);
  });

  test('append truncates a conflicting suffix and un-stables from the truncation point', () => {
    const log = emptyLog();
    log.append(entries([1, 1, 1, 1]));
    log.stableTo(4, 1);
    expect(log.stableIndex).toBe(4);
    log.append([entry(3, 2), entry(4, 2), entry(5, 2)]);
    expect(log.stableIndex).toBe(2);
    expect(log.unstableEntries().map((e) => `${e.term}/${e.index}`)).toEqual(['2/3', '2/4', '2/5']);
    // A stale stableTo (for the truncated entry 4 of term 1) is ignored.
    log.stableTo(4, 1);
    expect(log.stableIndex).toBe(2);
    log.stableTo(5, 2);
    expect(log.stableIndex).toBe(5);
  });

  test('never truncates committed entries and never leaves a gap', () => {
    const log = emptyLog();
    log.append(entries([1, 1, 1]));
    log.commitTo(2);
    expect(() => log.append([entry(2, 2)])).toThrow(AssertionError);
    expect(() => log.append([entry(5, 1)])).toThrow(AssertionError);
    expect(() => log.commitTo(4)).toThrow(AssertionError);
    expect(log.commitTo(1)).toBe(false); // commit never decreases
    expect(log.committed).toBe(2);
  });

  test('findConflict returns the first new or conflicting index', () => {
    const log = emptyLog();
    log.append(entries([1, 1, 2]));
    expect(log.findConflict(entries([1, 1]))).toBe(0);
    expect(log.findConflict(entries([1, 1, 2, 3]))).toBe(4);
    expect(log.findConflict(entries([1, 2, 2]))).toBe(2);
  });

  test('findConflictByTerm matches a naive scan on random logs', () => {
    const random = new SeededRandom(7);
    for (let run = 0; run < 200; run++) {
      const terms: number[] = [];
      let term = 1;
      for (let i = 0; i < 1 + random.nextInt(40); i++) {
        if (random.chance(0.3)) term += 1 + random.nextInt(2);
        terms.push(term);
      }
      const log = emptyLog();
      log.append(entries(terms));
      const index = random.nextInt(terms.length + 3);
      const queryTerm = random.nextInt(term + 2);
      let naive = 0;
      for (let i = Math.min(index, terms.length); i >= 1; i--) {
        if ((terms[i - 1] ?? 0) <= queryTerm) {
          naive = i;
          break;
        }
      }
      expect(log.findConflictByTerm(index, queryTerm)).toBe(naive);
    }
  });

  test('slice returns at least one entry, then stops at the byte and count limits', () => {
    const log = emptyLog();
    log.append([entry(1, 1, 'aaaa'), entry(2, 1, 'bbbb'), entry(3, 1, 'cccc'), entry(4, 1, 'dd')]);
    const indexes = (es: readonly Entry[]): number[] => es.map((e) => e.index);
    expect(indexes(log.slice(1, 5, { maxBytes: 1, maxEntries: 10 }))).toEqual([1]);
    expect(indexes(log.slice(1, 5, { maxBytes: 8, maxEntries: 10 }))).toEqual([1, 2]);
    expect(indexes(log.slice(1, 5, { maxBytes: 100, maxEntries: 3 }))).toEqual([1, 2, 3]);
    expect(indexes(log.slice(3, 5, { maxBytes: 6, maxEntries: 10 }))).toEqual([3, 4]);
  });

  test('committed entries are handed out once, in bounded batches', () => {
    const log = emptyLog();
    log.append(entries([1, 1, 1, 1, 1]));
    log.commitTo(5);
    const batch = log.nextCommittedEntries({ maxBytes: 100, maxEntries: 2 });
    expect(batch.map((e) => e.index)).toEqual([1, 2]);
    log.markApplying(2);
    expect(log.nextCommittedEntries({ maxBytes: 100, maxEntries: 10 }).map((e) => e.index)).toEqual([3, 4, 5]);
    log.appliedTo(2);
    expect(log.applied).toBe(2);
  });

  test('compaction moves the offset; terms and entries stay addressable by index', () => {
    const log = emptyLog();
    const count = 5000;
    log.append(entries(Array.from({ length: count }, (_, i) => 1 + Math.floor(i / 100))));
    log.stableTo(count, log.lastTerm());
    log.commitTo(count);
    log.appliedTo(count);
    for (let index = 100; index <= 4900; index += 100) {
      log.compact(index);
      expect(log.firstIndex()).toBe(index + 1);
      expect(log.term(index)).toBe(1 + Math.floor((index - 1) / 100));
      expect(log.term(index - 1)).toBe(TERM_UNAVAILABLE);
      expect(log.entryAt(index + 1).index).toBe(index + 1);
      expect(log.lastIndex()).toBe(count);
    }
    expect(() => log.compact(4900)).toThrow(AssertionError);
  });

  test('compaction stops at the applied and persisted indexes', () => {
    const log = emptyLog();
    log.append(entries([1, 1, 1]));
    log.commitTo(3);
    log.appliedTo(2);
    expect(() => log.compact(3)).toThrow(AssertionError); // above applied
    expect(() => log.compact(2)).toThrow(AssertionError); // not persisted yet
    log.stableTo(3, 1);
    log.compact(2);
    expect(log.snapshotIndex).toBe(2);
  });

  test('restore replaces the log by a snapshot', () => {
    const log = emptyLog();
    log.append(entries([1, 1, 2]));
    log.commitTo(1);
    const snapshot = { meta: { index: 10, term: 3, conf }, data: new Uint8Array([1]) };
    log.restore(snapshot);
    expect([log.firstIndex(), log.lastIndex(), log.committed, log.lastTerm()]).toEqual([11, 10, 10, 3]);
    expect(log.pendingSnapshot).toBe(snapshot);
    log.snapshotPersisted(10);
    expect(log.pendingSnapshot).toBeNull();
    expect(log.applied).toBe(10);
  });

  test('isUpToDate compares last term, then last index (Raft 5.4.1)', () => {
    const log = emptyLog();
    log.append(entries([1, 2, 2]));
    expect(log.isUpToDate(1, 3)).toBe(true);
    expect(log.isUpToDate(3, 2)).toBe(true);
    expect(log.isUpToDate(2, 2)).toBe(false);
    expect(log.isUpToDate(9, 1)).toBe(false);
  });
});
