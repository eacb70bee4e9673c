// Which replicas this node hosts follows the catalog (the meta replica's layout):
// - a KV group that lists this node gets a local replica: a founding replica (the group still
//   has its founding replica set, epoch 1) bootstraps from that configuration; any other
//   starts EMPTY and waits for the leader's snapshot or log;
// - a message for a group this node does not host (host.onUnknownGroup) creates that empty
//   replica at once if the catalog lists this node, and creates the meta replica of a node
//   that is joining (it has none until the meta leader first contacts it);
// - a KV replica the catalog no longer lists stops serving clients at once (it is on its way
//   out and would soon stop receiving the log: a read there would wait for entries that never
//   come), and is deleted once the group's leader reports a COMMITTED configuration without
//   this node: deleting earlier could take a voter away that the group still counts on.

import type { MultiRaftHost } from '../host/multi-raft-host';
import { META_GROUP_ID, type GroupId, type GroupStateMachine, type HostStorage } from '../host/ports';
import { type ClusterLayout, type GroupRecord, groupHasReplica } from '../meta/layout';
import type { MetaStateMachine } from '../meta/meta-state-machine';
import { sameMembers } from '../meta/placement-input';
import type { Logger } from '../ops/logger';
import type { Message, MessageType, NodeId, RaftInitialState, SnapshotMeta } from '../raft/types';
import { assert } from '../util/assert';
import type { ClusterPeers } from './cluster-peers';

/** Messages only a leader sends: the ones that may bring a replica into existence. */
const LEADER_MESSAGES: ReadonlySet<MessageType> = new Set<MessageType>(['app', 'heartbeat', 'snap']);
/** Members asked per round for proof that a removal committed. */
const EVIDENCE_PEERS_MAX = 16;
/** Back-to-back reconciliations while the catalog keeps changing; then the timer's turn. */
const ROUNDS_PER_RUN_MAX = 8;

export interface ReplicaLifecycleOptions<M extends GroupStateMachine> {
  readonly nodeId: NodeId;
  readonly host: MultiRaftHost;
  readonly storage: Pick<HostStorage, 'saveSnapshot'>;
  readonly meta: MetaStateMachine;
  /** This node's KV replicas by group (shared with the API, which serves from them). */
  readonly kvGroups: Map<GroupId, M>;
  readonly makeKv: (groupId: GroupId) => M;
  readonly peers: ClusterPeers;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly requestTimeoutMs: number;
}

export function emptyInitialState(snapshot: SnapshotMeta): RaftInitialState {
  return { hardState: { term: 0, vote: 0, commit: 0 }, snapshot, entries: [], applied: 0 };
}

const EMPTY_SNAPSHOT: SnapshotMeta = { index: 0, term: 0, conf: { voters: [], learners: [] } };

/** A replica that bootstraps from its group's founding configuration. */
function isFounder(group: GroupRecord, nodeId: NodeId): boolean {
  return group.epoch === 1 && group.voters.includes(nodeId);
}

export class ReplicaLifecycle<M extends GroupStateMachine> {
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private removedNoticed = false;
  /** Evidence polls are spaced by intervalMs however often the catalog changes. */
  private nextEvidenceMs = 0;
  /** Replicas still in the host, no longer served to clients (not in kvGroups). */
  private readonly retired = new Map<GroupId, M>();

  constructor(private readonly options: ReplicaLifecycleOptions<M>) {
    assert(options.intervalMs > 0, 'intervalMs must be positive');
  }

  start(): void {
    assert(this.timer === null, 'lifecycle already started');
    this.timer = setInterval(() => this.schedule(), this.options.intervalMs);
    this.unsubscribe = this.options.meta.onChange(() => this.schedule());
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
  }

  /** The host's unknown-group hook; runs inside the host's pass, so it only creates
   *  replicas that need no I/O first. */
  readonly handleUnknownGroup = (groupId: GroupId, message: Message): boolean => {
    if (this.stopped || !LEADER_MESSAGES.has(message.type)) return false;
    const { host, meta, nodeId } = this.options;
    if (groupId === META_GROUP_ID) {
      assert(host.group(META_GROUP_ID) === undefined, 'unknown-group hook for a hosted meta group');
      assert(meta.appliedIndex === 0, 'a joining node starts from an empty meta state');
      host.addGroup(META_GROUP_ID, meta, emptyInitialState(EMPTY_SNAPSHOT), null);
      this.options.logger.info('meta replica created on first contact from the meta leader', { from: message.from });
      return true;
    }
    const group = meta.group(groupId);
    if (group === undefined || !groupHasReplica(group, nodeId) || isFounder(group, nodeId)) return false;
    this.createEmpty(groupId, `first message from leader ${message.from}`);
    return true;
  };

  /** Runs a reconciliation soon; coalesces requests while one runs. */
  schedule(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.runRounds().finally(() => {
      this.running = null;
    });
  }

  private async runRounds(): Promise<void> {
    for (let round = 0; round < ROUNDS_PER_RUN_MAX && (round === 0 || this.again) && !this.stopped; round++) {
      this.again = false;
      try {
        await this.reconcile();
      } catch (error) {
        this.options.logger.warn('replica reconciliation failed; retrying on the next round', { error });
      }
    }
  }

