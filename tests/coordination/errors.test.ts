// Every bad input of the coordination API on a real 3-node cluster: the right gRPC status, a
// message that says what was wrong, and nothing changed (group revision, children, sessions
// and locks compared before and after).

import * as grpc from '@grpc/grpc-js';
import { TestCluster } from '../cluster/harness';
import { Clients, deadline, openSession, sleep, unaryCall, withRetry, statusOf, type CallStatus } from './raw-client';
import { endpointsOf, expectStatus, groupOfNamespace, leaderOf, revisionOf, settleLeadership, warmUp } from './fixture';
import type { WatchResponse__Output } from '../../proto/gen/corral/v1/WatchResponse';
import type { LockInfo__Output } from '../../proto/gen/corral/v1/LockInfo';

jest.setTimeout(120_000);

const NS = 'errs';
const WATCHERS_MAX = 6;
const VALUE_BYTES_MAX = 4096;

describe('coordination API: bad input is refused with a clear status and changes nothing', () => {
  let cluster: TestCluster;
  let clients: Clients;
  let endpoints: string[];
  let address: string;
  let sessionId: number;

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 3, kvGroups: 2, args: ['--watchers-max', String(WATCHERS_MAX), '--value-bytes-max', String(VALUE_BYTES_MAX)] });
    await cluster.waitForLeaders();
    await settleLeadership(cluster);
    clients = new Clients();
    endpoints = endpointsOf(cluster);
    address = endpoints[0];
    await warmUp(cluster, clients, NS);
    await withRetry('put base', endpoints, (a) => unaryCall((cb) => clients.kv(a).Put({ path: `/${NS}/base`, value: Buffer.from('v1') }, deadline(5_000), cb)));
    sessionId = await openSession(clients, endpoints, NS, 30_000);
  });

  afterAll(async () => {
    clients?.close();
    await cluster?.stop();
  });

  /** What must not change: revision, children of /errs, sessions (ids, ephemerals, locks), locks. */
  async function observable(): Promise<string> {
    const revision = await revisionOf(clients, endpoints, NS);
    const children = await withRetry('list', endpoints, (a) => unaryCall<{ children: { name: string }[] }>((cb) => clients.kv(a).List({ path: `/${NS}` }, deadline(5_000), cb)));
    const sessions = await withRetry('sessions', endpoints, (a) => unaryCall<{ sessions: { session_id: number; ephemeral_count: number; locks_held: number }[] }>((cb) => clients.session(a).List({ namespace: NS }, deadline(5_000), cb)));
    const locks = await withRetry('locks', endpoints, (a) => unaryCall<{ locks: LockInfo__Output[] }>((cb) => clients.lock(a).List({ namespace: NS }, deadline(5_000), cb)));
    return JSON.stringify({
      revision,
      children: children.children.map((c) => c.name),
      sessions: sessions.sessions.map((s) => [Number(s.session_id), s.ephemeral_count, s.locks_held]),
      locks: locks.locks.map((l) => [l.name, Number(l.holder_session_id), Number(l.token), l.waiters.length]),
    });
  }

  /** Runs a bad call: expects `code` and a message matching `message`, and no change. A
   *  transient outcome (a leader change: UNAVAILABLE, ABORTED) is retried, bounded. */
  async function refused(call: () => Promise<unknown>, code: grpc.status, message: RegExp): Promise<CallStatus> {
    const before = await observable();
    const transient = new Set([grpc.status.UNAVAILABLE, grpc.status.ABORTED]);
    let attempt = call();
    for (let retries = 0; retries < 50; retries += 1) {
      const outcome = await attempt.then(() => null, (error: unknown) => statusOf(error));
      if (outcome === null || !transient.has(outcome.code) || transient.has(code)) break;
      await sleep(100);
      attempt = call();
    }
    const status = await expectStatus(attempt, code);
    expect(status.details).toMatch(message);
    expect(await observable()).toBe(before);
    return status;
  }

  const kv = () => clients.kv(address);

  test('malformed paths: INVALID_ARGUMENT naming the problem', async () => {
    const cases: [string, RegExp][] = [
      [`/${NS}//x`, /empty segment/],
      [`${NS}/x`, /must start with "\/"/],
      [`/${NS}/x/`, /must not end with "\/"/],
      [`/${NS}/../x`, /has a "\.\." segment/],
      [`/${NS}/a b`, /has character 0x20 at offset 7/],
      [`/${NS}/${'s'.repeat(300)}`, /longer than segmentBytesMax/],
    ];
    for (const [path, message] of cases) {
      await refused(() => unaryCall((cb) => kv().Create({ path, value: Buffer.from('x') }, deadline(5_000), cb)), grpc.status.INVALID_ARGUMENT, message);
      await refused(() => unaryCall((cb) => kv().Put({ path, value: Buffer.from('x') }, deadline(5_000), cb)), grpc.status.INVALID_ARGUMENT, message);
    }
    await refused(() => unaryCall((cb) => clients.lock(address).Acquire({ name: `/${NS}//l`, session_id: sessionId }, deadline(5_000), cb)), grpc.status.INVALID_ARGUMENT, /lock name: .*empty segment/);
    const stream = clients.watch(address).Watch({ path: `/${NS}/a b` });
    const status = await streamStatus(stream);
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/has character 0x20/);
  });

  test('oversized values: INVALID_ARGUMENT with the size and the limit', async () => {
    const value = Buffer.alloc(VALUE_BYTES_MAX + 1, 1);
    await refused(() => unaryCall((cb) => kv().Put({ path: `/${NS}/big`, value }, deadline(5_000), cb)), grpc.status.INVALID_ARGUMENT, new RegExp(`is ${VALUE_BYTES_MAX + 1} bytes, more than valueBytesMax ${VALUE_BYTES_MAX}`));
    await refused(() => unaryCall((cb) => kv().Set({ path: `/${NS}/base`, value, expected_version: -1 }, deadline(5_000), cb)), grpc.status.INVALID_ARGUMENT, /more than valueBytesMax/);
  });

  test('wrong version: FAILED_PRECONDITION with the actual and expected versions', async () => {
    await refused(() => unaryCall((cb) => kv().Set({ path: `/${NS}/base`, value: Buffer.from('v2'), expected_version: 7 }, deadline(5_000), cb)), grpc.status.FAILED_PRECONDITION, /\/errs\/base is at version 1, expected 7/);
    await refused(() => unaryCall((cb) => kv().Delete({ path: `/${NS}/base`, expected_version: 3 }, deadline(5_000), cb)), grpc.status.FAILED_PRECONDITION, /is at version 1, expected 3/);
  });

  test('missing parent: NOT_FOUND naming the parent', async () => {
    await refused(() => unaryCall((cb) => kv().Create({ path: `/${NS}/none/child`, value: Buffer.from('x') }, deadline(5_000), cb)), grpc.status.NOT_FOUND, /parent \/errs\/none of \/errs\/none\/child does not exist/);
  });

  test('children under an ephemeral node: FAILED_PRECONDITION', async () => {
    await withRetry('create eph', endpoints, (a) => unaryCall((cb) => clients.kv(a).Create({ path: `/${NS}/eph`, value: Buffer.from('e'), mode: 'EPHEMERAL', session_id: sessionId }, deadline(5_000), cb)));
    await refused(() => unaryCall((cb) => kv().Create({ path: `/${NS}/eph/child`, value: Buffer.from('x') }, deadline(5_000), cb)), grpc.status.FAILED_PRECONDITION, /\/errs\/eph is ephemeral and cannot have children/);
    await refused(() => unaryCall((cb) => kv().Put({ path: `/${NS}/eph/deep/child`, value: Buffer.from('x') }, deadline(5_000), cb)), grpc.status.FAILED_PRECONDITION, /is ephemeral and cannot have children/);
  });

  test('unknown session: NOT_FOUND for every use; a keepalive reports it expired', async () => {
    const unknown = 987_654;
    const message = new RegExp(`session ${unknown} does not exist`);
    const created = await refused(() => unaryCall((cb) => kv().Create({ path: `/${NS}/u`, mode: 'EPHEMERAL', session_id: unknown }, deadline(5_000), cb)), grpc.status.NOT_FOUND, message);
    expect(created.reason).toBe('session-not-found');
    const ttl = await refused(() => unaryCall((cb) => clients.session(address).TimeToLive({ session_id: unknown, namespace: NS }, deadline(5_000), cb)), grpc.status.NOT_FOUND, message);
    expect(ttl.reason).toBe('session-not-found');
    await refused(() => unaryCall((cb) => clients.session(address).Close({ session_id: unknown, namespace: NS }, deadline(5_000), cb)), grpc.status.NOT_FOUND, message);
    await refused(() => unaryCall((cb) => clients.lock(address).Acquire({ name: `/${NS}/l`, session_id: unknown }, deadline(5_000), cb)), grpc.status.NOT_FOUND, message);
    const leader = cluster.address(await leaderOf(cluster, await groupOfNamespace(cluster, NS)));
    const reply = await keepaliveOnce(leader, [unknown, sessionId]);
    expect(reply.expired.map(Number)).toEqual([unknown]);
    expect(reply.alive.map(Number)).toEqual([sessionId]);
    // The lease held whatever happens to the leader: the TTL less the unreplicated window.
    expect(Number(reply.ttl_remaining_ms)).toBeGreaterThan(0);
    expect(Number(reply.ttl_remaining_ms)).toBeLessThan(30_000);
  });

  test('expired session: NOT_FOUND "has expired" for every use; keepalive lists it expired', async () => {
    const expiring = await openSession(clients, endpoints, NS, 2_000);
    await withRetry('create expiring', endpoints, (a) => unaryCall((cb) => clients.kv(a).Create({ path: `/${NS}/expiring`, mode: 'EPHEMERAL', session_id: expiring }, deadline(5_000), cb)));
    // Never kept alive: wait for the REMOVE of its ephemeral node.
    const watch = clients.watch(address).Watch({ path: `/${NS}/expiring`, kind: 'PATH', one_shot: true });
    const removed = await new Promise<WatchResponse__Output>((resolve, reject) => {
      watch.on('data', (response: WatchResponse__Output) => { if (response.events.length > 0) resolve(response); });
      watch.on('error', reject);
    });
    expect(removed.events[0].type).toBe('REMOVE');
    const message = new RegExp(`session ${expiring} has expired`);
    const again = await refused(() => unaryCall((cb) => kv().Create({ path: `/${NS}/again`, mode: 'EPHEMERAL', session_id: expiring }, deadline(5_000), cb)), grpc.status.NOT_FOUND, message);
    expect(again.reason).toBe('session-expired');
    await refused(() => unaryCall((cb) => kv().Put({ path: `/${NS}/again`, ephemeral: true, session_id: expiring }, deadline(5_000), cb)), grpc.status.NOT_FOUND, message);
    await refused(() => unaryCall((cb) => clients.session(address).TimeToLive({ session_id: expiring, namespace: NS }, deadline(5_000), cb)), grpc.status.NOT_FOUND, message);
    await refused(() => unaryCall((cb) => clients.lock(address).Acquire({ name: `/${NS}/l`, session_id: expiring }, deadline(5_000), cb)), grpc.status.NOT_FOUND, message);
    const leader = cluster.address(await leaderOf(cluster, await groupOfNamespace(cluster, NS)));
    expect((await keepaliveOnce(leader, [expiring])).expired.map(Number)).toEqual([expiring]);
  });

  test('releasing a lock you do not hold, and an unknown lock token: FAILED_PRECONDITION', async () => {
    await refused(() => unaryCall((cb) => clients.lock(address).Release({ name: `/${NS}/free`, token: 12_345 }, deadline(5_000), cb)), grpc.status.FAILED_PRECONDITION, /lock \/errs\/free is not held/);
    const granted = await withRetry('acquire', endpoints, (a) => unaryCall<{ token: number }>((cb) => clients.lock(a).Acquire({ name: `/${NS}/held`, session_id: sessionId, request_id: 1 }, deadline(5_000), cb)));
    const token = Number(granted.token);
    expect(token).toBeGreaterThan(0);
    await refused(() => unaryCall((cb) => clients.lock(address).Release({ name: `/${NS}/held`, token: token + 1 }, deadline(5_000), cb)), grpc.status.FAILED_PRECONDITION, new RegExp(`lock /errs/held is held with token ${token}, not ${token + 1}`));
    await refused(() => unaryCall((cb) => clients.lock(address).Release({ name: `/${NS}/held`, token: 0 }, deadline(5_000), cb)), grpc.status.INVALID_ARGUMENT, /needs the fencing token/);
    // A guarded write with the wrong token is refused the same way.
    await refused(() => unaryCall((cb) => kv().Put({ path: `/${NS}/guarded`, value: Buffer.from('x'), guard: { lock: `/${NS}/held`, token: token + 1 } }, deadline(5_000), cb)), grpc.status.FAILED_PRECONDITION, new RegExp(`guard lock /errs/held is held with token ${token}, not ${token + 1}`));
    // Busy with wait_ms 0: not acquired, said so, nothing queued.
    const other = await openSession(clients, endpoints, NS, 30_000);
    const busy = await refused(() => unaryCall((cb) => clients.lock(address).Acquire({ name: `/${NS}/held`, session_id: other, wait_ms: 0 }, deadline(5_000), cb)), grpc.status.DEADLINE_EXCEEDED, new RegExp(`lock /errs/held was not acquired: the wait timed out after 0 ms \\(held by session ${sessionId}\\)`));
    expect(busy.reason).toBe('lock-wait-timeout');
    await withRetry('close', endpoints, (a) => unaryCall((cb) => clients.session(a).Close({ session_id: other, namespace: NS }, deadline(5_000), cb)));
    await withRetry('release', endpoints, (a) => unaryCall((cb) => clients.lock(a).Release({ name: `/${NS}/held`, token }, deadline(5_000), cb)));
  });

  test('other bad session, lock and watch options: INVALID_ARGUMENT', async () => {
    await refused(() => unaryCall((cb) => clients.session(address).Open({ ttl_ms: 10, namespace: NS }, deadline(5_000), cb)), grpc.status.INVALID_ARGUMENT, /ttl_ms 10 is outside \[2000, /);
    await refused(() => unaryCall((cb) => clients.session(address).Open({ ttl_ms: 5_000, namespace: '' }, deadline(5_000), cb)), grpc.status.INVALID_ARGUMENT, /namespace is empty/);
    await refused(() => unaryCall((cb) => clients.lock(address).Acquire({ name: `/${NS}/l`, session_id: 0 }, deadline(5_000), cb)), grpc.status.INVALID_ARGUMENT, /needs a session_id/);
    await refused(() => unaryCall((cb) => clients.lock(address).Acquire({ name: `/${NS}/l`, session_id: sessionId, wait_ms: 10 ** 12 }, deadline(5_000), cb)), grpc.status.INVALID_ARGUMENT, /wait_ms 1000000000000 must be in \[0, /);
    const status = await streamStatus(clients.watch(address).Watch({ path: `/${NS}`, from_revision: 1, replay: true }));
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/from_revision and replay are exclusive/);
    const keepalive = clients.session(address).KeepAlive();
    keepalive.write({ session_ids: [sessionId], namespace: '' });
    const keepaliveStatus = await streamStatus(keepalive);
    expect(keepaliveStatus.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(keepaliveStatus.details).toMatch(/namespace is empty/);
  });

  test('a keepalive sent to a follower: UNAVAILABLE with the leader hint', async () => {
    const leaderId = await leaderOf(cluster, await groupOfNamespace(cluster, NS));
    const follower = cluster.runningIds().find((id) => id !== leaderId)!;
    const stream = clients.session(cluster.address(follower)).KeepAlive();
    stream.write({ session_ids: [sessionId], namespace: NS });
    const status = await streamStatus(stream);
    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(status.leaderId).toBe(leaderId);
    expect(status.leaderAddress).toBe(cluster.address(leaderId));
    expect(status.details).toMatch(new RegExp(`not the leader; send keepalives to node ${leaderId}`));
  });

  test('too many watchers: RESOURCE_EXHAUSTED naming watchersMax; a slot freed can be reused', async () => {
    const watches: grpc.ClientReadableStream<WatchResponse__Output>[] = [];
    try {
      for (let i = 0; i < WATCHERS_MAX; i += 1) {
        const watch = clients.watch(address).Watch({ path: `/${NS}/w${i}`, kind: 'PATH' });
        watches.push(watch);
        await firstMessage(watch);
      }
      const before = await observable();
      const status = await streamStatus(clients.watch(address).Watch({ path: `/${NS}/one-too-many` }));
      expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(status.details).toMatch(new RegExp(`serves ${WATCHERS_MAX} watchers \\(watchersMax\\)`));
      expect(await observable()).toBe(before);
      watches.shift()!.cancel();
      // The slot is released when the server sees the cancel: retry until it has (bounded).
      await withRetry('watch after a slot freed', [address], async (a) => {
        const watch = clients.watch(a).Watch({ path: `/${NS}/reused` });
        watches.push(watch);
        try {
          await firstMessage(watch);
        } catch (error) {
          const code = statusOf(error).code;
          throw Object.assign(new Error('busy'), { code: code === grpc.status.RESOURCE_EXHAUSTED ? grpc.status.UNAVAILABLE : code, details: 'retry' });
        }
      }, 50);
    } finally {
      for (const watch of watches) watch.cancel();
    }
  });

  function keepaliveOnce(at: string, ids: number[]): Promise<{ alive: number[]; expired: number[]; ttl_remaining_ms: number }> {
    const stream = clients.session(at).KeepAlive();
    return new Promise((resolve, reject) => {
      stream.on('data', (response: { alive: number[]; expired: number[]; ttl_remaining_ms: number }) => {
        resolve(response);
        stream.end();
      });
      stream.on('error', reject);
      stream.write({ session_ids: ids, namespace: NS });
    });
  }
});

/** The status a stream ends with (it must end with an error). */
function streamStatus(stream: { on(event: 'error', listener: (error: Error) => void): unknown; on(event: 'data', listener: (data: unknown) => void): unknown }): Promise<CallStatus> {
  return new Promise((resolve) => {
    stream.on('data', () => undefined);
    stream.on('error', (error) => resolve(statusOf(error)));
  });
}

function firstMessage(stream: grpc.ClientReadableStream<WatchResponse__Output>): Promise<WatchResponse__Output> {
  return new Promise((resolve, reject) => {
    stream.once('data', resolve);
    stream.once('error', reject);
  });
}
