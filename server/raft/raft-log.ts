// The in-memory Raft log since the last snapshot (as etcd's MemoryStorage + unstable), with
// the cursors the core keeps over it:
//
//   snapshotIndex <= applied <= applying <= committed <= lastIndex   (applied may lag the
//   snapshot index only while a received snapshot is being installed)
//   stableIndex: entries up to here were handed out in a Ready that was advanced (persisted).
//
// Entries live in one array with an offset (`head`): compaction moves the offset and only
// occasionally copies the live tail down; truncation shortens the array.

import { assert } from '../util/assert';
import { entryBytes } from './messages';
import type { Entry, Snapshot, SnapshotMeta } from './types';

/** `term()` of an index outside [snapshotIndex, lastIndex]. */
export const TERM_UNAVAILABLE = -1;

/** Copy the live entries down once this many compacted slots sit at the front. */
const compactedSlotsMax = 1024;

export interface SliceLimits {
  readonly maxBytes: number;
  readonly maxEntries: number;
}

export class RaftLog {
  private entries: Entry[];
  private head = 0;
  private snapIndex: number;
  private snapTerm: number;
  private commitIndex: number;
  private applyingIndex: number;
  private appliedIndex: number;
  private stable: number;
  /** A snapshot received from the leader, not yet handed out and persisted. */
  private unstableSnapshot: Snapshot | null = null;

  constructor(snapshot: SnapshotMeta, entries: readonly Entry[], commit: number, applied: number) {
    this.snapIndex = snapshot.index;
    this.snapTerm = snapshot.term;
    this.entries = entries.slice();
    let previous: { index: number; term: number } = { index: snapshot.index, term: snapshot.term };
    for (const entry of this.entries) {
      assert(entry.index === previous.index + 1, `initial entries not contiguous at ${entry.index}`);
      assert(entry.term >= previous.term, `initial entry terms decrease at ${entry.index}`);
      previous = entry;
    }
    this.commitIndex = commit;
    this.applyingIndex = applied;
    this.appliedIndex = applied;
    this.stable = this.lastIndex();
    assert(snapshot.index <= applied, `applied ${applied} below snapshot ${snapshot.index}`);
    assert(applied <= commit, `applied ${applied} above commit ${commit}`);
    assert(commit <= this.lastIndex(), `commit ${commit} above last index ${this.lastIndex()}`);
  }

  get snapshotIndex(): number {
    return this.snapIndex;
  }
  get snapshotTerm(): number {
    return this.snapTerm;
  }
  get committed(): number {
    return this.commitIndex;
  }
  get applying(): number {
    return this.applyingIndex;
  }
  get applied(): number {
    return this.appliedIndex;
  }
  get stableIndex(): number {
    return this.stable;
  }
  get pendingSnapshot(): Snapshot | null {
    return this.unstableSnapshot;
  }

  firstIndex(): number {
    return this.snapIndex + 1;
  }

  lastIndex(): number {
    return this.snapIndex + this.entries.length - this.head;
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /** The term of the entry at `index`, or TERM_UNAVAILABLE if compacted or not yet appended. */
  term(index: number): number {
    if (index === this.snapIndex) return this.snapTerm;
    if (index < this.snapIndex || index > this.lastIndex()) return TERM_UNAVAILABLE;
    return (this.entries[this.position(index)] as Entry).term;
  }

  matchTerm(index: number, term: number): boolean {
    const found = this.term(index);
    return found !== TERM_UNAVAILABLE && found === term;
  }

  entryAt(index: number): Entry {
    assert(index > this.snapIndex && index <= this.lastIndex(), `entry ${index} not in the log`);
    return this.entries[this.position(index)] as Entry;
  }

  /** Raft 5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /** The index of the first entry of `entries` that is not in our log with the same term
   *  (a conflict, or simply new), or 0 if we hold all of them already. */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /** The largest index <= `index` whose term is <= `term` (fast back-off: every entry above
   *  it has a larger term, so cannot match an entry of term <= `term`). Scans down by term
   *  runs; stops at the snapshot, whose index is returned if nothing newer qualifies. */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    if (i <= this.snapIndex) return i;
    while (i > this.snapIndex) {
      if ((this.entries[this.position(i)] as Entry).term <= term) return i;
      i--;
    }
    return this.snapIndex;
  }

