import type { KvCommand } from '../../server/kv/commands';
import { defaultKvLimits } from '../../server/kv/limits';
import type { SessionTrackerConfig } from '../../server/kv/session-tracker';
import { SessionTracker, defaultSessionTrackerConfig, validateSessionTrackerConfig } from '../../server/kv/session-tracker';
import { Harness, cmd } from './helpers';

const config: SessionTrackerConfig = {
  reconnectGraceMs: 1000,
  keepaliveBatchTtlFraction: 0.25,
  keepaliveBatchIdsMax: 2,
  expiriesPerTickMax: 2,
  lockExpiriesPerTickMax: 2,
  proposalRetryMs: 500,
};

/** Leader-side harness: a state machine, a tracker reading its locks, and a log. */
class Leader {
  readonly h = new Harness();
  readonly tracker: SessionTracker;

  constructor(trackerConfig: SessionTrackerConfig = config) {
    this.tracker = new SessionTracker(trackerConfig, this.h.sm);
  }

  /** Applies on the state machine and lets the tracker observe, as the host would. */
  apply(command: KvCommand): void {
    const output = this.h.apply(command);
    this.tracker.observeApplied(command, output.result);
  }

  open(ttlMs: number, nowMs: number): number {
    const before = this.h.index;
    this.apply(cmd.open(ttlMs, nowMs));
    return before + 1;
  }

  /** One tick; proposals are applied at once (a healthy log). */
  tick(nowMs: number): KvCommand[] {
    const commands = this.tracker.tick(nowMs);
    for (const command of commands) this.apply(command);
    return commands;
  }
}

describe('SessionTrackerConfig', () => {
  it('validates every bound against the limits', () => {
    const limits = defaultKvLimits();
    expect(validateSessionTrackerConfig(defaultSessionTrackerConfig(), limits)).toEqual({ ok: true });
    expect(validateSessionTrackerConfig({ ...config, keepaliveBatchTtlFraction: 0 }, limits)).toMatchObject({ ok: false, message: 'keepaliveBatchTtlFraction must be in (0, 1]' });
    expect(validateSessionTrackerConfig({ ...config, expiriesPerTickMax: 0 }, limits)).toMatchObject({ ok: false });
    expect(validateSessionTrackerConfig({ ...config, expiriesPerTickMax: limits.sessionIdsPerCommandMax + 1 }, limits)).toMatchObject({ ok: false });
    expect(validateSessionTrackerConfig({ ...config, reconnectGraceMs: -1 }, limits)).toMatchObject({ ok: false });
  });
});

describe('keepalives', () => {
  it('renews in memory and replicates one batch per interval with the sessions that kept alive', () => {
    const leader = new Leader();
    leader.tracker.onBecomeLeader(0, []);
    const a = leader.open(4000, 0);
    const b = leader.open(8000, 0);
    const c = leader.open(8000, 0);
    // Interval = min TTL 4000 x 0.25 = 1000 ms.
    expect(leader.tracker.keepalive([b, a, 99], 300)).toEqual([
      { id: b, ok: true, ttlMs: 8000, remainingMs: 7000 }, // TTL less the 1000 ms batch interval
      { id: a, ok: true, ttlMs: 4000, remainingMs: 3000 },
      { id: 99, ok: false, reason: 'session-not-found' },
    ]);
    expect(leader.tracker.deadlineOf(a)).toBe(4300);
    expect(leader.tick(999)).toEqual([]);
    expect(leader.tick(1000)).toEqual([{ type: 'sessionKeepaliveBatch', sessionIds: [a, b], nowMs: 1000 }]);
    expect(leader.h.sm.session(a)?.deadlineMs).toBe(5000);
    // Nothing kept alive since: no batch. Then a batch no sooner than one interval later.
    expect(leader.tick(2500)).toEqual([]);
    leader.tracker.keepalive([c], 2600);
    expect(leader.tick(2600)).toEqual([{ type: 'sessionKeepaliveBatch', sessionIds: [c], nowMs: 2600 }]);
    leader.tracker.keepalive([a], 2700);
    expect(leader.tick(3000)).toEqual([]);
    expect(leader.tick(3600)).toHaveLength(1);
  });

  it('splits a large batch into commands of keepaliveBatchIdsMax ids', () => {
    const leader = new Leader();
    leader.tracker.onBecomeLeader(0, []);
    const ids = [leader.open(4000, 0), leader.open(4000, 0), leader.open(4000, 0)];
    leader.tracker.keepalive(ids, 100);
    expect(leader.tick(1000)).toEqual([
      { type: 'sessionKeepaliveBatch', sessionIds: ids.slice(0, 2), nowMs: 1000 },
      { type: 'sessionKeepaliveBatch', sessionIds: ids.slice(2), nowMs: 1000 },
    ]);
  });
});

