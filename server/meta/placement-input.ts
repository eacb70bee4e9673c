// What the placement decisions read and what they return. The decisions are pure functions
// of (catalog, meta group status, live members, observed KV group configurations): no I/O,
// no clock. The loop that gathers the input and executes the action is server/node/placement-loop.ts.

import type { ConfChange, NodeId } from '../raft/types';
import type { ClusterLayout, GroupRecord } from './layout';
import type { MetaCommand } from './meta-state-machine';

/** A KV group as its leader reports it. */
export interface ObservedGroup {
  readonly leader: NodeId;
  readonly term: number;
  /** The committed configuration: as of the leader's applied index. */
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** The meta group as its leader (the node running placement) sees it. */
export interface MetaGroupView {
  readonly leader: NodeId;
  /** The leader's configuration, including a change appended but not yet applied. */
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** No configuration change is in flight (the configuration above is the applied one). */
  readonly settled: boolean;
  /** Members whose meta log is close enough to the leader's to be promoted or to lead. */
  readonly caughtUp: ReadonlySet<NodeId>;
}

export interface PlacementLimits {
  /** KV groups whose replica set may be changing at the same time. */
  readonly movesInFlightMax: number;
}

export interface PlacementInput {
  readonly layout: ClusterLayout;
  readonly meta: MetaGroupView;
  /** Members heard from recently (the rest are considered down). */
  readonly live: ReadonlySet<NodeId>;
  /** KV group id -> its leader's report; absent when no leader answered. */
  readonly observed: ReadonlyMap<number, ObservedGroup>;
  readonly limits: PlacementLimits;
}

export type PlacementAction =
  | { readonly kind: 'meta-conf-change'; readonly change: ConfChange; readonly reason: string }
  | { readonly kind: 'meta-transfer'; readonly to: NodeId; readonly reason: string }
  | { readonly kind: 'meta-command'; readonly command: MetaCommand; readonly reason: string };

export function sameMembers(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}

export function sortedIds(ids: Iterable<NodeId>): NodeId[] {
  return [...ids].sort((x, y) => x - y);
}

/** A group whose committed configuration is its catalog target: no move in progress. */
export function isSettled(group: GroupRecord, observed: ObservedGroup | undefined): boolean {
  return observed !== undefined && sameMembers(observed.voters, group.voters) && sameMembers(observed.learners, group.learners);
}

/** Members that may receive replicas and leadership: active and live, ascending. */
export function usableMembers(layout: ClusterLayout, live: ReadonlySet<NodeId>): NodeId[] {
  return layout.members.filter((m) => m.state === 'active' && live.has(m.id)).map((m) => m.id).sort((a, b) => a - b);
}

/** Target replicas per member (voters and learners of every KV group), for `ids`. */
export function replicaLoad(layout: ClusterLayout, ids: readonly NodeId[]): Map<NodeId, number> {
  const load = new Map<NodeId, number>(ids.map((id) => [id, 0]));
  for (const group of layout.groups) {
    for (const id of [...group.voters, ...group.learners]) if (load.has(id)) load.set(id, (load.get(id) ?? 0) + 1);
  }
  return load;
}

/** The least loaded of `candidates` (ties: lowest id), or undefined if there is none. */
export function leastLoaded(candidates: readonly NodeId[], load: ReadonlyMap<NodeId, number>): NodeId | undefined {
  let best: NodeId | undefined;
  for (const id of candidates) {
    if (best === undefined || (load.get(id) ?? 0) < (load.get(best) ?? 0) || ((load.get(id) ?? 0) === (load.get(best) ?? 0) && id < best)) best = id;
  }
  return best;
}

export function setReplicasAction(group: GroupRecord, voters: readonly NodeId[], reason: string): PlacementAction {
  return {
    kind: 'meta-command',
    command: { type: 'set-group-replicas', id: group.id, voters: sortedIds(voters), learners: sortedIds(group.learners), expectedEpoch: group.epoch },
    reason,
  };
}
