// The coordination side of one KV group replica on this node:
// - the LEADER's session tracker: activated once this node leads the group AND its state
//   machine has applied everything up to its own term's first entry (so that the sessions it
//   loads are complete; before that, keepalives are answered "catching up, retry"); reset on
//   every leadership loss or new term; ticked by the node's runtime, proposing the commands
//   the tracker returns (keepalive batches, expiries, lock max-hold and wait timeouts);
// - on EVERY replica, the fan-out of each apply: lock grants to waiting Acquire calls, ready
//   watchers to their streams, lock changes to observers.

import { encodeCommand, type KvCommand } from '../kv/commands';
import type { KvApplied, KvGroupStateMachine } from '../kv/kv-group';
import type { KeepaliveAnswer } from '../api/session-service';
import { SessionTracker, type SessionTrackerConfig } from '../kv/session-tracker';
import type { Watcher } from '../kv/watcher';
import type { GroupId } from '../host/ports';
import type { Logger } from '../ops/logger';
import type { NodeId, RaftStatus, Role } from '../raft/types';
import { assert } from '../util/assert';
import { LockObservers } from './lock-observers';
import { LockWaits } from './lock-waits';

/** The part of the multi-raft host the coordination runtime uses (MultiRaftHost fits). */
export interface CoordinationHost {
  groupIds(): GroupId[];
  group(groupId: GroupId): { readonly role: Role; readonly leader: NodeId; readonly node: { status(): RaftStatus } } | undefined;
  propose(groupId: GroupId, data: Uint8Array): Promise<{ index: number; result: unknown }>;
}

export interface GroupCoordinationOptions {
  readonly groupId: GroupId;
  readonly machine: KvGroupStateMachine;
  readonly host: CoordinationHost;
  readonly trackerConfig: SessionTrackerConfig;
  /** Most Acquire calls waiting on this replica at once. */
  readonly lockWaitsMax: number;
  /** Most tracker proposals not yet settled; the tracker is not ticked past it. */
  readonly trackerProposalsMax: number;
  readonly logger: Logger;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** The locks an applied command may have changed: a set, or null for "any" (a session
 *  ending releases and un-queues whatever it held or waited for). */
export function locksTouchedBy(command: KvCommand): ReadonlySet<string> | null {
  switch (command.type) {
    case 'lockAcquire':
    case 'lockRelease':
    case 'lockCancelWait':
      return new Set([command.name]);
    case 'lockExpireHolds':
      return new Set(command.holds.map((hold) => hold.name));
    case 'sessionExpire':
    case 'sessionClose':
      return null;
    default:
      return NO_NAMES;
  }
}

export function isKvApplied(result: unknown): result is KvApplied {
  return typeof result === 'object' && result !== null && 'lockGrants' in result && 'readyWatchers' in result;
}

export class GroupCoordination {
  readonly tracker: SessionTracker;
  readonly lockWaits: LockWaits;
  readonly lockObservers = new LockObservers();
  private readonly watchWakes = new Map<Watcher, () => void>();
  /** Leading, tracker not active yet: activate once applied >= index (in this term). */
  private activation: { readonly term: number; readonly index: number } | null = null;
  private activeTerm = 0;
  private proposalsInFlight = 0;

  constructor(private readonly options: GroupCoordinationOptions) {
    this.tracker = new SessionTracker(options.trackerConfig, options.machine);
    this.lockWaits = new LockWaits(options.lockWaitsMax);
  }

  get machine(): KvGroupStateMachine {
    return this.options.machine;
  }

  get watcherCount(): number {
    return this.watchWakes.size;
  }

  /** Brings the tracker in line with this replica's Raft role. */
  reconcile(nowMs: number): void {
    const replica = this.options.host.group(this.options.groupId);
    if (replica === undefined || replica.role !== 'leader') {
      this.demote();
      return;
    }
    const status = replica.node.status();
    if (this.tracker.isLeader && this.activeTerm === status.term) return;
    // Leading in a term the tracker did not start in: deadlines renewed at another leader
    // since are unknown here, so start over from the replicated ones (plus the grace).
    if (this.tracker.isLeader) this.demote();
    if (this.activation === null || this.activation.term !== status.term) this.activation = { term: status.term, index: status.lastIndex };
    this.maybeActivate(nowMs);
  }

  private maybeActivate(nowMs: number): void {
    const activation = this.activation;
    if (activation === null || this.options.machine.appliedIndex < activation.index) return;
    if (this.options.host.group(this.options.groupId)?.role !== 'leader') {
      this.activation = null; // lost the leadership while catching up
      return;
    }
    assert(!this.tracker.isLeader, 'activating an active tracker');
    const sessions = this.options.machine.state.sessions();
    this.tracker.onBecomeLeader(nowMs, sessions);
    this.activeTerm = activation.term;
    this.activation = null;
    this.options.logger.info('session tracker active', { group: this.options.groupId, term: this.activeTerm, sessions: sessions.length });
  }

