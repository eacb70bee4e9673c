// The LEADER's in-memory session deadlines for one KV group. Keepalives do not go through
// the Raft log one by one: the leader renews deadlines here, and `tick` proposes
// - at most one keepalive batch per interval (minimum live TTL x keepaliveBatchTtlFraction)
//   naming the sessions that kept alive since the previous batch, so that the replicated
//   deadlines stay close behind the real ones;
// - `sessionExpire` for sessions past their deadline, earliest first, at most
//   expiriesPerTickMax per tick (no revoke storms);
// - `lockExpireHolds` / `lockCancelWait` for lock holds past their maximum hold time and
//   waits past their deadline (read from the replicated lock table).
//
// On a leader change the new leader sets each deadline to max(replicated deadline, now +
// reconnectGraceMs): a dead client's nodes vanish within TTL + batch interval + grace even
// across failover, while live clients get the grace to find the new leader.
//
// Deterministic given its inputs: no clock is read; `nowMs` comes from the host (wall-clock
// milliseconds, because deadlines are compared across leaders). A clock that steps back is
// clamped: time never goes backward inside the tracker.

import { assert } from '../util/assert';
import type { KvCommand, KvResult } from './commands';
import { DeadlineHeap } from './deadline-heap';
import type { KvLimits } from './limits';
import type { DueLockTimeouts } from './lock-table';

export interface SessionTrackerConfig {
  /** Extra time a session gets when leadership changes (to find the new leader). */
  readonly reconnectGraceMs: number;
  /** Keepalive batch interval as a fraction of the smallest live TTL, in (0, 1]. */
  readonly keepaliveBatchTtlFraction: number;
  /** Most ids per keepalive batch command (<= limits.sessionIdsPerCommandMax). */
  readonly keepaliveBatchIdsMax: number;
  /** Most sessions expired per tick (<= limits.sessionIdsPerCommandMax). */
  readonly expiriesPerTickMax: number;
  /** Most lock holds released plus waits cancelled per tick (<= limits.lockHoldsPerCommandMax). */
  readonly lockExpiriesPerTickMax: number;
  /** A proposed expiry that has not applied after this long is proposed again. */
  readonly proposalRetryMs: number;
}

export function defaultSessionTrackerConfig(): SessionTrackerConfig {
  return {
    reconnectGraceMs: 2_000,
    keepaliveBatchTtlFraction: 0.25,
    keepaliveBatchIdsMax: 1000,
    expiriesPerTickMax: 100,
    lockExpiriesPerTickMax: 100,
    proposalRetryMs: 1_000,
  };
}

export function validateSessionTrackerConfig(config: SessionTrackerConfig, limits: KvLimits): { ok: true } | { ok: false; message: string } {
  const positive: (keyof SessionTrackerConfig)[] = ['keepaliveBatchIdsMax', 'expiriesPerTickMax', 'lockExpiriesPerTickMax', 'proposalRetryMs'];
  for (const name of positive) {
    if (!Number.isSafeInteger(config[name]) || config[name] < 1) return { ok: false, message: `${name} must be a positive integer` };
  }
  if (!Number.isSafeInteger(config.reconnectGraceMs) || config.reconnectGraceMs < 0) {
    return { ok: false, message: 'reconnectGraceMs must be a non-negative integer' };
  }
  if (!(config.keepaliveBatchTtlFraction > 0 && config.keepaliveBatchTtlFraction <= 1)) {
    return { ok: false, message: 'keepaliveBatchTtlFraction must be in (0, 1]' };
  }
  if (config.keepaliveBatchIdsMax > limits.sessionIdsPerCommandMax || config.expiriesPerTickMax > limits.sessionIdsPerCommandMax) {
    return { ok: false, message: 'keepaliveBatchIdsMax and expiriesPerTickMax must be <= limits.sessionIdsPerCommandMax' };
  }
  if (config.lockExpiriesPerTickMax > limits.lockHoldsPerCommandMax) {
    return { ok: false, message: 'lockExpiriesPerTickMax must be <= limits.lockHoldsPerCommandMax' };
  }
  return { ok: true };
}

/** A session as the state machine has it (id, TTL, replicated deadline). */
export interface ReplicatedSession {
  readonly id: number;
  readonly ttlMs: number;
  readonly deadlineMs: number;
}

export type KeepaliveOutcome =
  | { readonly id: number; readonly ok: true; readonly ttlMs: number; readonly remainingMs: number }
  | { readonly id: number; readonly ok: false; readonly reason: 'session-not-found' | 'session-expired' };

/** Where the tracker reads due lock timeouts (the group's current state machine). */
export interface LockTimeoutSource {
  dueLockTimeouts(nowMs: number, itemsMax: number): DueLockTimeouts;
}

interface TrackedSession {
  readonly id: number;
  readonly ttlMs: number;
  deadlineMs: number;
  /** When an expiry was proposed (null: none pending). */
  expiryProposedAtMs: number | null;
}

/** Stale heap entries (of forgotten sessions) allowed beyond the live ones before a rebuild. */
const HEAP_SLACK_ENTRIES = 64;

