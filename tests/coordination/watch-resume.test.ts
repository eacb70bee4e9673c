// A watcher that disconnects and resumes from its last revision sees every change exactly
// once, in revision order — across client disconnects, a SIGKILL of the node it watches
// through, and a leader failover — on a real 3-node cluster under a steady stream of writes.

import * as grpc from '@grpc/grpc-js';
import { TestCluster, waitFor } from '../cluster/harness';
import { Clients, ResumingWatcher, deadline, statusOf, unaryCall, withRetry } from './raw-client';
import { endpointsOf, groupOfNamespace, leaderOf, otherEndpoint, warmUp, settleLeadership } from './fixture';

jest.setTimeout(180_000);

const NS = 'feed';
const ITEMS = 400;

describe('watch resume across disconnects and a leader failover', () => {
  let cluster: TestCluster;
  let clients: Clients;
  let watcher: ResumingWatcher | null = null;

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 3, kvGroups: 2 });
    await cluster.waitForLeaders();
    await settleLeadership(cluster);
    clients = new Clients();
    await withRetry('put root', endpointsOf(cluster), (a) => unaryCall((cb) => clients.kv(a).Put({ path: `/${NS}`, value: Buffer.from('') }, deadline(5_000), cb)));
    await warmUp(cluster, clients, NS);
  });

  afterAll(async () => {
    watcher?.stop();
    clients?.close();
    await cluster?.stop();
  });

  /** Creates each item once: a retry that finds it created (ALREADY_EXISTS) was applied. */
  async function createItem(index: number): Promise<void> {
    const path = `/${NS}/item-${String(index).padStart(4, '0')}`;
    await withRetry(`create ${path}`, endpointsOf(cluster), async (address) => {
      try {
        await unaryCall((cb) => clients.kv(address).Create({ path, value: Buffer.from(String(index)) }, deadline(3_000), cb));
      } catch (error) {
        if (statusOf(error).code !== grpc.status.ALREADY_EXISTS) throw error;
      }
    });
  }

  test('every change exactly once, in order', async () => {
    const groupId = await groupOfNamespace(cluster, NS);
    const leaderId = await leaderOf(cluster, groupId);
    // Watch through the leader, so that killing it also breaks the watch.
    watcher = new ResumingWatcher(clients, { path: `/${NS}`, kind: 'SUBTREE' }, (failed) => otherEndpoint(cluster, failed));
    watcher.start(cluster.address(leaderId));
    await watcher.established(10_000);
    let written = 0;
    const writer = (async () => {
      for (let index = 0; index < ITEMS; index += 1) {
        await createItem(index);
        written += 1;
      }
    })();
    await waitFor('100 items written', () => written >= 100, 60_000, 20);
    watcher.disconnect();
    watcher.resume(otherEndpoint(cluster, cluster.address(leaderId)));
    await waitFor('180 items written', () => written >= 180, 60_000, 20);
    // The watcher may have resumed on a follower: move it back to the leader, then kill it.
    watcher.disconnect();
    watcher.resume(cluster.address(leaderId));
    await watcher.waitFor('resumed on the leader', (events) => events.length >= 185, 30_000);
    await cluster.signal(leaderId, 'SIGKILL');
    const newLeader = await leaderOf(cluster, groupId);
    await waitFor('300 items written', () => written >= 300, 60_000, 20);
    watcher.disconnect();
    watcher.resume(otherEndpoint(cluster, ''));
    await writer;
    await watcher.waitFor(`all ${ITEMS} items`, (events) => events.length >= ITEMS, 60_000);
    process.stdout.write(`watch: ${watcher.events.length} events over ${watcher.resumes} resumes; leader ${leaderId} killed, ${newLeader} took over\n`);

    const paths = watcher.events.map((seen) => seen.event.path);
    const expected = Array.from({ length: ITEMS }, (_, index) => `/${NS}/item-${String(index).padStart(4, '0')}`);
    expect(watcher.violations).toEqual([]);
    expect(watcher.events.every((seen) => seen.event.type === 'ADD')).toBe(true);
    expect(paths).toEqual(expected); // every change once, in write order
    const revisions = watcher.events.map((seen) => Number(seen.event.revision));
    for (let i = 1; i < revisions.length; i += 1) expect(revisions[i]).toBeGreaterThan(revisions[i - 1]);
    expect(watcher.resumes).toBeGreaterThanOrEqual(4);
  });
});
