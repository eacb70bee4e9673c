// The Session, Watch and Lock services end to end on a real 3-node cluster: what each call
// answers and what it does to the replicated state, through leaders and followers alike.

import * as grpc from '@grpc/grpc-js';
import { TestCluster } from '../cluster/harness';
import type { WatchResponse__Output } from '../../proto/gen/corral/v1/WatchResponse';
import type { LockInfo__Output } from '../../proto/gen/corral/v1/LockInfo';
import type { WatchRequest } from '../../proto/gen/corral/v1/WatchRequest';
import { Clients, SessionKeeper, deadline, openSession, unaryCall, withRetry } from './raw-client';
import { endpointsOf, exists, expectStatus, groupOfNamespace, leaderOf, settleLeadership } from './fixture';

jest.setTimeout(120_000);

const NS = 'svc';
const QUEUE_EVENTS_MAX = 8;
const HISTORY_EVENTS_MAX = 32;

/** Collects a watch stream's messages; `next(n)` waits for the n-th. */
class Collected {
  readonly messages: WatchResponse__Output[] = [];
  status: grpc.StatusObject | null = null;
  error: grpc.ServiceError | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(readonly stream: grpc.ClientReadableStream<WatchResponse__Output>) {
    stream.on('data', (message: WatchResponse__Output) => { this.messages.push(message); this.wake(); });
    stream.on('status', (status: grpc.StatusObject) => { this.status = status; this.wake(); });
    stream.on('error', (error: grpc.ServiceError) => { this.error = error; this.wake(); });
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }

