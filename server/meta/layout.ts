// The cluster layout every node derives identically from static configuration at bootstrap
// (like etcd's --initial-cluster): members, the meta group's voters, the KV groups and their
// replicas, and the slot map. Later changes go through the meta group.

import type { NodeId } from '../raft/types';
import { assert } from '../util/assert';
import { META_GROUP_ID } from '../host/ports';
import { SLOT_COUNT_DEFAULT } from './shard-map';

export interface MemberRecord {
  readonly id: NodeId;
  readonly address: string;
  readonly state: 'active' | 'leaving' | 'removed';
}

/**
 * A KV group in the catalog. `voters` and `learners` are the group's TARGET replica set: the
 * placement loop on the meta leader edits it (one replica at a time, guarded by `epoch`), and
 * the group's own leader moves the Raft configuration toward it (add learner, catch up,
 * promote, remove). A group with `epoch` 1 still has its founding replica set, which its
 * replicas bootstrap from; every later replica starts empty and waits for the leader.
 */
export interface GroupRecord {
  readonly id: number;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** Bumped on every replica change. */
  readonly epoch: number;
  /** The node the placement loop prefers as leader (spreads leadership evenly). */
  readonly preferredLeader: NodeId;
}

export interface ClusterLayout {
  readonly clusterId: string;
  readonly members: readonly MemberRecord[];
  readonly metaVoters: readonly NodeId[];
  readonly groups: readonly GroupRecord[];
  /** slot -> KV group id */
  readonly slots: readonly number[];
  readonly replication: number;
}

export interface LayoutOptions {
  readonly clusterId: string;
  readonly members: readonly { id: NodeId; address: string }[];
  readonly kvGroups: number;
  readonly replication: number;
  readonly slotCount?: number;
}

/** Meta voters: 1, 3 or 5 of the members (the rest are meta learners). */
export function metaVoterCount(memberCount: number): number {
  if (memberCount >= 5) return 5;
  if (memberCount >= 3) return 3;
  return 1;
}

/** The layout of a meta replica before the bootstrap entry (or a snapshot) reached it: no
 *  members, no groups, no slots. Routing through it answers UNAVAILABLE. */
export function emptyLayout(clusterId: string): ClusterLayout {
  return { clusterId, members: [], metaVoters: [], groups: [], slots: [], replication: 1 };
}

/** The members a KV group's replicas may be placed on. */
export function activeMembers(layout: ClusterLayout): MemberRecord[] {
  return layout.members.filter((m) => m.state === 'active');
}

/** Whether `id` holds (or is meant to hold) a replica of `group` per the catalog. */
export function groupHasReplica(group: GroupRecord, id: NodeId): boolean {
  return group.voters.includes(id) || group.learners.includes(id);
}

export function initialLayout(options: LayoutOptions): ClusterLayout {
  const ids = options.members.map((m) => m.id).sort((a, b) => a - b);
  assert(ids.length > 0, 'a cluster needs at least one member');
  assert(new Set(ids).size === ids.length, 'member ids must be unique');
  assert(options.kvGroups >= 1, 'kvGroups must be at least 1');
  const replication = Math.min(options.replication, ids.length);
  assert(replication >= 1, 'replication must be at least 1');
  const groups: GroupRecord[] = [];
  for (let g = 0; g < options.kvGroups; g++) {
    // Round-robin: group g's replicas start at member g, so replicas and leaders spread evenly.
    const voters: NodeId[] = [];
    for (let r = 0; r < replication; r++) voters.push(ids[(g + r) % ids.length]);
    groups.push({ id: META_GROUP_ID + 1 + g, voters: voters.sort((a, b) => a - b), learners: [], epoch: 1, preferredLeader: ids[g % ids.length] });
  }
  const slotCount = options.slotCount ?? SLOT_COUNT_DEFAULT;
  const slots: number[] = [];
  for (let s = 0; s < slotCount; s++) slots.push(groups[s % groups.length].id);
  return {
    clusterId: options.clusterId,
    members: options.members.map((m) => ({ id: m.id, address: m.address, state: 'active' as const })).sort((a, b) => a.id - b.id),
    metaVoters: ids.slice(0, metaVoterCount(ids.length)),
    groups,
    slots,
    replication,
  };
}
