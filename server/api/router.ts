// Routes a path to its KV group (namespace -> slot -> group, from the local meta replica's
// shard map) and knows where each group's replicas and leader are.

import type { NodeId } from '../raft/types';
import { NONE } from '../raft/types';
import type { MultiRaftHost } from '../host/multi-raft-host';
import type { GroupId } from '../host/ports';
import type { MetaStateMachine } from '../meta/meta-state-machine';
import { groupForNamespace, namespaceOfPath } from '../meta/shard-map';
import { CorralError } from '../util/errors';

export class Router {
  constructor(
    private readonly host: MultiRaftHost,
    private readonly meta: MetaStateMachine,
  ) {}

  groupOfNamespace(namespace: string): GroupId {
    if (namespace === '') throw new CorralError('invalid-argument', 'the root "/" belongs to no namespace; use a path like /name/...');
    return groupForNamespace(this.meta.layout.slots, namespace);
  }

  groupOfPath(path: string): GroupId {
    return this.groupOfNamespace(namespaceOfPath(path));
  }

  addressOf(nodeId: NodeId): string | undefined {
    return this.meta.member(nodeId)?.address;
  }

  /** The leader this node knows of for a group it hosts (NONE when unknown or not hosted). */
  knownLeader(groupId: GroupId): NodeId {
    return this.host.group(groupId)?.leader ?? NONE;
  }

  /** Nodes holding a replica of the group, per the catalog. */
  replicasOf(groupId: GroupId): NodeId[] {
    const group = this.meta.group(groupId);
    return group === undefined ? [] : [...group.voters, ...group.learners];
  }

  kvGroupIds(): GroupId[] {
    return this.meta.layout.groups.map((g) => g.id);
  }
}