  private async reconcile(): Promise<void> {
    const layout = this.options.meta.layout;
    if (layout.members.length === 0) return; // no catalog yet
    this.noticeRemoval(layout);
    for (const group of layout.groups) {
      if (this.stopped) return;
      if (!groupHasReplica(group, this.options.nodeId) || this.options.host.group(group.id) !== undefined) continue;
      if (isFounder(group, this.options.nodeId)) await this.createFounding(group);
      else this.createEmpty(group.id, `catalog epoch ${group.epoch} lists this node`);
    }
    await this.removeDeparted(layout);
  }

  private createEmpty(groupId: GroupId, why: string): void {
    const machine = this.options.makeKv(groupId);
    this.options.kvGroups.set(groupId, machine);
    this.options.host.addGroup(groupId, machine, emptyInitialState(EMPTY_SNAPSHOT), null);
    this.options.logger.info('empty replica created; waiting for the leader', { group: groupId, why });
  }

  /** Founding replicas of a group created online: the same index-0 snapshot on every voter. */
  private async createFounding(group: GroupRecord): Promise<void> {
    const machine = this.options.makeKv(group.id);
    const snapshot: SnapshotMeta = { index: 0, term: 0, conf: { voters: [...group.voters], learners: [...group.learners] } };
    await this.options.storage.saveSnapshot(group.id, snapshot, machine.snapshot());
    if (this.stopped || this.options.host.group(group.id) !== undefined) return;
    this.options.kvGroups.set(group.id, machine);
    this.options.host.addGroup(group.id, machine, emptyInitialState(snapshot), null);
    this.options.logger.info('founding replica created', { group: group.id, voters: group.voters });
  }

  private async removeDeparted(layout: ClusterLayout): Promise<void> {
    const { host, nodeId, kvGroups } = this.options;
    const departed = new Map<GroupId, GroupRecord>();
    for (const groupId of host.groupIds()) {
      const group = layout.groups.find((g) => g.id === groupId);
      if (groupId === META_GROUP_ID || group === undefined) continue;
      if (groupHasReplica(group, nodeId)) {
        this.unretire(groupId);
        continue;
      }
      departed.set(groupId, group);
      const machine = kvGroups.get(groupId);
      if (machine !== undefined) {
        this.retired.set(groupId, machine);
        kvGroups.delete(groupId);
      }
    }
    if (departed.size === 0 || Date.now() < this.nextEvidenceMs) return;
    this.nextEvidenceMs = Date.now() + this.options.intervalMs;
    for (const groupId of await this.committedDepartures(layout, departed)) {
      if (this.stopped) return;
      if (this.options.meta.group(groupId) !== undefined && groupHasReplica(this.options.meta.group(groupId)!, nodeId)) continue; // listed again meanwhile
      this.retired.delete(groupId);
      kvGroups.delete(groupId);
      await host.removeGroup(groupId);
      this.options.logger.info('replica deleted: its group committed a configuration without this node', { group: groupId });
    }
  }

  /** Groups whose leader reports an applied (so committed) configuration that is exactly the
   *  catalog's target, which leaves this node out. */
  private async committedDepartures(layout: ClusterLayout, departed: ReadonlyMap<GroupId, GroupRecord>): Promise<GroupId[]> {
    const askIds = new Set<NodeId>();
    for (const group of departed.values()) for (const id of group.voters) if (id !== this.options.nodeId) askIds.add(id);
    const addresses = layout.members.filter((m) => askIds.has(m.id) && m.state !== 'removed').slice(0, EVIDENCE_PEERS_MAX).map((m) => m.address);
    const answered = await Promise.all(addresses.map((address) => this.options.peers.status(address, this.options.requestTimeoutMs).catch(() => null)));
    const reports = answered.filter((r): r is NonNullable<typeof r> => r !== null);
    // A deposed leader cut off from the others may still think it leads: only a leader in
    // the newest term any replica reports counts.
    const newestTerm = new Map<GroupId, number>();
    for (const report of reports) for (const info of report.groups) newestTerm.set(Number(info.id), Math.max(newestTerm.get(Number(info.id)) ?? 0, Number(info.term)));
    const proven = new Set<GroupId>();
    for (const report of reports) {
      for (const info of report.groups) {
        const group = departed.get(Number(info.id));
        if (group === undefined || Number(info.leader) !== Number(report.node_id) || Number(info.term) < (newestTerm.get(group.id) ?? 0)) continue;
        const voters = info.applied_voters.map(Number);
        const learners = info.applied_learners.map(Number);
        if (sameMembers(voters, group.voters) && sameMembers(learners, group.learners)) proven.add(group.id);
      }
    }
    return [...proven];
  }

  /** The catalog lists this node again before its replica was deleted: serve it again. */
  private unretire(groupId: GroupId): void {
    const machine = this.retired.get(groupId);
    if (machine === undefined) return;
    this.retired.delete(groupId);
    this.options.kvGroups.set(groupId, machine);
  }

  private noticeRemoval(layout: ClusterLayout): void {
    const self = layout.members.find((m) => m.id === this.options.nodeId);
    if (self?.state !== 'removed' || this.removedNoticed) return;
    this.removedNoticed = true;
    this.options.logger.warn('this node was removed from the cluster; stop it (its data dir cannot rejoin under the same id)', { node: this.options.nodeId });
  }
}