export class SessionTracker {
  private readonly sessions = new Map<number, TrackedSession>();
  private readonly heap = new DeadlineHeap();
  /** Distinct TTLs of tracked sessions with their counts (for the batch interval). */
  private readonly ttlCounts = new Map<number, number>();
  private readonly keptAlive = new Set<number>();
  /** Lock timeouts proposed and not yet applied: key -> proposed at. */
  private lockProposals = new Map<string, number>();
  private leader = false;
  private leaderSinceMs = 0;
  private lastBatchMs = 0;
  private lastNowMs = 0;

  constructor(
    private readonly config: SessionTrackerConfig,
    private readonly lockSource: LockTimeoutSource,
  ) {
    assert(config.keepaliveBatchTtlFraction > 0 && config.keepaliveBatchTtlFraction <= 1, 'bad keepaliveBatchTtlFraction');
  }

  get isLeader(): boolean {
    return this.leader;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The in-memory deadline of a tracked session, or null. */
  deadlineOf(id: number): number | null {
    return this.sessions.get(id)?.deadlineMs ?? null;
  }

  onBecomeLeader(nowMs: number, sessions: readonly ReplicatedSession[]): void {
    this.clear();
    this.leader = true;
    this.lastNowMs = Math.max(this.lastNowMs, nowMs);
    this.leaderSinceMs = this.lastNowMs;
    this.lastBatchMs = this.lastNowMs;
    for (const session of sessions) this.track(session);
  }

  onLoseLeadership(): void {
    this.clear();
    this.leader = false;
  }

  /** Follow what the log applied while leader: opened sessions are tracked, ended ones dropped.
   *  Keepalive batches are ignored: they carry the leader's own renewals (already here) or,
   *  from a previous term, renewals the reconnect grace already covers. */
  observeApplied(command: KvCommand, result: KvResult): void {
    if (!this.leader || !result.ok) return;
    if (result.kind === 'sessionOpen') {
      this.track({ id: result.sessionId, ttlMs: result.ttlMs, deadlineMs: result.deadlineMs });
    } else if (result.kind === 'sessionClose' && command.type === 'sessionClose') {
      this.forget(command.sessionId);
    } else if (result.kind === 'sessionExpire') {
      for (const id of result.expired) this.forget(id);
      for (const id of result.missing) this.forget(id);
    }
  }

  /** How far a session's deadline can fall back if this leader fails: its renewals reach the
   *  log once per batch interval, and the ones not yet replicated are lost with it. */
  get unreplicatedWindowMs(): number {
    return this.sessions.size === 0 ? 0 : this.batchIntervalMs();
  }

  /** Renews sessions in memory. A session past its deadline (or being expired) is not renewed.
   *  `remainingMs` is the lease the session holds whatever happens to this leader: the TTL
   *  less the unreplicated window (a new leader starts from the replicated deadline). */
  keepalive(ids: readonly number[], nowMs: number): KeepaliveOutcome[] {
    assert(this.leader, 'keepalive on a follower');
    const now = this.advanceClock(nowMs);
    return ids.map((id): KeepaliveOutcome => {
      const session = this.sessions.get(id);
      if (session === undefined) return { id, ok: false, reason: 'session-not-found' };
      if (session.expiryProposedAtMs !== null || now >= session.deadlineMs) return { id, ok: false, reason: 'session-expired' };
      session.deadlineMs = now + session.ttlMs;
      this.keptAlive.add(id);
      return { id, ok: true, ttlMs: session.ttlMs, remainingMs: session.ttlMs - this.batchIntervalMs() };
    });
  }

  /** The commands to propose now (possibly none). */
  tick(nowMs: number): KvCommand[] {
    assert(this.leader, 'tick on a follower');
    const now = this.advanceClock(nowMs);
    const commands: KvCommand[] = [];
    const expiring = this.collectExpiries(now);
    if (expiring.length > 0) commands.push({ type: 'sessionExpire', sessionIds: expiring, nowMs: now });
    commands.push(...this.keepaliveBatches(now));
    commands.push(...this.lockTimeoutCommands(now));
    this.compactHeap();
    return commands;
  }

  // --- internals ------------------------------------------------------------------------

  private advanceClock(nowMs: number): number {
    assert(Number.isSafeInteger(nowMs) && nowMs >= 0, `bad nowMs ${nowMs}`);
    this.lastNowMs = Math.max(this.lastNowMs, nowMs);
    return this.lastNowMs;
  }

  private clear(): void {
    this.sessions.clear();
    this.heap.clear();
    this.ttlCounts.clear();
    this.keptAlive.clear();
    this.lockProposals.clear();
  }

  private track(session: ReplicatedSession): void {
    if (this.sessions.has(session.id)) return;
    const deadlineMs = Math.max(session.deadlineMs, this.leaderSinceMs + this.config.reconnectGraceMs);
    this.sessions.set(session.id, { id: session.id, ttlMs: session.ttlMs, deadlineMs, expiryProposedAtMs: null });
    this.ttlCounts.set(session.ttlMs, (this.ttlCounts.get(session.ttlMs) ?? 0) + 1);
    this.heap.push({ dueMs: deadlineMs, id: session.id });
  }

  private forget(id: number): void {
    const session = this.sessions.get(id);
    if (session === undefined) return;
    this.sessions.delete(id);
    this.keptAlive.delete(id);
    const count = this.ttlCounts.get(session.ttlMs) ?? 0;
    assert(count > 0, `ttl count of ${session.ttlMs} missing`);
    if (count === 1) this.ttlCounts.delete(session.ttlMs);
    else this.ttlCounts.set(session.ttlMs, count - 1);
    // Its heap entry is dropped lazily when it surfaces.
  }

  private dueOf(session: TrackedSession): number {
    return session.expiryProposedAtMs === null ? session.deadlineMs : session.expiryProposedAtMs + this.config.proposalRetryMs;
  }

  /** Pops due sessions, earliest first, up to the budget. Entries whose session moved on are
   *  re-pushed at their current due time; entries of forgotten sessions are dropped. */
  private collectExpiries(nowMs: number): number[] {
    const ids: number[] = [];
    // Each live session is popped at most twice per tick (stale, then due), so this bounds it.
    let visitsLeft = this.heap.size * 2 + 1;
    while (ids.length < this.config.expiriesPerTickMax && visitsLeft > 0) {
      const top = this.heap.peek();
      if (top === undefined || top.dueMs > nowMs) break;
      visitsLeft -= 1;
      this.heap.pop();
      const session = this.sessions.get(top.id);
      if (session === undefined) continue;
      const dueMs = this.dueOf(session);
      if (dueMs !== top.dueMs) {
        // Due times only move later (keepalives extend, proposals push to a retry time).
        assert(dueMs > top.dueMs, `session ${top.id} due moved back from ${top.dueMs} to ${dueMs}`);
        this.heap.push({ dueMs, id: top.id });
        continue;
      }
      ids.push(top.id);
      this.keptAlive.delete(top.id);
      session.expiryProposedAtMs = nowMs;
      this.heap.push({ dueMs: this.dueOf(session), id: top.id });
    }
    assert(visitsLeft >= 0, 'expiry scan exceeded its bound');
    return ids;
  }

  private batchIntervalMs(): number {
    let ttlMin = Number.POSITIVE_INFINITY;
    for (const ttlMs of this.ttlCounts.keys()) ttlMin = Math.min(ttlMin, ttlMs);
    return Math.max(1, Math.floor(ttlMin * this.config.keepaliveBatchTtlFraction));
  }

  private keepaliveBatches(nowMs: number): KvCommand[] {
    if (this.keptAlive.size === 0 || nowMs < this.lastBatchMs + this.batchIntervalMs()) return [];
    const ids = [...this.keptAlive].sort((a, b) => a - b);
    this.keptAlive.clear();
    this.lastBatchMs = nowMs;
    const commands: KvCommand[] = [];
    for (let start = 0; start < ids.length; start += this.config.keepaliveBatchIdsMax) {
      commands.push({ type: 'sessionKeepaliveBatch', sessionIds: ids.slice(start, start + this.config.keepaliveBatchIdsMax), nowMs });
    }
    return commands;
  }

  /** Expired holds in one command, expired waits one command each, at most
   *  lockExpiriesPerTickMax in all. A proposal not applied yet is repeated only after
   *  proposalRetryMs. */
  private lockTimeoutCommands(nowMs: number): KvCommand[] {
    const budget = this.config.lockExpiriesPerTickMax;
    const due = this.lockSource.dueLockTimeouts(nowMs, budget + this.lockProposals.size);
    // Only what is still due can still be pending: anything else has applied.
    const pending = new Map<string, number>();
    let proposed = 0;
    const shouldPropose = (key: string): boolean => {
      const proposedAtMs = this.lockProposals.get(key);
      if (proposedAtMs !== undefined && nowMs < proposedAtMs + this.config.proposalRetryMs) {
        pending.set(key, proposedAtMs);
        return false;
      }
      if (proposed >= budget) return false;
      proposed += 1;
      pending.set(key, nowMs);
      return true;
    };
    const holds = due.holds.filter((hold) => shouldPropose(`hold\u0000${hold.name}\u0000${hold.token}`));
    const commands: KvCommand[] = holds.length > 0 ? [{ type: 'lockExpireHolds', holds, nowMs }] : [];
    for (const wait of due.waits) {
      if (!shouldPropose(`wait\u0000${wait.name}\u0000${wait.sessionId}\u0000${wait.requestId}`)) continue;
      commands.push({ type: 'lockCancelWait', name: wait.name, sessionId: wait.sessionId, requestId: wait.requestId, nowMs });
    }
    this.lockProposals = pending;
    return commands;
  }

  /** Rebuilds the heap when stale entries of forgotten sessions pile up. */
  private compactHeap(): void {
    if (this.heap.size <= this.sessions.size * 2 + HEAP_SLACK_ENTRIES) return;
    this.heap.clear();
    for (const session of this.sessions.values()) this.heap.push({ dueMs: this.dueOf(session), id: session.id });
  }
}
