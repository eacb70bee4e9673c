// Replicated session records of a KV group: TTL, the replicated deadline (a conservative
// bound the leader refreshes with batched keepalives; the leader's in-memory deadlines in
// SessionTracker are the authority), and the memory of recent idempotent requests.
//
// Also remembers the ids of recently expired sessions (bounded), so that a request naming
// one is answered `session-expired` rather than `session-not-found`.

import { assert } from '../util/assert';
import type { KvResult, RequestTag } from './commands';
import type { KvLimits } from './limits';

export interface SessionRecord {
  readonly id: number;
  readonly ttlMs: number;
  deadlineMs: number;
  /** requestId -> original result, oldest first (Map keeps insertion order). */
  readonly requests: Map<number, KvResult>;
}

export interface SessionInfo {
  readonly id: number;
  readonly ttlMs: number;
  /** Replicated deadline: last batched keepalive's leader time + TTL. */
  readonly deadlineMs: number;
}

export type SessionStatus = 'live' | 'expired' | 'unknown';

export class SessionTable {
  private readonly sessions = new Map<number, SessionRecord>();
  /** Recently expired ids, oldest first, at most expiredSessionsRememberedMax. */
  private readonly expiredOrder: number[] = [];
  private readonly expiredSet = new Set<number>();

  constructor(private readonly limits: KvLimits) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: number): Readonly<SessionRecord> | undefined {
    return this.sessions.get(id);
  }

  status(id: number): SessionStatus {
    if (this.sessions.has(id)) return 'live';
    return this.expiredSet.has(id) ? 'expired' : 'unknown';
  }

  /** Session ids in ascending order (ids are Raft indexes, so this is opening order). */
  ids(): number[] {
    return [...this.sessions.keys()].sort((a, b) => a - b);
  }

  expiredIds(): readonly number[] {
    return this.expiredOrder;
  }

  open(id: number, ttlMs: number, deadlineMs: number): void {
    assert(!this.sessions.has(id) && !this.expiredSet.has(id), `session ${id} opened twice`);
    assert(this.sessions.size < this.limits.sessionsMax, 'sessionsMax checked by the caller');
    this.sessions.set(id, { id, ttlMs, deadlineMs, requests: new Map() });
  }

  /** Moves the replicated deadline forward (never back). Returns false if not live. */
  renew(id: number, nowMs: number): boolean {
    const session = this.sessions.get(id);
    if (session === undefined) return false;
    session.deadlineMs = Math.max(session.deadlineMs, nowMs + session.ttlMs);
    return true;
  }

  /** Forgets a live session; an expired one is remembered as such. */
  remove(id: number, expired: boolean): void {
    assert(this.sessions.delete(id), `remove: session ${id} not live`);
    if (!expired) return;
    this.rememberExpired(id);
  }

  recallRequest(tag: RequestTag): KvResult | undefined {
    return this.sessions.get(tag.sessionId)?.requests.get(tag.requestId);
  }

  /** Remembers a successful result; the oldest entry goes past requestIdsPerSessionMax. */
  rememberRequest(tag: RequestTag, result: KvResult): void {
    const session = this.sessions.get(tag.sessionId);
    assert(session !== undefined, `remember: session ${tag.sessionId} not live`);
    assert(result.ok, 'only successful results are remembered (a failure changes nothing)');
    assert(!session.requests.has(tag.requestId), `request ${tag.requestId} remembered twice`);
    session.requests.set(tag.requestId, result);
    if (session.requests.size > this.limits.requestIdsPerSessionMax) {
      const oldest = session.requests.keys().next();
      assert(oldest.done !== true, 'non-empty request memory');
      session.requests.delete(oldest.value);
    }
  }

  // --- restore --------------------------------------------------------------------------

  restoreSession(record: SessionRecord): void {
    assert(!this.sessions.has(record.id), `restore: session ${record.id} twice`);
    assert(record.requests.size <= this.limits.requestIdsPerSessionMax, 'restore: request memory too large');
    this.sessions.set(record.id, record);
  }

  restoreExpired(id: number): void {
    assert(!this.expiredSet.has(id) && !this.sessions.has(id), `restore: expired session ${id} twice or live`);
    this.rememberExpired(id);
  }

  private rememberExpired(id: number): void {
    this.expiredOrder.push(id);
    this.expiredSet.add(id);
    if (this.expiredOrder.length > this.limits.expiredSessionsRememberedMax) {
      const forgotten = this.expiredOrder.shift() as number;
      this.expiredSet.delete(forgotten);
    }
  }
}
