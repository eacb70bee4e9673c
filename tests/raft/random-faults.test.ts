// Randomized runs of whole clusters (see fuzz.ts): with faults of every kind the core keeps
// election safety, state machine safety and linearizable reads, and converges once healed.

import { runSeed, type Mode } from './fuzz';

const seedsPerMode = 150;

describe('randomized faults', () => {
  const modes: readonly Mode[] = [
    { preVote: true, lease: false },
    { preVote: false, lease: false },
    { preVote: true, lease: true },
  ];
  test.each(modes)('safety then liveness: %j', (mode) => {
    let proposals = 0;
    let reads = 0;
    let confChanges = 0;
    let snapshots = 0;
    for (let seed = 1; seed <= seedsPerMode; seed++) {
      try {
        const result = runSeed(seed, mode);
        proposals += result.proposals;
        reads += result.reads;
        confChanges += result.confChanges;
        snapshots += result.snapshots;
      } catch (error) {
        throw new Error(`seed ${seed} ${JSON.stringify(mode)}: ${(error as Error).stack ?? String(error)}`);
      }
    }
    // The runs did exercise the machinery, not just idle.
    expect(proposals).toBeGreaterThan(seedsPerMode * 10);
    expect(reads).toBeGreaterThan(seedsPerMode * 5);
    expect(confChanges).toBeGreaterThan(seedsPerMode / 5);
    expect(snapshots).toBeGreaterThan(seedsPerMode / 5);
  });
});
