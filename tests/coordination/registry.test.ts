// The registry shape of the first user (DolphinScheduler-style), end to end on a real
// 3-node cluster: three "master" processes register ephemeral nodes under /nodes/master and
// rewrite their heartbeat data; a subscriber that subscribes afterwards sees their ADDs
// replayed, then UPDATEs as they rewrite, and, when one master is SIGKILLed, a REMOVE
// carrying the last data it wrote.

import { TestCluster } from '../cluster/harness';
import { ChildClient, killAll } from './children';
import { Clients, ResumingWatcher, deadline, unaryCall, withRetry, type SeenEvent } from './raw-client';
import { endpointsOf, otherEndpoint, warmUp, settleLeadership } from './fixture';

jest.setTimeout(120_000);

const NS = 'nodes';
const PARENT = `/${NS}/master`;
const TTL_MS = 3_000;

describe('registry: masters register, a subscriber follows them', () => {
  let cluster: TestCluster;
  let clients: Clients;
  const masters: ChildClient[] = [];
  let subscriber: ResumingWatcher | null = null;

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 3, kvGroups: 2 });
    await cluster.waitForLeaders();
    await settleLeadership(cluster);
    clients = new Clients();
    await withRetry('put root', endpointsOf(cluster), (a) => unaryCall((cb) => clients.kv(a).Put({ path: `/${NS}`, value: Buffer.from('') }, deadline(5_000), cb)));
    await warmUp(cluster, clients, NS);
  });

  afterAll(async () => {
    subscriber?.stop();
    await killAll(masters);
    clients?.close();
    await cluster?.stop();
  });

  test('ADDs replayed on subscribe, UPDATEs on heartbeat, REMOVE with the last data on kill', async () => {
    const hosts = ['10.0.0.5:5678', '10.0.0.6:5678', '10.0.0.7:5678'];
    for (const host of hosts) {
      masters.push(ChildClient.start(`master-${host}`, {
        role: 'ephemeral', endpoints: endpointsOf(cluster), namespace: NS, ttlMs: TTL_MS, keepaliveMs: 500,
        paths: [`${PARENT}/${host}`], value: `master ${host}`, heartbeatMs: 300, heartbeatsMax: 1_000,
      }));
    }
    for (const master of masters) await master.waitFor('registered', (e) => e.event === 'ready', 60_000);

    subscriber = new ResumingWatcher(clients, { path: PARENT, kind: 'SUBTREE', replay: true }, (failed) => otherEndpoint(cluster, failed));
    subscriber.start(endpointsOf(cluster)[2]);
    await subscriber.established(10_000);
    expect(subscriber.replayDone).toBe(true);
    const replayed = subscriber.events.filter((seen) => seen.event.path !== PARENT);
    expect(replayed.map((seen) => seen.event.type)).toEqual(['ADD', 'ADD', 'ADD']);
    expect(replayed.map((seen) => seen.event.path).sort()).toEqual(hosts.map((host) => `${PARENT}/${host}`));
    for (const seen of replayed) {
      expect(seen.event.value.toString()).toMatch(new RegExp(`^master ${seen.event.path.slice(PARENT.length + 1)}(#\\d+)?$`));
      expect(Number(seen.event.stat!.ephemeral_owner)).toBeGreaterThan(0);
    }

    const updatesOf = (events: readonly SeenEvent[], path: string): SeenEvent[] => events.filter((seen) => seen.event.type === 'UPDATE' && seen.event.path === path);
    await subscriber.waitFor('two UPDATEs from every master', (events) => hosts.every((host) => updatesOf(events, `${PARENT}/${host}`).length >= 2), 30_000);
    for (const host of hosts) {
      const updates = updatesOf(subscriber.events, `${PARENT}/${host}`);
      const [a, b] = updates.slice(-2);
      expect(b.event.prev_value.toString()).toBe(a.event.value.toString()); // each UPDATE carries the previous data
    }

    const victim = masters[1];
    const victimPath = `${PARENT}/${hosts[1]}`;
    await victim.kill();
    const lastWritten = [...victim.events].reverse().find((e) => e.event === 'heartbeat');
    await subscriber.waitFor(`REMOVE of ${victimPath}`, (events) => events.some((seen) => seen.event.type === 'REMOVE' && seen.event.path === victimPath), TTL_MS + 10_000);
    const removal = subscriber.events.find((seen) => seen.event.type === 'REMOVE' && seen.event.path === victimPath)!;
    const lastSeen = updatesOf(subscriber.events, victimPath).pop();
    expect(removal.event.prev_value.toString()).toBe(lastSeen!.event.value.toString());
    // The victim may have been killed between a write applying and its report of it.
    const beatOf = (value: string): number => Number(/#(\d+)$/.exec(value)?.[1] ?? 0);
    expect(beatOf(removal.event.prev_value.toString()) - beatOf(String(lastWritten?.value ?? ''))).toBeGreaterThanOrEqual(0);
    expect(beatOf(removal.event.prev_value.toString()) - beatOf(String(lastWritten?.value ?? ''))).toBeLessThanOrEqual(1);
    expect(removal.event.value.length).toBe(0);

    // The others live on: they keep updating after the removal.
    const removedAt = subscriber.events.indexOf(removal);
    await subscriber.waitFor('UPDATEs from the survivors after the REMOVE', (events) =>
      [hosts[0], hosts[2]].every((host) => events.slice(removedAt).some((seen) => seen.event.type === 'UPDATE' && seen.event.path === `${PARENT}/${host}`)), 10_000);
    const children = await unaryCall<{ children: { name: string }[] }>((cb) => clients.kv(endpointsOf(cluster)[0]).List({ path: PARENT }, deadline(5_000), cb));
    expect(children.children.map((child) => child.name)).toEqual([hosts[0], hosts[2]]);
    expect(subscriber.violations).toEqual([]);
  });
});
