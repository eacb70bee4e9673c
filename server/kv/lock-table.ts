// The server-side lock table of a KV group. A lock has at most one holder (a session) and a
// FIFO queue of waiting sessions: a release wakes exactly the next waiter, never a herd.
// The fencing token of a grant is the Raft index of the entry that grants it, so tokens
// are strictly increasing per lock (and across locks of the group).
//
// Every mutator here checks before it mutates: an error return means nothing changed.
// Session liveness is the caller's business (the state machine checks it and asserts that
// every holder and waiter is a live session).

import { assert } from '../util/assert';
import type { LockAcquireCommand, LockAcquireResult, LockHoldRef } from './commands';
import { NO_SESSION } from './commands';
import { kvError } from './kv-error';
import type { KvError } from './kv-error';
import type { KvLimits } from './limits';

export interface LockHolder {
  readonly sessionId: number;
  readonly requestId: number;
  readonly token: number;
  readonly grantedAtMs: number;
  /** 0: no maximum hold time. */
  readonly maxHoldMs: number;
}

export interface LockWaiter {
  readonly sessionId: number;
  readonly requestId: number;
  readonly maxHoldMs: number;
  readonly enqueuedAtMs: number;
  /** 0: waits until granted or cancelled. */
  readonly waitDeadlineMs: number;
}

export interface LockRecord {
  readonly name: string;
  holder: LockHolder | null;
  readonly waiters: LockWaiter[];
}

export interface LockInfo {
  readonly name: string;
  readonly holder: LockHolder | null;
  readonly waiters: readonly LockWaiter[];
}

/** A queued acquire that is now granted: the host answers the waiting call. */
export interface LockGrant {
  readonly name: string;
  readonly sessionId: number;
  readonly requestId: number;
  readonly token: number;
}

export interface LockWaitRef {
  readonly name: string;
  readonly sessionId: number;
  readonly requestId: number;
}

export interface DueLockTimeouts {
  readonly holds: readonly LockHoldRef[];
  readonly waits: readonly LockWaitRef[];
}

export function holdDeadlineMs(holder: LockHolder): number {
  return holder.maxHoldMs === 0 ? Number.POSITIVE_INFINITY : holder.grantedAtMs + holder.maxHoldMs;
}

export class LockTable {
  private readonly locks = new Map<string, LockRecord>();
  /** Locks each session holds or waits for. */
  private readonly bySession = new Map<number, Set<string>>();
  /** Locks with a max-hold holder or a waiter with a wait deadline (the tracker scans these). */
  private readonly timed = new Set<string>();

  constructor(private readonly limits: KvLimits) {}

  get size(): number {
    return this.locks.size;
  }

  get(name: string): Readonly<LockRecord> | undefined {
    return this.locks.get(name);
  }

  names(): string[] {
    return [...this.locks.keys()].sort();
  }

  /** Locks the session holds or waits for, sorted. */
  locksOf(sessionId: number): string[] {
    return [...(this.bySession.get(sessionId) ?? [])].sort();
  }

  sessionsWithLocks(): IterableIterator<number> {
    return this.bySession.keys();
  }

  /** Checks the request, then grants, queues, or answers busy. */
  acquire(command: LockAcquireCommand, index: number): LockAcquireResult | KvError {
    const { name, sessionId, requestId } = command;
    const lock = this.locks.get(name);
    if (lock !== undefined) {
      const held = this.answerExisting(lock, sessionId, requestId);
      if (held !== null) return held;
      assert(lock.holder !== null, `lock ${name} has waiters but no holder`);
      if (command.waitTimeoutMs === 0) return { ok: true, kind: 'lockAcquire', status: 'busy', holderSessionId: lock.holder.sessionId };
    }
    const sessionLocks = this.bySession.get(sessionId)?.size ?? 0;
    if (sessionLocks >= this.limits.locksPerSessionMax) {
      return kvError('resource-exhausted', `session ${sessionId} already holds or waits for ${sessionLocks} locks (locksPerSessionMax)`);
    }
    if (lock === undefined) {
      if (this.locks.size >= this.limits.locksMax) return kvError('resource-exhausted', `group has ${this.locks.size} locks (locksMax)`);
      const created: LockRecord = { name, holder: null, waiters: [] };
      this.locks.set(name, created);
      this.grant(created, { sessionId, requestId, maxHoldMs: command.maxHoldMs }, index, command.nowMs);
      return { ok: true, kind: 'lockAcquire', status: 'granted', token: index, reentrant: false };
    }
    if (lock.waiters.length >= this.limits.locksWaitersMax) {
      return kvError('resource-exhausted', `lock ${name} has ${lock.waiters.length} waiters (locksWaitersMax)`);
    }
    const waitDeadlineMs = command.waitTimeoutMs === null ? 0 : command.nowMs + command.waitTimeoutMs;
    lock.waiters.push({ sessionId, requestId, maxHoldMs: command.maxHoldMs, enqueuedAtMs: command.nowMs, waitDeadlineMs });
    this.index(sessionId, name);
    this.refreshTimed(lock);
    return { ok: true, kind: 'lockAcquire', status: 'queued', position: lock.waiters.length };
  }

