// corral cluster status | members | groups | add-node | remove-node | transfer-leader.

import type { Command } from 'commander';
import type { ClusterGroup, ClusterMember, ClusterStatus } from '../../client-sdk';
import type { CliContext } from '../cli-context';
import { actionOf, type ExitSlot } from '../command-kit';
import { parseCount, parsePositiveCount } from '../durations';
import { table } from '../output';

function membersTable(members: readonly ClusterMember[]): string {
  return table(['ID', 'ADDRESS', 'STATE', 'META_VOTER'], members.map((m) => [m.id, m.address, m.state, m.metaVoter ? 'yes' : 'no']));
}

function groupsTable(groups: readonly ClusterGroup[]): string {
  const list = (ids: readonly number[]): string => (ids.length === 0 ? '-' : ids.join(','));
  return table(['GROUP', 'LEADER', 'TERM', 'VOTERS', 'LEARNERS', 'COMMIT', 'APPLIED'], groups.map((g) => [g.id === 0 ? '0 (meta)' : g.id, g.leader === 0 ? '-' : g.leader, g.term, list(g.voters), list(g.learners), g.commit, g.applied]));
}

function statusText(status: ClusterStatus): string {
  return [`cluster ${status.clusterId} (answered by node ${status.nodeId}, ${status.slotCount} slots)`, '', membersTable(status.members), '', groupsTable(status.groups)].join('\n');
}

export function registerClusterCommands(program: Command, slot: ExitSlot): void {
  const cluster = program.command('cluster').description('members, groups and their leaders; membership changes');
  cluster
    .command('status')
    .description('members, groups (with leaders) and the shard map')
    .action(actionOf(slot, async (ctx: CliContext) => {
      const status = await ctx.client.cluster.status();
      ctx.printer.result(statusText(status), status);
    }));
  cluster
    .command('members')
    .description('the cluster\'s members')
    .action(actionOf(slot, async (ctx: CliContext) => {
      const status = await ctx.client.cluster.status();
      ctx.printer.result(membersTable(status.members), { members: status.members });
    }));
  cluster
    .command('groups')
    .description('the Raft groups, their replicas and leaders (group 0 is the meta group)')
    .action(actionOf(slot, async (ctx: CliContext) => {
      const status = await ctx.client.cluster.status();
      ctx.printer.result(groupsTable(status.groups), { groups: status.groups });
    }));
  cluster
    .command('add-node')
    .description('add a node (started with `corral server --join ...`) to the cluster')
    .argument('<id>', 'new node id', parsePositiveCount)
    .argument('<address>', 'its host:port')
    .action(actionOf(slot, async (ctx: CliContext, [id, address]) => {
      const members = await ctx.client.cluster.addNode(Number(id), address);
      ctx.printer.result(membersTable(members), { members });
    }));
  cluster
    .command('remove-node')
    .description('remove a node from the cluster')
    .argument('<id>', 'node id', parsePositiveCount)
    .action(actionOf(slot, async (ctx: CliContext, [id]) => {
      const members = await ctx.client.cluster.removeNode(Number(id));
      ctx.printer.result(membersTable(members), { members });
    }));
  cluster
    .command('transfer-leader')
    .description('move a group\'s leadership to another of its replicas')
    .argument('<group>', 'group id (0: the meta group)', parseCount)
    .argument('<to>', 'node id', parsePositiveCount)
    .action(actionOf(slot, async (ctx: CliContext, [group, to]) => {
      await ctx.client.cluster.transferLeader(Number(group), Number(to));
      ctx.printer.result(`group ${group}: leadership transfer to node ${to} requested`, { group: Number(group), to: Number(to), requested: true });
    }));
}
