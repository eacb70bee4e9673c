// The nemesis: during the safety phase it wakes every `nemesisIntervalUnits` and, with the
// seed's fault rates, crashes nodes (often the leader), cuts the network (symmetric and
// asymmetric partitions, heals them after a while), slows disks, changes membership (add a
// learner, promote it, remove a node) and transfers leadership.

import type { ConfChange, NodeId, RaftStatus } from '../../server/raft/types';
import type { SeededRandom } from '../../server/util/random';
import { bridge, deafen, isolate, mute, split, type Partition, type PartitionKind } from './partition';
import type { FaultParams } from './sim-config';

export interface NemesisWorld {
  now(): number;
  /** Nodes that exist and were not removed, up or down. */
  nodes(): readonly NodeId[];
  upNodes(): readonly NodeId[];
  /** The up node that believes it leads in the highest term, with its status. */
  leader(): { id: NodeId; status: RaftStatus } | null;
  crash(node: NodeId): void;
  partition(partition: Partition, durationUnits: number): void;
  partitioned(): boolean;
  toggleSlowDisk(node: NodeId): void;
  proposeConfChange(leader: NodeId, change: ConfChange): boolean;
  /** A fresh node id for a joiner, or null when the id budget is spent. */
  spareNodeId(): NodeId | null;
  startJoiner(node: NodeId): void;
  transferLeadership(leader: NodeId, to: NodeId): void;
  note(text: string): void;
}

/** Voters never drop below this through removals (so that the liveness phase can succeed). */
const votersMin = 3;

export class Nemesis {
  constructor(
    private readonly params: FaultParams,
    private readonly world: NemesisWorld,
    private readonly random: SeededRandom,
  ) {}

  act(): void {
    const p = this.params;
    if (!this.world.partitioned() && this.random.chance(p.partitionChance)) this.cutNetwork();
    if (this.random.chance(p.crashChance)) this.crashRandom();
    if (this.random.chance(p.leaderCrashChance)) this.crashLeader();
    if (this.random.chance(p.slowDiskChance)) this.slowDisk();
    if (this.random.chance(p.membershipChance)) this.changeMembership();
    if (this.random.chance(p.transferChance)) this.transfer();
  }

  /** A node just became leader: returns after how many units to ambush it, or null. */
  ambushDelay(): number | null {
    if (!this.random.chance(this.params.leaderAmbushChance)) return null;
    return this.random.nextInt(this.params.ambushDelayMaxUnits + 1);
  }

  /** Crash the fresh leader, or cut it off, before it replicates much of its term. */
  ambush(node: NodeId): void {
    if (this.random.chance(0.5)) {
      this.world.crash(node);
      return;
    }
    const durationUnits =
      this.params.partitionMinUnits + this.random.nextInt(this.params.partitionMaxUnits - this.params.partitionMinUnits + 1);
    this.world.partition(isolate(node, this.world.nodes()), durationUnits);
  }

  private pick<T>(items: readonly T[]): T | null {
    return items.length === 0 ? null : items[this.random.nextInt(items.length)];
  }

  private cutNetwork(): void {
    const nodes = this.world.nodes();
    if (nodes.length < 2) return;
    const durationUnits =
      this.params.partitionMinUnits + this.random.nextInt(this.params.partitionMaxUnits - this.params.partitionMinUnits + 1);
    const leader = this.world.leader();
    if (leader !== null && this.random.chance(this.params.isolateLeaderShare)) {
      this.world.partition(isolate(leader.id, nodes), durationUnits);
      return;
    }
    const kind = this.pick(this.params.partitionKinds);
    if (kind === null) return;
    this.world.partition(this.shape(kind, nodes), durationUnits);
  }

  private shape(kind: PartitionKind, nodes: readonly NodeId[]): Partition {
    const target = this.pick(nodes) ?? nodes[0];
    switch (kind) {
      case 'isolate':
        return isolate(target, nodes);
      case 'split':
        return split(nodes, this.random);
      case 'bridge':
        return nodes.length >= 3 ? bridge(nodes, this.random) : split(nodes, this.random);
      case 'mute':
        return mute(target, nodes);
      case 'deafen':
        return deafen(target, nodes);
    }
  }

  private crashRandom(): void {
    const node = this.pick(this.world.upNodes());
    if (node !== null) this.world.crash(node);
  }

  private crashLeader(): void {
    const leader = this.world.leader();
    if (leader !== null) this.world.crash(leader.id);
  }

  private slowDisk(): void {
    const node = this.pick(this.world.nodes());
    if (node !== null) this.world.toggleSlowDisk(node);
  }

  private transfer(): void {
    const leader = this.world.leader();
    if (leader === null) return;
    const target = this.pick(leader.status.conf.voters.filter((id) => id !== leader.id));
    if (target !== null) this.world.transferLeadership(leader.id, target);
  }

  /** One single-server change, chosen among those valid in the leader's configuration. */
  private changeMembership(): void {
    const leader = this.world.leader();
    if (leader === null) return;
    const { voters, learners } = leader.status.conf;
    const options: ConfChange[] = [];
    const learner = this.pick(learners);
    if (learner !== null) {
      options.push({ type: 'promote-learner', nodeId: learner }, { type: 'remove-node', nodeId: learner });
    }
    const spare = learners.length === 0 ? this.world.spareNodeId() : null;
    if (spare !== null) options.push({ type: 'add-learner', nodeId: spare });
    if (voters.length > votersMin) {
      // Mostly followers; sometimes the leader removes itself.
      const followers = voters.filter((id) => id !== leader.id);
      const victim = this.random.chance(0.85) ? this.pick(followers) : leader.id;
      if (victim !== null) options.push({ type: 'remove-node', nodeId: victim });
    }
    const change = this.pick(options);
    if (change === null) return;
    const accepted = this.world.proposeConfChange(leader.id, change);
    this.world.note(`propose ${change.type} ${change.nodeId} on ${leader.id}: ${accepted ? 'accepted' : 'dropped'}`);
    if (accepted && change.type === 'add-learner') this.world.startJoiner(change.nodeId);
  }
}