  /** The session already holds the lock (re-entrant or retried) or already waits for it. */
  private answerExisting(lock: LockRecord, sessionId: number, requestId: number): LockAcquireResult | KvError | null {
    if (lock.holder?.sessionId === sessionId) {
      return { ok: true, kind: 'lockAcquire', status: 'granted', token: lock.holder.token, reentrant: true };
    }
    const at = lock.waiters.findIndex((waiter) => waiter.sessionId === sessionId);
    if (at === -1) return null;
    if (lock.waiters[at].requestId === requestId) return { ok: true, kind: 'lockAcquire', status: 'queued', position: at + 1 };
    return kvError('already-exists', `session ${sessionId} already waits for lock ${lock.name} with request ${lock.waiters[at].requestId}`);
  }

  /** Releases the hold with `token`; the next live waiter (if any) is granted at `index`. */
  release(name: string, token: number, index: number, nowMs: number, grants: LockGrant[]): { nextHolder: number } | KvError {
    const lock = this.locks.get(name);
    if (lock === undefined || lock.holder === null) return kvError('lock-not-held', `lock ${name} is not held`);
    if (lock.holder.token !== token) {
      return kvError('lock-not-held', `lock ${name} is held with token ${lock.holder.token}, not ${token}`);
    }
    this.unindex(lock.holder.sessionId, name);
    lock.holder = null;
    return { nextHolder: this.grantNext(lock, index, nowMs, grants) };
  }

  /** Removes a waiting request. If it was granted meanwhile, reports the token it holds. */
  cancelWait(name: string, sessionId: number, requestId: number): { cancelled: boolean; heldToken: number | null } | KvError {
    const lock = this.locks.get(name);
    const holder = lock?.holder;
    if (holder !== undefined && holder !== null && holder.sessionId === sessionId && holder.requestId === requestId) {
      return { cancelled: false, heldToken: holder.token };
    }
    const at = lock === undefined ? -1 : lock.waiters.findIndex((w) => w.sessionId === sessionId && w.requestId === requestId);
    if (lock === undefined || at === -1) {
      return kvError('not-found', `session ${sessionId} request ${requestId} is not waiting for lock ${name}`);
    }
    lock.waiters.splice(at, 1);
    this.unindex(sessionId, name);
    this.refreshTimed(lock);
    return { cancelled: true, heldToken: null };
  }

  /** Releases each hold whose token still holds; stale references are skipped. */
  expireHolds(holds: readonly LockHoldRef[], index: number, nowMs: number, grants: LockGrant[]): string[] {
    const released: string[] = [];
    for (const hold of holds) {
      const outcome = this.release(hold.name, hold.token, index, nowMs, grants);
      if ('nextHolder' in outcome) released.push(hold.name);
    }
    return released;
  }

  /** A session ended: drop its waits, release its holds (granting next waiters). */
  dropSession(sessionId: number, index: number, nowMs: number, grants: LockGrant[]): number {
    const names = this.locksOf(sessionId);
    let released = 0;
    for (const name of names) {
      const lock = this.locks.get(name);
      assert(lock !== undefined, `indexed lock ${name} missing`);
      if (lock.holder?.sessionId === sessionId) {
        this.unindex(sessionId, name);
        lock.holder = null;
        released += 1;
        this.grantNext(lock, index, nowMs, grants);
      } else {
        const at = lock.waiters.findIndex((waiter) => waiter.sessionId === sessionId);
        assert(at !== -1, `session ${sessionId} indexed on lock ${name} but neither holds nor waits`);
        lock.waiters.splice(at, 1);
        this.unindex(sessionId, name);
        this.refreshTimed(lock);
      }
    }
    assert(!this.bySession.has(sessionId), `session ${sessionId} still indexed after drop`);
    return released;
  }

