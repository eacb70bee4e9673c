// A Prometheus counter whose value is owned by someone else (a stats object that counts since
// process start). At scrape time `mirror(labels, total)` adds the difference since the last
// scrape, so the exported series is a true counter without instrumenting the hot path.

import type { Counter } from 'prom-client';
import { assert } from '../util/assert';

/** Bound on distinct label sets remembered; past it the oldest is forgotten (and removed). */
const LABEL_SETS_MAX = 10_000;

export class MirroredCounter<Label extends string> {
  private readonly seen = new Map<string, number>();

  constructor(private readonly counter: Counter<Label>) {}

  mirror(labels: Partial<Record<Label, string | number>>, total: number): void {
    assert(Number.isFinite(total) && total >= 0, `counter total must be a finite count, got ${total}`);
    const key = JSON.stringify(labels);
    const last = this.seen.get(key);
    if (last === undefined && this.seen.size >= LABEL_SETS_MAX) this.forgetOldest();
    if (last !== undefined && total < last) {
      // The source restarted from zero (e.g. a replica removed and re-added): restart the series.
      this.counter.remove(labels);
      this.counter.inc(labels, total);
    } else {
      this.counter.inc(labels, total - (last ?? 0));
    }
    this.seen.set(key, total);
  }

  private forgetOldest(): void {
    const oldest = this.seen.keys().next().value as string;
    this.seen.delete(oldest);
    this.counter.remove(JSON.parse(oldest) as Partial<Record<Label, string | number>>);
  }
}
