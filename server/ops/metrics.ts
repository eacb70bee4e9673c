// The node's Prometheus metrics: a prom-client registry with the process defaults and every
// Corral family (metric-families.ts). Two kinds of inputs:
// - pulled at scrape time from the stats the parts already keep (host, groups, storage,
//   transport, KV replicas): `render()` reads the sources once, then serializes;
// - pushed by cheap hooks where a distribution is needed (proposal, fsync and RPC latency):
//   the `record*` methods, each O(1).

import { Registry, collectDefaultMetrics } from 'prom-client';
import type { GroupId } from '../host/ports';
import { assert } from '../util/assert';
import { createFamilies, type MetricFamilies } from './metric-families';
import type { MetricsSources } from './metric-sources';
import { MirroredCounter } from './mirrored-counter';

export interface MetricsOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  /** process_* and nodejs_* metrics of prom-client (off in unit tests to keep them fast). */
  readonly processMetrics: boolean;
}

/** What the watch service reports (it owns the streams, so only it knows what was sent). */
export interface WatchMetricsRecorder {
  recordWatchEventsSent(groupId: GroupId, events: number): void;
  recordSlowConsumerCancel(groupId: GroupId): void;
}

export class CorralMetrics implements WatchMetricsRecorder {
  readonly registry = new Registry();
  readonly families: MetricFamilies;
  private sources: MetricsSources | null = null;
  private draining = false;
  private readonly mirrors: {
    leaderChanges: MirroredCounter<'group'>;
    storageBatches: MirroredCounter<never>;
    storageBytes: MirroredCounter<never>;
    hostPasses: MirroredCounter<never>;
    hostInputsDropped: MirroredCounter<never>;
    peerBatches: MirroredCounter<'peer' | 'direction'>;
    peerMessages: MirroredCounter<'peer' | 'direction'>;
    peerBytes: MirroredCounter<'peer' | 'direction'>;
    peerDropped: MirroredCounter<'peer' | 'reason'>;
  };

  constructor(options: MetricsOptions) {
    this.families = createFamilies(this.registry);
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    const f = this.families;
    this.mirrors = {
      leaderChanges: new MirroredCounter(f.groupLeaderChanges),
      storageBatches: new MirroredCounter(f.storageBatches),
      storageBytes: new MirroredCounter(f.storageBytes),
      hostPasses: new MirroredCounter(f.hostPasses),
      hostInputsDropped: new MirroredCounter(f.hostInputsDropped),
      peerBatches: new MirroredCounter(f.peerBatches),
      peerMessages: new MirroredCounter(f.peerMessages),
      peerBytes: new MirroredCounter(f.peerBytes),
      peerDropped: new MirroredCounter(f.peerDropped),
    };
    f.nodeInfo.set({ node: String(options.nodeId), cluster: options.clusterId }, 1);
    f.draining.set(0);
    f.rpcInFlight.set(0);
  }

  /** The parts to read at scrape time; until attached only the pushed families have values. */
  attach(sources: MetricsSources): void {
    this.sources = sources;
  }

  setDraining(draining: boolean): void {
    this.draining = draining;
    this.families.draining.set(draining ? 1 : 0);
  }

