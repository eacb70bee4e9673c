// Tracks the configuration as of the applied index, so that the host can write it into the
// snapshots it takes (SnapshotMeta.conf). Mirrors the single-server change rules of
// server/raft/types.ts: add a learner, promote a learner to voter, remove any member.

import type { ConfChange, ConfState } from '../../server/raft/types';
import { unreachable } from '../../server/util/assert';

export function applyConfChange(conf: ConfState, change: ConfChange): ConfState {
  const id = change.nodeId;
  const voters = conf.voters.filter((n) => n !== id);
  const learners = conf.learners.filter((n) => n !== id);
  switch (change.type) {
    case 'add-learner':
      // Adding an existing voter as learner is rejected by the core; keep the voter if so.
      return conf.voters.includes(id) ? conf : { voters, learners: [...learners, id] };
    case 'promote-learner':
      return { voters: [...voters, id], learners };
    case 'remove-node':
      return { voters, learners };
    default:
      return unreachable(change.type, 'unknown conf change');
  }
}

export function members(conf: ConfState): number[] {
  return [...conf.voters, ...conf.learners];
}