describe('expiry', () => {
  it('expires sessions past their deadline, earliest first, within the per-tick budget', () => {
    const leader = new Leader();
    leader.tracker.onBecomeLeader(0, []);
    const ids = [leader.open(3000, 0), leader.open(2000, 0), leader.open(2500, 0), leader.open(5000, 0)];
    leader.apply(cmd.create('/e', 'last', { ephemeralOwner: ids[1] }));
    expect(leader.tick(1999)).toEqual([]);
    // Deadlines: 3000, 2000, 2500, 5000. Budget 2 per tick.
    expect(leader.tick(3000)).toEqual([{ type: 'sessionExpire', sessionIds: [ids[1], ids[2]], nowMs: 3000 }]);
    expect(leader.h.sm.exists('/e')).toBe(false);
    expect(leader.tick(3001)).toEqual([{ type: 'sessionExpire', sessionIds: [ids[0]], nowMs: 3001 }]);
    expect(leader.tracker.size).toBe(1);
    expect(leader.tick(4000)).toEqual([]);
    expect(leader.tick(5000)).toEqual([{ type: 'sessionExpire', sessionIds: [ids[3]], nowMs: 5000 }]);
    expect(leader.h.sm.sessions()).toEqual([]);
  });

  it('refuses keepalives past the deadline or while an expiry is pending, and retries unapplied expiries', () => {
    const leader = new Leader();
    leader.tracker.onBecomeLeader(0, []);
    const a = leader.open(2000, 0);
    const b = leader.open(2000, 0);
    expect(leader.tracker.keepalive([a], 2000)).toEqual([{ id: a, ok: false, reason: 'session-expired' }]);
    // The proposal is lost (not applied): the tracker proposes again after proposalRetryMs.
    expect(leader.tracker.tick(2000)).toEqual([{ type: 'sessionExpire', sessionIds: [a, b], nowMs: 2000 }]);
    expect(leader.tracker.keepalive([b], 2001)).toEqual([{ id: b, ok: false, reason: 'session-expired' }]);
    expect(leader.tracker.tick(2499)).toEqual([]);
    expect(leader.tick(2500)).toEqual([{ type: 'sessionExpire', sessionIds: [a, b], nowMs: 2500 }]);
    expect(leader.tracker.size).toBe(0);
    expect(leader.tick(5000)).toEqual([]);
  });

  it('a keepalive just in time moves the expiry', () => {
    const leader = new Leader();
    leader.tracker.onBecomeLeader(0, []);
    const a = leader.open(2000, 0);
    leader.tracker.keepalive([a], 1999);
    expect(leader.tick(2000)).toEqual([{ type: 'sessionKeepaliveBatch', sessionIds: [a], nowMs: 2000 }]);
    expect(leader.tick(3998)).toEqual([]);
    expect(leader.tick(3999)).toEqual([{ type: 'sessionExpire', sessionIds: [a], nowMs: 3999 }]);
  });
});

