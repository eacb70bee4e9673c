// The placement decision on the meta leader: a pure function from (catalog, meta group
// status, live members, observed KV group configurations) to the next action, or null when
// everything is in place. In priority order:
//   1. the meta group's own membership (learners for every member, enough voters, removed
//      members out);
//   2. a leaving member that no longer holds any replica becomes 'removed';
//   3. KV replicas: off leaving/removed/down members, up to the replication factor, even;
//   4. preferred leaders: on active live voters, evenly spread.

import type { NodeId } from '../raft/types';
import { groupHasReplica } from './layout';
import { type PlacementAction, type PlacementInput } from './placement-input';
import { decidePreferredLeaders } from './placement-leaders';
import { decideMetaMembership } from './placement-meta';
import { decideReplicas } from './placement-replicas';

export function decidePlacement(input: PlacementInput): PlacementAction | null {
  return decideMetaMembership(input) ?? decideDeparture(input) ?? decideReplicas(input) ?? decidePreferredLeaders(input);
}

/** A leaving member is removed once no KV group targets it and every group's leader reports
 *  a committed configuration without it (a group nobody reports on keeps it waiting). */
export function decideDeparture(input: PlacementInput): PlacementAction | null {
  for (const member of input.layout.members) {
    if (member.state !== 'leaving') continue;
    if (stillHosts(input, member.id)) continue;
    return { kind: 'meta-command', command: { type: 'set-member-state', id: member.id, state: 'removed' }, reason: `member ${member.id} holds no replica any more` };
  }
  return null;
}

function stillHosts(input: PlacementInput, id: NodeId): boolean {
  for (const group of input.layout.groups) {
    if (groupHasReplica(group, id)) return true;
    const observed = input.observed.get(group.id);
    if (observed === undefined || observed.voters.includes(id) || observed.learners.includes(id)) return true;
  }
  return false;
}
