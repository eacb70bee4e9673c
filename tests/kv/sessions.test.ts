import { Harness, bytes, cmd, op, testLimits, text } from './helpers';

describe('sessions', () => {
  it('opens with the entry index as id and now + TTL as the replicated deadline', () => {
    const h = new Harness();
    h.ok(cmd.create('/x'));
    expect(h.ok(cmd.open(5000, 1_000))).toEqual({ ok: true, kind: 'sessionOpen', sessionId: 2, ttlMs: 5000, deadlineMs: 6_000 });
    expect(h.sm.sessions()).toEqual([{ id: 2, ttlMs: 5000, deadlineMs: 6_000, ephemeralCount: 0, locks: [] }]);
    expect(h.sm.revision).toBe(1);
  });

  it('rejects TTLs out of range and too many sessions', () => {
    const h = new Harness(testLimits({ sessionTtlMsMin: 1000, sessionTtlMsMax: 9000, sessionsMax: 2, sessionIdsPerCommandMax: 2 }));
    expect(h.fails(cmd.open(999), 'invalid-argument')).toBe('session TTL 999 ms is outside [1000, 9000]');
    h.fails(cmd.open(9001), 'invalid-argument');
    h.openSession(1000);
    h.openSession(9000);
    expect(h.fails(cmd.open(5000), 'resource-exhausted')).toContain('sessionsMax');
  });

  it('keepalive batches move replicated deadlines forward only and report missing ids', () => {
    const h = new Harness(testLimits({ sessionIdsPerCommandMax: 3 }));
    const a = h.openSession(5000, 0);
    const b = h.openSession(8000, 0);
    expect(h.ok(cmd.keepalive([a, b, 99], 1_000))).toEqual({ ok: true, kind: 'sessionKeepaliveBatch', renewed: 2, missing: [99] });
    expect(h.sm.session(a)?.deadlineMs).toBe(6_000);
    expect(h.sm.session(b)?.deadlineMs).toBe(9_000);
    h.ok(cmd.keepalive([a], 500)); // an older leader time never moves a deadline back
    expect(h.sm.session(a)?.deadlineMs).toBe(6_000);
    h.fails(cmd.keepalive([1, 2, 3, 4], 0), 'invalid-argument');
  });

  it('close deletes the ephemeral nodes (REMOVE with last data) in one revision', () => {
    const h = new Harness();
    const session = h.openSession();
    h.ok(cmd.put('/nodes/worker/w1', 'host=a', { ephemeralOwner: session }));
    h.ok(cmd.create('/nodes/worker/w2', 'host=b', { ephemeralOwner: session }));
    h.ok(cmd.create('/nodes/worker/keep', 'p'));
    const output = h.apply(cmd.close(session));
    expect(output.result).toEqual({ ok: true, kind: 'sessionClose', revision: 4, removedNodes: 2, releasedLocks: 0 });
    expect(output.events.map((event) => [event.type, event.path, event.revision, text(event.prevValue), event.ephemeralOwner])).toEqual([
      ['REMOVE', '/nodes/worker/w1', 4, 'host=a', session],
      ['REMOVE', '/nodes/worker/w2', 4, 'host=b', session],
    ]);
    expect(h.children('/nodes/worker')).toEqual(['keep']);
    expect(h.fails(cmd.close(session), 'session-not-found')).toContain('never opened, or closed');
    h.fails(cmd.create('/e', '', { ephemeralOwner: session }), 'session-not-found');
  });

  it('expire ends only live sessions; an expired id answers session-expired afterwards', () => {
    const h = new Harness();
    const a = h.openSession();
    const b = h.openSession();
    h.ok(cmd.create('/a', 'data-a', { ephemeralOwner: a }));
    const output = h.apply(cmd.expire([a, 77, a], 9_000));
    expect(output.result).toEqual({ ok: true, kind: 'sessionExpire', revision: 2, expired: [a], missing: [77, a] });
    expect(output.events).toEqual([
      { type: 'REMOVE', path: '/a', revision: 2, value: new Uint8Array(0), prevValue: bytes('data-a'), version: 1, createRevision: 1, ephemeralOwner: a },
    ]);
    expect(h.fails(cmd.create('/x', '', { ephemeralOwner: a }), 'session-expired')).toBe(`session ${a} has expired`);
    h.fails(cmd.create('/x', '', { request: { sessionId: a, requestId: 1 } }), 'session-expired');
    h.fails(cmd.acquire('/l', a, 1), 'session-expired');
    // An expiry that removes nothing keeps the revision.
    expect(h.ok(cmd.expire([b]))).toMatchObject({ revision: 2, expired: [b] });
  });

  it('sessionStatus tells live, expired and unknown apart (the API words its errors by it)', () => {
    const h = new Harness();
    const closed = h.openSession();
    const expired = h.openSession();
    const live = h.openSession();
    h.ok(cmd.close(closed));
    h.ok(cmd.expire([expired]));
    expect([live, expired, closed, 999].map((id) => h.sm.sessionStatus(id))).toEqual(['live', 'expired', 'unknown', 'unknown']);
  });

  it('remembers a bounded number of expired ids', () => {
    const h = new Harness(testLimits({ expiredSessionsRememberedMax: 2 }));
    const ids = [h.openSession(), h.openSession(), h.openSession()];
    h.ok(cmd.expire(ids));
    h.fails(cmd.close(ids[0]), 'session-not-found');
    h.fails(cmd.close(ids[1]), 'session-expired');
    h.fails(cmd.close(ids[2]), 'session-expired');
  });

  it('runs the registry lifecycle: put ephemeral, rewrite keeps owner, expiry removes it', () => {
    const h = new Harness();
    const session = h.openSession();
    h.ok(cmd.put('/registry/masters/m1', 'v1', { ephemeralOwner: session }));
    h.ok(cmd.put('/registry/masters/m1', 'v2', { ephemeralOwner: session }));
    expect(h.sm.stat('/registry/masters/m1')).toMatchObject({ ephemeralOwner: session, version: 2 });
    expect(h.sm.session(session)?.ephemeralCount).toBe(1);
    const output = h.apply(cmd.expire([session], 20_000));
    expect(output.events).toMatchObject([{ type: 'REMOVE', path: '/registry/masters/m1', prevValue: bytes('v2') }]);
    expect(h.sm.exists('/registry/masters')).toBe(true);
    expect(h.sm.sessions()).toEqual([]);
  });
});

