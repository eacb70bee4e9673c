// W4: 100 watchers on one prefix (one connection each, spread over the members), one writer
// doing 1000 writes, one after the other, to new keys under the prefix. Delivery latency is
// from the write's invocation to the event's arrival at each watcher; events lost are the
// (watcher, key) pairs never delivered. Targets: p99 below both; 0 lost.

import { BENCH_NAMESPACE, type BenchWatch, type BenchWatchEvent, SYSTEM_NAMES } from '../load/adapter';
import { closeClients, connectClients } from '../load/client-pool';
import { benchValue } from '../util/bench-value';
import { LatencyRecorder } from '../util/latency-recorder';
import { SETUP_RETRY, retrying } from '../util/retry';
import { nowMs, sleep } from '../util/time';
import { type Workload, type WorkloadContext, type WorkloadOutcome, metric, systemOf } from './workload';

export const W4_WATCHERS = 100;
export const W4_WRITES = 1_000;
const OP_TIMEOUT_MS = 10_000;
/** Bound on the writes themselves. */
const WRITES_TIMEOUT_MS = 120_000;
/** How long after the last write the watchers may still deliver. */
const DRAIN_TIMEOUT_MS = 10_000;
const WRITE_RETRY = { attemptsMax: 5, delayMs: 50 };

export const w4Watch: Workload = {
  id: 'W4',
  title: '100 watchers on one prefix, 1 writer doing 1000 writes',
  systems: SYSTEM_NAMES,
  ownSystems: false,
  async run(context: WorkloadContext): Promise<WorkloadOutcome> {
    const system = systemOf(context);
    const prefix = `/${BENCH_NAMESPACE}/w4`;
    const invokedAtMs = new Map<string, number>();
    const delivered: Set<string>[] = Array.from({ length: W4_WATCHERS }, () => new Set<string>());
    const latency = new LatencyRecorder();
    let unexpected = 0;
    const clients = await connectClients(context.adapter, system, W4_WATCHERS + 1, { timeoutMs: OP_TIMEOUT_MS });
    const watches: BenchWatch[] = [];
    try {
      const writer = clients[W4_WATCHERS];
      await retrying(`prepare ${prefix}`, SETUP_RETRY, () => writer.preparePrefix(prefix, { timeoutMs: OP_TIMEOUT_MS }));
      for (let w = 0; w < W4_WATCHERS; w++) {
        const onEvent = (event: BenchWatchEvent): void => {
          const sentAt = invokedAtMs.get(event.key);
          if (event.kind !== 'put' || sentAt === undefined || delivered[w].has(event.key)) {
            unexpected++;
            return;
          }
          delivered[w].add(event.key);
          latency.record(Math.max(0, event.arrivedAtMs - sentAt));
        };
        watches.push(await retrying(`watch ${prefix}`, SETUP_RETRY, () => clients[w].watchPrefix(prefix, onEvent, { timeoutMs: OP_TIMEOUT_MS })));
      }
      const value = benchValue(`${context.adapter.name} w4`);
      const writesStartMs = nowMs();
      for (let n = 0; n < W4_WRITES && nowMs() - writesStartMs < WRITES_TIMEOUT_MS; n++) {
        const key = `${prefix}/k${n}`;
        invokedAtMs.set(key, nowMs());
        // A retried write keeps its first invocation time: the delay counts against delivery.
        await retrying(`write ${key}`, WRITE_RETRY, () => writer.put(key, value, { timeoutMs: OP_TIMEOUT_MS }));
      }
      const writesMs = nowMs() - writesStartMs;
      const expected = W4_WATCHERS * invokedAtMs.size;
      const drainEndMs = nowMs() + DRAIN_TIMEOUT_MS;
      // Bounded by DRAIN_TIMEOUT_MS; polls every 20 ms.
      while (latency.count < expected && nowMs() < drainEndMs) await sleep(20);
      const summary = latency.summary();
      const lost = expected - latency.count;
      context.log(`  ${invokedAtMs.size} writes in ${writesMs.toFixed(0)} ms; delivery p50 ${summary.p50Ms.toFixed(2)} ms, p99 ${summary.p99Ms.toFixed(2)} ms; lost ${lost}`);
      return {
        metrics: [
          metric('delivery p50', 'ms', summary.p50Ms),
          metric('delivery p99', 'ms', summary.p99Ms, { kind: 'at-most-best', factor: 1 }),
          metric('events lost', 'count', lost, { kind: 'at-most', limit: 0 }),
          metric('writer writes/s', 'ops/s', (invokedAtMs.size * 1000) / writesMs),
        ],
        notes: [
          ...(invokedAtMs.size < W4_WRITES ? [`only ${invokedAtMs.size} writes within ${WRITES_TIMEOUT_MS} ms`] : []),
          ...(unexpected > 0 ? [`${unexpected} duplicate or unexpected events`] : []),
        ],
      };
    } finally {
      for (const watch of watches) watch.close();
      closeClients(clients);
    }
  },
};
