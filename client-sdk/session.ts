// A client session: one logical session made of one sub-session per KV group it touches,
// opened lazily (Session.Open with the namespace) and kept alive together through the
// client's KeepAliveHub (one stream per server node). It reports its state as events:
//
//   CONNECTED    the first sub-session is open
//   SUSPENDED    a keepalive failed or went unanswered; carries the lease time left
//   RECONNECTED  every sub-session answered a keepalive again
//   EXPIRED      the server expired a sub-session, a call was refused as expired, or the
//                lease ran out locally without an answer (terminal; the rest are closed)
//   CLOSED       close() was called (terminal)
//
// The lease estimate is conservative: it counts from when the renewing keepalive was SENT,
// so `remainingMs()` never exceeds what the server grants.

import { assert } from './assert';
import type { CallOptions } from './call-options';
import { CorralError, SessionExpiredError, UnavailableError } from './errors';
import type { KeepAliveHub, KeepAliveVerdict } from './keepalive-hub';
import { corralMethods } from './methods';
import type { RequestRunner } from './request-runner';
import type { SessionHandle } from './session-handle';
import { groupOfNamespace } from './shard-map';
import { TypedEmitter } from './typed-emitter';

export type SessionState = 'CONNECTING' | 'CONNECTED' | 'SUSPENDED' | 'EXPIRED' | 'CLOSED';

export type SessionEvent =
  | { readonly type: 'CONNECTED'; readonly remainingMs: number }
  | { readonly type: 'SUSPENDED'; readonly remainingMs: number }
  | { readonly type: 'RECONNECTED'; readonly remainingMs: number }
  | { readonly type: 'EXPIRED'; readonly reason: string }
  | { readonly type: 'CLOSED' };

export interface SessionEvents {
  [event: string]: readonly unknown[];
  state: [SessionEvent];
  connected: [];
  suspended: [remainingMs: number];
  reconnected: [];
  expired: [reason: string];
  closed: [];
}

export interface SessionOptions extends CallOptions {
  /** Lease length asked for; the server may raise it to its floor. */
  readonly ttlMs: number;
  /** Namespaces to open sub-sessions in right away (others open on first use). */
  readonly namespaces?: readonly string[];
  /** Keepalive period; default a third of the TTL. */
  readonly keepAliveIntervalMs?: number;
}

export interface SubSessionInfo {
  readonly groupId: number;
  /** The namespace it was opened through. */
  readonly namespace: string;
  readonly sessionId: number;
  readonly ttlMs: number;
}

export interface SessionEnd {
  readonly state: 'EXPIRED' | 'CLOSED';
  readonly reason: string;
}

interface SubSession extends SubSessionInfo {
  /** Local time by which the server's lease surely still holds. */
  leaseDeadlineMs: number;
  /** When the last keepalive that renewed it was sent (or when it was opened). */
  renewedAtMs: number;
  healthy: boolean;
  /** When the outstanding keepalive was sent (null: none outstanding). */
  inflightSinceMs: number | null;
}

export const SESSION_TTL_MS_MIN = 100;
export const SESSION_TTL_MS_MAX = 24 * 60 * 60 * 1000;
/** Fastest keepalive period, however short the TTL. */
const KEEPALIVE_INTERVAL_MS_MIN = 50;
/** A sub-session not renewed for this many keepalive periods makes the session SUSPENDED.
 *  A single refused keepalive (a leader that moved) is retried at once and does not. */
const SUSPEND_AFTER_INTERVALS = 1.5;

export class CorralSession extends TypedEmitter<SessionEvents> implements SessionHandle {
  private stateValue: SessionState = 'CONNECTING';
  private readonly subs = new Map<number, SubSession>();
  private readonly opening = new Map<number, Promise<SubSession>>();
  private requestCounter = 0;
  private timer: NodeJS.Timeout | null = null;
  private resolveEnd!: (end: SessionEnd) => void;
  readonly ended: Promise<SessionEnd>;
  readonly keepAliveIntervalMs: number;

  constructor(
    private readonly runner: RequestRunner,
    private readonly hub: KeepAliveHub,
    readonly ttlMs: number,
    keepAliveIntervalMs?: number,
  ) {
    super();
    if (!Number.isSafeInteger(ttlMs) || ttlMs < SESSION_TTL_MS_MIN || ttlMs > SESSION_TTL_MS_MAX) {
      throw new RangeError(`session ttlMs must be an integer in [${SESSION_TTL_MS_MIN}, ${SESSION_TTL_MS_MAX}], got ${ttlMs}`);
    }
    this.keepAliveIntervalMs = Math.max(KEEPALIVE_INTERVAL_MS_MIN, keepAliveIntervalMs ?? Math.floor(ttlMs / 3));
    this.ended = new Promise<SessionEnd>((resolve) => {
      this.resolveEnd = resolve;
    });
  }

