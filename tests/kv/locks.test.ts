import { Harness, cmd, op, testLimits } from './helpers';

function sessions(h: Harness, count: number): number[] {
  return Array.from({ length: count }, () => h.openSession());
}

describe('lock acquire and release', () => {
  it('grants a free lock at once with the entry index as fencing token', () => {
    const h = new Harness();
    const [s] = sessions(h, 1);
    const output = h.apply(cmd.acquire('/locks/report', s, 1, { nowMs: 50 }));
    expect(output.result).toEqual({ ok: true, kind: 'lockAcquire', status: 'granted', token: 2, reentrant: false });
    expect(output.lockGrants).toEqual([]);
    expect(h.sm.lock('/locks/report')).toEqual({
      name: '/locks/report', holder: { sessionId: s, requestId: 1, token: 2, grantedAtMs: 50, maxHoldMs: 0 }, waiters: [],
    });
    expect(h.sm.session(s)?.locks).toEqual(['/locks/report']);
    expect(h.sm.revision).toBe(0);
  });

  it('queues contenders FIFO and wakes exactly the next one per release, tokens strictly increasing', () => {
    const h = new Harness();
    const [a, b, c, d] = sessions(h, 4);
    const tokenA = h.ok(cmd.acquire('/l', a, 1)).token as number;
    expect(h.ok(cmd.acquire('/l', c, 1))).toMatchObject({ status: 'queued', position: 1 });
    expect(h.ok(cmd.acquire('/l', b, 1))).toMatchObject({ status: 'queued', position: 2 });
    expect(h.ok(cmd.acquire('/l', d, 1))).toMatchObject({ status: 'queued', position: 3 });
    const holders: number[] = [];
    const tokens = [tokenA];
    for (let round = 0; round < 3; round += 1) {
      const holder = h.sm.lock('/l')?.holder;
      if (holder == null) throw new Error('lock should be held');
      const output = h.apply(cmd.release('/l', holder.token));
      expect(output.lockGrants).toHaveLength(1);
      const grant = output.lockGrants[0];
      expect(grant.token).toBe(h.index);
      expect(output.result).toEqual({ ok: true, kind: 'lockRelease', nextHolderSessionId: grant.sessionId });
      holders.push(grant.sessionId);
      tokens.push(grant.token);
    }
    expect(holders).toEqual([c, b, d]);
    for (let index = 1; index < tokens.length; index += 1) expect(tokens[index]).toBeGreaterThan(tokens[index - 1]);
    const last = h.apply(cmd.release('/l', tokens[3]));
    expect(last.result).toEqual({ ok: true, kind: 'lockRelease', nextHolderSessionId: 0 });
    expect(h.sm.locks()).toEqual([]);
  });

  it('rejects releases with a stale or wrong token without changing anything', () => {
    const h = new Harness();
    const [a, b] = sessions(h, 2);
    const first = h.ok(cmd.acquire('/l', a, 1)).token as number;
    h.ok(cmd.acquire('/l', b, 1));
    h.ok(cmd.release('/l', first));
    expect(h.fails(cmd.release('/l', first), 'lock-not-held')).toMatch(/held with token \d+, not \d+/);
    h.fails(cmd.release('/free', 1), 'lock-not-held');
    h.fails(cmd.release('bad name', 1), 'invalid-argument');
  });

  it('is re-entrant for the holding session, and idempotent for a waiting request', () => {
    const h = new Harness();
    const [a, b] = sessions(h, 2);
    const token = h.ok(cmd.acquire('/l', a, 1)).token;
    expect(h.ok(cmd.acquire('/l', a, 2))).toEqual({ ok: true, kind: 'lockAcquire', status: 'granted', token, reentrant: true });
    expect(h.ok(cmd.acquire('/l', b, 7))).toMatchObject({ status: 'queued', position: 1 });
    expect(h.ok(cmd.acquire('/l', b, 7))).toMatchObject({ status: 'queued', position: 1 });
    expect(h.fails(cmd.acquire('/l', b, 8), 'already-exists')).toContain('already waits for lock /l with request 7');
    expect(h.sm.lock('/l')?.waiters).toHaveLength(1);
  });

  it('answers busy to a try-lock instead of queueing', () => {
    const h = new Harness();
    const [a, b] = sessions(h, 2);
    h.ok(cmd.acquire('/l', a, 1, { waitTimeoutMs: 0 }));
    expect(h.ok(cmd.acquire('/l', b, 1, { waitTimeoutMs: 0 }))).toEqual({ ok: true, kind: 'lockAcquire', status: 'busy', holderSessionId: a });
    expect(h.sm.lock('/l')?.waiters).toEqual([]);
  });

  it('validates names, sessions, and hold and wait bounds', () => {
    const h = new Harness(testLimits({ lockHoldMsMax: 1000, lockWaitMsMax: 500 }));
    const [a] = sessions(h, 1);
    h.fails(cmd.acquire('/', a, 1), 'invalid-argument');
    h.fails(cmd.acquire('no-slash', a, 1), 'invalid-argument');
    h.fails(cmd.acquire('/l', 99, 1), 'session-not-found');
    expect(h.fails(cmd.acquire('/l', a, 1, { maxHoldMs: 1001 }), 'invalid-argument')).toContain('maxHoldMs 1001');
    h.fails(cmd.acquire('/l', a, 1, { waitTimeoutMs: 501 }), 'invalid-argument');
  });

  it('enforces locksWaitersMax, locksPerSessionMax and locksMax', () => {
    const h = new Harness(testLimits({ locksWaitersMax: 1, locksPerSessionMax: 2, locksMax: 3, lockHoldsPerCommandMax: 3 }));
    const [a, b, c] = sessions(h, 3);
    h.ok(cmd.acquire('/l1', a, 1));
    h.ok(cmd.acquire('/l1', b, 1));
    expect(h.fails(cmd.acquire('/l1', c, 1), 'resource-exhausted')).toContain('locksWaitersMax');
    h.ok(cmd.acquire('/l2', a, 2));
    expect(h.fails(cmd.acquire('/l3', a, 3), 'resource-exhausted')).toContain('locksPerSessionMax');
    h.ok(cmd.acquire('/l3', c, 1));
    expect(h.fails(cmd.acquire('/l4', c, 2), 'resource-exhausted')).toContain('locksMax');
  });
});

