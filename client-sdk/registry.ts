// The DolphinScheduler-style registry: the small interface a scheduler's masters and workers
// use to register themselves, watch each other and take global locks.
//
// - put(key, value, ephemeral): upsert; creates missing parents; rewriting an ephemeral node
//   keeps its owner. Ephemeral nodes belong to the registry's session (opened lazily).
// - get(key) throws NotFoundError on a missing key; delete(key) is recursive and idempotent;
//   children(key) lists immediate child names ([] for a missing key); exists(key).
// - subscribe(path, listener): recursive; the current subtree is replayed as ADD events, then
//   ADD / UPDATE / REMOVE follow with data (REMOVE carries the last value). If the server's
//   history no longer covers a resume, the subscription re-reads the subtree and reports the
//   difference against what it had told the listener (nothing lost, nothing repeated).
// - Connection states: CONNECTED (session open), SUSPENDED (keepalives failing),
//   RECONNECTED (keepalives back, or a new session after a lost one), DISCONNECTED (the
//   session expired: its ephemeral nodes and locks are gone; the next put or lock opens a
//   new session).
// - acquireLock(key[, timeoutMs]) blocks until granted (false on timeout); releaseLock(key).
//   Reentrant per owner: the owner is this Registry object; each acquire needs a release.

import { CorralError, LockWaitTimeoutError, NotFoundError } from './errors';
import type { ElectionDeps } from './election';
import type { HeldLock } from './lock';
import type { CorralSession, SessionEvent } from './session';
import { lockPath } from './shard-map';
import type { Value } from './values';
import { type WatchDeps, type WatchEvent, WatchStream } from './watch-stream';

export type ConnectionState = 'CONNECTED' | 'SUSPENDED' | 'RECONNECTED' | 'DISCONNECTED';
export type ConnectionListener = (state: ConnectionState) => void;

export interface RegistryEvent {
  readonly type: 'ADD' | 'UPDATE' | 'REMOVE';
  readonly path: string;
  /** The new value; for REMOVE the node's last value. UTF-8. */
  readonly data: string;
}
export type RegistryListener = (event: RegistryEvent) => void;

export interface RegistryOptions {
  /** TTL of the registry's session. Default 15 000 ms. */
  readonly sessionTtlMs?: number;
}

export interface RegistryDeps extends ElectionDeps {
  readonly watchDeps: WatchDeps;
}

/** One lock wait round when acquireLock has no timeout (it waits round after round). */
const LOCK_WAIT_ROUND_MS = 30_000;
/** Most subscriptions and connection listeners per registry (leak guards). */
const SUBSCRIPTIONS_MAX = 10_000;
const CONNECTION_LISTENERS_MAX = 1_000;
/** Times a subscription re-opens after its watch ended on compaction or gave up reconnecting. */
const SUBSCRIPTION_REOPENS_MAX = 100;
const SUBSCRIPTION_REOPEN_DELAY_MS = 1_000;

interface OwnedLock {
  readonly lock: HeldLock;
  count: number;
}

export class Registry {
  private session: CorralSession | null = null;
  private opening: Promise<CorralSession> | null = null;
  private lostSession = false;
  private readonly listeners = new Set<ConnectionListener>();
  private readonly subscriptions = new Map<string, Set<Subscription>>();
  private readonly locks = new Map<string, OwnedLock>();
  private readonly pendingLocks = new Map<string, Promise<boolean>>();
  private closed = false;

  constructor(
    private readonly deps: RegistryDeps,
    private readonly options: RegistryOptions = {},
  ) {}

  private async liveSession(): Promise<CorralSession> {
    if (this.closed) throw new CorralError('cancelled', 'the registry is closed');
    if (this.session !== null && this.session.isLive) return this.session;
    if (this.opening === null) {
      this.opening = this.deps.openSession(this.options.sessionTtlMs ?? 15_000, {}).then((session) => {
        this.session = session;
        this.watchSession(session);
        return session;
      }).finally(() => {
        this.opening = null;
      });
    }
    return this.opening;
  }

  private watchSession(session: CorralSession): void {
    session.on('state', (event: SessionEvent) => {
      if (this.session !== session) return;
      switch (event.type) {
        case 'CONNECTED':
          this.notify(this.lostSession ? 'RECONNECTED' : 'CONNECTED');
          this.lostSession = false;
          return;
        case 'SUSPENDED':
          this.notify('SUSPENDED');
          return;
        case 'RECONNECTED':
          this.notify('RECONNECTED');
          return;
        case 'EXPIRED':
        case 'CLOSED':
          this.lostSession = true;
          this.locks.clear();
          if (!this.closed) this.notify('DISCONNECTED');
          return;
      }
    });
  }

  private notify(state: ConnectionState): void {
    for (const listener of [...this.listeners]) listener(state);
  }