  get state(): SessionState {
    return this.stateValue;
  }

  get isLive(): boolean {
    return this.stateValue === 'CONNECTING' || this.stateValue === 'CONNECTED' || this.stateValue === 'SUSPENDED';
  }

  subSessions(): SubSessionInfo[] {
    return [...this.subs.values()].map(({ groupId, namespace, sessionId, ttlMs }) => ({ groupId, namespace, sessionId, ttlMs }));
  }

  /** Lease time left: the minimum over sub-sessions (the TTL before any is open). */
  remainingMs(nowMs = Date.now()): number {
    if (!this.isLive) return 0;
    let remaining = this.ttlMs;
    for (const sub of this.subs.values()) remaining = Math.min(remaining, sub.leaseDeadlineMs - nowMs);
    return Math.max(0, remaining);
  }

  nextRequestId(): number {
    this.requestCounter += 1;
    return this.requestCounter;
  }

  async subSessionId(namespace: string, options: CallOptions = {}): Promise<number> {
    this.checkLive();
    const groupId = await this.groupOf(namespace, options);
    const existing = this.subs.get(groupId);
    if (existing !== undefined) return existing.sessionId;
    let pending = this.opening.get(groupId);
    if (pending === undefined) {
      pending = this.open(groupId, namespace, options).finally(() => this.opening.delete(groupId));
      this.opening.set(groupId, pending);
    }
    return (await pending).sessionId;
  }

  noteExpired(namespace: string, reason: string): void {
    this.expire(`a call in /${namespace} was refused: ${reason}`);
  }

  private checkLive(): void {
    if (!this.isLive) throw new SessionExpiredError(`the session is ${this.stateValue.toLowerCase()}`);
  }

  private async groupOf(namespace: string, options: CallOptions): Promise<number> {
    const topology = this.runner.topology;
    if (topology.view === null) await topology.refresh(Date.now() + (options.timeoutMs ?? this.runner.config.defaultTimeoutMs), options.signal);
    const groupId = groupOfNamespace(topology.view?.slots ?? [], namespace);
    if (groupId === undefined) throw new UnavailableError(`the shard map is not known yet; cannot place /${namespace}`);
    return groupId;
  }

  private async open(groupId: number, namespace: string, options: CallOptions): Promise<SubSession> {
    const sentAtMs = Date.now();
    // A resent Open can at worst leave an empty extra session that expires on its own.
    const response = await this.runner.run(
      { method: corralMethods().session.Open, request: { ttl_ms: this.ttlMs, namespace }, namespace, role: 'leader', safety: 'idempotent-write', what: `open a session in /${namespace}` },
      options,
    );
    const ttlMs = Number(response.ttl_ms) > 0 ? Number(response.ttl_ms) : this.ttlMs;
    const sub: SubSession = { groupId, namespace, sessionId: Number(response.session_id), ttlMs, leaseDeadlineMs: sentAtMs + ttlMs, renewedAtMs: sentAtMs, healthy: true, inflightSinceMs: null };
    if (!this.isLive) {
      void this.closeSub(sub, {}).catch(() => undefined);
      throw new SessionExpiredError(`the session is ${this.stateValue.toLowerCase()}`);
    }
    assert(!this.subs.has(groupId), `a second sub-session opened for group ${groupId}`);
    this.subs.set(groupId, sub);
    if (this.stateValue === 'CONNECTING') {
      this.stateValue = 'CONNECTED';
      this.startTimer();
      this.emit('connected');
      this.emit('state', { type: 'CONNECTED', remainingMs: this.remainingMs() });
    }
    return sub;
  }

