// Expiring global locks with fencing tokens. `acquire` asks the server's lock table (FIFO
// queue, no herd) to grant the lock to a session; the token is the Raft index of the grant,
// strictly increasing per lock, and can guard writes (`lock.guard`).
//
// A held lock is LOST when its session expires or is closed, or when its maximum hold time
// runs out (counted conservatively from when the acquire was sent). `lost` settles then; it
// never settles after a clean release. Without a session of its own the lock opens a
// dedicated one (ttlMs) and closes it on release.

import type { LockInfo__Output } from '../proto/gen/corral/v1/LockInfo';
import type { CallOptions } from './call-options';
import { CorralError, InvalidArgumentError, LockNotHeldError, LockWaitTimeoutError } from './errors';
import { corralMethods } from './methods';
import type { RequestRunner } from './request-runner';
import type { CorralSession } from './session';
import { bareNamespace } from './session-api';
import { lockPath, namespaceOfPath } from './shard-map';
import type { LockGuard } from './values';

export interface LockOptions extends CallOptions {
  /** The holder. Without one, a dedicated session is opened and closed on release. */
  readonly session?: CorralSession;
  /** TTL of the dedicated session (ignored with `session`). Default 15 000 ms. */
  readonly ttlMs?: number;
  /** How long to wait in the queue; 0 (default): fail at once if the lock is held. */
  readonly waitMs?: number;
  /** The server releases the lock after this long; 0 (default): no maximum. */
  readonly maxHoldMs?: number;
}

export type LockLostReason = 'session-expired' | 'session-closed' | 'max-hold-elapsed';

export interface LockLost {
  readonly reason: LockLostReason;
  readonly message: string;
}

export interface LockWaiterInfo {
  readonly sessionId: number;
  readonly requestId: number;
  readonly waitDeadlineMs: number;
}

export interface LockState {
  readonly name: string;
  /** 0 when free. */
  readonly holderSessionId: number;
  readonly token: number;
  readonly waiters: readonly LockWaiterInfo[];
  readonly grantedAtMs: number;
  readonly maxHoldMs: number;
}

export const LOCK_TTL_MS_DEFAULT = 15_000;
/** Slack added to a waiting acquire's deadline beyond its wait, for the answer to arrive. */
const ACQUIRE_ANSWER_SLACK_MS = 5_000;

export function lockStateOf(info: LockInfo__Output): LockState {
  return {
    name: info.name,
    holderSessionId: Number(info.holder_session_id),
    token: Number(info.token),
    waiters: info.waiters.map((w) => ({ sessionId: Number(w.session_id), requestId: Number(w.request_id), waitDeadlineMs: Number(w.wait_deadline_ms) })),
    grantedAtMs: Number(info.granted_at_ms),
    maxHoldMs: Number(info.max_hold_ms),
  };
}

export class HeldLock {
  readonly lost: Promise<LockLost>;
  private resolveLost!: (lost: LockLost) => void;
  private heldValue = true;
  private holdTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly api: LockApi,
    readonly name: string,
    readonly token: number,
    /** The holder's sub-session id (in the lock's group). */
    readonly sessionId: number,
    readonly session: CorralSession,
    private readonly ownsSession: boolean,
    maxHoldMs: number,
    acquireSentAtMs: number,
  ) {
    this.lost = new Promise<LockLost>((resolve) => {
      this.resolveLost = resolve;
    });
    void session.ended.then((end) => {
      this.markLost(end.state === 'EXPIRED' ? 'session-expired' : 'session-closed', `the holding session ended: ${end.reason}`);
    });
    if (maxHoldMs > 0) {
      this.holdTimer = setTimeout(() => this.markLost('max-hold-elapsed', `the maximum hold time of ${maxHoldMs} ms ran out`), Math.max(0, acquireSentAtMs + maxHoldMs - Date.now()));
      this.holdTimer.unref();
    }
  }

  /** Still held, as far as this client knows. */
  get held(): boolean {
    return this.heldValue;
  }

  /** A guard for writes that must only apply while this lock is held. */
  get guard(): LockGuard {
    return { lock: this.name, token: this.token };
  }

  private markLost(reason: LockLostReason, message: string): void {
    if (!this.heldValue) return;
    this.stopHolding();
    this.resolveLost({ reason, message });
  }

  private stopHolding(): void {
    this.heldValue = false;
    if (this.holdTimer !== null) clearTimeout(this.holdTimer);
    this.holdTimer = null;
  }

  /** Releases the lock (and closes the dedicated session, if any). Rejects with
   *  LockNotHeldError if the server says this token no longer holds it. */
  async release(options: CallOptions = {}): Promise<void> {
    const wasHeld = this.heldValue;
    this.stopHolding();
    try {
      if (wasHeld) await this.api.release(this.name, this.token, options);
    } finally {
      if (this.ownsSession) await this.session.close(options).catch(() => undefined);
    }
  }
}

export class LockApi {
  constructor(
    private readonly runner: RequestRunner,
    private readonly openSession: (ttlMs: number, options: CallOptions) => Promise<CorralSession>,
  ) {}