describe('idempotent requests', () => {
  it('a retried request returns the original result without applying again', () => {
    const h = new Harness();
    const session = h.openSession();
    h.ok(cmd.create('/jobs'));
    const request = { sessionId: session, requestId: 41 };
    const first = h.apply(cmd.create('/jobs/job-', 'x', { sequential: true, request }));
    expect(first.result).toEqual({ ok: true, kind: 'create', path: '/jobs/job-0000000000', revision: 2 });
    const retry = h.apply(cmd.create('/jobs/job-', 'x', { sequential: true, request }));
    expect(retry.result).toEqual(first.result);
    expect(retry.events).toEqual([]);
    expect(h.children('/jobs')).toEqual(['job-0000000000']);
    expect(h.sm.revision).toBe(2);
    // A new request id is a new request.
    expect(h.ok(cmd.create('/jobs/job-', 'x', { sequential: true, request: { sessionId: session, requestId: 42 } })).path).toBe('/jobs/job-0000000001');
  });

  it('covers set, delete and txn, so a retry never trips over its own first attempt', () => {
    const h = new Harness();
    const session = h.openSession();
    h.ok(cmd.create('/a', 'v'));
    const setTag = { sessionId: session, requestId: 1 };
    const set = h.ok(cmd.set('/a', 'w', { expectedVersion: 1, request: setTag }));
    expect(h.ok(cmd.set('/a', 'w', { expectedVersion: 1, request: setTag }))).toEqual(set);
    const txnTag = { sessionId: session, requestId: 2 };
    const txn = h.ok(cmd.txn([{ target: 'exists', path: '/a' }], [op.del('/a')], [], { request: txnTag }));
    expect(h.ok(cmd.txn([{ target: 'exists', path: '/a' }], [op.del('/a')], [], { request: txnTag }))).toEqual(txn);
    const delTag = { sessionId: session, requestId: 3 };
    h.ok(cmd.create('/b'));
    const del = h.ok(cmd.del('/b', { request: delTag }));
    expect(h.ok(cmd.del('/b', { request: delTag }))).toEqual(del);
  });

  it('does not remember failures: a retry of a failed request runs again', () => {
    const h = new Harness();
    const session = h.openSession();
    const request = { sessionId: session, requestId: 5 };
    h.fails(cmd.create('/a/b', 'v', { request }), 'no-parent');
    h.ok(cmd.create('/a'));
    expect(h.ok(cmd.create('/a/b', 'v', { request }))).toMatchObject({ path: '/a/b' });
  });

  it('keeps at most requestIdsPerSessionMax results per session, forgetting the oldest', () => {
    const h = new Harness(testLimits({ requestIdsPerSessionMax: 2 }));
    const session = h.openSession();
    for (const id of [1, 2, 3]) h.ok(cmd.create(`/n${id}`, '', { request: { sessionId: session, requestId: id } }));
    // Request 1 is forgotten: its retry applies again and meets its own node.
    h.fails(cmd.create('/n1', '', { request: { sessionId: session, requestId: 1 } }), 'already-exists');
    expect(h.ok(cmd.create('/n3', '', { request: { sessionId: session, requestId: 3 } }))).toMatchObject({ path: '/n3' });
  });

  it('requires the request session to be live, and forgets requests with the session', () => {
    const h = new Harness();
    h.fails(cmd.create('/a', '', { request: { sessionId: 9, requestId: 1 } }), 'session-not-found');
    const session = h.openSession();
    h.ok(cmd.create('/a', '', { request: { sessionId: session, requestId: 1 } }));
    h.ok(cmd.close(session));
    h.fails(cmd.create('/a', '', { request: { sessionId: session, requestId: 1 } }), 'session-not-found');
  });
});
