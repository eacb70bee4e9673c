// Runs seeds: derives each seed's configuration and simulates it. Shared by the CLI and the
// jest tests, so that both exercise exactly the same path.

import type { RaftBug } from '../../server/raft/types';
import { deriveSimConfig, type ConfigOverrides } from './sim-config';
import { runSimulation, type SeedResult } from './simulation';

export interface SeedRequest {
  readonly seed: number;
  readonly bug: RaftBug | null;
  readonly overrides?: ConfigOverrides;
  readonly traceSink?: ((line: string) => void) | null;
}

export function runSeed(request: SeedRequest): SeedResult {
  const config = deriveSimConfig(request.seed, request.bug, request.overrides ?? {});
  return runSimulation(config, request.traceSink ?? null);
}

export interface HuntResult {
  /** The first failing seed, or null if none failed. */
  readonly failure: SeedResult | null;
  readonly seedsRun: number;
}

/** Runs seeds `start`, `start + 1`, ... until one fails or `seedsMax` ran. */
export function huntSeeds(start: number, seedsMax: number, bug: RaftBug | null): HuntResult {
  for (let i = 0; i < seedsMax; i += 1) {
    const result = runSeed({ seed: start + i, bug });
    if (result.violations.length > 0) return { failure: result, seedsRun: i + 1 };
  }
  return { failure: null, seedsRun: seedsMax };
}

export function reproduceCommand(seed: number, bug: RaftBug | null, stepsOverride: number | null): string {
  const parts = ['npm run sim --', `--seed ${seed}`];
  if (bug !== null) parts.push(`--bug ${bug}`);
  if (stepsOverride !== null) parts.push(`--steps ${stepsOverride}`);
  parts.push('--trace');
  return parts.join(' ');
}

/** Corpus files: one seed per line; '#' starts a comment; blank lines are ignored. */
export function parseCorpus(text: string): number[] {
  const seeds: number[] = [];
  text.split('\n').forEach((raw, lineIndex) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const seed = Number(line);
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`corpus line ${lineIndex + 1}: not a seed: '${raw.trim()}'`);
    }
    seeds.push(seed);
  });
  return seeds;
}
