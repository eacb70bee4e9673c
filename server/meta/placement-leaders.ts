// Preferred leaders: each KV group names the member that should lead it, so that leadership
// spreads evenly (Multi-DLedger's preferred leader, TiKV's leader balancing). The group's own
// leader transfers leadership toward it (see replica-step.ts); here the catalog keeps every
// preferred leader on an active, live voter of its group, and evens out the counts.

import type { NodeId } from '../raft/types';
import type { ClusterLayout, GroupRecord } from './layout';
import { type PlacementAction, type PlacementInput, leastLoaded, usableMembers } from './placement-input';

export function decidePreferredLeaders(input: PlacementInput): PlacementAction | null {
  const { layout } = input;
  const usable = usableMembers(layout, input.live);
  const counts = preferredCounts(layout, usable);
  for (const group of layout.groups) {
    if (group.voters.includes(group.preferredLeader) && usable.includes(group.preferredLeader)) continue;
    const to = leastLoaded(group.voters.filter((id) => usable.includes(id)), counts);
    if (to !== undefined) return setPreferred(group, to, `group ${group.id}: preferred leader ${group.preferredLeader} is not an active, live voter`);
  }
  for (const group of layout.groups) {
    const from = group.preferredLeader;
    const fromCount = counts.get(from);
    if (fromCount === undefined) continue;
    const to = leastLoaded(group.voters.filter((id) => id !== from && usable.includes(id)), counts);
    if (to !== undefined && fromCount - (counts.get(to) ?? 0) >= 2) {
      return setPreferred(group, to, `balance: member ${from} is preferred for ${fromCount} groups, member ${to} for ${counts.get(to)}`);
    }
  }
  return null;
}

/** Groups each of `ids` is the preferred leader of. */
export function preferredCounts(layout: ClusterLayout, ids: readonly NodeId[]): Map<NodeId, number> {
  const counts = new Map<NodeId, number>(ids.map((id) => [id, 0]));
  for (const group of layout.groups) {
    const count = counts.get(group.preferredLeader);
    if (count !== undefined) counts.set(group.preferredLeader, count + 1);
  }
  return counts;
}

function setPreferred(group: GroupRecord, to: NodeId, reason: string): PlacementAction {
  return { kind: 'meta-command', command: { type: 'set-preferred-leader', id: group.id, nodeId: to }, reason };
}
