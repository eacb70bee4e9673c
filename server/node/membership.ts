// Cluster membership changes, driven through the meta group: adding a node (member record,
// then a meta learner) and removing one (its replicas moved elsewhere first).

import type { MultiRaftHost } from '../host/multi-raft-host';
import { META_GROUP_ID } from '../host/ports';
import { encodeMetaCommand, type MetaCommand, type MetaResult, type MetaStateMachine } from '../meta/meta-state-machine';
import type { Logger } from '../ops/logger';
import type { NodeId } from '../raft/types';
import { CorralError } from '../util/errors';
import type { MembershipOperations } from '../api/cluster-service';

export interface MembershipOptions {
  readonly host: MultiRaftHost;
  readonly meta: MetaStateMachine;
  readonly nodeId: NodeId;
  readonly logger: Logger;
}

export class Membership implements MembershipOperations {
  constructor(private readonly options: MembershipOptions) {}

  /** Proposes a meta command on this node, which must lead the meta group. */
  async proposeMeta(command: MetaCommand): Promise<void> {
    const { result } = await this.options.host.propose(META_GROUP_ID, encodeMetaCommand(command));
    const outcome = result as MetaResult;
    if (!outcome.ok) throw new CorralError('failed-precondition', outcome.message);
  }

  async addNode(id: NodeId, address: string): Promise<void> {
    if (this.options.meta.member(id)?.state === 'active') throw new CorralError('already-exists', `node ${id} is already a member`);
    await this.proposeMeta({ type: 'add-member', id, address });
    // Every member follows the meta log; a new one starts as a learner of the meta group.
    await this.options.host.proposeConfChange(META_GROUP_ID, { type: 'add-learner', nodeId: id });
    this.options.logger.info('member added', { member: id, address });
  }

  async removeNode(id: NodeId): Promise<void> {
    const member = this.options.meta.member(id);
    if (member === undefined || member.state === 'removed') throw new CorralError('not-found', `node ${id} is not a member`);
    const hosting = this.options.meta.layout.groups.filter((g) => g.voters.includes(id) || g.learners.includes(id));
    if (hosting.length > 0) {
      throw new CorralError('failed-precondition', `node ${id} still hosts replicas of groups ${hosting.map((g) => g.id).join(', ')}; move them first`);
    }
    await this.proposeMeta({ type: 'set-member-state', id, state: 'removed' });
    this.options.logger.info('member removed', { member: id });
  }
}