  async acquire(name: string, options: LockOptions = {}): Promise<HeldLock> {
    const path = lockPath(name);
    const namespace = namespaceOfPath(path);
    const waitMs = options.waitMs ?? 0;
    const maxHoldMs = options.maxHoldMs ?? 0;
    if (!Number.isSafeInteger(waitMs) || waitMs < 0) throw new InvalidArgumentError(`lock ${path}: waitMs must be an integer >= 0, got ${waitMs}`);
    if (!Number.isSafeInteger(maxHoldMs) || maxHoldMs < 0) throw new InvalidArgumentError(`lock ${path}: maxHoldMs must be an integer >= 0, got ${maxHoldMs}`);
    const ownsSession = options.session === undefined;
    const session = options.session ?? (await this.openSession(options.ttlMs ?? LOCK_TTL_MS_DEFAULT, options));
    try {
      const sessionId = await session.subSessionId(namespace, options);
      const sentAtMs = Date.now();
      const token = await this.acquireToken({ path, namespace, sessionId, requestId: session.nextRequestId(), waitMs, maxHoldMs }, options);
      return new HeldLock(this, path, token, sessionId, session, ownsSession, maxHoldMs, sentAtMs);
    } catch (error) {
      await this.cleanUpFailedAcquire(path, session, ownsSession);
      throw error;
    }
  }

  private async acquireToken(
    request: { readonly path: string; readonly namespace: string; readonly sessionId: number; readonly requestId: number; readonly waitMs: number; readonly maxHoldMs: number },
    options: CallOptions,
  ): Promise<number> {
    const timeoutMs = request.waitMs + (options.timeoutMs ?? this.runner.config.defaultTimeoutMs) + (request.waitMs > 0 ? ACQUIRE_ANSWER_SLACK_MS : 0);
    const message = { name: request.path, session_id: request.sessionId, wait_ms: request.waitMs, max_hold_ms: request.maxHoldMs, request_id: request.requestId };
    try {
      const response = await this.runner.run(
        { method: corralMethods().lock.Acquire, request: message, namespace: request.namespace, role: 'leader', safety: 'idempotent-write', what: `lock ${request.path}` },
        { ...options, timeoutMs },
      );
      if (!(Number(response.token) > 0)) throw new LockWaitTimeoutError(`lock ${request.path} is held by another session${request.waitMs > 0 ? ` and was not granted within ${request.waitMs} ms` : ''}`);
      return Number(response.token);
    } catch (error) {
      throw busyAsTimeout(CorralError.from(error), request.path, request.waitMs);
    }
  }

  /** A failed or abandoned acquire must not leave a grant behind: close a dedicated
   *  session, or release a grant that slipped in for a shared one. */
  private async cleanUpFailedAcquire(path: string, session: CorralSession, ownsSession: boolean): Promise<void> {
    if (ownsSession) {
      await session.close({ timeoutMs: 5_000 }).catch(() => undefined);
      return;
    }
    const ids = new Set(session.subSessions().map((s) => s.sessionId));
    const state = await this.inspect(path, { timeoutMs: 5_000 }).catch(() => null);
    if (state !== null && ids.has(state.holderSessionId)) await this.release(path, state.token, { timeoutMs: 5_000 }).catch(() => undefined);
  }

  async release(name: string, token: number, options: CallOptions = {}): Promise<void> {
    const path = lockPath(name);
    if (!Number.isSafeInteger(token) || token < 1) throw new InvalidArgumentError(`release ${path}: token must be an integer >= 1, got ${token}`);
    await this.runner.run(
      { method: corralMethods().lock.Release, request: { name: path, token }, namespace: namespaceOfPath(path), role: 'leader', safety: 'write', what: `release lock ${path}` },
      options,
    );
  }

  async inspect(name: string, options: CallOptions & { readonly serializable?: boolean } = {}): Promise<LockState> {
    const path = lockPath(name);
    const response = await this.runner.run(
      { method: corralMethods().lock.Inspect, request: { name: path, serializable: options.serializable === true }, namespace: namespaceOfPath(path), role: 'replica', safety: 'read', what: `inspect lock ${path}` },
      options,
    );
    return lockStateOf(response);
  }

  /** Locks of one namespace (`jobs` or `/jobs`). */
  async list(namespace: string, options: CallOptions = {}): Promise<LockState[]> {
    const bare = bareNamespace(namespace, 'lock list');
    const response = await this.runner.run(
      { method: corralMethods().lock.List, request: { namespace: bare }, namespace: bare, role: 'replica', safety: 'read', what: `list locks in /${bare}` },
      options,
    );
    return response.locks.map(lockStateOf);
  }
}

/** However the server phrases "held by someone else and the wait ran out", it is a
 *  LockWaitTimeoutError to the caller (exit code 3 in the CLI). */
function busyAsTimeout(error: CorralError, path: string, waitMs: number): CorralError {
  if (error instanceof LockWaitTimeoutError || error instanceof LockNotHeldError) return error;
  const busy = (error.code === 'deadline-exceeded' && error.details.serverCode !== undefined) || (error.code === 'failed-precondition' && /held|busy|wait/i.test(error.message));
  if (!busy) return error;
  return new LockWaitTimeoutError(`lock ${path} is held by another session${waitMs > 0 ? ` and was not granted within ${waitMs} ms` : ''} (${error.message})`, error.details);
}
