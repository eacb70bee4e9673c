// Readiness: may this node take client traffic now? It may when it is not draining and every
// group it hosts knows a leader and has applied to within `lagEntriesMax` of its commit
// index. A pure verdict over group views, shared by /readyz and the gRPC health service.

import type { GroupView } from './metric-sources';

export interface ReadinessInput {
  readonly draining: boolean;
  readonly groups: readonly GroupView[];
  readonly lagEntriesMax: number;
}

export interface GroupProblem {
  readonly group: number;
  readonly problem: 'no-leader' | 'applying-behind';
  readonly commit: number;
  readonly applied: number;
}

export type Readiness =
  | { readonly ready: true; readonly groups: number }
  | { readonly ready: false; readonly reason: string; readonly groups: readonly GroupProblem[] };

/** Most problems listed in one verdict (a node hosting many groups stays readable). */
const PROBLEMS_LISTED_MAX = 32;

export function checkReadiness(input: ReadinessInput): Readiness {
  if (input.draining) return { ready: false, reason: 'shutting down', groups: [] };
  if (input.groups.length === 0) return { ready: false, reason: 'hosts no group yet', groups: [] };
  const problems: GroupProblem[] = [];
  let total = 0;
  for (const view of input.groups) {
    const problem = view.leader === 0 ? 'no-leader' : view.commit - view.applied > input.lagEntriesMax ? 'applying-behind' : null;
    if (problem === null) continue;
    total += 1;
    if (problems.length < PROBLEMS_LISTED_MAX) problems.push({ group: view.groupId, problem, commit: view.commit, applied: view.applied });
  }
  if (total === 0) return { ready: true, groups: input.groups.length };
  const leaderless = problems.filter((p) => p.problem === 'no-leader').length;
  const reason = leaderless > 0
    ? `${total} of ${input.groups.length} local groups not ready (${leaderless} listed without a known leader)`
    : `${total} of ${input.groups.length} local groups applying more than ${input.lagEntriesMax} entries behind commit`;
  return { ready: false, reason, groups: problems };
}
