// W6: 16 clients write distinct keys; the leader (Corral: of the benchmark namespace's KV
// group, via Cluster.Status; etcd: via maintenance Status; ZooKeeper: via `srvr`) is SIGKILLed
// a third of the way in. Every client handles a failure the same way on every system: it drops
// its connection and reconnects to the next member, round-robin. The result is the longest
// window with no successful write by any client. Target: below both.

import { BENCH_NAMESPACE, type BenchClient, SYSTEM_NAMES } from '../load/adapter';
import type { RunningSystem } from '../systems/system';
import { benchValue } from '../util/bench-value';
import { nowMs, sleep } from '../util/time';
import { type Workload, type WorkloadContext, type WorkloadOutcome, metric, systemOf } from './workload';

export const W6_CLIENTS = 16;
/** Per-write bound during failover: a write stuck on a dead leader is abandoned after this. */
const WRITE_TIMEOUT_MS = 2_000;
const CONNECT_TIMEOUT_MS = 2_000;
const RETRY_DELAY_MS = 20;
/** Least time before the kill, so the clients are in their stride. */
const PRE_KILL_MS_MIN = 1_000;
/** After the kill the run lasts at least this, and at most RECOVERY_WAIT_MS for a first success. */
const POST_KILL_MS_MIN = 3_000;
const RECOVERY_WAIT_MS = 60_000;
/** Most successful-write timestamps kept (memory bound). */
const SUCCESSES_MAX = 5_000_000;

interface Driver {
  readonly successesMs: number[];
  failures: number;
  reconnects: number;
  stop: boolean;
}

async function clientLoop(context: WorkloadContext, system: RunningSystem, index: number, driver: Driver): Promise<void> {
  const value = benchValue(`${context.adapter.name} w6`);
  let member = index % system.members.length;
  let client: BenchClient | null = null;
  // Bounded: ends when driver.stop is set (the run's time bound) or at SUCCESSES_MAX.
  for (let sequence = 0; !driver.stop && driver.successesMs.length < SUCCESSES_MAX; sequence++) {
    try {
      client ??= await context.adapter.connect(system.members[member].clientAddress, { timeoutMs: CONNECT_TIMEOUT_MS });
      await client.put(`/${BENCH_NAMESPACE}/w6/c${index}-${sequence}`, value, { timeoutMs: WRITE_TIMEOUT_MS });
      driver.successesMs.push(nowMs());
    } catch {
      driver.failures++;
      client?.close();
      client = null;
      member = (member + 1) % system.members.length;
      driver.reconnects++;
      await sleep(RETRY_DELAY_MS);
    }
  }
  client?.close();
}

/** The longest gap between consecutive successful writes from the kill on (the first gap
 *  starts at the last success before the kill), and when writes resumed after it. */
export function longestGapMs(successesMs: readonly number[], killedAtMs: number, endMs: number): { readonly gapMs: number; readonly resumedAfterKillMs: number } {
  const sorted = [...successesMs].sort((a, b) => a - b);
  let previous = killedAtMs;
  for (const t of sorted) if (t < killedAtMs) previous = t;
  let gapMs = 0;
  let resumedAtMs = Number.NaN;
  for (const t of sorted) {
    if (t < killedAtMs) continue;
    if (t - previous > gapMs) {
      gapMs = t - previous;
      resumedAtMs = t;
    }
    previous = t;
  }
  // Still open at the end: writes never resumed after the longest gap.
  if (endMs - previous > gapMs) return { gapMs: endMs - previous, resumedAfterKillMs: Number.NaN };
  return { gapMs, resumedAfterKillMs: resumedAtMs - killedAtMs };
}

export const w6Failover: Workload = {
  id: 'W6',
  title: 'SIGKILL the leader under 16-client writes',
  systems: SYSTEM_NAMES,
  ownSystems: false,
  async run(context: WorkloadContext): Promise<WorkloadOutcome> {
    const system = systemOf(context);
    const driver: Driver = { successesMs: [], failures: 0, reconnects: 0, stop: false };
    const loops = Array.from({ length: W6_CLIENTS }, (_, i) => clientLoop(context, system, i, driver));
    try {
      await sleep(Math.max(PRE_KILL_MS_MIN, context.durationMs / 3));
      const leader = await system.leaderIndex(BENCH_NAMESPACE);
      const killedAtMs = nowMs();
      await system.kill(leader);
      context.log(`  killed leader member ${leader + 1} at ${(killedAtMs / 1000).toFixed(3)} s`);
      const endMinMs = killedAtMs + Math.max(POST_KILL_MS_MIN, (context.durationMs * 2) / 3);
      const endMaxMs = killedAtMs + RECOVERY_WAIT_MS;
      // Bounded by endMaxMs; polls every 50 ms.
      while (nowMs() < endMaxMs && (nowMs() < endMinMs || !driver.successesMs.some((t) => t > killedAtMs))) await sleep(50);
      driver.stop = true;
      await Promise.all(loops);
      const endMs = nowMs();
      const { gapMs, resumedAfterKillMs } = longestGapMs(driver.successesMs, killedAtMs, endMs);
      const recovered = !Number.isNaN(resumedAfterKillMs);
      context.log(`  longest window without a successful write ${gapMs.toFixed(0)} ms; writes resumed ${resumedAfterKillMs.toFixed(0)} ms after the kill; ${driver.failures} failed writes`);
      return {
        metrics: [
          metric('no-write window', 'ms', recovered ? gapMs : Number.NaN, { kind: 'at-most-best', factor: 1 }),
          metric('kill -> writes resumed', 'ms', resumedAfterKillMs),
          metric('failed writes', 'count', driver.failures),
        ],
        notes: recovered ? [] : [`writes did not resume (run ended ${((endMs - killedAtMs) / 1000).toFixed(1)} s after the kill)`],
      };
    } finally {
      driver.stop = true;
      await Promise.all(loops);
    }
  },
};
