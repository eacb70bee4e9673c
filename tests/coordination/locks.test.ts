// 16 contender processes on one lock, holders SIGKILLed at random (seeded), on a real 3-node
// cluster. Each contender loops: acquire (FIFO wait) -> guarded writes carrying its fencing
// token -> release. The test checks, from an Observe stream and the contenders' reports:
// - never two holders at once: the successful guarded writes, in revision order, carry
//   non-decreasing tokens, and a dead holder's token is refused once the lock moved on;
// - fencing tokens strictly increasing;
// - FIFO: each new holder is the head of the queue, save waiters that were killed.

import * as grpc from '@grpc/grpc-js';
import { TestCluster, waitFor } from '../cluster/harness';
import type { LockInfo__Output } from '../../proto/gen/corral/v1/LockInfo';
import { SeededRandom } from '../../server/util/random';
import { ChildClient, killAll, type ChildEvent } from './children';
import { Clients, deadline, unaryCall, withRetry } from './raw-client';
import { endpointsOf, expectStatus, warmUp, settleLeadership } from './fixture';

jest.setTimeout(240_000);

const NS = 'jobs';
const LOCK = `/${NS}/nightly`;
const RESOURCE = `/${NS}/report`;
const CONTENDERS = 16;
const KILLS = 5;
const TTL_MS = 3_000;