describe('leader change', () => {
  it('gives every session the later of its replicated deadline and now + grace', () => {
    const old = new Leader();
    old.tracker.onBecomeLeader(0, []);
    const early = old.open(2000, 0); // replicated deadline 2000
    const late = old.open(9000, 0); // replicated deadline 9000
    old.apply(cmd.create('/m/dead', 'client-died', { ephemeralOwner: early, makeParents: true }));
    old.tracker.onLoseLeadership();
    // The new leader takes over at 1500 with grace 1000: early -> 2500, late stays 9000.
    const tracker = new SessionTracker(config, old.h.sm);
    tracker.onBecomeLeader(1500, old.h.sm.sessions());
    expect(tracker.deadlineOf(early)).toBe(2500);
    expect(tracker.deadlineOf(late)).toBe(9000);
    expect(tracker.tick(2499)).toEqual([]);
    expect(tracker.tick(2500)).toEqual([{ type: 'sessionExpire', sessionIds: [early], nowMs: 2500 }]);
    // A live client that reconnects within the grace keeps its session.
    tracker.keepalive([late], 2600);
    expect(tracker.deadlineOf(late)).toBe(11_600);
  });

  it('a session opened by the previous leader and applied later also gets the grace', () => {
    const leader = new Leader();
    leader.tracker.onBecomeLeader(10_000, []);
    const stale = leader.open(2000, 5000); // stamped by the old leader: deadline 7000
    expect(leader.tracker.deadlineOf(stale)).toBe(11_000);
  });

  it('ignores calls as a follower and clamps a clock that steps back', () => {
    const leader = new Leader();
    expect(() => leader.tracker.tick(0)).toThrow('tick on a follower');
    leader.tracker.onBecomeLeader(5000, []);
    const a = leader.open(2000, 5000);
    expect(leader.tracker.deadlineOf(a)).toBe(7000);
    expect(leader.tracker.keepalive([a], 1000)).toEqual([{ id: a, ok: true, ttlMs: 2000, remainingMs: 1500 }]);
    expect(leader.tracker.deadlineOf(a)).toBe(7000); // renewed from the clamped 5000, not 1000
  });
});

describe('lock timeouts', () => {
  it('proposes max-hold releases and wait cancellations once, retrying only after proposalRetryMs', () => {
    const leader = new Leader();
    leader.tracker.onBecomeLeader(0, []);
    const [a, b, c] = [leader.open(60_000, 0), leader.open(60_000, 0), leader.open(60_000, 0)];
    leader.apply(cmd.acquire('/l', a, 1, { maxHoldMs: 1000, nowMs: 0 }));
    leader.apply(cmd.acquire('/l', b, 1, { waitTimeoutMs: 500, nowMs: 0 }));
    leader.apply(cmd.acquire('/l', c, 1, { nowMs: 0 }));
    const token = leader.h.sm.lock('/l')?.holder?.token as number;
    expect(leader.tracker.tick(499)).toEqual([]);
    expect(leader.tracker.tick(500)).toEqual([{ type: 'lockCancelWait', name: '/l', sessionId: b, requestId: 1, nowMs: 500 }]);
    expect(leader.tracker.tick(600)).toEqual([]); // pending: not proposed again yet
    expect(leader.tracker.tick(1000)).toEqual([
      { type: 'lockExpireHolds', holds: [{ name: '/l', token }], nowMs: 1000 },
      { type: 'lockCancelWait', name: '/l', sessionId: b, requestId: 1, nowMs: 1000 },
    ]);
    leader.apply(cmd.expireHolds([{ name: '/l', token }], 1000));
    expect(leader.h.sm.lock('/l')?.holder?.sessionId).toBe(c);
    expect(leader.tick(1100)).toEqual([]);
    expect(leader.h.sm.lock('/l')?.waiters).toEqual([]);
  });

  it('is deterministic: the same inputs give the same proposals', () => {
    const runs = [0, 1].map(() => {
      const leader = new Leader();
      leader.tracker.onBecomeLeader(0, []);
      const out: KvCommand[][] = [];
      for (let step = 0; step < 40; step += 1) {
        if (step % 7 === 0) leader.open(1000 + (step % 3) * 500, step * 100);
        leader.tracker.keepalive(leader.h.sm.sessions().filter((session) => session.id % 2 === step % 2).map((session) => session.id), step * 100);
        out.push(leader.tick(step * 100 + 50));
      }
      return out;
    });
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0].flat().length).toBeGreaterThan(5);
  });
});
