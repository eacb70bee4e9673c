// What a workload is and what it reports. A workload runs against one system at a time and
// returns named metrics; the report lines the same metric up across systems and checks the
// issue's targets.

import type { SystemAdapter, SystemName } from '../load/adapter';
import type { RunningSystem } from '../systems/system';

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6' | 'W7';
export const WORKLOAD_IDS: readonly WorkloadId[] = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W7'];

/** How a metric is judged against the issue's targets (Corral's value vs the others'). */
export type Target =
  | { readonly kind: 'none' }
  /** Corral >= the better (higher) of etcd and ZooKeeper. */
  | { readonly kind: 'at-least-best' }
  /** Corral <= the better (lower) of the two, times `factor` (1 unless said). */
  | { readonly kind: 'at-most-best'; readonly factor: number }
  /** Corral's value alone <= `limit`. */
  | { readonly kind: 'at-most'; readonly limit: number };

export interface Metric {
  /** Stable identity across systems, e.g. `W1 c=64 ops/s`. */
  readonly key: string;
  readonly unit: string;
  /** NaN when the system could not produce it. */
  readonly value: number;
  readonly target: Target;
}

export interface WorkloadOutcome {
  readonly metrics: readonly Metric[];
  readonly notes: readonly string[];
}

export interface WorkloadContext {
  readonly adapter: SystemAdapter;
  /** The system this workload runs against, started fresh for it (absent for W7, which
   *  starts its own). */
  readonly system: RunningSystem | null;
  /** Starts another instance of the system (W7: Corral with a given KV group count). */
  readonly startSystem: (kvGroups?: number) => Promise<RunningSystem>;
  /** Length of one measurement. */
  readonly durationMs: number;
  readonly quick: boolean;
  readonly log: (line: string) => void;
}

export interface Workload {
  readonly id: WorkloadId;
  readonly title: string;
  /** Systems it applies to (W7: Corral only). */
  readonly systems: readonly SystemName[];
  /** True when the workload starts its own systems (the runner then passes system = null). */
  readonly ownSystems: boolean;
  run(context: WorkloadContext): Promise<WorkloadOutcome>;
}

export const NO_TARGET: Target = { kind: 'none' };

export function metric(key: string, unit: string, value: number, target: Target = NO_TARGET): Metric {
  return { key, unit, value, target };
}

/** Requires the runner-started system (every workload but W7). */
export function systemOf(context: WorkloadContext): RunningSystem {
  if (context.system === null) throw new Error('this workload needs the runner to start its system');
  return context.system;
}
