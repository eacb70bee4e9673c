// The node's coordination runtime for its KV group replicas: it receives the host's events
// (every apply, leader changes, snapshot installs) and runs the leader loop — one unref'd
// timer that, for each group this node leads, reconciles the session tracker with the Raft
// role and proposes what the tracker says is due. It is also the port the Session, Lock and
// Watch services use: keepalives, lock waits and observers, watcher wake-ups, and the set of
// open streams it ends when the node stops.

import type { KeepaliveAnswer, SessionPort } from '../api/session-service';
import type { LockPort, LockWaitHandle } from '../api/lock-service';
import type { WatchPort } from '../api/watch-service';
import type { GroupId } from '../host/ports';
import type { KvGroupStateMachine } from '../kv/kv-group';
import type { KvLimits } from '../kv/limits';
import type { LockInfo } from '../kv/lock-table';
import { defaultSessionTrackerConfig, validateSessionTrackerConfig, type SessionTrackerConfig } from '../kv/session-tracker';
import type { Watcher } from '../kv/watcher';
import { ConfigError, type ServerConfig } from '../ops/config';
import type { Logger } from '../ops/logger';
import { assert } from '../util/assert';
import { CorralError } from '../util/errors';
import { GroupCoordination, type CoordinationHost } from './group-coordination';

export interface KvRuntimeOptions {
  readonly kvGroup: (groupId: GroupId) => KvGroupStateMachine | undefined;
  readonly trackerConfig: SessionTrackerConfig;
  /** Leader loop period: how late an expiry or a keepalive batch may be proposed. */
  readonly tickIntervalMs: number;
  /** Per group: most Acquire calls waiting at once. */
  readonly lockWaitsMax: number;
  /** Per group: most tracker proposals in flight. */
  readonly trackerProposalsMax: number;
  /** Node-wide: most watch streams plus lock observers. */
  readonly watchersMax: number;
  /** Node-wide: most open streams (watches, observers, keepalives) ended on stop. */
  readonly streamsMax: number;
  readonly logger: Logger;
  /** Wall-clock milliseconds (deadlines are compared across leaders). */
  readonly clock?: () => number;
}

export class KvRuntime implements SessionPort, LockPort, WatchPort {
  private host: CoordinationHost | null = null;
  private readonly groups = new Map<GroupId, GroupCoordination>();
  private readonly streams = new Set<(error: CorralError) => void>();
  private timer: NodeJS.Timeout | null = null;
  private watchers = 0;
  private stopped = false;

