// A small, fast, seeded PRNG (mulberry32). Deterministic: one seed gives one sequence.
// Used by the Raft core (injected), the simulator, and jitter in tests. Not cryptographic.

import type { Random } from '../raft/types';

export class SeededRandom implements Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  nextFloat(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  nextInt(maxExclusive: number): number {
    if (!(maxExclusive > 0)) throw new RangeError(`nextInt bound must be > 0, got ${maxExclusive}`);
    return Math.floor(this.nextFloat() * maxExclusive);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.nextFloat() < p;
  }

  /** An independent generator derived from this one (for sub-components). */
  fork(): SeededRandom {
    return new SeededRandom(this.nextInt(0x100000000));
  }
}