  private demote(): void {
    this.activation = null;
    if (!this.tracker.isLeader) return;
    this.tracker.onLoseLeadership();
    this.options.logger.info('session tracker inactive', { group: this.options.groupId, term: this.activeTerm });
    this.activeTerm = 0;
  }

  /** After every entry this replica applies (KvApplied for data entries, null otherwise). */
  onApplied(result: unknown, nowMs: number): void {
    if (isKvApplied(result)) this.fanOut(result);
    if (this.activation !== null) this.maybeActivate(nowMs);
  }

  private fanOut(applied: KvApplied): void {
    assert(applied.index === this.options.machine.appliedIndex, `fan-out of entry ${applied.index}, machine at ${this.options.machine.appliedIndex}`);
    const command = applied.command;
    if (this.tracker.isLeader && command !== null) {
      this.tracker.observeApplied(command, applied.result);
      if (applied.result.ok && applied.result.kind === 'sessionExpire' && applied.result.expired.length > 0) {
        this.options.logger.info('sessions expired', { group: this.options.groupId, sessions: applied.result.expired, revision: applied.result.revision });
      }
    }
    this.lockWaits.onGrants(applied.lockGrants);
    for (const watcher of applied.readyWatchers) this.watchWakes.get(watcher)?.();
    if (command === null || !applied.result.ok) return;
    const names = locksTouchedBy(command);
    if (names !== null && names.size === 0) return;
    const state = this.options.machine.state;
    this.lockWaits.recheck(state, names);
    this.lockObservers.notify(state, names);
  }

  /** A snapshot replaced the state: the hub ended every watcher (compacted); grants and
   *  lock changes inside the snapshot were never reported, so re-check everything. */
  onSnapshotInstalled(): void {
    for (const wake of [...this.watchWakes.values()]) wake();
    const state = this.options.machine.state;
    this.lockWaits.recheck(state, null);
    this.lockObservers.notify(state, null);
  }

  /** One leader-loop step: reconcile, then propose what the tracker says is due. */
  tick(nowMs: number): void {
    this.reconcile(nowMs);
    if (!this.tracker.isLeader || this.proposalsInFlight >= this.options.trackerProposalsMax) return;
    for (const command of this.tracker.tick(nowMs)) this.propose(command);
  }

  private propose(command: KvCommand): void {
    this.proposalsInFlight += 1;
    const settled = (problem: string | null): void => {
      this.proposalsInFlight -= 1;
      assert(this.proposalsInFlight >= 0, 'tracker proposals in flight below zero');
      if (problem !== null) this.options.logger.debug('tracker proposal not applied', { group: this.options.groupId, command: command.type, problem });
    };
    this.options.host.propose(this.options.groupId, encodeCommand(command)).then(
      ({ result }) => settled(isKvApplied(result) && !result.result.ok ? result.result.message : null),
      (error: unknown) => settled(error instanceof Error ? error.message : String(error)),
    );
  }

  /** Renews sessions in the leader's memory (keepalives are never proposed one by one). */
  keepalive(ids: readonly number[], nowMs: number): KeepaliveAnswer {
    const replica = this.options.host.group(this.options.groupId);
    if (replica === undefined) return { ok: false, reason: 'no-replica' };
    if (replica.role !== 'leader') {
      this.demote();
      return { ok: false, reason: 'not-leader', leader: replica.leader };
    }
    if (!this.tracker.isLeader) return { ok: false, reason: 'catching-up' };
    return { ok: true, outcomes: this.tracker.keepalive(ids, nowMs) };
  }

  /** The remaining lease of a session whatever happens to this leader (its in-memory
   *  deadline less the unreplicated window), or null when not known here. */
  remainingMs(sessionId: number, nowMs: number): number | null {
    if (!this.tracker.isLeader) return null;
    const deadlineMs = this.tracker.deadlineOf(sessionId);
    return deadlineMs === null ? null : Math.max(0, deadlineMs - this.tracker.unreplicatedWindowMs - nowMs);
  }

  registerWatcher(watcher: Watcher, wake: () => void): () => void {
    assert(!this.watchWakes.has(watcher), `watcher ${watcher.id} registered twice`);
    this.watchWakes.set(watcher, wake);
    return () => { this.watchWakes.delete(watcher); };
  }

  stop(): void {
    this.demote();
    this.lockWaits.shutdown();
  }
}
