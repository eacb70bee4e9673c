import { runSeed, type Mode } from './fuzz';

const seedsCount = 60;

describe('randomized faults', () => {
  const modes: readonly Mode[] = [
    { preVote: true, lease: false },
    { preVote: false, lease: false },
    { preVote: true, lease: true },
  ];
  test.each(modes)('safety then liveness: %j', (mode) => {
    let proposals = 0;
    let reads = 0;
    for (let seed = 1; seed <= seedsCount; seed++) {
      try {
        const result = runSeed(seed, mode);
        proposals += result.proposals;
        reads += result.reads;
      } catch (error) {
        throw new Error(`seed ${seed} ${JSON.stringify(mode)}: ${(error as Error).stack ?? String(error)}`);
      }
    }
    expect(proposals).toBeGreaterThan(seedsCount * 10);
    expect(reads).toBeGreaterThan(seedsCount);
  });
});
