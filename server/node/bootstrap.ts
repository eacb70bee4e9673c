// First start and restart of a node's data directory: identity checks and the deterministic
// bootstrap of the groups this node hosts.

import type { ConfState, NodeId } from '../raft/types';
import { META_GROUP_ID, type GroupId, type GroupStateMachine, type HostStorage } from '../host/ports';
import type { ClusterLayout } from '../meta/layout';
import { hashNamespace } from '../meta/shard-map';
import { ConfigError, type ClusterMember } from '../ops/config';

export interface IdentityStore {
  readIdentity(): Promise<{ clusterId: string; nodeId: number } | null>;
  writeIdentity(identity: { clusterId: string; nodeId: number }): Promise<void>;
}

/** A cluster's identity: its token and its founding members (as etcd derives its cluster id). */
export function clusterIdOf(token: string, members: readonly ClusterMember[]): string {
  const canonical = [...members].sort((a, b) => a.id - b.id).map((m) => `${m.id}=${m.address}`).join(',');
  return `${token}-${hashNamespace(canonical).toString(16).padStart(8, '0')}`;
}

/**
 * Refuses a data directory that belongs to another cluster or another node id, with a
 * message that says which and what to do. Returns whether the directory is new.
 */
export async function checkIdentity(store: IdentityStore, clusterId: string, nodeId: NodeId, dataDir: string): Promise<'new' | 'existing'> {
  const identity = await store.readIdentity();
  if (identity === null) return 'new';
  if (identity.clusterId !== clusterId) {
    throw new ConfigError(
      `data dir ${dataDir} belongs to cluster "${identity.clusterId}", but this configuration describes cluster "${clusterId}" ` +
        '(check --initial-cluster and --cluster-token, or use an empty --data-dir)',
    );
  }
  if (identity.nodeId !== nodeId) {
    throw new ConfigError(`data dir ${dataDir} belongs to node ${identity.nodeId}, not node ${nodeId} (check --id or --data-dir)`);
  }
  return 'existing';
}

/** The configuration a group starts with, or null if this node hosts no replica of it. */
export function initialConfOf(layout: ClusterLayout, groupId: GroupId, nodeId: NodeId): ConfState | null {
  if (groupId === META_GROUP_ID) {
    // Meta voters on a few nodes; every other member follows the meta log as a learner so
    // that each node has the catalog and shard map locally.
    const learners = layout.members.map((m) => m.id).filter((id) => !layout.metaVoters.includes(id));
    return { voters: [...layout.metaVoters], learners };
  }
  const group = layout.groups.find((g) => g.id === groupId);
  if (group === undefined) return null;
  if (!group.voters.includes(nodeId) && !group.learners.includes(nodeId)) return null;
  return { voters: [...group.voters], learners: [...group.learners] };
}

/**
 * Writes the index-0 snapshot (initial configuration + initial state) of every group this node
 * hosts, then the identity last: a crash part-way leaves no identity, so the next start
 * bootstraps again from scratch.
 */
export async function bootstrapNode(options: {
  readonly storage: HostStorage;
  readonly identity: IdentityStore;
  readonly layout: ClusterLayout;
  readonly nodeId: NodeId;
  readonly makeStateMachine: (groupId: GroupId) => GroupStateMachine;
}): Promise<GroupId[]> {
  const { storage, layout, nodeId } = options;
  const hosted: GroupId[] = [];
  for (const groupId of [META_GROUP_ID, ...layout.groups.map((g) => g.id)]) {
    const conf = initialConfOf(layout, groupId, nodeId);
    if (conf === null) continue;
    const sm = options.makeStateMachine(groupId);
    await storage.saveSnapshot(groupId, { index: 0, term: 0, conf }, sm.snapshot());
    hosted.push(groupId);
  }
  await options.identity.writeIdentity({ clusterId: layout.clusterId, nodeId });
  return hosted;
}
