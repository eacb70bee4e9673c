// The simulator's command line (`npm run sim -- ...`):
//   --seeds N        run N fresh seeds, from --start S (default: a random start, printed)
//   --seed S         run one seed; with --trace print its events, one line each
//   --bug NAME       switch on a test-only defect (commit-old-term, vote-any-log,
//                    read-without-quorum, no-persist-before-send)
//   --corpus FILE    also rerun every seed listed in FILE
//   --steps N        safety-phase steps per seed (overrides the seed's own)
// On a violation it prints `FAIL seed=...` and the command that reproduces it, and exits 1.
// It always ends with `sim: N seeds, M steps, V violations`.

import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import type { RaftBug } from '../../server/raft/types';
import { isSimBug, simBugs } from './sim-config';
import { parseCorpus, reproduceCommand, runSeed } from './runner';
import { addStats, describeStats, emptyStats } from './sim-stats';

interface CliOptions {
  seeds: number | null;
  start: number | null;
  seed: number | null;
  trace: boolean;
  bug: RaftBug | null;
  corpus: string | null;
  steps: number | null;
}

class UsageError extends Error {}

function parseInteger(flag: string, value: string | undefined): number {
  const parsed = Number(value);
  if (value === undefined || !Number.isSafeInteger(parsed) || parsed < 0) {
    throw new UsageError(`${flag} needs a non-negative integer, got '${value ?? ''}'`);
  }
  return parsed;
}

function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { seeds: null, start: null, seed: null, trace: false, bug: null, corpus: null, steps: null };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    if (flag === '--seeds') options.seeds = parseInteger(flag, value());
    else if (flag === '--start') options.start = parseInteger(flag, value());
    else if (flag === '--seed') options.seed = parseInteger(flag, value());
    else if (flag === '--steps') options.steps = parseInteger(flag, value());
    else if (flag === '--trace') options.trace = true;
    else if (flag === '--corpus') options.corpus = value() ?? null;
    else if (flag === '--bug') {
      const name = value() ?? '';
      if (!isSimBug(name)) throw new UsageError(`--bug must be one of ${simBugs.join(', ')}; got '${name}'`);
      options.bug = name;
    } else throw new UsageError(`unknown argument '${flag}'`);
  }
  if (options.seed === null && options.seeds === null && options.corpus === null) options.seeds = 100;
  return options;
}

function seedList(options: CliOptions): number[] {
  const seeds: number[] = [];
  if (options.seed !== null) seeds.push(options.seed);
  if (options.seeds !== null) {
    const start = options.start ?? randomInt(0, 2 ** 31);
    console.log(`sim: ${options.seeds} seeds from --start ${start}`);
    for (let i = 0; i < options.seeds; i += 1) seeds.push((start + i) >>> 0);
  }
  if (options.corpus !== null) seeds.push(...parseCorpus(readFileSync(options.corpus, 'utf8')));
  return seeds;
}

function main(argv: readonly string[]): number {
  const options = parseArgs(argv);
  const seeds = seedList(options);
  const overrides = options.steps === null ? {} : { safetySteps: options.steps };
  const startedMs = Date.now();
  let steps = 0;
  let violations = 0;
  let unknown = 0;
  const stats = emptyStats();
  for (const seed of seeds) {
    const traceSink = options.trace && options.seed === seed ? (line: string): void => console.log(line) : null;
    const result = runSeed({ seed, bug: options.bug, overrides, traceSink });
    steps += result.steps;
    addStats(stats, result.stats);
    if (options.seed === seed) {
      console.log(`sim: seed ${seed} digest=${result.digest} ops=${result.operations} indeterminate=${result.indeterminate} lin=${result.linearizability}`);
    }
    if (result.linearizability === 'unknown') unknown += 1;
    if (result.violations.length === 0) continue;
    violations += 1;
    const first = result.violations[0];
    console.log(`FAIL seed=${seed} bug=${options.bug ?? 'none'} violation=${first.kind}: ${first.detail}`);
    console.log(`  reproduce: ${reproduceCommand(seed, options.bug, options.steps)}`);
  }
  const elapsedMs = Math.max(1, Date.now() - startedMs);
  const perMinute = Math.round((seeds.length * 60_000) / elapsedMs);
  console.log(`sim: exercised ${describeStats(stats)}`);
  console.log(`sim: ${(elapsedMs / 1000).toFixed(1)} s, ${perMinute} seeds/min, linearizability unknown on ${unknown} seeds`);
  console.log(`sim: ${seeds.length} seeds, ${steps} steps, ${violations} violations`);
  return violations === 0 ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`sim: ${error.message}`);
  process.exitCode = 2;
}
