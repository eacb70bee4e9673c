// The next step a KV group's LEADER takes to bring the group's Raft configuration to its
// catalog target, one single-server change at a time (Raft dissertation 4.1):
//   add the new member as a learner -> promote it once its log has caught up -> remove the
//   member that leaves (handing leadership over first if that is the leader itself);
// and, once the configuration is in place, hand leadership to the preferred leader.
// Pure: the leader's status and the catalog record in, one step out.

import type { ConfChangeType, ConfState, NodeId, PeerProgress } from '../raft/types';

export interface ReplicaStepInput {
  readonly self: NodeId;
  readonly target: { readonly voters: readonly NodeId[]; readonly learners: readonly NodeId[] };
  readonly preferredLeader: NodeId;
  /** The leader's configuration, including a change appended but not yet applied. */
  readonly conf: ConfState;
  /** The configuration as of the leader's applied index. */
  readonly appliedConf: ConfState;
  readonly progress: readonly PeerProgress[];
  readonly lastIndex: number;
  /** A learner is promoted (and a voter takes over leadership) only this close to lastIndex. */
  readonly catchUpLagEntriesMax: number;
}

export type ReplicaStep =
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'conf-change'; readonly change: { readonly type: ConfChangeType; readonly nodeId: NodeId }; readonly reason: string }
  /** `departure`: the leader leaves the group (urgent); `balance`: toward the preferred leader. */
  | { readonly kind: 'transfer'; readonly to: NodeId; readonly cause: 'departure' | 'balance'; readonly reason: string };

export function nextReplicaStep(input: ReplicaStepInput): ReplicaStep {
  const { conf, target } = input;
  if (!sameConf(conf, input.appliedConf)) return none('a configuration change is in flight');
  const present = [...conf.voters, ...conf.learners];
  const wanted = [...target.voters, ...target.learners];
  const missing = wanted.find((id) => !present.includes(id));
  if (missing !== undefined) return change('add-learner', missing, `member ${missing} joins as a learner`);
  const promotable = target.voters.find((id) => conf.learners.includes(id));
  if (promotable !== undefined) {
    if (caughtUp(input, promotable)) return change('promote-learner', promotable, `learner ${promotable} has caught up`);
  }
  const extraLearner = conf.learners.find((id) => !wanted.includes(id));
  if (extraLearner !== undefined) return change('remove-node', extraLearner, `learner ${extraLearner} is not in the target`);
  const extraVoter = conf.voters.find((id) => !wanted.includes(id));
  if (extraVoter !== undefined) return departure(input, extraVoter);
  if (promotable !== undefined) return none(`waiting for learner ${promotable} to catch up`);
  return leadershipStep(input);
}

/** A voter leaves only once every target voter votes: the group never shrinks below its
 *  target during a move. The leader hands over leadership before removing itself. */
function departure(input: ReplicaStepInput, leaving: NodeId): ReplicaStep {
  const { conf, target } = input;
  const pending = target.voters.filter((id) => !conf.voters.includes(id));
  if (pending.length > 0) return none(`waiting for ${pending.join(', ')} to become voters before removing ${leaving}`);
  if (leaving !== input.self) return change('remove-node', leaving, `voter ${leaving} is not in the target`);
  const successors = target.voters.filter((id) => id !== input.self && conf.voters.includes(id) && caughtUp(input, id) && isActive(input, id));
  const to = successors.includes(input.preferredLeader) ? input.preferredLeader : bestMatch(input, successors);
  if (to === undefined) return none('leaving leader: no caught-up voter to hand over to');
  return { kind: 'transfer', to, cause: 'departure', reason: `leader ${input.self} leaves the group` };
}

function leadershipStep(input: ReplicaStepInput): ReplicaStep {
  const preferred = input.preferredLeader;
  if (preferred === input.self) return none('in place');
  if (!input.conf.voters.includes(preferred)) return none(`preferred leader ${preferred} is not a voter`);
  if (!caughtUp(input, preferred) || !isActive(input, preferred)) return none(`preferred leader ${preferred} is behind or silent`);
  return { kind: 'transfer', to: preferred, cause: 'balance', reason: `hand leadership to the preferred leader ${preferred}` };
}

/** The leader is streaming entries to `id` (not probing it, not sending it a snapshot) and
 *  its log ends at most catchUpLagEntriesMax behind. */
export function caughtUp(input: { readonly progress: readonly PeerProgress[]; readonly lastIndex: number; readonly catchUpLagEntriesMax: number }, id: NodeId): boolean {
  const progress = input.progress.find((p) => p.id === id);
  return progress !== undefined && progress.state === 'replicate' && progress.match > 0 && progress.match + input.catchUpLagEntriesMax >= input.lastIndex;
}

function isActive(input: ReplicaStepInput, id: NodeId): boolean {
  return input.progress.find((p) => p.id === id)?.recentActive === true;
}

function bestMatch(input: ReplicaStepInput, ids: readonly NodeId[]): NodeId | undefined {
  let best: { id: NodeId; match: number } | undefined;
  for (const id of ids) {
    const match = input.progress.find((p) => p.id === id)?.match ?? 0;
    if (best === undefined || match > best.match || (match === best.match && id < best.id)) best = { id, match };
  }
  return best?.id;
}

export function sameConf(a: ConfState, b: ConfState): boolean {
  return sameSet(a.voters, b.voters) && sameSet(a.learners, b.learners);
}

function sameSet(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

function none(reason: string): ReplicaStep {
  return { kind: 'none', reason };
}

function change(type: ConfChangeType, nodeId: NodeId, reason: string): ReplicaStep {
  return { kind: 'conf-change', change: { type, nodeId }, reason };
}
