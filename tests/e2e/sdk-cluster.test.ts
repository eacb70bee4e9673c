// E2E: the SDK against a real 3-node cluster — typed errors, routing, sessions, watches that
// resume across a leader failover, locks, elections and the registry helper.

import {
  AlreadyExistsError,
  CorralClient,
  type CorralSession,
  InvalidArgumentError,
  LockNotHeldError,
  LockWaitTimeoutError,
  NotEmptyError,
  NotFoundError,
  type RegistryEvent,
  type SessionEvent,
  VersionMismatchError,
  type WatchEvent,
} from '../../client-sdk';
import { groupOfNamespace } from '../../client-sdk/shard-map';
import { TestCluster, waitFor } from '../cluster/harness';

jest.setTimeout(180_000);

let cluster: TestCluster;
let client: CorralClient;
const sessions: CorralSession[] = [];

beforeAll(async () => {
  cluster = await TestCluster.start({ nodes: 3 });
  await cluster.waitForLeaders();
  client = new CorralClient({ endpoints: cluster.endpoints, timeoutMs: 20_000 });
});

afterAll(async () => {
  for (const session of sessions) await session.close({ timeoutMs: 2_000 }).catch(() => undefined);
  client?.close();
  await cluster?.stop();
});

async function session(ttlMs: number, from: CorralClient = client): Promise<CorralSession> {
  const opened = await from.session({ ttlMs });
  sessions.push(opened);
  return opened;
}

/** The KV group of a namespace and its status as node 1 sees it. */
async function groupOf(namespace: string): Promise<{ id: number; leader: number; voters: number[] }> {
  const status = await cluster.status(cluster.runningIds()[0]);
  const id = groupOfNamespace(status.slots.map(Number), namespace)!;
  const group = status.groups.find((g) => Number(g.id) === id)!;
  return { id, leader: Number(group.leader), voters: group.voters.map(Number) };
}

describe('node tree and typed errors', () => {
  test('each failure is its own error class, with the server\'s message', async () => {
    await client.put('/errs/a/b', 'v');
    await expect(client.get('/errs/none')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.create('/errs/a', 'x')).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(client.set('/errs/a/b', 'x', { expectedVersion: 5 })).rejects.toBeInstanceOf(VersionMismatchError);
    await expect(client.delete('/errs/a')).rejects.toBeInstanceOf(NotEmptyError);
    await expect(client.get('no-slash')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.put(`/errs/${'x'.repeat(5000)}`, 'v')).rejects.toBeInstanceOf(InvalidArgumentError);
    const error = (await client.get('/errs/none').then(() => null, (e: unknown) => e)) as NotFoundError;
    expect(error.code).toBe('not-found');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/\/errs\/none/);
  });

  test('create / get / getString / set / exists / list / delete / txn', async () => {
    const created = await client.create('/crud/x', 'one', { makeParents: true });
    expect(created.path).toBe('/crud/x');
    expect(await client.getString('/crud/x')).toBe('one');
    const set = await client.set('/crud/x', Buffer.from('two'), { expectedVersion: 1 });
    expect(set.stat.version).toBe(2);
    expect((await client.exists('/crud/x'))?.version).toBe(2);
    expect(await client.exists('/crud/y')).toBeNull();
    await client.put('/crud/y', 'y');
    expect((await client.list('/crud')).children.map((c) => c.name)).toEqual(['x', 'y']);
    const txn = await client.txn({
      compare: [{ path: '/crud/x', target: 'value', value: 'two' }],
      success: [{ op: 'delete', path: '/crud/y' }, { op: 'set', path: '/crud/x', value: 'three' }],
    });
    expect(txn.succeeded).toBe(true);
    expect(txn.results.map((r) => r.op)).toEqual(['delete', 'set']);
    expect(await client.getString('/crud/x')).toBe('three');
    expect((await client.delete('/crud', { recursive: true })).deleted).toBe(2);
    expect((await client.delete('/crud', { ignoreMissing: true })).deleted).toBe(0);
  });

  test('a client given one endpoint finds every group\'s leader (and survives a leadership move)', async () => {
    const single = new CorralClient({ endpoints: cluster.address(3), timeoutMs: 20_000 });
    try {
      await single.put('/route/a', '1');
      const group = await groupOf('route');
      const to = group.voters.find((id) => id !== group.leader)!;
      await single.cluster.transferLeader(group.id, to);
      await waitFor('the transfer', async () => (await cluster.status(to)).groups.find((g) => Number(g.id) === group.id)?.leader === to, 30_000, 100);
      for (let i = 0; i < 5; i++) await single.put('/route/a', String(i));
      expect(await single.getString('/route/a')).toBe('4');
      expect(single.runner.topology.view?.members.size).toBe(3);
    } finally {
      single.close();
    }
  });
});

