// Cluster membership changes, run on the meta leader (the Cluster service forwards them
// there): adding a node (member record, then a meta learner), removing one (marked leaving;
// the placement loop moves its replicas, then removes it from the meta group and marks it
// removed), and creating a KV group online (placement's choice of replicas, recorded in the
// catalog; the chosen members create the replicas).

import type { MultiRaftHost } from '../host/multi-raft-host';
import { META_GROUP_ID } from '../host/ports';
import { activeMembers } from '../meta/layout';
import { encodeMetaCommand, type MetaCommand, type MetaResult, type MetaStateMachine } from '../meta/meta-state-machine';
import { planNewGroup } from '../meta/new-group';
import type { Logger } from '../ops/logger';
import type { NodeId } from '../raft/types';
import { CorralError } from '../util/errors';
import type { MembershipOperations } from '../api/cluster-service';

/** Proposes a meta command on this node, which must lead the meta group; resolves with the
 *  command's outcome once applied. */
export async function proposeMetaCommand(host: MultiRaftHost, command: MetaCommand): Promise<MetaResult> {
  const { result } = await host.propose(META_GROUP_ID, encodeMetaCommand(command));
  return result as MetaResult;
}

export interface MembershipOptions {
  readonly host: MultiRaftHost;
  readonly meta: MetaStateMachine;
  readonly nodeId: NodeId;
  readonly logger: Logger;
  /** Members that may receive replicas now (active and heard from lately). */
  readonly usableMembers: () => readonly NodeId[];
}

export class Membership implements MembershipOperations {
  constructor(private readonly options: MembershipOptions) {}

  /** Proposes a meta command; a refused command becomes FAILED_PRECONDITION. */
  async proposeMeta(command: MetaCommand): Promise<void> {
    const outcome = await proposeMetaCommand(this.options.host, command);
    if (!outcome.ok) throw new CorralError('failed-precondition', outcome.message);
  }

  /** Idempotent for the same id and address (a joining node retries after a crash). */
  async addNode(id: NodeId, address: string): Promise<void> {
    const { meta } = this.options;
    const existing = meta.member(id);
    if (existing?.state === 'removed') throw new CorralError('failed-precondition', `node id ${id} belonged to a removed member; ids are never reused, pick a new one`);
    if (existing !== undefined && existing.address !== address) throw new CorralError('already-exists', `node ${id} is already a member at ${existing.address}`);
    const other = meta.layout.members.find((m) => m.address === address && m.id !== id && m.state !== 'removed');
    if (other !== undefined) throw new CorralError('already-exists', `address ${address} is already used by member ${other.id}`);
    if (existing === undefined) {
      await this.proposeMeta({ type: 'add-member', id, address });
      this.options.logger.info('member added', { member: id, address });
    }
    await this.addMetaLearner(id);
  }

  /** One attempt to make the member a meta learner; if the meta group is busy with another
   *  configuration change, the placement loop adds it on a later round. */
  private async addMetaLearner(id: NodeId): Promise<void> {
    const conf = this.options.host.group(META_GROUP_ID)?.node.status().conf;
    if (conf === undefined || conf.voters.includes(id) || conf.learners.includes(id)) return;
    try {
      await this.options.host.proposeConfChange(META_GROUP_ID, { type: 'add-learner', nodeId: id });
    } catch (error) {
      this.options.logger.info('meta learner deferred to the placement loop', { member: id, reason: CorralError.from(error).message });
    }
  }

  async removeNode(id: NodeId): Promise<void> {
    const { layout } = this.options.meta;
    const member = this.options.meta.member(id);
    if (member === undefined || member.state === 'removed') throw new CorralError('not-found', `node ${id} is not a member`);
    if (member.state === 'leaving') return;
    const remaining = activeMembers(layout).filter((m) => m.id !== id).length;
    if (remaining === 0) throw new CorralError('failed-precondition', `node ${id} is the last active member`);
    if (remaining < layout.replication) {
      throw new CorralError(
        'failed-precondition',
        `removing node ${id} would leave ${remaining} active members for a replication factor of ${layout.replication}; add a node first`,
      );
    }
    await this.proposeMeta({ type: 'set-member-state', id, state: 'leaving' });
    this.options.logger.info('member leaving: its replicas move elsewhere, then it is removed', { member: id });
  }

  async createGroup(replication: number): Promise<{ groupId: number; voters: readonly NodeId[]; preferredLeader: NodeId }> {
    const plan = planNewGroup(this.options.meta.layout, this.options.usableMembers(), replication);
    if (!plan.ok) throw new CorralError('failed-precondition', `create-group: ${plan.message}`);
    await this.proposeMeta({ type: 'create-group', group: plan.group });
    this.options.logger.info('group created', { group: plan.group.id, voters: plan.group.voters, preferredLeader: plan.group.preferredLeader });
    return { groupId: plan.group.id, voters: plan.group.voters, preferredLeader: plan.group.preferredLeader };
  }
}
