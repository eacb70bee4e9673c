// The Cluster service: members, groups (with this node's view of leaders), the shard map,
// and leadership transfer. Membership changes (add/remove node, create group) go through the
// meta group: any node forwards them to the meta leader.

import type * as grpc from '@grpc/grpc-js';
import type { ClusterHandlers } from '../../proto/gen/corral/v1/Cluster';
import type { GroupInfo } from '../../proto/gen/corral/v1/GroupInfo';
import type { MultiRaftHost } from '../host/multi-raft-host';
import { META_GROUP_ID } from '../host/ports';
import type { MetaStateMachine } from '../meta/meta-state-machine';
import { CorralError } from '../util/errors';
import type { ApiContext } from './api-context';
import { unary } from './api-context';

/** Run on the meta leader (the handlers forward there). */
export interface MembershipOperations {
  addNode(id: number, address: string): Promise<void>;
  /** Marks the member leaving; placement moves its replicas, then removes it. */
  removeNode(id: number): Promise<void>;
  createGroup(replication: number): Promise<{ groupId: number; voters: readonly number[]; preferredLeader: number }>;
}

function groupInfos(host: MultiRaftHost, meta: MetaStateMachine): GroupInfo[] {
  const infos: GroupInfo[] = [];
  const catalog = [{ id: META_GROUP_ID, voters: meta.layout.metaVoters, learners: [] as readonly number[], epoch: 0 }, ...meta.layout.groups];
  for (const group of catalog) {
    const replica = host.group(group.id);
    const status = replica?.node.status();
    infos.push({
      id: group.id,
      voters: [...(status?.conf.voters ?? group.voters)],
      learners: [...(status?.conf.learners ?? group.learners)],
      epoch: group.epoch,
      leader: replica?.leader ?? 0,
      term: status?.term ?? 0,
      commit: status?.commit ?? 0,
      applied: replica?.sm.appliedIndex ?? 0,
      applied_voters: [...(replica?.appliedConf.voters ?? [])],
      applied_learners: [...(replica?.appliedConf.learners ?? [])],
    });
  }
  return infos;
}

export function clusterHandlers(
  context: ApiContext,
  meta: MetaStateMachine,
  clusterId: string,
  membership: MembershipOperations,
  methods: Record<string, grpc.MethodDefinition<unknown, unknown>>,
): ClusterHandlers {
  const members = () => meta.layout.members.map((m) => ({ id: m.id, address: m.address, state: m.state, meta_voter: meta.layout.metaVoters.includes(m.id) }));
  return {
    Status: unary(async () => ({
      cluster_id: clusterId,
      node_id: context.options.nodeId,
      members: members(),
      groups: groupInfos(context.host, meta),
      slot_count: meta.layout.slots.length,
      slots: [...meta.layout.slots],
    })),
    AddNode: unary(async (call) => {
      if (!call.request.id || call.request.address === '') throw new CorralError('invalid-argument', 'add-node needs an id >= 1 and an address host:port');
      const method = methods.AddNode as unknown as grpc.MethodDefinition<typeof call.request, { members: ReturnType<typeof members> }>;
      return context.atLeader(META_GROUP_ID, call, method, async () => {
        await membership.addNode(Number(call.request.id), call.request.address);
        return { members: members() };
      });
    }),
    RemoveNode: unary(async (call) => {
      if (!call.request.id) throw new CorralError('invalid-argument', 'remove-node needs an id >= 1');
      const method = methods.RemoveNode as unknown as grpc.MethodDefinition<typeof call.request, { members: ReturnType<typeof members> }>;
      return context.atLeader(META_GROUP_ID, call, method, async () => {
        await membership.removeNode(Number(call.request.id));
        return { members: members() };
      });
    }),
    CreateGroup: unary(async (call) => {
      const replication = Number(call.request.replication);
      if (!Number.isInteger(replication) || replication < 0 || replication > 7) throw new CorralError('invalid-argument', 'create-group: replication must be 0 (the cluster default) to 7');
      const method = methods.CreateGroup as unknown as grpc.MethodDefinition<typeof call.request, object>;
      return context.atLeader(META_GROUP_ID, call, method, async () => {
        const created = await membership.createGroup(replication);
        return { group_id: created.groupId, voters: [...created.voters], preferred_leader: created.preferredLeader };
      });
    }),
    TransferLeader: unary(async (call) => {
      const groupId = Number(call.request.group_id);
      const to = Number(call.request.to);
      if (context.host.group(groupId) === undefined && !meta.group(groupId)) throw new CorralError('not-found', `group ${groupId} does not exist`);
      if (!context.router.replicasOf(groupId).includes(to) && groupId !== META_GROUP_ID) throw new CorralError('invalid-argument', `node ${to} has no replica of group ${groupId}`);
      const method = methods.TransferLeader as unknown as grpc.MethodDefinition<typeof call.request, object>;
      return context.atLeader(groupId, call, method, async () => {
        await context.host.transferLeadership(groupId, to);
        return {};
      });
    }),
  };
}
