// W2: linearizable reads by 64 concurrent clients over a preloaded key set (Corral: KV.Get
// with serializable=false; etcd: Range, linearizable by default; ZooKeeper: sync + getData).
// Target: throughput at least the better of etcd and ZooKeeper.

import { BENCH_NAMESPACE, SYSTEM_NAMES } from '../load/adapter';
import { closeClients, connectClients } from '../load/client-pool';
import { runClosedLoop } from '../load/closed-loop';
import { benchValue } from '../util/bench-value';
import { SETUP_RETRY, retrying } from '../util/retry';
import { type Workload, type WorkloadContext, type WorkloadOutcome, metric, systemOf } from './workload';

export const W2_CLIENTS = 64;
export const W2_KEYS = 1_000;
const OP_TIMEOUT_MS = 10_000;
/** A prime stride, so clients start spread over the key set. */
const KEY_STRIDE = 7_919;

export const w2Reads: Workload = {
  id: 'W2',
  title: 'linearizable reads, 64 clients',
  systems: SYSTEM_NAMES,
  ownSystems: false,
  async run(context: WorkloadContext): Promise<WorkloadOutcome> {
    const system = systemOf(context);
    const prefix = `/${BENCH_NAMESPACE}/w2`;
    const keyOf = (n: number): string => `${prefix}/k${n % W2_KEYS}`;
    const clients = await connectClients(context.adapter, system, W2_CLIENTS, { timeoutMs: OP_TIMEOUT_MS });
    try {
      const value = benchValue(`${context.adapter.name} w2`);
      await retrying(`prepare ${prefix}`, SETUP_RETRY, () => clients[0].preparePrefix(prefix, { timeoutMs: OP_TIMEOUT_MS }));
      // Preload: every client writes its share of the keys.
      await Promise.all(clients.map(async (client, i) => {
        for (let n = i; n < W2_KEYS; n += clients.length) await retrying(`preload ${keyOf(n)}`, SETUP_RETRY, () => client.put(keyOf(n), value, { timeoutMs: OP_TIMEOUT_MS }));
      }));
      const result = await runClosedLoop({
        clients,
        durationMs: context.durationMs,
        operation: async (client, i, sequence) => {
          const read = await client.get(keyOf(i * KEY_STRIDE + Math.max(0, sequence)), { timeoutMs: OP_TIMEOUT_MS });
          if (read.length !== value.length) throw new Error(`read ${read.length} bytes, wrote ${value.length}`);
        },
      });
      context.log(`  c=${W2_CLIENTS}: ${result.operationsPerSecond.toFixed(0)} reads/s, p50 ${result.latency.p50Ms.toFixed(2)} ms, p99 ${result.latency.p99Ms.toFixed(2)} ms, ${result.errors} errors`);
      return {
        metrics: [
          metric(`c=${W2_CLIENTS} reads/s`, 'ops/s', result.operationsPerSecond, { kind: 'at-least-best' }),
          metric(`c=${W2_CLIENTS} p50`, 'ms', result.latency.p50Ms),
          metric(`c=${W2_CLIENTS} p99`, 'ms', result.latency.p99Ms),
        ],
        notes: result.errors > 0 ? [`${result.errors} failed reads (${result.errorSamples.join(' | ')})`] : [],
      };
    } finally {
      closeClients(clients);
    }
  },
};
