// W3: 500 sessions (TTL 5 s, keepalive every TTL/3), each registering one ephemeral node, held
// by a child process. Registration time is measured in the child. Then the child is SIGKILLed
// (every session goes silent at once) and a watcher in this process times each removal
// relative to the kill. Targets: every removal within TTL + 1 s; registration faster than both.

import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_NAMESPACE, type BenchClient, type BenchWatchEvent, SYSTEM_NAMES } from '../load/adapter';
import type { SessionChildReport, SessionChildRequest } from '../load/session-child';
import { LatencyRecorder } from '../util/latency-recorder';
import { SETUP_RETRY, retrying } from '../util/retry';
import { nowMs, sleep, withTimeout } from '../util/time';
import { type Workload, type WorkloadContext, type WorkloadOutcome, metric, systemOf } from './workload';

export const W3_SESSIONS = 500;
export const W3_TTL_MS = 5_000;
/** Bound on the child's registration of all sessions. */
const REGISTRATION_TIMEOUT_MS = 120_000;
/** Time after registration before the kill, so every session is in its keepalive rhythm. */
const SETTLE_MS = 2_000;
/** Bound on waiting for removals after the kill. */
const REMOVAL_WAIT_MS = W3_TTL_MS + 15_000;
const OP_TIMEOUT_MS = 10_000;
const ROOT = join(__dirname, '..', '..');

function startChild(request: SessionChildRequest): { readonly child: ChildProcess; readonly report: Promise<SessionChildReport> } {
  const child = fork(join(__dirname, '..', 'load', 'session-child.ts'), [JSON.stringify(request)], { cwd: ROOT, execArgv: ['--require', 'tsx/cjs'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2_000); });
  const report = new Promise<SessionChildReport>((resolve, reject) => {
    child.once('message', (message) => resolve(message as SessionChildReport));
    child.once('exit', (code, signal) => reject(new Error(`session child exited (code ${code}, signal ${signal}) before reporting: ${stderr.trim()}`)));
  });
  return { child, report };
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await withTimeout(exited, 5_000, 'session child exit after SIGKILL');
}

async function waitForRemovals(removed: Map<string, number>, expected: number): Promise<void> {
  const deadline = nowMs() + REMOVAL_WAIT_MS;
  // Bounded by REMOVAL_WAIT_MS; polls every 50 ms.
  while (removed.size < expected && nowMs() < deadline) await sleep(50);
}

export const w3Sessions: Workload = {
  id: 'W3',
  title: '500 sessions (TTL 5 s) with an ephemeral each; SIGKILL the holder',
  systems: SYSTEM_NAMES,
  ownSystems: false,
  async run(context: WorkloadContext): Promise<WorkloadOutcome> {
    const system = systemOf(context);
    const prefix = `/${BENCH_NAMESPACE}/w3`;
    const added = new Set<string>();
    const removed = new Map<string, number>();
    const onEvent = (event: BenchWatchEvent): void => {
      if (event.kind === 'put') added.add(event.key);
      else if (!removed.has(event.key)) removed.set(event.key, event.arrivedAtMs);
    };
    let watcher: BenchClient | null = null;
    let child: ChildProcess | null = null;
    try {
      watcher = await context.adapter.connect(system.members[0].clientAddress, { timeoutMs: OP_TIMEOUT_MS });
      const watching = watcher;
      await retrying(`prepare ${prefix}`, SETUP_RETRY, () => watching.preparePrefix(prefix, { timeoutMs: OP_TIMEOUT_MS }));
      const watch = await retrying(`watch ${prefix}`, SETUP_RETRY, () => watching.watchPrefix(prefix, onEvent, { timeoutMs: OP_TIMEOUT_MS }));
      const started = startChild({ system: context.adapter.name, members: system.members.map((m) => m.clientAddress), sessions: W3_SESSIONS, ttlMs: W3_TTL_MS, prefix, timeoutMs: OP_TIMEOUT_MS });
      child = started.child;
      const report = await withTimeout(started.report, REGISTRATION_TIMEOUT_MS, 'registration of the W3 sessions');
      context.log(`  registered ${report.registered}/${W3_SESSIONS} in ${report.registrationMs.toFixed(0)} ms (${report.failures} failures)`);
      await sleep(SETTLE_MS);
      const killedAtMs = nowMs();
      await killChild(child);
      await waitForRemovals(removed, report.registered);
      watch.close();
      return outcome(report, added.size, removed, killedAtMs);
    } finally {
      if (child !== null) await killChild(child).catch(() => undefined);
      watcher?.close();
    }
  },
};

function outcome(report: SessionChildReport, addEvents: number, removed: ReadonlyMap<string, number>, killedAtMs: number): WorkloadOutcome {
  const delays = new LatencyRecorder();
  for (const arrivedAtMs of removed.values()) delays.record(Math.max(0, arrivedAtMs - killedAtMs));
  const summary = delays.summary();
  const missing = report.registered - removed.size;
  const notes: string[] = [];
  if (report.failures > 0) notes.push(`${report.failures} sessions failed to register (${report.errorSamples.join(' | ')})`);
  if (addEvents < report.registered) notes.push(`watcher saw ${addEvents} of ${report.registered} registrations`);
  if (missing > 0) notes.push(`${missing} ephemeral nodes not seen removed within TTL + ${(REMOVAL_WAIT_MS - W3_TTL_MS) / 1000} s`);
  return {
    metrics: [
      metric('registration of 500', 'ms', report.failures === 0 ? report.registrationMs : Number.NaN, { kind: 'at-most-best', factor: 1 }),
      metric('removal after kill p50', 'ms', summary.p50Ms),
      metric('removal after kill max', 'ms', missing > 0 ? Number.NaN : summary.maxMs),
      metric('latest removal - TTL', 'ms', missing > 0 ? Number.NaN : summary.maxMs - W3_TTL_MS, { kind: 'at-most', limit: 1_000 }),
      metric('removals seen', 'count', removed.size),
    ],
    notes,
  };
}
