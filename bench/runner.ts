// Runs the plan: for each system in turn (never two at once), for each workload that applies,
// start the system fresh, run the workload, account the servers' CPU and peak RSS, stop the
// system. A system that cannot be installed or started is reported as such and the run goes
// on with the others.

import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { SystemName } from './load/adapter';
import { adapterFor } from './load/adapters';
import { launcherFor } from './systems/launchers';
import type { ProcessTracker } from './systems/process-tracker';
import type { RunningSystem } from './systems/system';
import { nowMs } from './util/time';
import type { Metric, Workload, WorkloadId } from './workloads/workload';

export type CellStatus = 'ok' | 'failed' | 'unavailable';

export interface CellResult {
  readonly system: SystemName;
  readonly workload: WorkloadId;
  readonly status: CellStatus;
  readonly error?: string;
  readonly metrics: readonly Metric[];
  readonly notes: readonly string[];
  /** utime + stime of the system's server processes during the workload. */
  readonly serverCpuSeconds: number;
  /** The largest VmHWM of any of the system's server processes. */
  readonly serverPeakRssBytes: number;
  readonly wallSeconds: number;
  /** 1-minute load average when the workload ended. */
  readonly loadAverage1m: number;
}

export interface RunPlan {
  readonly systems: readonly SystemName[];
  readonly workloads: readonly Workload[];
  readonly durationMs: number;
  readonly quick: boolean;
  readonly workRoot: string;
  readonly tracker: ProcessTracker;
  readonly log: (line: string) => void;
  readonly cpuProfileDir?: string;
}

interface Started {
  readonly system: RunningSystem;
  readonly cpuBaselineSeconds: number;
}

function accountUsage(started: readonly Started[]): { readonly cpuSeconds: number; readonly peakRssBytes: number } {
  let cpuSeconds = 0;
  let peakRssBytes = 0;
  for (const { system, cpuBaselineSeconds } of started) {
    for (const member of system.members) {
      member.process.sample();
      cpuSeconds += member.process.usage.cpuSeconds;
      peakRssBytes = Math.max(peakRssBytes, member.process.usage.peakRssBytes);
    }
    cpuSeconds -= cpuBaselineSeconds;
  }
  return { cpuSeconds, peakRssBytes };
}

async function runCell(plan: RunPlan, name: SystemName, workload: Workload, serial: number): Promise<CellResult> {
  const launcher = launcherFor(name);
  const started: Started[] = [];
  const startSystem = async (kvGroups?: number): Promise<RunningSystem> => {
    const workDir = join(plan.workRoot, `${name}-${workload.id}-${serial}-${started.length}`);
    mkdirSync(workDir, { recursive: true });
    const system = await launcher.start({ tracker: plan.tracker, workDir, log: plan.log, ...(kvGroups !== undefined ? { kvGroups } : {}), ...(plan.cpuProfileDir !== undefined ? { cpuProfileDir: plan.cpuProfileDir } : {}) });
    let cpuBaselineSeconds = 0;
    for (const member of system.members) {
      member.process.sample();
      cpuBaselineSeconds += member.process.usage.cpuSeconds;
    }
    started.push({ system, cpuBaselineSeconds });
    return system;
  };
  const startMs = nowMs();
  const base = { system: name, workload: workload.id };
  try {
    const system = workload.ownSystems ? null : await startSystem();
    const outcome = await workload.run({ adapter: adapterFor(name), system, startSystem, durationMs: plan.durationMs, quick: plan.quick, log: plan.log });
    const usage = accountUsage(started);
    return { ...base, status: 'ok', metrics: outcome.metrics, notes: outcome.notes, serverCpuSeconds: usage.cpuSeconds, serverPeakRssBytes: usage.peakRssBytes, wallSeconds: (nowMs() - startMs) / 1000, loadAverage1m: loadavg()[0] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    plan.log(`  ${name} ${workload.id} FAILED: ${message}`);
    const usage = accountUsage(started);
    return { ...base, status: 'failed', error: message, metrics: [], notes: [], serverCpuSeconds: usage.cpuSeconds, serverPeakRssBytes: usage.peakRssBytes, wallSeconds: (nowMs() - startMs) / 1000, loadAverage1m: loadavg()[0] };
  } finally {
    for (const { system } of started) await system.stop().catch((error: unknown) => plan.log(`  stopping ${name}: ${String(error)}`));
  }
}

function unavailable(name: SystemName, workload: Workload, reason: string): CellResult {
  return { system: name, workload: workload.id, status: 'unavailable', error: reason, metrics: [], notes: [], serverCpuSeconds: Number.NaN, serverPeakRssBytes: Number.NaN, wallSeconds: 0, loadAverage1m: loadavg()[0] };
}

export async function runPlan(plan: RunPlan): Promise<CellResult[]> {
  const cells: CellResult[] = [];
  let serial = 0;
  for (const name of plan.systems) {
    const applicable = plan.workloads.filter((w) => w.systems.includes(name));
    if (applicable.length === 0) continue;
    plan.log(`== ${name}`);
    try {
      await launcherFor(name).ensureInstalled(plan.log);
    } catch (error) {
      const reason = `cannot install ${name}: ${error instanceof Error ? error.message : String(error)}`;
      plan.log(`  ${reason} -- skipping ${name}`);
      cells.push(...applicable.map((w) => unavailable(name, w, reason)));
      continue;
    }
    for (const workload of applicable) {
      plan.log(`-- ${name} ${workload.id}: ${workload.title} (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
      const cell = await runCell(plan, name, workload, serial++);
      cells.push(cell);
      // A system that cannot start at all will not start for the next workload either.
      if (cell.status === 'failed' && /did not become ready|could not start/.test(cell.error ?? '')) {
        plan.log(`  ${name} could not be started -- skipping its other workloads`);
        cells.push(...applicable.slice(applicable.indexOf(workload) + 1).map((w) => unavailable(name, w, cell.error ?? 'could not start')));
        break;
      }
    }
  }
  return cells;
}
