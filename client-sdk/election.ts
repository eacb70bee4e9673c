// Leader election on top of locks. Campaigning for `name` means: take the lock `name` (FIFO,
// so candidates queue fairly), then write an ephemeral node at the path `name` holding the
// candidate's value, guarded by the lock's token, so that a deposed leader's late write can
// never overwrite its successor's. The leader is whoever's value that node holds; observing
// the election is watching that path.

import type { CallOptions } from './call-options';
import { CancelledError, CorralError, LockWaitTimeoutError, NotFoundError } from './errors';
import type { KvApi } from './kv-api';
import { type HeldLock, type LockApi, type LockLost, LOCK_TTL_MS_DEFAULT } from './lock';
import type { CorralSession } from './session';
import { lockPath } from './shard-map';
import { toBytes, type Value } from './values';
import type { Watch, WatchOptions } from './watch';

export interface ElectionDeps {
  readonly kv: KvApi;
  readonly locks: LockApi;
  watch(path: string, options: WatchOptions): Watch;
  openSession(ttlMs: number, options: CallOptions): Promise<CorralSession>;
}

export interface CampaignOptions extends CallOptions {
  /** The candidate's session; without one a dedicated session (ttlMs) is opened. */
  readonly session?: CorralSession;
  readonly ttlMs?: number;
}

export interface LeaderInfo {
  readonly value: Buffer;
  /** The leader's sub-session id (owner of the election node). */
  readonly sessionId: number;
  /** Revision at which this leader's value was written. */
  readonly revision: number;
}

/** One wait in the lock queue; campaigning waits in rounds of this until it wins or is
 *  aborted (the call's own timeout, if given, still bounds the whole campaign). */
export const CAMPAIGN_WAIT_ROUND_MS = 30_000;
/** Most attempts to read a consistent initial leader for observe(). */
const INITIAL_READ_ATTEMPTS_MAX = 3;

export class Leadership {
  constructor(
    private readonly deps: ElectionDeps,
    readonly lock: HeldLock,
    private valueBuffer: Buffer,
    /** A session opened for this campaign alone: closed on resign. */
    private readonly ownedSession: CorralSession | null,
  ) {}

  get token(): number {
    return this.lock.token;
  }

  get value(): Buffer {
    return this.valueBuffer;
  }

  /** Settles when leadership is lost without resigning (session expiry, hold limit). */
  get lost(): Promise<LockLost> {
    return this.lock.lost;
  }

  /** Changes the advertised value (only while still the leader: guarded by the token). */
  async proclaim(value: Value, options: CallOptions = {}): Promise<void> {
    await this.deps.kv.put(this.lock.name, value, { ...options, ephemeral: true, session: this.lock.session, guard: this.lock.guard });
    this.valueBuffer = Buffer.from(toBytes(value));
  }

  /** Removes the election node (guarded) and releases the lock. */
  async resign(options: CallOptions = {}): Promise<void> {
    try {
      if (this.lock.held) await this.deps.kv.delete(this.lock.name, { ...options, ignoreMissing: true, guard: this.lock.guard });
    } catch (error) {
      // Not the leader any more: the node is someone else's, and nothing is left to undo.
      if (CorralError.from(error).code !== 'lock-not-held') throw error;
    } finally {
      await this.lock.release(options).catch(() => undefined);
      if (this.ownedSession !== null) await this.ownedSession.close(options).catch(() => undefined);
    }
  }
}

export class Election {
  readonly path: string;
  private current: Leadership | null = null;

  constructor(
    private readonly deps: ElectionDeps,
    name: string,
  ) {
    this.path = lockPath(name);
  }

  /** Waits until this candidate leads, then publishes `value`. */
  async campaign(value: Value, options: CampaignOptions = {}): Promise<Leadership> {
    const owned = options.session === undefined ? await this.deps.openSession(options.ttlMs ?? LOCK_TTL_MS_DEFAULT, callOptions(options)) : null;
    const session = options.session ?? owned!;
    try {
      const lock = await this.waitForLock(session, options);
      try {
        await this.deps.kv.put(this.path, value, { ...callOptions(options), ephemeral: true, session, guard: lock.guard });
      } catch (error) {
        await lock.release().catch(() => undefined);
        throw error;
      }
      this.current = new Leadership(this.deps, lock, Buffer.from(toBytes(value)), owned);
      return this.current;
    } catch (error) {
      if (owned !== null) await owned.close().catch(() => undefined);
      throw error;
    }
  }

  private async waitForLock(session: CorralSession, options: CampaignOptions): Promise<HeldLock> {
    const deadlineMs = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    // Bounded by the deadline (if any) and by the signal; each round waits CAMPAIGN_WAIT_ROUND_MS.
    for (;;) {
      if (options.signal?.aborted === true) throw new CancelledError(`campaign for ${this.path} was cancelled`);
      const waitMs = Math.floor(Math.min(CAMPAIGN_WAIT_ROUND_MS, deadlineMs - Date.now()));
      if (waitMs <= 0) throw new LockWaitTimeoutError(`campaign for ${this.path} did not win within ${options.timeoutMs} ms`);
      try {
        return await this.deps.locks.acquire(this.path, { session, waitMs, ...callOptions(options) });
      } catch (error) {
        if (!(error instanceof LockWaitTimeoutError)) throw error;
      }
    }
  }

  /** Resigns the leadership won by this object's last campaign, if any. */
  async resign(options: CallOptions = {}): Promise<void> {
    const current = this.current;
    this.current = null;
    if (current !== null) await current.resign(options);
  }

  /** The current leader, or null when nobody leads. */
  async leader(options: CallOptions = {}): Promise<LeaderInfo | null> {
    return (await this.readLeader(options)).leader;
  }

  private async readLeader(options: CallOptions): Promise<{ readonly leader: LeaderInfo | null; readonly revision: number }> {
    let lastError: unknown = null;
    for (let attempt = 0; attempt < INITIAL_READ_ATTEMPTS_MAX; attempt++) {
      const probe = await this.deps.kv.existsAt(this.path, options);
      if (probe.stat === null) return { leader: null, revision: probe.revision };
      try {
        const got = await this.deps.kv.get(this.path, options);
        return { leader: { value: got.value, sessionId: got.stat.ephemeralOwner, revision: got.stat.modRevision }, revision: got.revision };
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        lastError = error; // Deleted between the two reads: look again.
      }
    }
    throw CorralError.from(lastError);
  }

  /** The leader now, then every change (null: nobody leads), until the signal aborts. */
  async *observe(options: CallOptions = {}): AsyncGenerator<LeaderInfo | null> {
    const initial = await this.readLeader(options);
    yield initial.leader;
    const watch = this.deps.watch(this.path, { kind: 'path', fromRevision: initial.revision + 1, ...(options.signal !== undefined ? { signal: options.signal } : {}) });
    try {
      for await (const event of watch) {
        yield event.type === 'REMOVE' ? null : { value: event.value, sessionId: event.stat.ephemeralOwner, revision: event.revision };
      }
    } finally {
      watch.close();
    }
  }
}

function callOptions(options: CallOptions): CallOptions {
  return options.signal !== undefined ? { signal: options.signal } : {};
}