describe('sessions', () => {
  test('CONNECTED on the first sub-session; ephemeral nodes live while it does and go when it closes', async () => {
    const events: SessionEvent[] = [];
    const s = await client.session({ ttlMs: 3_000 });
    s.on('state', (event) => events.push(event));
    await client.put('/eph/a', 'x', { ephemeral: true, session: s });
    await client.create('/other-ns/b', 'y', { ephemeral: true, session: s, makeParents: true });
    expect(events[0]).toMatchObject({ type: 'CONNECTED' });
    expect(s.subSessions().length).toBeGreaterThanOrEqual(1);
    expect(s.remainingMs()).toBeGreaterThan(0);
    expect(s.remainingMs()).toBeLessThanOrEqual(3_000);
    // Three TTLs later the nodes are still there: keepalives work.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(['CONNECTED', 'SUSPENDED']).toContain(s.state);
    expect(await client.exists('/eph/a')).not.toBeNull();
    expect(await client.exists('/other-ns/b')).not.toBeNull();
    await s.close();
    // The placement loop may move a group's leader meanwhile: a keepalive refused twice in a
    // row shows as a brief SUSPENDED, always followed by RECONNECTED, never EXPIRED.
    const types = events.map((e) => e.type).filter((t) => t !== 'SUSPENDED' && t !== 'RECONNECTED');
    expect(types).toEqual(['CONNECTED', 'CLOSED']);
    const suspensions = events.filter((e) => e.type === 'SUSPENDED').length;
    expect(events.filter((e) => e.type === 'RECONNECTED').length).toBe(suspensions);
    expect(await client.exists('/eph/a')).toBeNull();
    expect(await client.exists('/other-ns/b')).toBeNull();
    await expect(client.put('/eph/c', 'x', { ephemeral: true, session: s })).rejects.toThrow(/closed/);
  });

  test('an ephemeral node needs a session', async () => {
    await expect(client.put('/eph/d', 'x', { ephemeral: true })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('locks and elections', () => {
  test('FIFO hand-off with increasing tokens; a stale token cannot release or guard', async () => {
    const first = await client.lock('locks/a', { session: await session(5_000) });
    const waiting = client.lock('locks/a', { session: await session(5_000), waitMs: 30_000 });
    await waitFor('the second acquire to queue', async () => (await client.locks.inspect('locks/a')).waiters.length === 1, 20_000, 50);
    await client.put('/locks/data', 'by first', { guard: first.guard });
    await first.release();
    const second = await waiting;
    expect(second.token).toBeGreaterThan(first.token);
    await expect(client.put('/locks/data', 'stale', { guard: first.guard })).rejects.toBeInstanceOf(LockNotHeldError);
    await expect(client.locks.release('locks/a', first.token)).rejects.toBeInstanceOf(LockNotHeldError);
    await expect(client.lock('locks/a', { session: await session(5_000) })).rejects.toBeInstanceOf(LockWaitTimeoutError);
    await second.release();
  });

  test('a lock is lost when its session closes, and when its maximum hold time runs out', async () => {
    const s = await session(5_000);
    const lock = await client.lock('locks/b', { session: s });
    await s.close();
    expect((await lock.lost).reason).toBe('session-closed');
    const held = await client.lock('locks/c', { maxHoldMs: 500 });
    expect((await held.lost).reason).toBe('max-hold-elapsed');
    await waitFor('the server to free locks/c', async () => (await client.locks.inspect('locks/c')).holderSessionId === 0, 20_000, 100);
    await held.release().catch(() => undefined);
  });

  test('election: campaign, leader, observe, resign', async () => {
    const election = client.election('el/main');
    expect(await election.leader()).toBeNull();
    const seen: (string | null)[] = [];
    const stop = new AbortController();
    const observing = (async () => {
      for await (const leader of election.observe({ signal: stop.signal })) {
        seen.push(leader === null ? null : leader.value.toString());
        if (seen.length === 5) break;
      }
    })();
    await waitFor('the observer\'s first answer', () => seen.length === 1, 20_000, 20);
    const a = await election.campaign('a', { ttlMs: 5_000 });
    const other = client.election('el/main');
    const b = other.campaign('b', { ttlMs: 5_000 });
    expect((await election.leader())?.value.toString()).toBe('a');
    await a.proclaim('a2');
    await a.resign();
    const bLeads = await b;
    expect((await election.leader())?.value.toString()).toBe('b');
    await observing;
    stop.abort();
    // Resigning removes the node before the next leader writes its own.
    expect(seen).toEqual([null, 'a', 'a2', null, 'b']);
    await other.resign();
    expect(await election.leader()).toBeNull();
    expect(bLeads.token).toBeGreaterThan(a.token);
  });
});

describe('registry', () => {
  test('put / get / children / exists / delete, and subscribe replays then streams ADD / UPDATE / REMOVE with data', async () => {
    const registry = client.registry({ sessionTtlMs: 5_000 });
    const states: string[] = [];
    registry.addConnectionStateListener((state) => states.push(state));
    await registry.put('/nodes/master/10.0.0.1:5678', 'load=1', true);
    await registry.put('/nodes/worker/10.0.0.2:1234', 'w', false);
    const events: RegistryEvent[] = [];
    const unsubscribe = registry.subscribe('/nodes', (event) => events.push(event));
    await waitFor('the replay', () => events.length >= 5, 20_000, 20);
    expect(events.slice(0, 5).map((e) => `${e.type} ${e.path}`).sort()).toEqual([
      'ADD /nodes', 'ADD /nodes/master', 'ADD /nodes/master/10.0.0.1:5678', 'ADD /nodes/worker', 'ADD /nodes/worker/10.0.0.2:1234',
    ]);
    await registry.put('/nodes/master/10.0.0.1:5678', 'load=2', true);
    expect((await client.exists('/nodes/master/10.0.0.1:5678'))?.ephemeralOwner).toBeGreaterThan(0);
    await registry.delete('/nodes/worker');
    await registry.delete('/nodes/worker');
    await waitFor('live events', () => events.length >= 8, 20_000, 20);
    expect(events.slice(5)).toEqual([
      { type: 'UPDATE', path: '/nodes/master/10.0.0.1:5678', data: 'load=2' },
      expect.objectContaining({ type: 'REMOVE' }),
      expect.objectContaining({ type: 'REMOVE' }),
    ]);
    expect(events.slice(6).map((e) => e.path).sort()).toEqual(['/nodes/worker', '/nodes/worker/10.0.0.2:1234']);
    expect(events.find((e) => e.path === '/nodes/worker/10.0.0.2:1234' && e.type === 'REMOVE')?.data).toBe('w');
    expect(await registry.get('/nodes/master/10.0.0.1:5678')).toBe('load=2');
    await expect(registry.get('/nodes/worker')).rejects.toBeInstanceOf(NotFoundError);
    expect(await registry.children('/nodes/master')).toEqual(['10.0.0.1:5678']);
    expect(await registry.children('/nodes/none')).toEqual([]);
    expect(await registry.exists('/nodes/master')).toBe(true);
    expect(states).toEqual(['CONNECTED']);
    unsubscribe();
    await registry.close();
    expect(await client.exists('/nodes/master/10.0.0.1:5678')).toBeNull();
  });

  test('acquireLock is blocking, reentrant per owner, and times out with false', async () => {
    const one = client.registry({ sessionTtlMs: 5_000 });
    const two = client.registry({ sessionTtlMs: 5_000 });
    try {
      expect(await one.acquireLock('/locks/reg')).toBe(true);
      expect(await one.acquireLock('/locks/reg')).toBe(true);
      expect(await two.acquireLock('/locks/reg', 300)).toBe(false);
      const waiting = two.acquireLock('/locks/reg', 30_000);
      expect(await one.releaseLock('/locks/reg')).toBe(true);
      // Still held once by `one`.
      expect((await client.locks.inspect('locks/reg')).holderSessionId).not.toBe(0);
      expect(await one.releaseLock('/locks/reg')).toBe(true);
      expect(await waiting).toBe(true);
      expect(await one.releaseLock('/locks/reg')).toBe(false);
      expect(await two.releaseLock('/locks/reg')).toBe(true);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('failover', () => {
  test('a watch resumes across the loss of its node and of the group leader: no duplicates, no gaps; a session survives', async () => {
    const group = await groupOf('feed');
    const target = group.voters[0];
    if (group.leader !== target) {
      await client.cluster.transferLeader(group.id, target);
      await waitFor('leadership on the watch\'s node', async () => (await cluster.status(target)).groups.find((g) => Number(g.id) === group.id)?.leader === target, 30_000, 100);
    }
    const writer = await session(6_000);
    const writerEvents: string[] = [];
    writer.on('state', (event) => writerEvents.push(event.type));
    await client.put('/feed/k', 'start', { session: writer });
    await client.put('/feed/eph', 'mine', { ephemeral: true, session: writer });
    const from = (await client.get('/feed/k')).revision + 1;
    const watcher = new CorralClient({ endpoints: cluster.endpoints, timeoutMs: 20_000 });
    const total = 30;
    const seen: WatchEvent[] = [];
    try {
      const watch = watcher.watch('/feed', { kind: 'subtree', fromRevision: from });
      const collecting = (async () => {
        for await (const event of watch) {
          if (event.path === '/feed/k') seen.push(event);
          if (seen.length === total) break;
        }
      })();
      for (let i = 0; i < total; i++) {
        if (i === 10) await cluster.signal(target, 'SIGKILL');
        await client.put('/feed/k', String(i), { session: writer });
      }
      await collecting;
    } finally {
      watcher.close();
    }
    expect(seen.map((e) => e.value.toString())).toEqual(Array.from({ length: total }, (_, i) => String(i)));
    const revisions = seen.map((e) => e.revision);
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]).toBeGreaterThan(revisions[i - 1]);
    expect(writer.state).not.toBe('EXPIRED');
    expect(writerEvents).not.toContain('EXPIRED');
    expect(await client.getString('/feed/eph')).toBe('mine');
    await cluster.startNode(target);
    await cluster.waitForLeaders();
  });
});