  /** Appends entries that start at or below lastIndex + 1, truncating a conflicting suffix
   *  first. Never truncates committed entries. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = (entries[0] as Entry).index;
    assert(first > this.commitIndex, `append at ${first} would truncate committed ${this.commitIndex}`);
    assert(first <= this.lastIndex() + 1, `append at ${first} leaves a gap after ${this.lastIndex()}`);
    if (first <= this.lastIndex()) {
      this.entries.length = this.position(first);
      if (this.stable >= first) this.stable = first - 1;
    }
    let expected = first;
    let previousTerm = this.term(first - 1);
    for (const entry of entries) {
      assert(entry.index === expected, `appended entries not contiguous at ${entry.index}`);
      assert(entry.term >= previousTerm, `appended entry terms decrease at ${entry.index}`);
      this.entries.push(entry);
      previousTerm = entry.term;
      expected++;
    }
  }

  /** Entries in [lo, hiExclusive), at least one, then as many as fit the limits. */
  slice(lo: number, hiExclusive: number, limits: SliceLimits): Entry[] {
    assert(lo > this.snapIndex, `slice from ${lo} reaches into the snapshot ${this.snapIndex}`);
    assert(hiExclusive <= this.lastIndex() + 1, `slice to ${hiExclusive} past last ${this.lastIndex()}`);
    const result: Entry[] = [];
    let bytes = 0;
    for (let index = lo; index < hiExclusive && result.length < limits.maxEntries; index++) {
      const entry = this.entries[this.position(index)] as Entry;
      bytes += entryBytes(entry);
      if (result.length > 0 && bytes > limits.maxBytes) break;
      result.push(entry);
    }
    return result;
  }

  commitTo(index: number): boolean {
    if (index <= this.commitIndex) return false;
    assert(index <= this.lastIndex(), `commit ${index} above last index ${this.lastIndex()}: log lost or corrupt?`);
    this.commitIndex = index;
    return true;
  }

  hasUnstableEntries(): boolean {
    return this.stable < this.lastIndex();
  }

  unstableEntries(): Entry[] {
    if (!this.hasUnstableEntries()) return [];
    return this.slice(this.stable + 1, this.lastIndex() + 1, { maxBytes: Infinity, maxEntries: Infinity });
  }

  /** Entries handed out in an advanced Ready are persisted up to (index, term), unless the
   *  log changed under them meanwhile (truncated, or replaced by a snapshot). */
  stableTo(index: number, term: number): void {
    if (index > this.stable && this.matchTerm(index, term)) this.stable = index;
  }

  hasNextCommittedEntries(): boolean {
    return this.applyingIndex < this.commitIndex;
  }

  /** Committed entries not handed out yet: at least one, at most `limits`. */
  nextCommittedEntries(limits: SliceLimits): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    return this.slice(this.applyingIndex + 1, this.commitIndex + 1, limits);
  }

  /** Committed entries up to `index` were handed out to be applied. */
  markApplying(index: number): void {
    assert(index <= this.commitIndex, `applying ${index} above commit ${this.commitIndex}`);
    if (index > this.applyingIndex) this.applyingIndex = index;
  }

  appliedTo(index: number): void {
    assert(index <= this.commitIndex, `applied ${index} above commit ${this.commitIndex}`);
    if (index > this.appliedIndex) this.appliedIndex = index;
    if (index > this.applyingIndex) this.applyingIndex = index;
  }

  /** Replace the whole log by a snapshot from the leader (its index is past our commit). */
  restore(snapshot: Snapshot): void {
    const meta = snapshot.meta;
    assert(meta.index > this.commitIndex, `restore ${meta.index} at or below commit ${this.commitIndex}`);
    this.entries = [];
    this.head = 0;
    this.snapIndex = meta.index;
    this.snapTerm = meta.term;
    this.commitIndex = meta.index;
    this.applyingIndex = meta.index;
    this.stable = meta.index;
    this.unstableSnapshot = snapshot;
  }

  /** A joining node (empty log, no configuration) receives the index-0 snapshot that carries
   *  the cluster's initial configuration; the indexes do not move. */
  adoptBaseSnapshot(snapshot: Snapshot): void {
    assert(snapshot.meta.index === 0 && snapshot.meta.term === 0, 'a base snapshot is at index 0, term 0');
    assert(this.snapIndex === 0 && this.lastIndex() === 0, 'a base snapshot only goes into an empty log');
    this.unstableSnapshot = snapshot;
  }

  /** The Ready carrying the received snapshot was advanced (it is persisted and installed). */
  snapshotPersisted(index: number): void {
    if (this.unstableSnapshot !== null && this.unstableSnapshot.meta.index === index) {
      this.unstableSnapshot = null;
    }
    if (index <= this.commitIndex && index > this.appliedIndex) this.appliedIndex = index;
  }

  /** Drops entries up to `index` (the host snapshotted the state machine there). */
  compact(index: number): void {
    assert(index > this.snapIndex, `compact ${index} at or below snapshot ${this.snapIndex}`);
    assert(index <= this.appliedIndex, `compact ${index} above applied ${this.appliedIndex}`);
    assert(index <= this.stable, `compact ${index} above persisted ${this.stable}`);
    const term = this.term(index);
    this.head = this.position(index) + 1;
    this.snapIndex = index;
    this.snapTerm = term;
    if (this.head >= compactedSlotsMax && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  private position(index: number): number {
    return this.head + (index - this.snapIndex - 1);
  }
}