  private startTimer(): void {
    if (this.timer !== null) return;
    const interval = this.stateValue === 'SUSPENDED' ? this.retryIntervalMs() : this.keepAliveIntervalMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
      if (this.isLive) this.startTimer();
    }, interval);
    this.timer.unref();
  }

  private restartTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.isLive) this.startTimer();
  }

  /** One keepalive round: expire on a lapsed lease, suspend on unanswered keepalives, send. */
  private tick(): void {
    const now = Date.now();
    if (this.subs.size > 0 && this.remainingMs(now) <= 0) {
      this.expire('the lease ran out before any keepalive was answered');
      return;
    }
    const topology = this.runner.topology;
    if (topology.needsRefresh) void topology.refresh(now + this.keepAliveIntervalMs, undefined).catch(() => undefined);
    for (const sub of this.subs.values()) {
      if (now - sub.renewedAtMs > this.keepAliveIntervalMs * SUSPEND_AFTER_INTERVALS) this.markUnhealthy(sub);
      // An unanswered keepalive is given one period before it is sent again.
      if (sub.inflightSinceMs !== null && now - sub.inflightSinceMs < this.keepAliveIntervalMs) continue;
      const target = topology.route({ namespace: sub.namespace, role: 'leader', rotation: 0 });
      sub.inflightSinceMs = now;
      const sentAtMs = now;
      this.hub.enqueue(target.address, sub.namespace, sub.sessionId, (verdict) => this.onVerdict(sub, verdict, sentAtMs, target.groupId));
    }
  }

  private onVerdict(sub: SubSession, verdict: KeepAliveVerdict, sentAtMs: number, groupId: number | undefined): void {
    if (sub.inflightSinceMs === sentAtMs) sub.inflightSinceMs = null;
    if (!this.isLive || this.subs.get(sub.groupId) !== sub) return;
    switch (verdict.kind) {
      case 'alive': {
        const grantedMs = verdict.remainingMs > 0 ? verdict.remainingMs : sub.ttlMs;
        sub.leaseDeadlineMs = Math.max(sub.leaseDeadlineMs, verdict.sentAtMs + grantedMs);
        sub.renewedAtMs = Math.max(sub.renewedAtMs, verdict.sentAtMs);
        assert(sub.leaseDeadlineMs >= sub.renewedAtMs, `sub-session ${sub.sessionId}: lease ends before its last renewal`);
        sub.healthy = true;
        if (this.stateValue === 'SUSPENDED' && [...this.subs.values()].every((s) => s.healthy)) this.reconnected();
        return;
      }
      case 'expired':
        this.expire(`the server expired sub-session ${sub.sessionId} (group ${sub.groupId}, /${sub.namespace})`);
        return;
      case 'failed':
        if (verdict.error.details.leaderId !== undefined && groupId !== undefined) this.runner.topology.noteLeader(groupId, verdict.error.details.leaderId);
        else this.runner.topology.invalidate();
        if (verdict.error instanceof SessionExpiredError) this.expire(verdict.error.message);
        else this.retrySoon();
        return;
    }
  }

  /** A refused or broken keepalive is sent again after a short pause (to the hinted or
   *  refreshed leader), rather than after a whole period. */
  private retrySoon(): void {
    if (!this.isLive) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
      if (this.isLive) this.startTimer();
    }, this.retryIntervalMs());
    this.timer.unref();
  }

  private retryIntervalMs(): number {
    return Math.max(KEEPALIVE_INTERVAL_MS_MIN, Math.floor(this.keepAliveIntervalMs / 3));
  }

  private markUnhealthy(sub: SubSession): void {
    sub.healthy = false;
    if (this.stateValue !== 'CONNECTED') return;
    this.stateValue = 'SUSPENDED';
    const remainingMs = this.remainingMs();
    this.emit('suspended', remainingMs);
    this.emit('state', { type: 'SUSPENDED', remainingMs });
    this.restartTimer();
  }

  private reconnected(): void {
    this.stateValue = 'CONNECTED';
    this.emit('reconnected');
    this.emit('state', { type: 'RECONNECTED', remainingMs: this.remainingMs() });
    this.restartTimer();
  }

  private end(state: 'EXPIRED' | 'CLOSED', reason: string): boolean {
    if (!this.isLive) return false;
    this.stateValue = state;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.resolveEnd({ state, reason });
    return true;
  }

  private expire(reason: string): void {
    if (!this.end('EXPIRED', reason)) return;
    // Whatever is still open goes too: the session as a whole is over.
    for (const sub of this.subs.values()) void this.closeSub(sub, {}).catch(() => undefined);
    this.emit('expired', reason);
    this.emit('state', { type: 'EXPIRED', reason });
  }

  private async closeSub(sub: SubSessionInfo, options: CallOptions): Promise<void> {
    try {
      await this.runner.run(
        { method: corralMethods().session.Close, request: { session_id: sub.sessionId, namespace: sub.namespace }, namespace: sub.namespace, role: 'leader', safety: 'idempotent-write', what: `close session ${sub.sessionId}` },
        options,
      );
    } catch (error) {
      const coded = CorralError.from(error);
      if (coded.code !== 'not-found' && coded.code !== 'session-expired') throw coded;
    }
  }

  /** Closes every sub-session on the server (their ephemeral nodes go, their locks are
   *  released). Idempotent; a session that already expired just stays expired. */
  async close(options: CallOptions = {}): Promise<void> {
    const subs = [...this.subs.values()];
    if (!this.end('CLOSED', 'closed by the client')) return;
    try {
      await Promise.all(subs.map((sub) => this.closeSub(sub, options)));
    } finally {
      this.emit('closed');
      this.emit('state', { type: 'CLOSED' });
    }
  }

  /** Stops keepalives without telling the server (the session lapses after its TTL). */
  abandon(): void {
    this.end('CLOSED', 'abandoned by the client');
  }
}