describe('cancelling waits', () => {
  it('removes a waiter; a cancel that lost the race reports the token held', () => {
    const h = new Harness();
    const [a, b, c] = sessions(h, 3);
    const token = h.ok(cmd.acquire('/l', a, 1)).token as number;
    h.ok(cmd.acquire('/l', b, 1));
    h.ok(cmd.acquire('/l', c, 1));
    expect(h.ok(cmd.cancelWait('/l', b, 1))).toEqual({ ok: true, kind: 'lockCancelWait', cancelled: true, heldToken: null });
    const release = h.apply(cmd.release('/l', token));
    expect(release.lockGrants).toEqual([{ name: '/l', sessionId: c, requestId: 1, token: h.index }]);
    expect(h.ok(cmd.cancelWait('/l', c, 1))).toEqual({ ok: true, kind: 'lockCancelWait', cancelled: false, heldToken: h.index - 1 });
    h.fails(cmd.cancelWait('/l', b, 1), 'not-found');
    h.fails(cmd.cancelWait('/other', b, 1), 'not-found');
  });

  it('skips waiters whose wait deadline has passed when granting', () => {
    const h = new Harness();
    const [a, b, c] = sessions(h, 3);
    const token = h.ok(cmd.acquire('/l', a, 1, { nowMs: 0 })).token as number;
    h.ok(cmd.acquire('/l', b, 1, { waitTimeoutMs: 100, nowMs: 0 }));
    h.ok(cmd.acquire('/l', c, 1, { waitTimeoutMs: 1000, nowMs: 0 }));
    const release = h.apply(cmd.release('/l', token, 500));
    expect(release.lockGrants.map((grant) => grant.sessionId)).toEqual([c]);
    expect(h.sm.session(b)?.locks).toEqual([]);
  });
});

describe('locks and sessions', () => {
  it('an expiring holder releases its locks and the next FIFO waiter is granted', () => {
    const h = new Harness();
    const [a, b, c] = sessions(h, 3);
    h.ok(cmd.create('/workers/a', 'a-data', { ephemeralOwner: a, makeParents: true }));
    h.ok(cmd.acquire('/l', a, 1));
    h.ok(cmd.acquire('/l', b, 2));
    h.ok(cmd.acquire('/l', c, 3));
    const output = h.apply(cmd.expire([a], 10_000));
    expect(output.lockGrants).toEqual([{ name: '/l', sessionId: b, requestId: 2, token: h.index }]);
    expect(output.events).toMatchObject([{ type: 'REMOVE', path: '/workers/a' }]);
    expect(h.sm.lock('/l')).toMatchObject({ holder: { sessionId: b, token: h.index, grantedAtMs: 10_000 }, waiters: [{ sessionId: c }] });
  });

  it('a waiting session that ends leaves the queue; close reports released locks', () => {
    const h = new Harness();
    const [a, b, c] = sessions(h, 3);
    h.ok(cmd.acquire('/l', a, 1));
    h.ok(cmd.acquire('/m', a, 2));
    h.ok(cmd.acquire('/l', b, 1));
    h.ok(cmd.acquire('/l', c, 1));
    h.ok(cmd.expire([b]));
    expect(h.sm.lock('/l')?.waiters.map((waiter) => waiter.sessionId)).toEqual([c]);
    expect(h.ok(cmd.close(a))).toMatchObject({ releasedLocks: 2 });
    expect(h.sm.lock('/l')?.holder?.sessionId).toBe(c);
    expect(h.sm.lock('/m')).toBeNull();
  });

  it('does not report grants to sessions that end in the same apply', () => {
    const h = new Harness();
    const [a, b, c] = sessions(h, 3);
    h.ok(cmd.acquire('/l', a, 1));
    h.ok(cmd.acquire('/l', b, 1));
    h.ok(cmd.acquire('/l', c, 1));
    const output = h.apply(cmd.expire([a, b]));
    expect(output.lockGrants).toEqual([{ name: '/l', sessionId: c, requestId: 1, token: h.index }]);
  });
});