  constructor(private readonly options: KvRuntimeOptions) {
    assert(options.tickIntervalMs > 0 && options.watchersMax > 0 && options.streamsMax > 0, 'KvRuntime bounds must be positive');
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  /** Starts the leader loop. Host events that arrive before this are ignored: nothing can
   *  wait on them yet, and the first tick reconciles leadership. */
  start(host: CoordinationHost): void {
    assert(this.host === null && !this.stopped, 'KvRuntime started twice or after stop');
    this.host = host;
    this.timer = setInterval(() => this.tick(), this.options.tickIntervalMs);
    this.timer.unref();
  }

  /** Stops the loop, ends every open stream (UNAVAILABLE) and every lock wait. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const error = new CorralError('unavailable', 'node is shutting down; reconnect to another node');
    for (const close of [...this.streams]) close(error);
    this.streams.clear();
    for (const group of this.groups.values()) group.stop();
    this.groups.clear();
  }

  private tick(): void {
    const nowMs = this.now();
    for (const groupId of this.groupIdsToTick()) this.group(groupId)?.tick(nowMs);
  }

  private groupIdsToTick(): GroupId[] {
    // Every hosted group (the meta group has no KV machine and is skipped by group()).
    const ids = new Set(this.groups.keys());
    for (const id of this.host?.groupIds() ?? []) ids.add(id);
    return [...ids];
  }

  /** The group's coordination; created on first use; undefined when not a local KV group. */
  private group(groupId: GroupId): GroupCoordination | undefined {
    if (this.host === null || this.stopped) return undefined;
    const machine = this.options.kvGroup(groupId);
    let group = this.groups.get(groupId);
    if (group !== undefined && group.machine !== machine) {
      group.stop(); // the replica was removed (and maybe added again)
      this.groups.delete(groupId);
      group = undefined;
    }
    if (group === undefined && machine !== undefined) {
      group = new GroupCoordination({
        groupId, machine, host: this.host, trackerConfig: this.options.trackerConfig,
        lockWaitsMax: this.options.lockWaitsMax, trackerProposalsMax: this.options.trackerProposalsMax,
        logger: this.options.logger,
      });
      this.groups.set(groupId, group);
    }
    return group;
  }

  // --- host events ----------------------------------------------------------------------

  onApplied(groupId: GroupId, _index: number, result: unknown): void {
    this.group(groupId)?.onApplied(result, this.now());
  }

  onLeaderChange(groupId: GroupId): void {
    this.group(groupId)?.reconcile(this.now());
  }

  onSnapshotInstalled(groupId: GroupId): void {
    this.group(groupId)?.onSnapshotInstalled();
  }

  // --- ports ----------------------------------------------------------------------------

  keepalive(groupId: GroupId, ids: readonly number[], nowMs: number): KeepaliveAnswer {
    const group = this.group(groupId);
    if (group === undefined) return { ok: false, reason: 'no-replica' };
    return group.keepalive(ids, nowMs);
  }

  sessionRemainingMs(groupId: GroupId, sessionId: number, nowMs: number): number | null {
    return this.group(groupId)?.remainingMs(sessionId, nowMs) ?? null;
  }

  addLockWait(groupId: GroupId, name: string, sessionId: number, requestId: number): LockWaitHandle | null {
    const group = this.group(groupId);
    if (group === undefined) throw new CorralError('unavailable', `group ${groupId} has no replica here, or the node is stopping`);
    return group.lockWaits.add(name, sessionId, requestId);
  }

  observeLock(groupId: GroupId, name: string, listener: (info: LockInfo | null) => void): (() => void) | null {
    const group = this.group(groupId);
    return group === undefined ? null : group.lockObservers.add(name, listener);
  }

  registerWatcher(groupId: GroupId, watcher: Watcher, wake: () => void): () => void {
    const group = this.group(groupId);
    if (group === undefined) throw new CorralError('unavailable', `group ${groupId} has no replica here, or the node is stopping`);
    return group.registerWatcher(watcher, wake);
  }

  admitWatcher(): (() => void) | null {
    if (this.stopped || this.watchers >= this.options.watchersMax) return null;
    this.watchers += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.watchers -= 1;
      assert(this.watchers >= 0, 'watcher count below zero');
    };
  }

  trackStream(close: (error: CorralError) => void): () => void {
    if (this.stopped) throw new CorralError('unavailable', 'node is shutting down; reconnect to another node');
    if (this.streams.size >= this.options.streamsMax) throw new CorralError('resource-exhausted', `node has ${this.streams.size} open streams (streamsMax)`);
    this.streams.add(close);
    return () => { this.streams.delete(close); };
  }
}

/** Per group: most Acquire calls waiting on one node. */
export const LOCK_WAITS_PER_GROUP_MAX = 10_000;
/** Per group: most session-tracker proposals in flight. */
export const TRACKER_PROPOSALS_MAX = 64;
/** Node-wide: keepalive streams allowed besides watchers and observers. */
export const KEEPALIVE_STREAMS_MAX = 10_000;

/** The runtime as the server config asks for it (`kvGroup` may be bound late). */
export function kvRuntimeOf(config: ServerConfig, limits: KvLimits, logger: Logger, kvGroup: (groupId: GroupId) => KvGroupStateMachine | undefined): KvRuntime {
  const trackerConfig: SessionTrackerConfig = { ...defaultSessionTrackerConfig(), reconnectGraceMs: config.reconnectGraceMs };
  const check = validateSessionTrackerConfig(trackerConfig, limits);
  if (!check.ok) throw new ConfigError(`session tracker: ${check.message}`);
  return new KvRuntime({
    kvGroup,
    trackerConfig,
    // Two Raft ticks: an expiry is proposed at most this late after its deadline.
    tickIntervalMs: config.tickMs * 2,
    lockWaitsMax: LOCK_WAITS_PER_GROUP_MAX,
    trackerProposalsMax: TRACKER_PROPOSALS_MAX,
    watchersMax: limits.watchersMax,
    streamsMax: limits.watchersMax + KEEPALIVE_STREAMS_MAX,
    logger: logger.child({ component: 'coordination' }),
  });
}