  /** Holds past their max hold time and waits past their deadline at `nowMs`, earliest
   *  first, at most `itemsMax` of each. */
  dueTimeouts(nowMs: number, itemsMax: number): DueLockTimeouts {
    const holds: { ref: LockHoldRef; dueMs: number }[] = [];
    const waits: { ref: LockWaitRef; dueMs: number }[] = [];
    for (const name of this.timed) {
      const lock = this.locks.get(name);
      assert(lock !== undefined && lock.holder !== null, `timed lock ${name} missing or free`);
      const holdDueMs = holdDeadlineMs(lock.holder);
      if (holdDueMs <= nowMs) holds.push({ ref: { name, token: lock.holder.token }, dueMs: holdDueMs });
      for (const waiter of lock.waiters) {
        if (waiter.waitDeadlineMs === 0 || waiter.waitDeadlineMs > nowMs) continue;
        waits.push({ ref: { name, sessionId: waiter.sessionId, requestId: waiter.requestId }, dueMs: waiter.waitDeadlineMs });
      }
    }
    const byDue = (a: { ref: { name: string }; dueMs: number }, b: { ref: { name: string }; dueMs: number }): number =>
      a.dueMs - b.dueMs || (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0);
    return {
      holds: holds.sort(byDue).slice(0, itemsMax).map((item) => item.ref),
      waits: waits.sort(byDue).slice(0, itemsMax).map((item) => item.ref),
    };
  }

  info(name: string): LockInfo | null {
    const lock = this.locks.get(name);
    if (lock === undefined) return null;
    return { name, holder: lock.holder, waiters: [...lock.waiters] };
  }

  // --- restore --------------------------------------------------------------------------

  restoreLock(record: LockRecord): void {
    assert(!this.locks.has(record.name), `restore: lock ${record.name} twice`);
    assert(record.holder !== null, `restore: lock ${record.name} without holder`);
    this.locks.set(record.name, record);
    this.index(record.holder.sessionId, record.name);
    for (const waiter of record.waiters) this.index(waiter.sessionId, record.name);
    this.refreshTimed(record);
  }

  // --- internals ------------------------------------------------------------------------

  private grant(lock: LockRecord, who: { sessionId: number; requestId: number; maxHoldMs: number }, index: number, nowMs: number): void {
    assert(lock.holder === null, `grant: lock ${lock.name} is held`);
    lock.holder = { sessionId: who.sessionId, requestId: who.requestId, token: index, grantedAtMs: nowMs, maxHoldMs: who.maxHoldMs };
    this.index(who.sessionId, lock.name);
    this.refreshTimed(lock);
  }

  /** Grants the first waiter whose wait has not timed out at `nowMs`; waiters that timed
   *  out are dropped on the way (their callers have given up already). Bounded by the queue.
   *  Returns the new holder's session, or NO_SESSION (and the lock is gone). */
  private grantNext(lock: LockRecord, index: number, nowMs: number, grants: LockGrant[]): number {
    assert(lock.holder === null, `grantNext: lock ${lock.name} is held`);
    while (lock.waiters.length > 0) {
      const waiter = lock.waiters.shift() as LockWaiter;
      if (waiter.waitDeadlineMs !== 0 && waiter.waitDeadlineMs <= nowMs) {
        this.unindex(waiter.sessionId, lock.name);
        continue;
      }
      // The waiter is already indexed on this lock: unindex first so grant re-indexes it.
      this.unindex(waiter.sessionId, lock.name);
      this.grant(lock, waiter, index, nowMs);
      grants.push({ name: lock.name, sessionId: waiter.sessionId, requestId: waiter.requestId, token: index });
      return waiter.sessionId;
    }
    this.locks.delete(lock.name);
    this.timed.delete(lock.name);
    return NO_SESSION;
  }

  private refreshTimed(lock: LockRecord): void {
    const isTimed =
      lock.holder !== null && (lock.holder.maxHoldMs !== 0 || lock.waiters.some((waiter) => waiter.waitDeadlineMs !== 0));
    if (isTimed) this.timed.add(lock.name);
    else this.timed.delete(lock.name);
  }

  private index(sessionId: number, name: string): void {
    let names = this.bySession.get(sessionId);
    if (names === undefined) {
      names = new Set();
      this.bySession.set(sessionId, names);
    }
    assert(!names.has(name), `session ${sessionId} indexed twice on lock ${name}`);
    names.add(name);
  }

  private unindex(sessionId: number, name: string): void {
    const names = this.bySession.get(sessionId);
    assert(names !== undefined && names.delete(name), `session ${sessionId} not indexed on lock ${name}`);
    if (names.size === 0) this.bySession.delete(sessionId);
  }
}