  addConnectionStateListener(listener: ConnectionListener): () => void {
    if (this.listeners.size >= CONNECTION_LISTENERS_MAX) throw new RangeError(`more than ${CONNECTION_LISTENERS_MAX} connection listeners`);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async put(key: string, value: Value, ephemeral: boolean): Promise<void> {
    if (!ephemeral) {
      await this.deps.kv.put(key, value);
      return;
    }
    await this.deps.kv.put(key, value, { ephemeral: true, session: await this.liveSession() });
  }

  async get(key: string): Promise<string> {
    return (await this.deps.kv.get(key)).value.toString('utf8');
  }

  async delete(key: string): Promise<void> {
    await this.deps.kv.delete(key, { recursive: true, ignoreMissing: true });
  }

  async children(key: string): Promise<string[]> {
    try {
      return (await this.deps.kv.list(key)).children.map((c) => c.name);
    } catch (error) {
      if (error instanceof NotFoundError) return [];
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.deps.kv.exists(key)) !== null;
  }

  /** Subscribes to the subtree at `path`; returns the function that unsubscribes. */
  subscribe(path: string, listener: RegistryListener): () => void {
    const count = [...this.subscriptions.values()].reduce((n, set) => n + set.size, 0);
    if (count >= SUBSCRIPTIONS_MAX) throw new RangeError(`more than ${SUBSCRIPTIONS_MAX} subscriptions`);
    const subscription = new Subscription(path, listener, this.deps.watchDeps);
    let set = this.subscriptions.get(path);
    if (set === undefined) this.subscriptions.set(path, (set = new Set()));
    set.add(subscription);
    return () => {
      subscription.close();
      set!.delete(subscription);
    };
  }

  /** Ends every subscription of `path`. */
  unsubscribe(path: string): void {
    for (const subscription of this.subscriptions.get(path) ?? []) subscription.close();
    this.subscriptions.delete(path);
  }

  /** Blocks until the lock is granted (true) or `timeoutMs` runs out (false). */
  async acquireLock(key: string, timeoutMs?: number): Promise<boolean> {
    const name = lockPath(key);
    const owned = this.locks.get(name);
    if (owned !== undefined && owned.lock.held) {
      owned.count += 1;
      return true;
    }
    const pending = this.pendingLocks.get(name);
    if (pending !== undefined) {
      // The same owner is already waiting: share its outcome, then count this entry too.
      if (!(await pending)) return false;
      return this.acquireLock(key, 0);
    }
    const attempt = this.waitForLock(name, timeoutMs).finally(() => this.pendingLocks.delete(name));
    this.pendingLocks.set(name, attempt);
    return attempt;
  }

  private async waitForLock(name: string, timeoutMs: number | undefined): Promise<boolean> {
    const deadlineMs = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    // Bounded by timeoutMs when given; without one it waits round after round, as asked.
    for (;;) {
      const waitMs = Math.max(0, Math.floor(Math.min(LOCK_WAIT_ROUND_MS, deadlineMs - Date.now())));
      try {
        const lock = await this.deps.locks.acquire(name, { session: await this.liveSession(), waitMs });
        this.locks.set(name, { lock, count: 1 });
        void lock.lost.then(() => {
          if (this.locks.get(name)?.lock === lock) this.locks.delete(name);
        });
        return true;
      } catch (error) {
        if (!(error instanceof LockWaitTimeoutError)) throw error;
        if (Date.now() >= deadlineMs) return false;
      }
    }
  }

  /** Undoes one acquireLock; the lock is released when every acquire has been undone.
   *  Returns false when this owner did not hold the lock. */
  async releaseLock(key: string): Promise<boolean> {
    const name = lockPath(key);
    const owned = this.locks.get(name);
    if (owned === undefined || !owned.lock.held) {
      this.locks.delete(name);
      return false;
    }
    owned.count -= 1;
    if (owned.count > 0) return true;
    this.locks.delete(name);
    await owned.lock.release();
    return true;
  }

  /** Ends subscriptions, releases locks and closes the session (ephemeral nodes go). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const path of [...this.subscriptions.keys()]) this.unsubscribe(path);
    this.locks.clear();
    await this.session?.close().catch(() => undefined);
    this.listeners.clear();
  }
}

/** One recursive subscription with a mirror of what the listener has been told. */
class Subscription {
  private readonly mirror = new Map<string, string>();
  private stream: WatchStream | null = null;
  private resyncSeen: Set<string> | null = null;
  private reopens = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly listener: RegistryListener,
    private readonly deps: WatchDeps,
  ) {
    this.open();
  }

  private open(): void {
    this.resyncSeen = new Set();
    this.stream = new WatchStream(this.path, { kind: 'subtree', replay: true }, this.deps, {
      event: (event) => this.onEvent(event),
      replayDone: () => this.onReplayDone(),
      end: (end) => {
        if (this.closed || end.reason !== 'error') return;
        const code = end.error.code;
        if ((code !== 'compacted' && code !== 'unavailable') || this.reopens >= SUBSCRIPTION_REOPENS_MAX) return;
        // Compacted history (or a stream that gave up): re-read the subtree and diff.
        this.reopens += 1;
        setTimeout(() => {
          if (!this.closed) this.open();
        }, code === 'compacted' ? 0 : SUBSCRIPTION_REOPEN_DELAY_MS).unref();
      },
    });
  }

  private onEvent(event: WatchEvent): void {
    const data = (event.type === 'REMOVE' ? (event.prevValue ?? Buffer.alloc(0)) : event.value).toString('utf8');
    if (event.replayed) {
      this.resyncSeen?.add(event.path);
      const known = this.mirror.get(event.path);
      if (known === data) return;
      this.mirror.set(event.path, data);
      this.listener({ type: known === undefined ? 'ADD' : 'UPDATE', path: event.path, data });
      return;
    }
    if (event.type === 'REMOVE') this.mirror.delete(event.path);
    else this.mirror.set(event.path, data);
    this.listener({ type: event.type, path: event.path, data });
  }

  private onReplayDone(): void {
    const seen = this.resyncSeen;
    this.resyncSeen = null;
    if (seen === null) return;
    for (const [path, data] of [...this.mirror]) {
      if (seen.has(path)) continue;
      this.mirror.delete(path);
      this.listener({ type: 'REMOVE', path, data });
    }
  }

  close(): void {
    this.closed = true;
    this.stream?.close();
  }
}
