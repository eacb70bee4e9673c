// Ephemeral nodes and sessions across failures, on a real 3-node cluster:
// - a client process SIGKILLed: its ephemeral node is gone within TTL + 1 s;
// - the client and the group leader SIGKILLed at once: gone within TTL + grace;
// - live, keeping-alive sessions across several leader failovers: none of their ephemeral
//   nodes is ever removed.
// Times are measured with the test's own clock, from the kill to the REMOVE event arriving
// at a watcher on a surviving node.

import { TestCluster, waitFor } from '../cluster/harness';
import { ChildClient, killAll } from './children';
import { Clients, ResumingWatcher, SessionKeeper, deadline, openSession, unaryCall, withRetry, type SeenEvent } from './raw-client';
import { endpointsOf, exists, groupOfNamespace, leaderOf, otherEndpoint, warmUp, settleLeadership } from './fixture';

jest.setTimeout(180_000);

const NS = 'eph';
const GRACE_MS = 2_000; // the server's default reconnectGraceMs
const KEEPALIVE_MS = 500;

describe('ephemeral nodes across client and leader failures', () => {
  let cluster: TestCluster;
  let clients: Clients;
  const children: ChildClient[] = [];
  const watchers: ResumingWatcher[] = [];
  const keepers: SessionKeeper[] = [];

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 3, kvGroups: 2, args: ['--reconnect-grace-ms', String(GRACE_MS)] });
    await cluster.waitForLeaders();
    await settleLeadership(cluster);
    clients = new Clients();
    await withRetry('put root', endpointsOf(cluster), (a) => unaryCall((cb) => clients.kv(a).Put({ path: `/${NS}`, value: Buffer.from('') }, deadline(5_000), cb)));
    await warmUp(cluster, clients, NS);
  });

  afterAll(async () => {
    for (const keeper of keepers) keeper.stop();
    for (const watcher of watchers) watcher.stop();
    await killAll(children);
    clients?.close();
    await cluster?.stop();
  });

  function startWatcher(path: string, at: string): ResumingWatcher {
    const watcher = new ResumingWatcher(clients, { path, kind: 'SUBTREE' }, (failed) => otherEndpoint(cluster, failed));
    watchers.push(watcher);
    watcher.start(at);
    return watcher;
  }

  function startClient(name: string, ttlMs: number, path: string): ChildClient {
    const child = ChildClient.start(name, {
      role: 'ephemeral', endpoints: endpointsOf(cluster), namespace: NS, ttlMs, keepaliveMs: KEEPALIVE_MS,
      paths: [path], value: name, heartbeatMs: 0, heartbeatsMax: 0,
    });
    children.push(child);
    return child;
  }

  function removalOf(path: string): (events: readonly SeenEvent[]) => boolean {
    return (events) => events.some((seen) => seen.event.type === 'REMOVE' && seen.event.path === path);
  }

  test('a SIGKILLed client\'s ephemeral node is gone within TTL + 1 s', async () => {
    const ttlMs = 3_000;
    const path = `/${NS}/one/a`;
    const child = startClient('client-a', ttlMs, path);
    await child.waitFor('ready', (e) => e.event === 'ready', 60_000);
    const watcher = startWatcher(`/${NS}/one`, endpointsOf(cluster)[1]);
    await watcher.established(10_000);
    expect((await exists(clients, endpointsOf(cluster), path)).exists).toBe(true);
    const killedAtMs = Date.now();
    await child.kill();
    await watcher.waitFor(`REMOVE of ${path}`, removalOf(path), ttlMs + 10_000);
    const removed = watcher.events.find((seen) => seen.event.path === path && seen.event.type === 'REMOVE')!;
    const elapsedMs = removed.atMs - killedAtMs;
    process.stdout.write(`client SIGKILL: ephemeral removed after ${elapsedMs} ms (TTL ${ttlMs} ms, bound ${ttlMs + 1_000} ms)\n`);
    expect(elapsedMs).toBeLessThanOrEqual(ttlMs + 1_000);
    expect(removed.event.prev_value.toString()).toBe('client-a');
  });

  test('client and group leader SIGKILLed at once: the ephemeral node is gone within TTL + grace', async () => {
    const ttlMs = 4_000;
    const path = `/${NS}/two/b`;
    const groupId = await groupOfNamespace(cluster, NS);
    const child = startClient('client-b', ttlMs, path);
    await child.waitFor('ready', (e) => e.event === 'ready', 60_000);
    // Let at least one keepalive batch replicate, as in steady state.
    await waitFor('a keepalive after ready', () => child.events.length > 0 && Date.now() - child.events[0].atMs > ttlMs / 2, 10_000, 50);
    const leaderId = await leaderOf(cluster, groupId);
    const survivor = cluster.runningIds().find((id) => id !== leaderId)!;
    const watcher = startWatcher(`/${NS}/two`, cluster.address(survivor));
    await watcher.established(10_000);
    const killedAtMs = Date.now();
    await Promise.all([child.kill(), cluster.signal(leaderId, 'SIGKILL')]);
    await watcher.waitFor(`REMOVE of ${path}`, removalOf(path), ttlMs + GRACE_MS + 20_000);
    const removed = watcher.events.find((seen) => seen.event.path === path && seen.event.type === 'REMOVE')!;
    const elapsedMs = removed.atMs - killedAtMs;
    const newLeader = await leaderOf(cluster, groupId);
    process.stdout.write(`client + leader ${leaderId} SIGKILL: ephemeral removed after ${elapsedMs} ms by new leader ${newLeader} (TTL ${ttlMs} + grace ${GRACE_MS} ms)\n`);
    expect(elapsedMs).toBeLessThanOrEqual(ttlMs + GRACE_MS);
    expect(newLeader).not.toBe(leaderId);
    await cluster.startNode(leaderId);
    await cluster.waitForLeaders();
    await settleLeadership(cluster);
  });

  test('no ephemeral node of a live, keeping-alive session is removed across three leader failovers', async () => {
    const ttlMs = 3_000;
    const groupId = await groupOfNamespace(cluster, NS);
    const endpoints = (): string[] => endpointsOf(cluster);
    const watcher = startWatcher(`/${NS}/live`, endpoints()[0]);
    await watcher.established(10_000);
    const owners = new Map<string, number>();
    const sessionIds: number[] = [];
    for (let s = 0; s < 3; s += 1) {
      const sessionId = await openSession(clients, endpoints(), NS, ttlMs);
      sessionIds.push(sessionId);
      const keeper = new SessionKeeper(clients, endpoints, { namespace: NS, sessionIds: [sessionId], intervalMs: KEEPALIVE_MS });
      keeper.start();
      keepers.push(keeper);
      for (const name of ['x', 'y']) {
        const path = `/${NS}/live/s${s}-${name}`;
        await withRetry(`put ${path}`, endpoints(), (a) => unaryCall((cb) => clients.kv(a).Put({ path, value: Buffer.from(path), ephemeral: true, session_id: sessionId }, deadline(5_000), cb)));
        owners.set(path, sessionId);
      }
    }
    const created = new Map<string, number>();
    for (const path of owners.keys()) created.set(path, Number((await exists(clients, endpoints(), path)).stat!.create_revision));
    for (let round = 1; round <= 3; round += 1) {
      const leaderId = await leaderOf(cluster, groupId);
      const killedAtMs = Date.now();
      await cluster.signal(leaderId, 'SIGKILL');
      const newLeader = await leaderOf(cluster, groupId);
      // Long enough for a wrong expiry to show: every keeper renewed at the new leader more
      // than TTL + grace after the kill.
      await waitFor(`keepalives reach the new leader (round ${round})`, () => keepers.slice(-3).every((k) => k.lastAliveMs - killedAtMs > ttlMs + GRACE_MS), 30_000, 100);
      process.stdout.write(`failover ${round}: leader ${leaderId} killed, ${newLeader} leads; sessions kept alive\n`);
      await cluster.startNode(leaderId);
      await cluster.waitForLeaders();
      await settleLeadership(cluster); // the placement loop hands leadership back: one more change
    }
    const removals = watcher.events.filter((seen) => seen.event.type === 'REMOVE');
    expect(removals.map((seen) => seen.event.path)).toEqual([]);
    expect(watcher.violations).toEqual([]);
    for (const keeper of keepers.slice(-3)) expect([...keeper.expired]).toEqual([]);
    for (const [path, owner] of owners) {
      const state = await exists(clients, endpoints(), path);
      expect({ path, exists: state.exists, owner: Number(state.stat?.ephemeral_owner ?? 0), created: Number(state.stat?.create_revision ?? 0) })
        .toEqual({ path, exists: true, owner, created: created.get(path) });
    }
    for (const sessionId of sessionIds) {
      const info = await withRetry('time to live', endpoints(), (a) => unaryCall<{ ephemeral_count: number }>((cb) => clients.session(a).TimeToLive({ session_id: sessionId, namespace: NS }, deadline(5_000), cb)));
      expect(info.ephemeral_count).toBe(2);
    }
  });
});
