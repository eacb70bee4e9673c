// W7 (Corral only): multi-raft scaling. W1 at 64 clients with writes spread over 8 namespaces,
// on a cluster bootstrapped with 1 KV group, then on one with 4. The 8 namespaces are chosen
// so that they split evenly over the groups (2 per group with 4 groups), by the cluster's own
// shard map; the report notes which node leads each group.

import type { ClusterStatusResponse__Output } from '../../proto/gen/corral/v1/ClusterStatusResponse';
import { assert } from '../../server/util/assert';
import { CorralSystem, groupOfStatus } from '../systems/corral-system';
import type { RunningSystem } from '../systems/system';
import { measureWrites } from './w1-writes';
import { type Metric, type Workload, type WorkloadContext, type WorkloadOutcome, metric } from './workload';

export const W7_CLIENTS = 64;
export const W7_NAMESPACES = 8;
export const W7_GROUP_COUNTS: readonly number[] = [1, 4];
/** Candidate namespace names tried when balancing over groups. */
const NAMESPACE_CANDIDATES_MAX = 10_000;

/** `count` namespace names spread as evenly as possible over the KV groups of `status`. */
export function balancedNamespaces(status: ClusterStatusResponse__Output, count: number): string[] {
  const groups = [...new Set(status.slots)].sort((a, b) => a - b);
  const perGroupMax = Math.ceil(count / groups.length);
  const load = new Map<number, number>(groups.map((g) => [g, 0]));
  const chosen: string[] = [];
  for (let n = 0; n < NAMESPACE_CANDIDATES_MAX && chosen.length < count; n++) {
    const name = `w7ns${n}`;
    const group = groupOfStatus(status, name);
    if ((load.get(group) ?? 0) >= perGroupMax) continue;
    load.set(group, (load.get(group) ?? 0) + 1);
    chosen.push(name);
  }
  if (chosen.length < count) throw new Error(`could not spread ${count} namespaces over ${groups.length} groups in ${NAMESPACE_CANDIDATES_MAX} candidates`);
  return chosen;
}

async function measureGroups(context: WorkloadContext, system: RunningSystem, kvGroups: number): Promise<{ readonly metrics: Metric[]; readonly notes: string[]; readonly opsPerSecond: number }> {
  assert(system instanceof CorralSystem, 'W7 runs on Corral only');
  const status = await system.anyStatus();
  const namespaces = balancedNamespaces(status, W7_NAMESPACES);
  const leaders = status.groups.filter((g) => g.id !== 0).map((g) => `g${g.id}@n${g.leader}`).join(' ');
  context.log(`  ${kvGroups} KV group(s): namespaces ${namespaces.join(',')}; leaders ${leaders}`);
  const measured = await measureWrites({ ...context, system }, system, W7_CLIENTS, (i) => `/${namespaces[i % namespaces.length]}/w7`);
  const relabel = (m: Metric): Metric => metric(`groups=${kvGroups} ${m.key}`, m.unit, m.value);
  return { metrics: measured.metrics.map(relabel), notes: [...measured.notes, `${kvGroups} KV group(s): group leaders ${leaders}`], opsPerSecond: measured.opsPerSecond };
}

export const w7MultiRaft: Workload = {
  id: 'W7',
  title: 'multi-raft: 64 clients over 8 namespaces, 1 vs 4 KV groups (Corral only)',
  systems: ['corral'],
  ownSystems: true,
  async run(context: WorkloadContext): Promise<WorkloadOutcome> {
    const metrics: Metric[] = [];
    const notes: string[] = [];
    const throughput: number[] = [];
    for (const kvGroups of W7_GROUP_COUNTS) {
      const system = await context.startSystem(kvGroups);
      try {
        const measured = await measureGroups(context, system, kvGroups);
        metrics.push(...measured.metrics);
        notes.push(...measured.notes);
        throughput.push(measured.opsPerSecond);
      } finally {
        await system.stop();
      }
    }
    metrics.push(metric(`scaling ${W7_GROUP_COUNTS[1]} vs ${W7_GROUP_COUNTS[0]} groups`, 'x', throughput[1] / throughput[0]));
    return { metrics, notes };
  },
};