  until(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => { this.waiters.delete(wake); reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(this.messages.map((m) => [m.revision, m.events.map((e) => `${e.type} ${e.path}`), m.cancelled]))}`)); }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  events(): { type: string; path: string; revision: number; value: string; prev: string }[] {
    return this.messages.flatMap((m) => m.events.map((e) => ({ type: e.type, path: e.path, revision: Number(e.revision), value: e.value.toString(), prev: e.prev_value.toString() })));
  }
}

describe('Session, Watch and Lock services on a 3-node cluster', () => {
  let cluster: TestCluster;
  let clients: Clients;
  let endpoints: string[];
  const keepers: SessionKeeper[] = [];
  const streams: grpc.ClientReadableStream<unknown>[] = [];

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 3, kvGroups: 2, args: ['--watch-queue-events-max', String(QUEUE_EVENTS_MAX), '--watch-history-events-max', String(HISTORY_EVENTS_MAX)] });
    await cluster.waitForLeaders();
    await settleLeadership(cluster);
    clients = new Clients();
    endpoints = endpointsOf(cluster);
    await withRetry('put root', endpoints, (a) => unaryCall((cb) => clients.kv(a).Put({ path: `/${NS}`, value: Buffer.from('') }, deadline(5_000), cb)));
  });

  afterAll(async () => {
    for (const keeper of keepers) keeper.stop();
    for (const stream of streams) stream.cancel();
    clients?.close();
    await cluster?.stop();
  });

  function watch(address: string, request: WatchRequest): Collected {
    const stream = clients.watch(address).Watch(request);
    streams.push(stream);
    return new Collected(stream);
  }

  function put(path: string, value: string, extra: Record<string, unknown> = {}): Promise<{ revision: number }> {
    return withRetry(`put ${path}`, endpoints, (a) => unaryCall<{ revision: number }>((cb) => clients.kv(a).Put({ path, value: Buffer.from(value), ...extra }, deadline(5_000), cb)));
  }

  async function keep(sessionId: number): Promise<SessionKeeper> {
    const keeper = new SessionKeeper(clients, () => endpoints, { namespace: NS, sessionIds: [sessionId], intervalMs: 500 });
    keeper.start();
    keepers.push(keeper);
    return keeper;
  }

  test('sessions: keepalive renews at the leader; time-to-live and list; close removes ephemerals and releases locks in one revision', async () => {
    const sessionId = await openSession(clients, endpoints, NS, 5_000);
    const keeper = await keep(sessionId);
    await put(`/${NS}/members/a`, 'A', { ephemeral: true, session_id: sessionId });
    await put(`/${NS}/members/b`, 'B', { ephemeral: true, session_id: sessionId });
    const lock = await unaryCall<{ token: number }>((cb) => clients.lock(endpoints[1]).Acquire({ name: `${NS}/owned`, session_id: sessionId }, deadline(5_000), cb));
    const leader = cluster.address(await leaderOf(cluster, await groupOfNamespace(cluster, NS)));
    const info = await unaryCall<{ ttl_ms: number; remaining_ms: number; ephemeral_count: number; locks_held: number }>((cb) => clients.session(endpoints[2]).TimeToLive({ session_id: sessionId, namespace: NS }, deadline(5_000), cb));
    expect({ ttl: Number(info.ttl_ms), ephemerals: info.ephemeral_count, locks: info.locks_held }).toEqual({ ttl: 5_000, ephemerals: 2, locks: 1 });
    expect(Number(info.remaining_ms)).toBeGreaterThan(0);
    expect(Number(info.remaining_ms)).toBeLessThanOrEqual(5_000);
    const listed = await unaryCall<{ sessions: { session_id: number }[] }>((cb) => clients.session(leader).List({ namespace: NS }, deadline(5_000), cb));
    expect(listed.sessions.map((s) => Number(s.session_id))).toContain(sessionId);
    await withRetry('keepalive answered', [leader], async () => { if (keeper.lastAliveMs === 0) throw Object.assign(new Error('not yet'), { code: grpc.status.UNAVAILABLE }); });

    const removals = watch(endpoints[1], { path: `/${NS}/members`, kind: 'CHILDREN' });
    await removals.until('header', () => removals.messages.length >= 1);
    keeper.stop();
    await unaryCall((cb) => clients.session(endpoints[0]).Close({ session_id: sessionId, namespace: NS }, deadline(5_000), cb));
    await removals.until('two removes', () => removals.events().length >= 2);
    const removed = removals.events();
    expect(removed.map((e) => [e.type, e.path, e.prev])).toEqual([['REMOVE', `/${NS}/members/a`, 'A'], ['REMOVE', `/${NS}/members/b`, 'B']]);
    expect(removed[0].revision).toBe(removed[1].revision); // atomically, in one applied entry
    const freed = await unaryCall<LockInfo__Output>((cb) => clients.lock(endpoints[2]).Inspect({ name: `/${NS}/owned` }, deadline(5_000), cb));
    expect(Number(freed.holder_session_id)).toBe(0);
    expect(Number(lock.token)).toBeGreaterThan(0);
  });

  test('watches: path, children and subtree kinds; one-shot; replay then live without a gap', async () => {
    await put(`/${NS}/tree/x`, 'x0');
    const at = endpoints[2];
    const path = watch(at, { path: `/${NS}/tree/x`, kind: 'PATH' });
    const children = watch(at, { path: `/${NS}/tree`, kind: 'CHILDREN' });
    const subtree = watch(at, { path: `/${NS}/tree`, kind: 'SUBTREE' });
    const oneShot = watch(at, { path: `/${NS}/tree`, kind: 'SUBTREE', one_shot: true });
    const replay = watch(at, { path: `/${NS}/tree`, kind: 'SUBTREE', replay: true });
    for (const c of [path, children, subtree, oneShot, replay]) await c.until('first message', () => c.messages.length >= 1);
    expect(replay.messages[0].replay_done).toBe(true);
    // A subtree covers the node itself and everything below it.
    expect(replay.events().map((e) => [e.type, e.path, e.value])).toEqual([['ADD', `/${NS}/tree`, ''], ['ADD', `/${NS}/tree/x`, 'x0']]);
    await put(`/${NS}/tree/x`, 'x1');
    await put(`/${NS}/tree/y/deep`, 'd');
    await withRetry('delete x', endpoints, (a) => unaryCall((cb) => clients.kv(a).Delete({ path: `/${NS}/tree/x`, expected_version: -1 }, deadline(5_000), cb)));
    await subtree.until('subtree events', () => subtree.events().length >= 4);
    expect(subtree.events().map((e) => [e.type, e.path])).toEqual([['UPDATE', `/${NS}/tree/x`], ['ADD', `/${NS}/tree/y`], ['ADD', `/${NS}/tree/y/deep`], ['REMOVE', `/${NS}/tree/x`]]);
    await path.until('path events', () => path.events().length >= 2);
    expect(path.events().map((e) => [e.type, e.value, e.prev])).toEqual([['UPDATE', 'x1', 'x0'], ['REMOVE', '', 'x1']]);
    await children.until('children events', () => children.events().length >= 3);
    expect(children.events().map((e) => [e.type, e.path])).toEqual([['UPDATE', `/${NS}/tree/x`], ['ADD', `/${NS}/tree/y`], ['REMOVE', `/${NS}/tree/x`]]);
    await oneShot.until('one-shot ended', () => oneShot.status !== null);
    expect(oneShot.status!.code).toBe(grpc.status.OK);
    expect(oneShot.events().map((e) => e.type)).toEqual(['UPDATE']);
    await replay.until('replay live events', () => replay.events().length >= 6);
    expect(replay.events().slice(2).map((e) => e.type)).toEqual(['UPDATE', 'ADD', 'ADD', 'REMOVE']);
    expect(replay.events()[2].revision).toBe(Number(replay.messages[0].revision) + 1); // no gap
    const revisions = subtree.events().map((e) => e.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
  });

  test('a client that writes and then watches from its write revision on a follower sees its write', async () => {
    const leaderId = await leaderOf(cluster, await groupOfNamespace(cluster, NS));
    const followers = cluster.runningIds().filter((id) => id !== leaderId);
    for (let round = 0; round < 5; round += 1) {
      const written = await unaryCall<{ revision: number }>((cb) => clients.kv(cluster.address(leaderId)).Put({ path: `/${NS}/mine`, value: Buffer.from(`r${round}`) }, deadline(5_000), cb));
      const revision = Number(written.revision);
      const seen = watch(cluster.address(followers[round % followers.length]), { path: `/${NS}/mine`, kind: 'PATH', from_revision: revision, one_shot: true });
      await seen.until('own write', () => seen.events().length >= 1);
      expect(seen.events()[0]).toMatchObject({ revision, value: `r${round}` });
    }
  });

  test('from_revision older than the history: COMPACTED with the revision to re-list at', async () => {
    const first = await put(`/${NS}/churn`, '0');
    for (let i = 1; i <= HISTORY_EVENTS_MAX + 8; i += 1) await put(`/${NS}/churn`, String(i));
    await exists(clients, [endpoints[0]], `/${NS}/churn`); // that replica has applied them all
    const old = watch(endpoints[0], { path: `/${NS}/churn`, kind: 'PATH', from_revision: Number(first.revision) });
    await old.until('cancel', () => old.messages.some((m) => m.cancelled !== 'NONE'));
    const last = old.messages[old.messages.length - 1];
    expect(last.cancelled).toBe('COMPACTED');
    expect(Number(last.compact_revision)).toBeGreaterThan(Number(first.revision));
    await old.until('stream end', () => old.status !== null);
    expect(old.status!.code).toBe(grpc.status.OK);
    const resumed = watch(endpoints[0], { path: `/${NS}/churn`, kind: 'PATH', from_revision: Number(last.compact_revision) });
    await resumed.until('history from the compact revision', () => resumed.events().length >= 1);
    expect(resumed.events()[0].revision).toBeGreaterThanOrEqual(Number(last.compact_revision));
  });

  test('a consumer that stops reading is cancelled as SLOW_CONSUMER with the revision to resume from', async () => {
    const slow = watch(endpoints[1], { path: `/${NS}/flood`, kind: 'PATH' });
    await slow.until('header', () => slow.messages.length >= 1);
    slow.stream.pause(); // stop reading: gRPC flow control pushes back to the server
    const big = 'x'.repeat(16 * 1024);
    const writes: Promise<{ revision: number }>[] = [];
    for (let i = 0; i < 120; i += 1) writes.push(put(`/${NS}/flood`, `${i}:${big}`));
    const written = (await Promise.all(writes)).map((w) => Number(w.revision)).sort((a, b) => a - b);
    slow.stream.resume();
    await slow.until('cancel', () => slow.messages.some((m) => m.cancelled !== 'NONE'), 30_000);
    const last = slow.messages[slow.messages.length - 1];
    expect(last.cancelled).toBe('SLOW_CONSUMER');
    const resume = Number(last.resume_revision);
    // Everything before the resume revision was delivered, in order; nothing after it.
    expect(slow.events().map((e) => e.revision)).toEqual(written.filter((revision) => revision < resume));
    expect(written).toContain(resume);
    expect(written.filter((revision) => revision >= resume).length).toBeGreaterThan(0);
    await slow.until('stream end', () => slow.status !== null);
    expect(slow.status!.code).toBe(grpc.status.OK);
  });

  test('locks: FIFO queue, inspect, observe, wait timeout, max hold, release through any node', async () => {
    const name = `/${NS}/fifo`;
    const sessions = await Promise.all([0, 1, 2, 3].map(() => openSession(clients, endpoints, NS, 10_000)));
    for (const id of sessions) await keep(id);
    const observed: LockInfo__Output[] = [];
    const observer = clients.lock(endpoints[2]).Observe({ name });
    streams.push(observer);
    observer.on('data', (info: LockInfo__Output) => observed.push(info));
    observer.on('error', () => undefined); // cancelled in afterAll
    await withRetry('observer subscribed', endpoints, async () => {
      if (observed.length < 1) throw Object.assign(new Error('no state yet'), { code: grpc.status.UNAVAILABLE });
    });
    const first = await unaryCall<{ token: number }>((cb) => clients.lock(endpoints[0]).Acquire({ name, session_id: sessions[0], request_id: 1 }, deadline(5_000), cb));
    const waits = [1, 2].map((i) => unaryCall<{ token: number }>((cb) => clients.lock(endpoints[i]).Acquire({ name, session_id: sessions[i], wait_ms: 30_000, request_id: 1 }, deadline(40_000), cb)));
    await withRetry('two waiters queued', endpoints, async (a) => {
      const info = await unaryCall<LockInfo__Output>((cb) => clients.lock(a).Inspect({ name }, deadline(5_000), cb));
      if (info.waiters.length < 2) throw Object.assign(new Error('not yet'), { code: grpc.status.UNAVAILABLE });
    });
    const inspected = await unaryCall<LockInfo__Output>((cb) => clients.lock(endpoints[1]).Inspect({ name }, deadline(5_000), cb));
    expect(Number(inspected.holder_session_id)).toBe(sessions[0]);
    const queue = inspected.waiters.map((w) => Number(w.session_id));
    // Wait timeout: the fourth waits 300 ms, is told so, and leaves the queue.
    const timedOut = await expectStatus(unaryCall((cb) => clients.lock(endpoints[0]).Acquire({ name, session_id: sessions[3], wait_ms: 300, request_id: 1 }, deadline(10_000), cb)), grpc.status.DEADLINE_EXCEEDED);
    expect(timedOut.details).toMatch(new RegExp(`lock ${name} was not acquired: the wait timed out after 300 ms`));
    await unaryCall((cb) => clients.lock(endpoints[1]).Release({ name, token: first.token }, deadline(5_000), cb));
    const second = await (queue[0] === sessions[1] ? waits[0] : waits[1]);
    await unaryCall((cb) => clients.lock(endpoints[2]).Release({ name, token: second.token }, deadline(5_000), cb));
    const third = await (queue[0] === sessions[1] ? waits[1] : waits[0]);
    expect(Number(second.token)).toBeGreaterThan(Number(first.token));
    expect(Number(third.token)).toBeGreaterThan(Number(second.token));
    // A guarded write holds with the current token only.
    await put(`/${NS}/guarded`, 'ok', { guard: { lock: name, token: third.token } });
    await expectStatus(put(`/${NS}/guarded`, 'stale', { guard: { lock: name, token: second.token } }), grpc.status.FAILED_PRECONDITION);
    await unaryCall((cb) => clients.lock(endpoints[0]).Release({ name, token: third.token }, deadline(5_000), cb));
    await withRetry('observer saw every holder', endpoints, async () => {
      if (observed.length < 5) throw Object.assign(new Error(`${observed.length} observed`), { code: grpc.status.UNAVAILABLE });
    });
    expect(observed.map((o) => Number(o.holder_session_id))).toEqual([0, sessions[0], queue[0], queue[1], 0]);
    expect(observed.map((o) => Number(o.token))).toEqual([0, Number(first.token), Number(second.token), Number(third.token), 0]);

    // Max hold: the server releases the hold and grants the next waiter.
    const held = await unaryCall<{ token: number }>((cb) => clients.lock(endpoints[0]).Acquire({ name: `/${NS}/short`, session_id: sessions[0], max_hold_ms: 500, request_id: 2 }, deadline(5_000), cb));
    const next = await unaryCall<{ token: number }>((cb) => clients.lock(endpoints[1]).Acquire({ name: `/${NS}/short`, session_id: sessions[1], wait_ms: 10_000, request_id: 2 }, deadline(15_000), cb));
    expect(Number(next.token)).toBeGreaterThan(Number(held.token));
    const releasedStatus = await expectStatus(unaryCall((cb) => clients.lock(endpoints[0]).Release({ name: `/${NS}/short`, token: held.token }, deadline(5_000), cb)), grpc.status.FAILED_PRECONDITION);
    expect(releasedStatus.details).toMatch(/is held with token/);
  });

  test('a retried put with the same request id applies once; every node reads it linearizably', async () => {
    const sessionId = await openSession(clients, endpoints, NS, 4_000);
    await keep(sessionId);
    await put(`/${NS}/eph`, 'e', { ephemeral: true, session_id: sessionId, request_id: { session_id: sessionId, id: 7 } });
    // A retried put with the same request id is answered from memory, not applied twice.
    const retry = await put(`/${NS}/eph`, 'e', { ephemeral: true, session_id: sessionId, request_id: { session_id: sessionId, id: 7 } });
    for (const address of endpoints) {
      const state = await exists(clients, [address], `/${NS}/eph`);
      expect(state.exists).toBe(true);
      expect(Number(state.stat!.ephemeral_owner)).toBe(sessionId);
      expect(Number(state.stat!.version)).toBe(1);
      expect(state.revision).toBeGreaterThanOrEqual(Number(retry.revision));
    }
  });
});
