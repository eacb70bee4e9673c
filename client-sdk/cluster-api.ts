// The Cluster service: status (members, groups and leaders, shard map), membership changes
// and leadership transfer. A status answer also refreshes the client's routing cache.

import type { ClusterStatusResponse__Output } from '../proto/gen/corral/v1/ClusterStatusResponse';
import type { Member__Output } from '../proto/gen/corral/v1/Member';
import type { CallOptions } from './call-options';
import { InvalidArgumentError } from './errors';
import { corralMethods } from './methods';
import type { RequestRunner } from './request-runner';

export interface ClusterMember {
  readonly id: number;
  readonly address: string;
  readonly state: string;
  readonly metaVoter: boolean;
}

export interface ClusterGroup {
  readonly id: number;
  readonly voters: readonly number[];
  readonly learners: readonly number[];
  readonly epoch: number;
  /** As seen by the node that answered; 0 when it knew none. */
  readonly leader: number;
  readonly term: number;
  readonly commit: number;
  readonly applied: number;
}

export interface ClusterStatus {
  readonly clusterId: string;
  /** The node that answered. */
  readonly nodeId: number;
  readonly members: readonly ClusterMember[];
  readonly groups: readonly ClusterGroup[];
  readonly slotCount: number;
  /** slot -> KV group id. */
  readonly slots: readonly number[];
}

export interface NodeTargetOptions extends CallOptions {
  /** Ask this node (host:port) rather than any node. */
  readonly address?: string;
}

function memberOf(member: Member__Output): ClusterMember {
  return { id: Number(member.id), address: member.address, state: member.state, metaVoter: member.meta_voter };
}

export function clusterStatusOf(response: ClusterStatusResponse__Output): ClusterStatus {
  return {
    clusterId: response.cluster_id,
    nodeId: Number(response.node_id),
    members: response.members.map(memberOf),
    groups: response.groups.map((g) => ({
      id: Number(g.id),
      voters: g.voters.map(Number),
      learners: g.learners.map(Number),
      epoch: Number(g.epoch),
      leader: Number(g.leader),
      term: Number(g.term),
      commit: Number(g.commit),
      applied: Number(g.applied),
    })),
    slotCount: response.slot_count,
    slots: response.slots.map(Number),
  };
}

function checkNodeId(id: number, what: string): void {
  if (!Number.isSafeInteger(id) || id < 1) throw new InvalidArgumentError(`${what}: node id must be an integer >= 1, got ${id}`);
}

export class ClusterApi {
  constructor(private readonly runner: RequestRunner) {}

  async status(options: NodeTargetOptions = {}): Promise<ClusterStatus> {
    const response = await this.runner.run(
      { method: corralMethods().cluster.Status, request: {}, namespace: null, role: 'replica', safety: 'read', what: 'cluster status', ...(options.address !== undefined ? { address: options.address } : {}) },
      options,
    );
    this.runner.topology.accept(response);
    return clusterStatusOf(response);
  }

  async addNode(id: number, address: string, options: CallOptions = {}): Promise<readonly ClusterMember[]> {
    checkNodeId(id, 'add-node');
    if (!/^[^\s:]+:\d+$/.test(address) && !/^\[[^\]]+\]:\d+$/.test(address)) throw new InvalidArgumentError(`add-node: address must be host:port, got ${JSON.stringify(address)}`);
    const response = await this.runner.run({ method: corralMethods().cluster.AddNode, request: { id, address }, namespace: null, role: 'leader', safety: 'write', what: `add node ${id}` }, options);
    this.runner.topology.invalidate();
    return response.members.map(memberOf);
  }

  async removeNode(id: number, options: CallOptions = {}): Promise<readonly ClusterMember[]> {
    checkNodeId(id, 'remove-node');
    const response = await this.runner.run({ method: corralMethods().cluster.RemoveNode, request: { id }, namespace: null, role: 'leader', safety: 'write', what: `remove node ${id}` }, options);
    this.runner.topology.invalidate();
    return response.members.map(memberOf);
  }

  async transferLeader(groupId: number, to: number, options: CallOptions = {}): Promise<void> {
    if (!Number.isSafeInteger(groupId) || groupId < 0) throw new InvalidArgumentError(`transfer-leader: group id must be an integer >= 0, got ${groupId}`);
    checkNodeId(to, 'transfer-leader');
    await this.runner.run({ method: corralMethods().cluster.TransferLeader, request: { group_id: groupId, to }, namespace: null, role: 'leader', safety: 'write', what: `transfer leadership of group ${groupId} to node ${to}` }, options);
    this.runner.topology.invalidate();
  }
}
