// W5: 16 clients cycling acquire -> release on one lock (cycles/s, acquire p99), then 64
// clients on 64 locks, one each (cycles/s). Corral: server-side FIFO Lock service with a
// session; etcd: v3lock with a lease; ZooKeeper: sequential-ephemeral recipe. Target: one-lock
// cycles/s above both.

import { BENCH_NAMESPACE, SYSTEM_NAMES } from '../load/adapter';
import { closeClients, connectClients } from '../load/client-pool';
import { type ClosedLoopResult, runClosedLoop } from '../load/closed-loop';
import type { RunningSystem } from '../systems/system';
import { LatencyRecorder } from '../util/latency-recorder';
import { nowMs } from '../util/time';
import { type Metric, type Workload, type WorkloadContext, type WorkloadOutcome, metric, systemOf } from './workload';

export const W5_ONE_LOCK_CLIENTS = 16;
export const W5_MANY_LOCKS_CLIENTS = 64;
/** Bound on one acquire: 16 waiters ahead of you at a few ms each is far below it. */
const ACQUIRE_TIMEOUT_MS = 30_000;
const OP_TIMEOUT_MS = 10_000;

async function cycleLocks(context: WorkloadContext, system: RunningSystem, clientCount: number, lockOf: (clientIndex: number) => string): Promise<{ readonly result: ClosedLoopResult; readonly acquire: LatencyRecorder }> {
  const clients = await connectClients(context.adapter, system, clientCount, { timeoutMs: OP_TIMEOUT_MS });
  try {
    const acquire = new LatencyRecorder();
    const result = await runClosedLoop({
      clients,
      durationMs: context.durationMs,
      operation: async (client, i, sequence) => {
        const startMs = nowMs();
        const hold = await client.lock(lockOf(i), { timeoutMs: ACQUIRE_TIMEOUT_MS });
        if (sequence >= 0) acquire.record(nowMs() - startMs);
        await hold.release({ timeoutMs: OP_TIMEOUT_MS });
      },
    });
    return { result, acquire };
  } finally {
    closeClients(clients);
  }
}

export const w5Locks: Workload = {
  id: 'W5',
  title: 'locks: 16 clients on one lock; 64 clients on 64 locks',
  systems: SYSTEM_NAMES,
  ownSystems: false,
  async run(context: WorkloadContext): Promise<WorkloadOutcome> {
    const system = systemOf(context);
    const notes: string[] = [];
    const metrics: Metric[] = [];
    const one = await cycleLocks(context, system, W5_ONE_LOCK_CLIENTS, () => `/${BENCH_NAMESPACE}/w5/one`);
    const oneAcquire = one.acquire.summary();
    context.log(`  1 lock x ${W5_ONE_LOCK_CLIENTS}: ${one.result.operationsPerSecond.toFixed(0)} cycles/s, acquire p99 ${oneAcquire.p99Ms.toFixed(2)} ms, ${one.result.errors} errors`);
    metrics.push(
      metric(`1 lock x ${W5_ONE_LOCK_CLIENTS} cycles/s`, 'ops/s', one.result.operationsPerSecond, { kind: 'at-least-best' }),
      metric(`1 lock x ${W5_ONE_LOCK_CLIENTS} acquire p99`, 'ms', oneAcquire.p99Ms),
    );
    if (one.result.errors > 0) notes.push(`one lock: ${one.result.errors} failed cycles (${one.result.errorSamples.join(' | ')})`);
    const many = await cycleLocks(context, system, W5_MANY_LOCKS_CLIENTS, (i) => `/${BENCH_NAMESPACE}/w5/many-${i}`);
    const manyAcquire = many.acquire.summary();
    context.log(`  ${W5_MANY_LOCKS_CLIENTS} locks x 1: ${many.result.operationsPerSecond.toFixed(0)} cycles/s, acquire p99 ${manyAcquire.p99Ms.toFixed(2)} ms, ${many.result.errors} errors`);
    metrics.push(
      metric(`${W5_MANY_LOCKS_CLIENTS} locks x 1 cycles/s`, 'ops/s', many.result.operationsPerSecond),
      metric(`${W5_MANY_LOCKS_CLIENTS} locks x 1 acquire p99`, 'ms', manyAcquire.p99Ms),
    );
    if (many.result.errors > 0) notes.push(`64 locks: ${many.result.errors} failed cycles (${many.result.errorSamples.join(' | ')})`);
    return { metrics, notes };
  },
};
