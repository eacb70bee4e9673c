// Placement of KV group replicas: move replicas off members that are leaving, removed or
// down; keep each group at the replication factor; then even out replicas per member. Each
// decision changes ONE replica of ONE group whose previous change is complete (its committed
// configuration equals its target), and at most movesInFlightMax groups move at once.

import type { NodeId } from '../raft/types';
import type { GroupRecord } from './layout';
import {
  type PlacementAction,
  type PlacementInput,
  isSettled,
  leastLoaded,
  replicaLoad,
  setReplicasAction,
  usableMembers,
} from './placement-input';

export function decideReplicas(input: PlacementInput): PlacementAction | null {
  const { layout, observed } = input;
  const moving = layout.groups.filter((g) => !isSettled(g, observed.get(g.id))).length;
  if (moving >= input.limits.movesInFlightMax) return null;
  const usable = usableMembers(layout, input.live);
  if (usable.length === 0) return null;
  const load = replicaLoad(layout, usable);
  for (const group of layout.groups) {
    if (!isSettled(group, observed.get(group.id))) continue;
    const action = repairGroup(group, usable, load, layout.replication);
    if (action !== null) return action;
  }
  return balanceReplicas(input, usable, load);
}

function repairGroup(group: GroupRecord, usable: readonly NodeId[], load: ReadonlyMap<NodeId, number>, replication: number): PlacementAction | null {
  const free = usable.filter((id) => !group.voters.includes(id) && !group.learners.includes(id));
  const misplaced = group.voters.find((id) => !usable.includes(id));
  if (misplaced !== undefined) {
    // Replace, never just drop: a group keeps its replica count while a member drains.
    const to = leastLoaded(free, load);
    if (to === undefined) return null;
    const voters = group.voters.map((id) => (id === misplaced ? to : id));
    return setReplicasAction(group, voters, `group ${group.id}: replica on member ${misplaced} (leaving, removed or down) moves to ${to}`);
  }
  const desired = Math.min(replication, usable.length);
  if (group.voters.length < desired) {
    const to = leastLoaded(free, load);
    if (to !== undefined) return setReplicasAction(group, [...group.voters, to], `group ${group.id}: ${group.voters.length} replicas, ${desired} wanted`);
  }
  if (group.voters.length > replication) {
    const drop = mostLoaded(group.voters.filter((id) => id !== group.preferredLeader), load);
    if (drop !== undefined) return setReplicasAction(group, group.voters.filter((id) => id !== drop), `group ${group.id}: ${group.voters.length} replicas, ${replication} wanted`);
  }
  return null;
}

/** Moves one replica from the most to the least loaded member while they differ by 2 or more. */
function balanceReplicas(input: PlacementInput, usable: readonly NodeId[], load: ReadonlyMap<NodeId, number>): PlacementAction | null {
  const byLoad = [...usable].sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || a - b);
  for (let high = byLoad.length - 1; high > 0; high--) {
    const from = byLoad[high];
    for (let low = 0; low < high; low++) {
      const to = byLoad[low];
      if ((load.get(from) ?? 0) - (load.get(to) ?? 0) < 2) break;
      const candidates = input.layout.groups.filter(
        (g) => isSettled(g, input.observed.get(g.id)) && g.voters.includes(from) && !g.voters.includes(to) && !g.learners.includes(to),
      );
      // Prefer a group that `from` is not meant to lead: no leadership transfer needed.
      const group = candidates.find((g) => g.preferredLeader !== from) ?? candidates[0];
      if (group !== undefined) {
        return setReplicasAction(group, group.voters.map((id) => (id === from ? to : id)), `balance: member ${from} holds ${load.get(from)} replicas, member ${to} ${load.get(to)}`);
      }
    }
  }
  return null;
}

function mostLoaded(candidates: readonly NodeId[], load: ReadonlyMap<NodeId, number>): NodeId | undefined {
  let best: NodeId | undefined;
  for (const id of candidates) {
    if (best === undefined || (load.get(id) ?? 0) > (load.get(best) ?? 0) || ((load.get(id) ?? 0) === (load.get(best) ?? 0) && id > best)) best = id;
  }
  return best;
}
