// W1: writes to distinct keys (every write creates a new key) with 1, 16 and 64 concurrent
// clients: throughput, p50, p99. Targets: at 64 clients, throughput at least the better of
// etcd and ZooKeeper and p99 no worse; at 1 client, p50 within 1.2x of the better.

import { BENCH_NAMESPACE, SYSTEM_NAMES } from '../load/adapter';
import { closeClients, connectClients } from '../load/client-pool';
import { runClosedLoop } from '../load/closed-loop';
import { corralInternals, describeInternals, scrapeAll } from '../systems/corral-internals';
import { usageOf } from '../systems/process-tracker';
import type { RunningSystem } from '../systems/system';
import { benchValue } from '../util/bench-value';
import { SETUP_RETRY, retrying } from '../util/retry';
import { type Metric, type Workload, type WorkloadContext, type WorkloadOutcome, metric, systemOf } from './workload';

export const W1_CLIENT_COUNTS: readonly number[] = [1, 16, 64];
export const OP_TIMEOUT_MS = 10_000;

/** One W1-style measurement: `clients` clients writing distinct keys under `prefixOf(i)`. */
export async function measureWrites(context: WorkloadContext, system: RunningSystem, clientCount: number, prefixOf: (clientIndex: number) => string): Promise<{ readonly metrics: Metric[]; readonly notes: string[]; readonly opsPerSecond: number }> {
  const clients = await connectClients(context.adapter, system, clientCount, { timeoutMs: OP_TIMEOUT_MS });
  try {
    const value = benchValue(`${context.adapter.name} w1`);
    const prefixes = clients.map((_, i) => prefixOf(i));
    await Promise.all(clients.map((client, i) => retrying(`prepare ${prefixes[i]}`, SETUP_RETRY, () => client.preparePrefix(prefixes[i], { timeoutMs: OP_TIMEOUT_MS }))));
    const metricsAddresses = system.members.flatMap((m) => (m.metricsAddress !== undefined ? [m.metricsAddress] : []));
    const internalsBefore = metricsAddresses.length > 0 ? await scrapeAll(metricsAddresses) : null;
    const cpuBefore = usageOf(system.members.map((m) => m.process)).cpuSeconds;
    const result = await runClosedLoop({
      clients,
      durationMs: context.durationMs,
      operation: (client, i, sequence) => client.put(`${prefixes[i]}/c${i}-${sequence < 0 ? 'warm' : sequence}`, value, { timeoutMs: OP_TIMEOUT_MS }),
    });
    const cpuMsPerOp = ((usageOf(system.members.map((m) => m.process)).cpuSeconds - cpuBefore) * 1000) / Math.max(1, result.operations);
    const key = `c=${clientCount}`;
    const notes = result.errors > 0 ? [`${key}: ${result.errors} failed writes (${result.errorSamples.join(' | ')})`] : [];
    if (internalsBefore !== null) {
      const internals = describeInternals(corralInternals(internalsBefore, await scrapeAll(metricsAddresses)));
      notes.push(`${key} internals (3 nodes): ${internals}`);
      context.log(`  ${key} internals: ${internals}`);
    }
    context.log(`  ${key}: ${result.operationsPerSecond.toFixed(0)} ops/s, p50 ${result.latency.p50Ms.toFixed(2)} ms, p99 ${result.latency.p99Ms.toFixed(2)} ms, ${cpuMsPerOp.toFixed(2)} server-CPU ms/write, ${result.errors} errors`);
    return {
      metrics: [
        metric(`${key} ops/s`, 'ops/s', result.operationsPerSecond),
        metric(`${key} p50`, 'ms', result.latency.p50Ms),
        metric(`${key} p99`, 'ms', result.latency.p99Ms),
        metric(`${key} server CPU per write`, 'ms', cpuMsPerOp),
      ],
      notes,
      opsPerSecond: result.operationsPerSecond,
    };
  } finally {
    closeClients(clients);
  }
}

function withTargets(metrics: readonly Metric[]): Metric[] {
  return metrics.map((m) => {
    if (m.key === 'c=64 ops/s') return { ...m, target: { kind: 'at-least-best' } };
    if (m.key === 'c=64 p99') return { ...m, target: { kind: 'at-most-best', factor: 1 } };
    if (m.key === 'c=1 p50') return { ...m, target: { kind: 'at-most-best', factor: 1.2 } };
    return m;
  });
}

export const w1Writes: Workload = {
  id: 'W1',
  title: 'writes to distinct keys, 1 / 16 / 64 clients',
  systems: SYSTEM_NAMES,
  ownSystems: false,
  async run(context: WorkloadContext): Promise<WorkloadOutcome> {
    const metrics: Metric[] = [];
    const notes: string[] = [];
    for (const clientCount of W1_CLIENT_COUNTS) {
      const measured = await measureWrites(context, systemOf(context), clientCount, () => `/${BENCH_NAMESPACE}/w1/c${clientCount}`);
      metrics.push(...measured.metrics);
      notes.push(...measured.notes);
    }
    return { metrics: withTargets(metrics), notes };
  },
};