describe('maximum hold time', () => {
  it('reports due holds and waits, and lockExpireHolds releases only current tokens', () => {
    const h = new Harness();
    const [a, b, c] = sessions(h, 3);
    const token = h.ok(cmd.acquire('/l', a, 1, { maxHoldMs: 1000, nowMs: 100 })).token as number;
    h.ok(cmd.acquire('/l', b, 1, { maxHoldMs: 5000, nowMs: 100 }));
    h.ok(cmd.acquire('/l', c, 1, { waitTimeoutMs: 3000, nowMs: 100 }));
    expect(h.sm.dueLockTimeouts(1099, 10)).toEqual({ holds: [], waits: [] });
    expect(h.sm.dueLockTimeouts(1100, 10)).toEqual({ holds: [{ name: '/l', token }], waits: [] });
    const output = h.apply(cmd.expireHolds([{ name: '/l', token }, { name: '/l', token: 1 }, { name: '/none', token: 3 }], 1100));
    expect(output.result).toEqual({ ok: true, kind: 'lockExpireHolds', released: ['/l'] });
    expect(output.lockGrants).toEqual([{ name: '/l', sessionId: b, requestId: 1, token: h.index }]);
    expect(h.sm.lock('/l')?.holder).toEqual({ sessionId: b, requestId: 1, token: h.index, grantedAtMs: 1100, maxHoldMs: 5000 });
    expect(h.sm.dueLockTimeouts(3100, 10)).toEqual({ holds: [], waits: [{ name: '/l', sessionId: c, requestId: 1 }] });
    expect(h.sm.dueLockTimeouts(6100, 10).holds).toEqual([{ name: '/l', token: h.index }]);
    // A repeated expiry with the old token is a no-op.
    expect(h.ok(cmd.expireHolds([{ name: '/l', token }], 7000))).toMatchObject({ released: [] });
  });

  it('bounds the holds per command', () => {
    const h = new Harness(testLimits({ lockHoldsPerCommandMax: 1 }));
    h.fails(cmd.expireHolds([{ name: '/a', token: 1 }, { name: '/b', token: 2 }]), 'invalid-argument');
  });
});

describe('lock guards (fencing)', () => {
  it('applies a guarded write only while the token still holds the lock', () => {
    const h = new Harness();
    const [a, b] = sessions(h, 2);
    h.ok(cmd.create('/data', 'v0'));
    const tokenA = h.ok(cmd.acquire('/locks/data', a, 1)).token as number;
    h.ok(cmd.acquire('/locks/data', b, 1));
    h.ok(cmd.set('/data', 'by-a', { guard: { lockName: '/locks/data', token: tokenA } }));
    h.ok(cmd.release('/locks/data', tokenA));
    const tokenB = h.sm.lock('/locks/data')?.holder?.token as number;
    expect(tokenB).toBeGreaterThan(tokenA);
    // A's token is stale: every kind of guarded write is refused.
    const stale = { lockName: '/locks/data', token: tokenA };
    expect(h.fails(cmd.set('/data', 'late-a', { guard: stale }), 'guard-failed')).toBe(`guard lock /locks/data is held with token ${tokenB}, not ${tokenA}`);
    h.fails(cmd.create('/data2', '', { guard: stale }), 'guard-failed');
    h.fails(cmd.put('/data', 'x', { guard: stale }), 'guard-failed');
    h.fails(cmd.del('/data', { guard: stale }), 'guard-failed');
    h.fails(cmd.txn([], [op.set('/data', 'x')], [], { guard: stale }), 'guard-failed');
    h.ok(cmd.set('/data', 'by-b', { guard: { lockName: '/locks/data', token: tokenB } }));
    h.ok(cmd.release('/locks/data', tokenB));
    expect(h.fails(cmd.set('/data', 'x', { guard: { lockName: '/locks/data', token: tokenB } }), 'guard-failed')).toBe('guard lock /locks/data is not held');
    expect(h.value('/data')).toBe('by-b');
  });

  it('answers a remembered request even if its guard has gone stale since', () => {
    const h = new Harness();
    const [a] = sessions(h, 1);
    const token = h.ok(cmd.acquire('/l', a, 1)).token as number;
    const request = { sessionId: a, requestId: 9 };
    const first = h.ok(cmd.create('/x', '', { guard: { lockName: '/l', token }, request }));
    h.ok(cmd.release('/l', token));
    expect(h.ok(cmd.create('/x', '', { guard: { lockName: '/l', token }, request }))).toEqual(first);
  });
});
