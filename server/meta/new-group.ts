// A KV group created online: its id, its founding voters (the least loaded usable members)
// and its preferred leader (the voter preferred for the fewest groups). Pure.

import type { NodeId } from '../raft/types';
import type { ClusterLayout, GroupRecord } from './layout';
import { leastLoaded, replicaLoad, sortedIds } from './placement-input';
import { preferredCounts } from './placement-leaders';

export type NewGroupPlan = { readonly ok: true; readonly group: GroupRecord } | { readonly ok: false; readonly message: string };

/** `replication` 0 means the cluster's replication factor. */
export function planNewGroup(layout: ClusterLayout, usable: readonly NodeId[], replication: number): NewGroupPlan {
  const wanted = replication === 0 ? Math.min(layout.replication, usable.length) : replication;
  if (wanted < 1) return { ok: false, message: 'no active member can hold a replica' };
  if (wanted > usable.length) return { ok: false, message: `replication ${wanted} needs ${wanted} active members, the cluster has ${usable.length}` };
  const load = replicaLoad(layout, usable);
  const voters: NodeId[] = [];
  for (let i = 0; i < wanted; i++) {
    const next = leastLoaded(usable.filter((id) => !voters.includes(id)), load);
    if (next === undefined) break;
    voters.push(next);
  }
  const preferredLeader = leastLoaded(voters, preferredCounts(layout, voters));
  if (preferredLeader === undefined || voters.length !== wanted) return { ok: false, message: 'no member can hold the new group' };
  const id = layout.groups.reduce((max, g) => Math.max(max, g.id), 0) + 1;
  return { ok: true, group: { id, voters: sortedIds(voters), learners: [], epoch: 1, preferredLeader } };
}
