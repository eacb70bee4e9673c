// A node's simulated disk: it holds exactly what the host persisted from Ready values and
// snapshots, and nothing else. A crash keeps the disk and loses everything in memory, so a
// restarted node sees only what the Ready contract promised would be durable.
//
// A write is atomic: `persistReady` applies the snapshot, the log append and the hard state
// of one Ready together (the simulator decides when, which models a slow disk, and whether
// a crash lands before it).

import type { Entry, HardState, RaftInitialState, Ready, Snapshot } from '../../server/raft/types';

export type DiskFault =
  | { readonly kind: 'gap'; readonly detail: string }
  | { readonly kind: 'below-snapshot'; readonly detail: string };

export class SimDisk {
  private hardStateValue: HardState = { term: 0, vote: 0, commit: 0 };
  private snapshotValue: Snapshot;
  /** Entries after the snapshot's index, contiguous. */
  private log: Entry[] = [];

  constructor(initial: Snapshot) {
    this.snapshotValue = initial;
  }

  get hardState(): HardState {
    return this.hardStateValue;
  }

  get snapshot(): Snapshot {
    return this.snapshotValue;
  }

  get firstIndex(): number {
    return this.snapshotValue.meta.index + 1;
  }

  get lastIndex(): number {
    return this.snapshotValue.meta.index + this.log.length;
  }

  /** The term of the entry at `index`, or null if it is not on disk (compacted or beyond). */
  term(index: number): number | null {
    if (index === this.snapshotValue.meta.index) return this.snapshotValue.meta.term;
    const entry = this.entry(index);
    return entry === null ? null : entry.term;
  }

  entry(index: number): Entry | null {
    const offset = index - this.snapshotValue.meta.index - 1;
    if (offset < 0 || offset >= this.log.length) return null;
    return this.log[offset];
  }

  entries(): readonly Entry[] {
    return this.log;
  }

  /** Persists one Ready's durable part: snapshot, then entries, then hard state. Returns a
   *  fault instead of writing when the Ready breaks the log's shape (a core bug). */
  persistReady(ready: Ready): DiskFault | null {
    const fault = this.validate(ready);
    if (fault !== null) return fault;
    if (ready.snapshot !== null) this.installSnapshot(ready.snapshot);
    if (ready.entries.length > 0) {
      const first = ready.entries[0].index;
      this.log.length = first - this.firstIndex;
      for (const entry of ready.entries) this.log.push(entry);
    }
    if (ready.hardState !== null) this.hardStateValue = ready.hardState;
    return null;
  }

  /** The host compacted: the snapshot covers everything up to `snapshot.meta.index`. */
  saveSnapshot(snapshot: Snapshot): void {
    const index = snapshot.meta.index;
    if (index <= this.snapshotValue.meta.index) return;
    const kept = this.log.filter((entry) => entry.index > index);
    this.snapshotValue = snapshot;
    this.log = kept;
  }

  initialState(): RaftInitialState {
    return {
      hardState: this.hardStateValue,
      snapshot: this.snapshotValue.meta,
      entries: this.log.slice(),
      applied: this.snapshotValue.meta.index,
    };
  }

  /** A snapshot received from the leader replaces the whole stored log (the core replaced
   *  its log too: server/raft/README.md, "Ready.snapshot"). */
  private installSnapshot(snapshot: Snapshot): void {
    this.snapshotValue = snapshot;
    this.log = [];
  }

  private validate(ready: Ready): DiskFault | null {
    if (ready.entries.length === 0) return null;
    const snapshot = ready.snapshot;
    const snapshotIndex = snapshot !== null ? snapshot.meta.index : this.snapshotValue.meta.index;
    const lastIndex = snapshot !== null ? snapshotIndex : this.lastIndex;
    const first = ready.entries[0].index;
    if (first <= snapshotIndex) {
      return { kind: 'below-snapshot', detail: `append at ${first} <= snapshot index ${snapshotIndex}` };
    }
    if (first > lastIndex + 1) {
      return { kind: 'gap', detail: `append at ${first} leaves a gap after last index ${lastIndex}` };
    }
    for (let i = 1; i < ready.entries.length; i += 1) {
      if (ready.entries[i].index !== first + i) {
        return { kind: 'gap', detail: `entries not contiguous at ${ready.entries[i].index}` };
      }
    }
    return null;
  }
}
