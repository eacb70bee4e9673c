// The configuration at every point of the log. A configuration takes effect when its entry
// is appended, and reverts when that entry is truncated, so the core keeps the conf as of the
// snapshot plus one record per conf-change entry still in the log (a handful: changes go one
// at a time).

import { assert } from '../util/assert';
import type { ConfState } from './types';

interface ConfRecord {
  readonly index: number;
  readonly conf: ConfState;
}

export class ConfHistory {
  private snapshotConf: ConfState;
  private readonly records: ConfRecord[] = [];

  constructor(snapshotConf: ConfState) {
    this.snapshotConf = snapshotConf;
  }

  /** The configuration in effect: the latest appended one. */
  current(): ConfState {
    return this.records.length === 0 ? this.snapshotConf : (this.records[this.records.length - 1] as ConfRecord).conf;
  }

  /** The configuration as of the snapshot (the compaction point). */
  snapshot(): ConfState {
    return this.snapshotConf;
  }

  /** The configuration before the latest change still in the log. */
  beforeLastChange(): ConfState {
    return this.records.length < 2 ? this.snapshotConf : (this.records[this.records.length - 2] as ConfRecord).conf;
  }

  /** Index of the latest conf-change entry in the log (0 if none since the snapshot). */
  lastChangeIndex(): number {
    return this.records.length === 0 ? 0 : (this.records[this.records.length - 1] as ConfRecord).index;
  }

  record(index: number, conf: ConfState): void {
    assert(index > this.lastChangeIndex(), `conf change at ${index} must follow ${this.lastChangeIndex()}`);
    this.records.push({ index, conf });
  }

  /** The log is truncated from `index` on. Returns whether the configuration reverted. */
  truncateFrom(index: number): boolean {
    const before = this.records.length;
    while (this.records.length > 0 && (this.records[this.records.length - 1] as ConfRecord).index >= index) {
      this.records.pop();
    }
    return this.records.length !== before;
  }

  /** The log is compacted up to `index`: fold older records into the snapshot conf. */
  compactTo(index: number): void {
    let folded = 0;
    while (folded < this.records.length && (this.records[folded] as ConfRecord).index <= index) folded++;
    if (folded === 0) return;
    this.snapshotConf = (this.records[folded - 1] as ConfRecord).conf;
    this.records.splice(0, folded);
  }

  /** The log was replaced by a snapshot. */
  restore(conf: ConfState): void {
    this.snapshotConf = conf;
    this.records.length = 0;
  }
}
