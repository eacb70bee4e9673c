// A real 3-node cluster (processes, RocksDB, loopback): writes and linearizable reads through
// every node, SIGKILL of a KV group leader under writes, catch-up after restart, and a kill
// of every node with nothing acknowledged lost.

import { groupForNamespace } from '../../server/meta/shard-map';
import { TestCluster, call, putWithRetry, waitFor } from './harness';

jest.setTimeout(240_000);


async function get(cluster: TestCluster, id: number, path: string, serializable = false): Promise<string> {
  const response = await call<{ value: Buffer }>((cb) => cluster.kv(id).Get({ path, serializable }, { deadline: Date.now() + 10_000 }, cb));
  return response.value.toString();
}

describe('a 3-node cluster of real processes', () => {
  let cluster: TestCluster;
  const acked = new Map<string, string>();

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 3, kvGroups: 2 });
    await cluster.waitForLeaders();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test('writes through every node and reads them back linearizably through every node', async () => {
    for (const id of [1, 2, 3]) {
      for (const ns of ['alpha', 'beta', 'gamma']) {
        const path = `/${ns}/from-${id}`;
        await putWithRetry(cluster, [id], path, `v${id}`);
        acked.set(path, `v${id}`);
      }
    }
    for (const id of [1, 2, 3]) for (const [path, value] of acked) expect(await get(cluster, id, path)).toBe(value);
  });

  test('SIGKILL of a KV group leader under writes: a new leader serves, the restarted node catches up', async () => {
    const status = await cluster.status(1);
    const groupId = groupForNamespace(status.slots.map(Number), 'alpha');
    const leaderId = Number(status.groups.find((g) => Number(g.id) === groupId)!.leader);
    expect(leaderId).toBeGreaterThan(0);
    const survivors = [1, 2, 3].filter((id) => id !== leaderId);
    let writing = true;
    let written = 0;
    const writer = (async () => {
      for (let i = 0; writing && i < 2_000; i++) {
        const path = `/alpha/during-${i}`;
        await putWithRetry(cluster, survivors, path, `d${i}`);
        acked.set(path, `d${i}`);
        written += 1;
      }
    })();
    await waitFor('some writes before the kill', () => written >= 20, 30_000, 20);
    const killedAt = Date.now();
    await cluster.signal(leaderId, 'SIGKILL');
    const writtenAtKill = written;
    await waitFor('writes resume after the kill', () => written >= writtenAtKill + 20, 60_000, 20);
    const recoveryMs = Date.now() - killedAt;
    writing = false;
    await writer;
    const after = await cluster.status(survivors[0]);
    const newLeader = Number(after.groups.find((g) => Number(g.id) === groupId)!.leader);
    expect(survivors).toContain(newLeader);
    process.stdout.write(`leader ${leaderId} of group ${groupId} killed; writes resumed within ${recoveryMs} ms\n`);

    await cluster.startNode(leaderId);
    await cluster.waitForLeaders();
    const lastPath = `/alpha/during-${written - 1}`;
    await waitFor('restarted node catches up', async () => (await get(cluster, leaderId, lastPath, true)) === `d${written - 1}`, 60_000, 200);
    for (const [path, value] of acked) expect(await get(cluster, leaderId, path)).toBe(value);
  });

  test('every node SIGKILLed at once, then restarted: nothing acknowledged is lost', async () => {
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      const path = `/beta/burst-${i}`;
      writes.push(putWithRetry(cluster, [1, 2, 3], path, `b${i}`).then(() => { acked.set(path, `b${i}`); }));
    }
    await Promise.all(writes);
    await Promise.all([1, 2, 3].map((id) => cluster.signal(id, 'SIGKILL')));
    await Promise.all([1, 2, 3].map((id) => cluster.startNode(id)));
    await cluster.waitForLeaders();
    for (const id of [1, 2, 3]) for (const [path, value] of acked) expect(await get(cluster, id, path)).toBe(value);
  });
});