  /** Reads every source once, then serializes the registry (Prometheus text format). */
  async render(): Promise<string> {
    if (this.sources !== null) this.refresh(this.sources);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // ---- pushed by hooks -----------------------------------------------------------------

  recordProposal(groupId: GroupId, durationMs: number, failureCode: string | null): void {
    assert(durationMs >= 0, `negative proposal duration ${durationMs}`);
    const group = String(groupId);
    this.families.proposals.inc({ group });
    this.families.proposalDuration.observe({ group }, durationMs / 1000);
    if (failureCode !== null) this.families.proposalFailures.inc({ group, code: failureCode });
  }

  /** One group-commit write: its duration and the entries each group had in it. */
  recordFsync(durationMs: number, entriesByGroup: ReadonlyMap<GroupId, number>): void {
    assert(durationMs >= 0, `negative fsync duration ${durationMs}`);
    this.families.fsyncDuration.observe(durationMs / 1000);
    for (const [groupId, entries] of entriesByGroup) if (entries > 0) this.families.fsyncEntries.observe({ group: String(groupId) }, entries);
  }

  recordSnapshot(groupId: GroupId, kind: 'taken' | 'installed', bytes: number, durationMs: number): void {
    assert(bytes >= 0 && durationMs >= 0, `snapshot of ${bytes} bytes in ${durationMs} ms`);
    const group = String(groupId);
    this.families.snapshots.inc({ group, kind });
    this.families.snapshotSize.set({ group }, bytes);
    this.families.snapshotDuration.observe({ group }, durationMs / 1000);
  }

  recordRpcStart(): void {
    this.families.rpcInFlight.inc();
  }

  recordRpcEnd(method: string, code: string, durationMs: number): void {
    this.families.rpcInFlight.dec();
    this.families.rpcHandled.inc({ method, code });
    this.families.rpcDuration.observe({ method, code }, durationMs / 1000);
  }

  recordSessionsExpired(groupId: GroupId, sessions: number): void {
    assert(Number.isInteger(sessions) && sessions > 0, `expired session count ${sessions}`);
    this.families.sessionsExpired.inc({ group: String(groupId) }, sessions);
  }

  recordWatchEventsSent(groupId: GroupId, events: number): void {
    this.families.watchEventsSent.inc({ group: String(groupId) }, events);
  }

  recordSlowConsumerCancel(groupId: GroupId): void {
    this.families.watchSlowConsumerCancels.inc({ group: String(groupId) });
  }

  // ---- pulled at scrape time ---------------------------------------------------------------

  private refresh(sources: MetricsSources): void {
    this.refreshGroups(sources);
    this.refreshKv(sources);
    this.refreshNode(sources);
    this.families.draining.set(this.draining ? 1 : 0);
  }

  private refreshGroups(sources: MetricsSources): void {
    const f = this.families;
    for (const family of [f.groupRole, f.groupLeader, f.groupHasLeader, f.groupTerm, f.groupCommit, f.groupApplied, f.groupApplyLag]) family.reset();
    for (const view of sources.groups()) {
      const group = String(view.groupId);
      f.groupRole.set({ group, role: view.role }, 1);
      f.groupLeader.set({ group }, view.leader);
      f.groupHasLeader.set({ group }, view.leader !== 0 ? 1 : 0);
      f.groupTerm.set({ group }, view.term);
      f.groupCommit.set({ group }, view.commit);
      f.groupApplied.set({ group }, view.applied);
      f.groupApplyLag.set({ group }, Math.max(0, view.commit - view.applied));
      this.mirrors.leaderChanges.mirror({ group }, view.leaderChanges);
    }
  }

  private refreshKv(sources: MetricsSources): void {
    const f = this.families;
    for (const family of [f.sessions, f.ephemeralNodes, f.watchers, f.lockHolders, f.lockWaiters]) family.reset();
    const watchersByGroup = sources.watchersByGroup?.();
    for (const kv of sources.kvGroups()) {
      const group = String(kv.groupId);
      const sessions = kv.state.sessions();
      const locks = kv.state.locks();
      f.sessions.set({ group }, sessions.length);
      f.ephemeralNodes.set({ group }, sessions.reduce((sum, s) => sum + s.ephemeralCount, 0));
      f.lockHolders.set({ group }, locks.filter((lock) => lock.holder !== null).length);
      f.lockWaiters.set({ group }, locks.reduce((sum, lock) => sum + lock.waiters.length, 0));
      f.watchers.set({ group }, watchersByGroup?.get(kv.groupId) ?? kv.hub?.watcherCount ?? 0);
    }
  }

  private refreshNode(sources: MetricsSources): void {
    const f = this.families;
    const store = sources.store();
    this.mirrors.storageBatches.mirror({}, store.batchesWritten);
    this.mirrors.storageBytes.mirror({}, store.bytesWritten);
    f.storageQueued.set(store.queuedCalls);
    const host = sources.host();
    this.mirrors.hostPasses.mirror({}, host.passes);
    this.mirrors.hostInputsDropped.mirror({}, host.inputsDropped);
    for (const family of [f.peerConnected, f.peerQueued]) family.reset();
    for (const peer of sources.transport().peers) {
      const id = String(peer.nodeId);
      this.mirrors.peerBatches.mirror({ peer: id, direction: 'sent' }, peer.batchesSent);
      this.mirrors.peerBatches.mirror({ peer: id, direction: 'received' }, peer.batchesReceived);
      this.mirrors.peerMessages.mirror({ peer: id, direction: 'sent' }, peer.messagesSent);
      this.mirrors.peerMessages.mirror({ peer: id, direction: 'received' }, peer.messagesReceived);
      this.mirrors.peerBytes.mirror({ peer: id, direction: 'sent' }, peer.bytesSent);
      this.mirrors.peerBytes.mirror({ peer: id, direction: 'received' }, peer.bytesReceived);
      this.mirrors.peerDropped.mirror({ peer: id, reason: 'queue-full' }, peer.droppedQueueFull);
      this.mirrors.peerDropped.mirror({ peer: id, reason: 'oversize' }, peer.droppedOversize);
      f.peerConnected.set({ peer: id }, peer.connected ? 1 : 0);
      f.peerQueued.set({ peer: id }, peer.queuedMessages);
    }
  }
}
