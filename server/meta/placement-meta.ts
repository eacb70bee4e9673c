// Placement of the meta group itself: every member follows the meta log (learners), a few
// active, live members vote (1, 3 or 5: a caught-up learner is promoted first, then a voter
// that is down or leaving steps back), removed members leave the configuration, and the
// catalog's record of the voters follows the real configuration. One change at a time.

import type { ConfChangeType, NodeId } from '../raft/types';
import { metaVoterCount } from './layout';
import { type PlacementAction, type PlacementInput, sameMembers, sortedIds } from './placement-input';

export function decideMetaMembership(input: PlacementInput): PlacementAction | null {
  const { layout, meta } = input;
  if (!meta.settled) return null; // the core takes one configuration change at a time
  const inConf = new Set([...meta.voters, ...meta.learners]);
  for (const member of layout.members) {
    if (member.state !== 'removed' && !inConf.has(member.id)) {
      return confChange('add-learner', member.id, `member ${member.id} follows the meta log as a learner`);
    }
  }
  const promotion = metaPromotion(input) ?? metaDemotion(input);
  if (promotion !== null) return promotion;
  for (const member of layout.members) {
    if (member.state !== 'removed' || !inConf.has(member.id)) continue;
    if (member.id === meta.leader) return handOffMeta(input, `meta leader ${member.id} was removed from the cluster`);
    if (meta.voters.length === 1 && meta.voters[0] === member.id) continue; // never the last voter
    return confChange('remove-node', member.id, `member ${member.id} was removed from the cluster`);
  }
  if (!sameMembers(layout.metaVoters, meta.voters)) {
    return { kind: 'meta-command', command: { type: 'set-meta-voters', voters: sortedIds(meta.voters) }, reason: 'record the meta voters in the catalog' };
  }
  return null;
}

/** Promotes a caught-up active, live learner while fewer active, live members vote than the
 *  cluster's size calls for (a leaving, removed or down voter counts as missing). */
function metaPromotion(input: PlacementInput): PlacementAction | null {
  const { meta } = input;
  const { usable, desired } = metaVoterNeeds(input);
  const usableVoters = meta.voters.filter((id) => usable.has(id));
  if (usableVoters.length >= desired) return null;
  const candidate = sortedIds(meta.learners.filter((id) => usable.has(id) && meta.caughtUp.has(id)))[0];
  if (candidate === undefined) return null;
  return confChange('promote-learner', candidate, `${usableVoters.length} active, live meta voters, ${desired} wanted`);
}

/** Once replaced, an active voter that is down steps back (it is removed, then comes back as
 *  a learner like any member missing from the configuration), so that it no longer weighs on
 *  the quorum. Leaving voters stay until their member is removed. */
function metaDemotion(input: PlacementInput): PlacementAction | null {
  const { meta } = input;
  const { usable, desired } = metaVoterNeeds(input);
  if (meta.voters.filter((id) => usable.has(id)).length < desired) return null;
  const active = new Set(input.layout.members.filter((m) => m.state === 'active').map((m) => m.id));
  const down = sortedIds(meta.voters.filter((id) => active.has(id) && !usable.has(id) && id !== meta.leader))[0];
  return down === undefined ? null : confChange('remove-node', down, `meta voter ${down} is down and was replaced`);
}

function metaVoterNeeds(input: PlacementInput): { usable: Set<NodeId>; desired: number } {
  const active = input.layout.members.filter((m) => m.state === 'active');
  return { usable: new Set(active.filter((m) => input.live.has(m.id)).map((m) => m.id)), desired: metaVoterCount(active.length) };
}

function handOffMeta(input: PlacementInput, reason: string): PlacementAction | null {
  const { layout, meta } = input;
  const active = new Set(layout.members.filter((m) => m.state === 'active').map((m) => m.id));
  const to = sortedIds(meta.voters.filter((id) => id !== meta.leader && active.has(id) && input.live.has(id) && meta.caughtUp.has(id)))[0];
  return to === undefined ? null : { kind: 'meta-transfer', to, reason };
}

function confChange(type: ConfChangeType, nodeId: NodeId, reason: string): PlacementAction {
  return { kind: 'meta-conf-change', change: { type, nodeId }, reason };
}
