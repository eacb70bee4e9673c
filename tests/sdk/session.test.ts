// The session state machine and the keepalive hub against fake Corral nodes (real gRPC):
// CONNECTED -> SUSPENDED (with the lease left) -> RECONNECTED, EXPIRED from the server or from
// a lease that ran out, leader hints followed without a suspension, one stream per node.

import { CorralClient, type CorralSession, type SessionEvent, SessionExpiredError } from '../../client-sdk';
import { type FakeCluster, startFakeCluster } from './fake-corral-server';

jest.setTimeout(60_000);

let fake: FakeCluster;
let client: CorralClient;

beforeEach(async () => {
  fake = await startFakeCluster(2);
  client = new CorralClient({ endpoints: fake.endpoints, timeoutMs: 5_000 });
});

afterEach(async () => {
  client.close();
  await fake.stop();
});

function record(session: CorralSession): SessionEvent[] {
  const events: SessionEvent[] = [];
  session.on('state', (event) => events.push(event));
  return events;
}

async function waitForState(session: CorralSession, events: SessionEvent[], type: SessionEvent['type']): Promise<SessionEvent> {
  if (events.some((e) => e.type === type)) return events.find((e) => e.type === type)!;
  return new Promise<SessionEvent>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event; saw ${events.map((e) => e.type).join(', ')}`)), 20_000);
    const off = session.on('state', (event) => {
      if (event.type !== type) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

test('a session opens a sub-session per group on first use and keeps it alive on one stream', async () => {
  const session = await client.session({ ttlMs: 3_000, keepAliveIntervalMs: 100 });
  const events = record(session);
  expect(session.state).toBe('CONNECTING');
  const id = await session.subSessionId('jobs');
  expect(id).toBe(101);
  expect(await session.subSessionId('jobs')).toBe(101);
  expect(events.map((e) => e.type)).toEqual(['CONNECTED']);
  await fake.until('three keepalives at the leader', () => fake.nodes[0].keepAlives.length >= 3);
  expect(fake.nodes[0].keepAlives[0]).toMatchObject({ session_ids: [101], namespace: 'jobs' });
  expect(fake.nodes[1].keepAlives).toHaveLength(0);
  expect(session.remainingMs()).toBeGreaterThan(0);
  expect(session.remainingMs()).toBeLessThanOrEqual(3_000);
  await session.close();
  expect(fake.nodes[0].closedSessions).toEqual([101]);
  expect(events.map((e) => e.type)).toEqual(['CONNECTED', 'CLOSED']);
  await expect(session.subSessionId('jobs')).rejects.toBeInstanceOf(SessionExpiredError);
});

test('unanswered keepalives make it SUSPENDED with the lease left; answers again make it RECONNECTED', async () => {
  const session = await client.session({ ttlMs: 3_000, keepAliveIntervalMs: 100 });
  const events = record(session);
  await session.subSessionId('jobs');
  await fake.until('a keepalive', () => fake.nodes[0].keepAlives.length >= 1);
  fake.nodes[0].keepAlive = { kind: 'silent' };
  const suspended = await waitForState(session, events, 'SUSPENDED');
  expect(suspended.type === 'SUSPENDED' && suspended.remainingMs).toBeGreaterThan(0);
  expect(suspended.type === 'SUSPENDED' && suspended.remainingMs).toBeLessThan(3_000);
  fake.nodes[0].keepAlive = { kind: 'alive' };
  await waitForState(session, events, 'RECONNECTED');
  expect(session.state).toBe('CONNECTED');
  expect(events.map((e) => e.type)).toEqual(['CONNECTED', 'SUSPENDED', 'RECONNECTED']);
  await session.close();
});

test('the server saying expired ends the session: EXPIRED, `ended` resolves, further use is refused', async () => {
  const session = await client.session({ ttlMs: 3_000, keepAliveIntervalMs: 100 });
  const events = record(session);
  await session.subSessionId('jobs');
  fake.nodes[0].keepAlive = { kind: 'expired' };
  const end = await session.ended;
  expect(end.state).toBe('EXPIRED');
  expect(end.reason).toMatch(/expired sub-session 101/);
  expect(events.map((e) => e.type)).toEqual(['CONNECTED', 'EXPIRED']);
  expect(session.remainingMs()).toBe(0);
  await expect(session.subSessionId('other')).rejects.toBeInstanceOf(SessionExpiredError);
  // What is left open is closed on the server.
  await fake.until('the sub-session to be closed', () => fake.nodes[0].closedSessions.includes(101));
});

test('a lease that runs out without any answer expires the session locally', async () => {
  fake.nodes[0].keepAlive = { kind: 'silent' };
  // The fake grants 3 s; the client counts the lease from when it SENT the open.
  const session = await client.session({ ttlMs: 3_000, keepAliveIntervalMs: 100 });
  const events = record(session);
  await session.subSessionId('jobs');
  const end = await session.ended;
  expect(end).toMatchObject({ state: 'EXPIRED', reason: expect.stringMatching(/lease ran out/) });
  expect(events.map((e) => e.type)).toEqual(['CONNECTED', 'SUSPENDED', 'EXPIRED']);
});

test('a keepalive refused with a leader hint goes to the hinted node next, without a suspension', async () => {
  const session = await client.session({ ttlMs: 3_000, keepAliveIntervalMs: 200 });
  const events = record(session);
  await session.subSessionId('jobs');
  // Leadership moved to node 2; node 1 refuses and names it.
  fake.leader = 2;
  fake.nodes[0].keepAlive = { kind: 'not-leader', leaderId: 2, leaderAddress: fake.nodes[1].address };
  await fake.until('keepalives at node 2', () => fake.nodes[1].keepAlives.length >= 3);
  expect(events.map((e) => e.type)).toEqual(['CONNECTED']);
  await session.close();
});

test('two sessions share one keepalive stream per node', async () => {
  const one = await client.session({ ttlMs: 3_000, keepAliveIntervalMs: 100 });
  const two = await client.session({ ttlMs: 3_000, keepAliveIntervalMs: 100 });
  const [a, b] = await Promise.all([one.subSessionId('jobs'), two.subSessionId('jobs')]);
  const seen = (id: number): boolean => fake.nodes[0].keepAlives.some((k) => k.session_ids.map(Number).includes(id));
  await fake.until('keepalives for both sessions', () => seen(a) && seen(b));
  expect((client as unknown as { hub: { openStreamCount(): number } }).hub.openStreamCount()).toBe(1);
  await one.close();
  await two.close();
});
