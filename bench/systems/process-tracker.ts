// Every server process the benchmark starts is spawned here and remembered by PID, so that it
// can be stopped by that PID (SIGTERM, then SIGKILL after a grace) on success, on failure and
// on Ctrl-C, and so that nothing else is ever signalled. CPU and peak RSS are sampled from
// /proc while a process lives, and once more just before it is signalled, because a dead
// process's counters are gone.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { assert } from '../../server/util/assert';
import { type ProcUsage, readProcUsage } from './proc-usage';

export const SAMPLE_INTERVAL_MS = 500;
export const TERM_GRACE_MS = 5_000;
export const KILL_WAIT_MS = 5_000;
/** Most processes one run may start (3 systems x 3 servers x a restart per workload, with room). */
export const TRACKED_PROCESSES_MAX = 500;

export interface SpawnSpec {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export class TrackedProcess {
  usage: ProcUsage = { cpuSeconds: 0, peakRssBytes: 0 };
  readonly exited: Promise<void>;
  private exitedValue = false;

  constructor(readonly label: string, readonly child: ChildProcess, readonly logFile: string) {
    assert(child.pid !== undefined, `${label}: spawn gave no pid`);
    this.exited = new Promise((resolve) => child.once('exit', () => {
      this.exitedValue = true;
      resolve();
    }));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return !this.exitedValue && this.child.exitCode === null && this.child.signalCode === null;
  }

  sample(): void {
    if (!this.running) return;
    const now = readProcUsage(this.pid);
    if (now === null) return;
    this.usage = { cpuSeconds: Math.max(this.usage.cpuSeconds, now.cpuSeconds), peakRssBytes: Math.max(this.usage.peakRssBytes, now.peakRssBytes) };
  }
}

async function exitedWithin(proc: TrackedProcess, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  const result = await Promise.race([proc.exited.then(() => true), timedOut]);
  clearTimeout(timer);
  return result;
}

export class ProcessTracker {
  private readonly live = new Set<TrackedProcess>();
  private started = 0;
  private timer: NodeJS.Timeout | null = null;

  spawn(spec: SpawnSpec): TrackedProcess {
    assert(this.started < TRACKED_PROCESSES_MAX, `more than ${TRACKED_PROCESSES_MAX} server processes started in one run`);
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    const child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) {
      log.end();
      throw new Error(`${spec.label}: could not start ${spec.command} (see ${spec.logFile})`);
    }
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const proc = new TrackedProcess(spec.label, child, spec.logFile);
    this.started++;
    this.live.add(proc);
    void proc.exited.then(() => {
      this.live.delete(proc);
      log.end();
    });
    this.ensureSampling();
    return proc;
  }

  private ensureSampling(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      for (const proc of this.live) proc.sample();
      if (this.live.size === 0 && this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
    }, SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  /** SIGKILL now (a fault injected by a workload); resolves when the process has exited. */
  async kill(proc: TrackedProcess): Promise<void> {
    proc.sample();
    if (!proc.running) return;
    proc.child.kill('SIGKILL');
    if (!(await exitedWithin(proc, KILL_WAIT_MS))) throw new Error(`${proc.label} (pid ${proc.pid}) still running ${KILL_WAIT_MS} ms after SIGKILL`);
  }

  /** SIGTERM, then SIGKILL if it has not exited within TERM_GRACE_MS. */
  async stop(proc: TrackedProcess): Promise<void> {
    proc.sample();
    if (!proc.running) return;
    proc.child.kill('SIGTERM');
    if (await exitedWithin(proc, TERM_GRACE_MS)) return;
    await this.kill(proc);
  }

  /** Stops every process still running (Ctrl-C, a failed run). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((proc) => this.stop(proc).catch(() => undefined)));
  }

  /** Last resort on process exit: synchronous SIGKILL of every process we started and that
   *  still runs. Only our own children, by their PIDs. */
  killAllSync(): void {
    for (const proc of this.live) {
      if (proc.running) proc.child.kill('SIGKILL');
    }
  }
}

/** Sum of CPU seconds and the largest peak RSS over `procs` (sampled now). */
export function usageOf(procs: readonly TrackedProcess[]): { readonly cpuSeconds: number; readonly peakRssBytesMax: number } {
  let cpuSeconds = 0;
  let peakRssBytesMax = 0;
  for (const proc of procs) {
    proc.sample();
    cpuSeconds += proc.usage.cpuSeconds;
    peakRssBytesMax = Math.max(peakRssBytesMax, proc.usage.peakRssBytes);
  }
  return { cpuSeconds, peakRssBytesMax };
}
