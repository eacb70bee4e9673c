// What the metrics and health code reads at scrape time, named at the boundary: small
// read-only views of the host, its groups, storage, transport and the KV replicas. The node
// builds them from the real parts (`sourcesOf` below); tests can pass plain objects.

import type { HostStats, MultiRaftHost } from '../host/multi-raft-host';
import type { GroupId } from '../host/ports';
import type { TransportStats } from '../host/transport/transport-stats';
import type { NodeId, Role } from '../raft/types';
import type { StoreStats } from '../storage/storage-types';

/** One local replica's Raft position, as of the last completed pass. */
export interface GroupView {
  readonly groupId: GroupId;
  readonly role: Role;
  /** NONE (0) while no leader is known. */
  readonly leader: NodeId;
  readonly term: number;
  readonly commit: number;
  readonly applied: number;
  /** Leader changes this replica has seen since the process started. */
  readonly leaderChanges: number;
}

export interface SessionLike {
  readonly ephemeralCount: number;
}

export interface LockLike {
  readonly holder: unknown;
  readonly waiters: readonly unknown[];
}

/** A local KV replica: today `KvGroupMachine` (server/node); anything with this shape fits,
 *  e.g. a replica that also owns a watch hub (`hub.watcherCount`). */
export interface KvGroupView {
  readonly groupId: GroupId;
  readonly state: {
    sessions(): readonly SessionLike[];
    locks(): readonly LockLike[];
  };
  readonly hub?: { readonly watcherCount: number };
}

export interface MetricsSources {
  readonly nodeId: NodeId;
  groups(): readonly GroupView[];
  kvGroups(): readonly KvGroupView[];
  host(): Readonly<HostStats>;
  store(): StoreStats;
  transport(): TransportStats;
  /** Watchers of the whole node when a watch service counts them itself (else the hubs'). */
  watchersByGroup?(): ReadonlyMap<GroupId, number>;
}

/** The Raft position of every group hosted by `host`. Reads only (never steps a core). */
export function groupViewsOf(host: MultiRaftHost): GroupView[] {
  const views: GroupView[] = [];
  for (const groupId of host.groupIds()) {
    const replica = host.group(groupId);
    if (replica === undefined) continue;
    const status = replica.node.status();
    views.push({
      groupId,
      role: replica.role,
      leader: replica.leader,
      term: status.term,
      commit: status.commit,
      applied: replica.sm.appliedIndex,
      leaderChanges: replica.leaderChanges,
    });
  }
  return views;
}
