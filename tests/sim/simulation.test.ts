// End-to-end runs of the simulator against the real Raft core: clean seeds find nothing,
// every test-only defect is found within a bounded number of seeds with the expected kind
// of violation, one seed always gives the same run, and the liveness phase fails a cluster
// that cannot make progress.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RaftBug } from '../../server/raft/types';
import { huntSeeds, parseCorpus, reproduceCommand, runSeed } from './runner';
import { lostCommitKinds, type ViolationKind } from './safety-checker';
import { deriveSimConfig } from './sim-config';
import { runSimulation } from './simulation';

describe('clean runs', () => {
  test('fresh seeds find no violation and exercise the cluster', () => {
    let operations = 0;
    let steps = 0;
    for (let seed = 7000; seed < 7040; seed += 1) {
      const result = runSeed({ seed, bug: null });
      expect({ seed, violations: result.violations }).toEqual({ seed, violations: [] });
      expect(result.linearizability).toBe('ok');
      operations += result.operations;
      steps += result.steps;
    }
    // Not an idle cluster: clients completed operations and the runs took real steps.
    expect(operations).toBeGreaterThan(40 * 20);
    expect(steps).toBeGreaterThan(40 * 2000);
  });

  test('every corpus seed passes', () => {
    const seeds = parseCorpus(readFileSync(join(__dirname, 'corpus.txt'), 'utf8'));
    expect(seeds.length).toBeGreaterThan(0);
    for (const seed of seeds) {
      expect({ seed, violations: runSeed({ seed, bug: null }).violations }).toEqual({ seed, violations: [] });
    }
  });
});

describe('each defect is found within a bounded number of seeds', () => {
  const cases: readonly (readonly [RaftBug, readonly ViolationKind[], number])[] = [
    // Figure 8: a leader counts replicas of an older term's entry; the entry is later lost.
    ['commit-old-term', lostCommitKinds, 100],
    // A stale candidate wins and lacks committed entries.
    ['vote-any-log', ['leader-completeness', ...lostCommitKinds], 20],
    // An isolated old leader serves reads while a new one commits writes: stale reads.
    ['read-without-quorum', ['non-linearizable'], 50],
    // A vote or an acknowledgement is sent, then lost in a crash before it was durable.
    ['no-persist-before-send', ['two-leaders', ...lostCommitKinds], 50],
  ];

  test.each(cases)('%s', (bug, expectedKinds, seedsMax) => {
    const hunt = huntSeeds(1, seedsMax, bug);
    expect(hunt.failure).not.toBeNull();
    const failure = hunt.failure;
    if (failure === null) return;
    expect(expectedKinds).toContain(failure.violations[0].kind);
    // The same seed without the defect is clean: the violation is the defect's doing.
    expect(runSeed({ seed: failure.seed, bug: null }).violations).toEqual([]);
  });
});

describe('determinism', () => {
  function traced(seed: number, bug: RaftBug | null): { digest: string; lines: string[] } {
    const lines: string[] = [];
    const result = runSeed({ seed, bug, traceSink: (line) => lines.push(line) });
    return { digest: result.digest, lines };
  }

  test('one seed gives one run, event for event', () => {
    for (const [seed, bug] of [[11, null], [12, 'no-persist-before-send']] as const) {
      const first = traced(seed, bug);
      const second = traced(seed, bug);
      expect(first.lines.length).toBeGreaterThan(500);
      expect(second.digest).toBe(first.digest);
      expect(second.lines).toEqual(first.lines);
    }
  });

  test('the digest does not depend on tracing, and differs between seeds', () => {
    const untraced = runSeed({ seed: 11, bug: null }).digest;
    expect(traced(11, null).digest).toBe(untraced);
    expect(runSeed({ seed: 13, bug: null }).digest).not.toBe(untraced);
  });
});

describe('liveness phase', () => {
  test('a cluster that cannot communicate after healing fails the liveness check', () => {
    const config = deriveSimConfig(7001, null);
    const broken = {
      ...config,
      calmNetwork: { ...config.calmNetwork, lossRate: 0.999 },
      safetySteps: 200,
      livenessTicksMax: 100,
    };
    const result = runSimulation(broken);
    expect(result.violations.map((v) => v.kind)).toEqual(['liveness']);
  });

  test('with the usual calm network the same seed converges', () => {
    expect(runSimulation({ ...deriveSimConfig(7001, null), safetySteps: 200 }).violations).toEqual([]);
  });
});

describe('runner helpers', () => {
  test('corpus parsing: comments, blanks, and a loud error on junk', () => {
    expect(parseCorpus('# header\n12\n\n  34  # why\n')).toEqual([12, 34]);
    expect(() => parseCorpus('12\nnot-a-seed\n')).toThrow(/line 2/);
  });

  test('the reproduce command names the seed, the bug and the steps override', () => {
    expect(reproduceCommand(5, 'vote-any-log', null)).toBe('npm run sim -- --seed 5 --bug vote-any-log --trace');
    expect(reproduceCommand(5, null, 900)).toBe('npm run sim -- --seed 5 --steps 900 --trace');
  });
});
