// The placement loop: runs on every node, acts only on the meta leader. Each round it learns
// which members are live (the meta group's own replication progress, every member being in
// it, plus answers to Status) and what each KV group's leader reports (Cluster.Status of
// every member: one call per member per round), asks the pure decision
// (server/meta/placement.ts) for the next action, and executes it. A catalog edit is applied
// before the next decision of the same round; a configuration change or a leadership
// transfer ends the round (it must settle first).

import type { MultiRaftHost } from '../host/multi-raft-host';
import { META_GROUP_ID } from '../host/ports';
import type { MetaStateMachine, MetaCommand, MetaResult } from '../meta/meta-state-machine';
import { decidePlacement } from '../meta/placement';
import { type MetaGroupView, type ObservedGroup, type PlacementAction, type PlacementLimits, usableMembers } from '../meta/placement-input';
import { caughtUp as isCaughtUp, sameConf } from '../meta/replica-step';
import type { Logger } from '../ops/logger';
import type { NodeId, PeerProgress } from '../raft/types';
import { assert } from '../util/assert';
import { CorralError } from '../util/errors';
import type { ClusterPeers } from './cluster-peers';

/** Members polled per round (Status), at most. */
const MEMBERS_POLLED_MAX = 64;

export interface PlacementLoopOptions {
  readonly nodeId: NodeId;
  readonly host: MultiRaftHost;
  readonly meta: MetaStateMachine;
  readonly peers: ClusterPeers;
  readonly proposeMeta: (command: MetaCommand) => Promise<MetaResult>;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly memberDownAfterMs: number;
  /** Bound on one Status call to a member (a down member must not stall the round long). */
  readonly pollTimeoutMs: number;
  readonly catchUpLagEntriesMax: number;
  readonly actionsPerRoundMax: number;
  readonly limits: PlacementLimits;
}

export class PlacementLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private leading = false;
  private readonly lastSeenMs = new Map<NodeId, number>();

  constructor(private readonly options: PlacementLoopOptions) {
    assert(options.intervalMs > 0 && options.actionsPerRoundMax >= 1, 'placement bounds must be positive');
  }

  start(): void {
    assert(this.timer === null, 'placement loop already started');
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.running;
  }

  /** Active members heard from lately (on a node that does not lead the meta group: every
   *  active member). */
  usableMembers(): NodeId[] {
    return usableMembers(this.options.meta.layout, this.liveMembers());
  }

  private tick(): void {
    if (this.running !== null || this.stopped) return; // a slow round skips ticks, never overlaps
    this.running = this.round()
      .catch((error: unknown) => this.options.logger.warn('placement round failed', { error }))
      .finally(() => {
        this.running = null;
      });
  }

  private isMetaLeader(): boolean {
    return this.options.host.group(META_GROUP_ID)?.role === 'leader';
  }

  private async round(): Promise<void> {
    if (!this.isMetaLeader()) {
      this.leading = false;
      return;
    }
    if (!this.leading) {
      // A new meta leader has heard from nobody yet: everyone gets a full grace period.
      this.leading = true;
      for (const member of this.options.meta.layout.members) this.lastSeenMs.set(member.id, Date.now());
    }
    const observed = await this.observe();
    for (let action = 0; action < this.options.actionsPerRoundMax; action++) {
      if (this.stopped || !this.isMetaLeader()) return;
      const next = decidePlacement({
        layout: this.options.meta.layout,
        meta: this.metaView(),
        live: this.liveMembers(),
        observed,
        limits: this.options.limits,
      });
      if (next === null) return;
      const applied = await this.execute(next);
      if (!applied || next.kind !== 'meta-command') return;
    }
  }

  private metaView(): MetaGroupView {
    const replica = this.options.host.group(META_GROUP_ID);
    assert(replica !== undefined, 'the meta leader hosts the meta group');
    const status = replica.node.status();
    this.noteActive(status.progress);
    const lag = { progress: status.progress, lastIndex: status.lastIndex, catchUpLagEntriesMax: this.options.catchUpLagEntriesMax };
    const caughtUp = new Set<NodeId>(status.progress.filter((p) => isCaughtUp(lag, p.id)).map((p) => p.id));
    return {
      leader: this.options.nodeId,
      voters: status.conf.voters,
      learners: status.conf.learners,
      settled: sameConf(status.conf, replica.appliedConf),
      caughtUp,
    };
  }

  private noteActive(progress: readonly PeerProgress[]): void {
    const nowMs = Date.now();
    for (const peer of progress) if (peer.recentActive) this.lastSeenMs.set(peer.id, nowMs);
  }

  private liveMembers(): Set<NodeId> {
    const nowMs = Date.now();
    const live = new Set<NodeId>([this.options.nodeId]);
    for (const member of this.options.meta.layout.members) {
      if (!this.leading || nowMs - (this.lastSeenMs.get(member.id) ?? 0) <= this.options.memberDownAfterMs) live.add(member.id);
    }
    return live;
  }

  /** Every KV group as its leader reports it: this node's own leaderships, then every other
   *  member's Status (the highest term wins when two nodes claim a group). */
  private async observe(): Promise<Map<number, ObservedGroup>> {
    const observed = new Map<number, ObservedGroup>();
    const note = (groupId: number, report: ObservedGroup): void => {
      const known = observed.get(groupId);
      if (known === undefined || report.term > known.term) observed.set(groupId, report);
    };
    const { host, nodeId } = this.options;
    for (const groupId of host.groupIds()) {
      const replica = host.group(groupId);
      if (groupId === META_GROUP_ID || replica === undefined || replica.role !== 'leader') continue;
      note(groupId, { leader: nodeId, term: replica.node.status().term, voters: replica.appliedConf.voters, learners: replica.appliedConf.learners });
    }
    const others = this.options.meta.layout.members.filter((m) => m.id !== nodeId && m.state !== 'removed').slice(0, MEMBERS_POLLED_MAX);
    const reports = await Promise.all(others.map((m) => this.options.peers.status(m.address, this.options.pollTimeoutMs).catch(() => null)));
    for (const report of reports) {
      if (report === null) continue;
      const reporter = Number(report.node_id);
      this.lastSeenMs.set(reporter, Date.now());
      for (const info of report.groups) {
        if (Number(info.id) === META_GROUP_ID || Number(info.leader) !== reporter) continue;
        note(Number(info.id), { leader: reporter, term: Number(info.term), voters: info.applied_voters.map(Number), learners: info.applied_learners.map(Number) });
      }
    }
    return observed;
  }

  /** Executes one action; returns whether it took effect. */
  private async execute(action: PlacementAction): Promise<boolean> {
    const { host, logger } = this.options;
    try {
      switch (action.kind) {
        case 'meta-command': {
          const outcome = await this.options.proposeMeta(action.command);
          if (!outcome.ok) {
            logger.info('placement command refused', { command: action.command.type, reason: action.reason, message: outcome.message });
            return false;
          }
          break;
        }
        case 'meta-conf-change':
          await host.proposeConfChange(META_GROUP_ID, action.change);
          break;
        case 'meta-transfer':
          await host.transferLeadership(META_GROUP_ID, action.to);
          break;
      }
    } catch (error) {
      logger.info('placement action not taken; retrying next round', { action: action.kind, reason: action.reason, error: CorralError.from(error).message });
      return false;
    }
    logger.info('placement', { action: action.kind === 'meta-command' ? action.command : action.kind === 'meta-conf-change' ? action.change : { transfer: action.to }, reason: action.reason });
    return true;
  }
}
