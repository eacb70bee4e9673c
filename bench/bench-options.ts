// Command-line options of `npm run bench`: which systems and workloads, and how long each
// measurement lasts.

import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { SYSTEM_NAMES, type SystemName } from './load/adapter';
import { WORKLOAD_IDS, type WorkloadId } from './workloads/workload';

export const DEFAULT_DURATION_S = 10;
export const QUICK_DURATION_S = 1;
export const DURATION_S_MAX = 600;

export interface BenchOptions {
  readonly durationMs: number;
  readonly systems: readonly SystemName[];
  readonly workloads: readonly WorkloadId[];
  readonly quick: boolean;
  /** Where the JSON result goes (default bench/results). */
  readonly resultsDir: string;
  readonly keepWorkDir: boolean;
  /** Run Corral's nodes under `node --cpu-prof`, writing .cpuprofile files here. */
  readonly corralCpuProfileDir?: string;
}

function listOf<T extends string>(what: string, allowed: readonly T[]): (raw: string) => T[] {
  return (raw: string) => {
    const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const normalized = items.map((item) => (what === 'workload' ? item.toUpperCase() : item.toLowerCase()));
    for (const item of normalized) {
      if (!(allowed as readonly string[]).includes(item)) throw new InvalidArgumentError(`unknown ${what} "${item}" (expected ${allowed.join(', ')})`);
    }
    if (normalized.length === 0) throw new InvalidArgumentError(`name at least one ${what}`);
    return allowed.filter((name) => normalized.includes(name));
  };
}

function seconds(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > DURATION_S_MAX) throw new InvalidArgumentError(`expected seconds in (0, ${DURATION_S_MAX}], got ${JSON.stringify(raw)}`);
  return value;
}

export function parseBenchOptions(argv: readonly string[], defaultResultsDir: string): BenchOptions {
  const command = new Command('bench')
    .description('side-by-side benchmark of Corral, etcd and ZooKeeper (3 local replicas each, one system at a time)')
    .option('--duration <seconds>', `length of each measurement (default ${DEFAULT_DURATION_S}; ${QUICK_DURATION_S} with --quick)`, seconds)
    .option('--systems <list>', `comma-separated: ${SYSTEM_NAMES.join(',')}`, listOf('system', SYSTEM_NAMES), [...SYSTEM_NAMES])
    .option('--workloads <list>', `comma-separated: ${WORKLOAD_IDS.join(',')}`, listOf('workload', WORKLOAD_IDS), [...WORKLOAD_IDS])
    .option('--quick', `${QUICK_DURATION_S} s per measurement (CI smoke)`, false)
    .option('--results-dir <dir>', 'where the JSON result is written', defaultResultsDir)
    .option('--corral-cpu-prof <dir>', 'profile every Corral node with node --cpu-prof (profiles written when the node stops)')
    .option('--keep-work-dir', 'keep the servers\' logs and configs even when everything succeeded', false)
    .exitOverride();
  command.parse([...argv], { from: 'user' });
  const raw = command.opts<{ duration?: number; systems: SystemName[]; workloads: WorkloadId[]; quick: boolean; resultsDir: string; keepWorkDir: boolean; corralCpuProf?: string }>();
  const durationS = raw.duration ?? (raw.quick ? QUICK_DURATION_S : DEFAULT_DURATION_S);
  return { durationMs: Math.round(durationS * 1000), systems: raw.systems, workloads: raw.workloads, quick: raw.quick, resultsDir: raw.resultsDir, keepWorkDir: raw.keepWorkDir, ...(raw.corralCpuProf !== undefined ? { corralCpuProfileDir: resolve(raw.corralCpuProf) } : {}) };
}