describe('16 contenders on one lock with holders killed at random', () => {
  let cluster: TestCluster;
  let clients: Clients;
  const children: ChildClient[] = [];
  let observer: grpc.ClientReadableStream<LockInfo__Output> | null = null;

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 3, kvGroups: 2 });
    await cluster.waitForLeaders();
    await settleLeadership(cluster);
    clients = new Clients();
    await withRetry('put root', endpointsOf(cluster), (a) => unaryCall((cb) => clients.kv(a).Put({ path: `/${NS}`, value: Buffer.from('') }, deadline(5_000), cb)));
    await warmUp(cluster, clients, NS);
  });

  afterAll(async () => {
    observer?.cancel();
    await killAll(children);
    clients?.close();
    await cluster?.stop();
  });

  test('never two holders, tokens strictly increasing, FIFO grants', async () => {
    const random = new SeededRandom(20_240_611);
    const endpoints = endpointsOf(cluster);
    const observed: LockInfo__Output[] = [];
    observer = clients.lock(endpoints[0]).Observe({ name: LOCK });
    observer.on('data', (info: LockInfo__Output) => observed.push(info));
    observer.on('error', () => undefined);
    await waitFor('the observer\'s first state', () => observed.length >= 1, 10_000, 20);

    for (let i = 0; i < CONTENDERS; i += 1) {
      children.push(ChildClient.start(`contender-${i}`, {
        role: 'contender', endpoints, namespace: NS, ttlMs: TTL_MS, keepaliveMs: 400, waitForGo: true,
        lock: LOCK, resource: RESOURCE, holdMs: 450, roundsMax: 2, writesPerHold: 3,
      }));
    }
    const sessionOf = new Map<ChildClient, number>();
    for (const child of children) await child.waitFor('booted', (e) => e.event === 'booted', 90_000);
    for (const child of children) child.send('go');
    for (const child of children) sessionOf.set(child, Number((await child.waitFor('ready', (e) => e.event === 'ready', 30_000)).sessionId));
    const killedSessions = new Set<number>();
    const killedTokens: number[] = [];

    // Kill a holder at random (after its first guarded write), KILLS times.
    for (let kill = 0; kill < KILLS; kill += 1) {
      const victim = await waitForVictim(children, killedSessions, random);
      const write = await victim.child.waitFor('its first write', (e) => e.event === 'write' && e.token === victim.token, 30_000);
      await victim.child.kill();
      // It died holding: it had not released that token.
      expect(victim.child.events.some((e) => e.event === 'release' && e.token === victim.token)).toBe(false);
      killedSessions.add(sessionOf.get(victim.child)!);
      killedTokens.push(victim.token);
      process.stdout.write(`killed ${victim.child.name} holding token ${victim.token} (write at revision ${String(write.revision)})\n`);
    }
    const survivors = children.filter((child) => !child.exited);
    for (const child of survivors) await child.waitFor('done', (e) => e.event === 'done', 120_000);

    // A dead holder's token is fenced off once the lock has moved on.
    for (const token of killedTokens) {
      const refused = await expectStatus(unaryCall((cb) => clients.kv(endpoints[1]).Put({ path: RESOURCE, value: Buffer.from(`zombie:${token}`), guard: { lock: LOCK, token } }, deadline(5_000), cb)), grpc.status.FAILED_PRECONDITION);
      expect(refused.details).toMatch(new RegExp(`guard lock ${LOCK} is (not held|held with token \\d+, not ${token})`));
    }

    // Guarded writes in revision order: tokens never go back (no two holders interleave).
    const writes = children.flatMap((child) => child.events.filter((e) => e.event === 'write')).map((e) => ({ token: Number(e.token), revision: Number(e.revision) }));
    writes.sort((a, b) => a.revision - b.revision);
    for (let i = 1; i < writes.length; i += 1) expect(writes[i].token).toBeGreaterThanOrEqual(writes[i - 1].token);
    const refusals = children.flatMap((child) => child.events.filter((e) => e.event === 'refused' || e.event === 'expired'));
    expect(refusals).toEqual([]); // no live session expired, and a live holder's writes are never refused

    // Every grant a contender reported was observed, in the same token order.
    await waitFor('the observer sees the lock free', () => Number(observed[observed.length - 1]?.holder_session_id ?? 1) === 0 && observed.length > 1, 30_000, 50);
    const holds = observed.filter((info) => Number(info.token) !== 0);
    const tokens = holds.map((info) => Number(info.token));
    for (let i = 1; i < tokens.length; i += 1) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]);
    const granted = children.flatMap((child) => child.events.filter((e) => e.event === 'grant')).map((e) => Number(e.token)).sort((a, b) => a - b);
    expect(granted).toEqual(tokens);
    expect(granted.length).toBeGreaterThanOrEqual(CONTENDERS);

    // FIFO: a new holder was first in the queue, save waiters killed since.
    for (let i = 1; i < observed.length; i += 1) {
      const holder = Number(observed[i].holder_session_id);
      const queue = observed[i - 1].waiters.map((waiter) => Number(waiter.session_id));
      if (holder === 0 || queue.length === 0) continue;
      const position = queue.indexOf(holder);
      expect({ step: i, position: position === -1 ? 'not queued' : 'queued' }).toEqual({ step: i, position: 'queued' });
      expect(queue.slice(0, position).filter((session) => !killedSessions.has(session))).toEqual([]);
    }
    process.stdout.write(`${granted.length} grants, ${writes.length} guarded writes, ${killedTokens.length} holders killed\n`);
  });
});

/** Waits for the next grant to a live contender; picks it with probability 1/2 (seeded). */
async function waitForVictim(children: readonly ChildClient[], killed: ReadonlySet<number>, random: SeededRandom): Promise<{ child: ChildClient; token: number }> {
  const seen = new Set<number>();
  for (let round = 0; round < 200; round += 1) {
    const grants: { child: ChildClient; event: ChildEvent }[] = [];
    for (const child of children) {
      if (child.exited) continue;
      for (const event of child.events) if (event.event === 'grant' && !seen.has(Number(event.token))) grants.push({ child, event });
    }
    grants.sort((a, b) => Number(a.event.token) - Number(b.event.token));
    for (const { child, event } of grants) {
      seen.add(Number(event.token));
      const released = child.events.some((e) => e.event === 'release' && e.token === event.token);
      if (!released && !killed.has(Number(event.sessionId)) && random.nextInt(2) === 0) return { child, token: Number(event.token) };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no grant to a live contender within the bound');
}
