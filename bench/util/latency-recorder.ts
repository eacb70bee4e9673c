// Records operation latencies and answers percentiles. Samples are kept exactly (sorted once
// at the end), up to `samplesMax`; beyond it every further sample is counted but not kept, and
// the summary says how many were dropped, so a bound never hides silently.

import { assert } from '../../server/util/assert';

export const LATENCY_SAMPLES_MAX = 2_000_000;

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** Samples counted but not kept because `samplesMax` was reached. */
  readonly droppedSamples: number;
}

export class LatencyRecorder {
  private samples: Float64Array;
  private size = 0;
  private dropped = 0;

  constructor(private readonly samplesMax: number = LATENCY_SAMPLES_MAX) {
    assert(Number.isInteger(samplesMax) && samplesMax > 0, `samplesMax must be a positive integer, got ${samplesMax}`);
    this.samples = new Float64Array(Math.min(samplesMax, 1024));
  }

  get count(): number {
    return this.size + this.dropped;
  }

  record(latencyMs: number): void {
    assert(Number.isFinite(latencyMs) && latencyMs >= 0, `latency must be finite and >= 0, got ${latencyMs}`);
    if (this.size === this.samplesMax) {
      this.dropped++;
      return;
    }
    if (this.size === this.samples.length) {
      const grown = new Float64Array(Math.min(this.samplesMax, this.samples.length * 2));
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = latencyMs;
  }

  /** Adds every sample of `other` (for merging per-client recorders). */
  merge(other: LatencyRecorder): void {
    for (let i = 0; i < other.size; i++) this.record(other.samples[i]);
    this.dropped += other.dropped;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.size).sort();
    let sum = 0;
    for (let i = 0; i < sorted.length; i++) sum += sorted[i];
    return {
      count: this.count,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1],
      meanMs: sorted.length === 0 ? Number.NaN : sum / sorted.length,
      droppedSamples: this.dropped,
    };
  }
}

/** Nearest-rank percentile of ascending `sorted` values; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  assert(fraction > 0 && fraction <= 1, `fraction must be in (0, 1], got ${fraction}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
