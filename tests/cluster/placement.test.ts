// Placement on real processes: KV group leaders spread evenly (3 nodes, 6 groups: 2 each),
// also after every leadership was piled onto one node; and a KV group created online gets
// its replicas, a leader and the same even spread.

import type { ClusterStatusResponse__Output } from '../../proto/gen/corral/v1/ClusterStatusResponse';
import { TestCluster, call, waitFor } from './harness';

jest.setTimeout(240_000);

const NODES = [1, 2, 3];

/** Leaders per node, each KV group counted once, as the leader itself reports it. */
async function leadersPerNode(cluster: TestCluster): Promise<Map<number, number[]>> {
  const led = new Map<number, number[]>(NODES.map((id) => [id, []]));
  for (const id of NODES) {
    const status: ClusterStatusResponse__Output = await cluster.status(id);
    for (const group of status.groups) {
      if (Number(group.id) !== 0 && Number(group.leader) === id) led.get(id)!.push(Number(group.id));
    }
  }
  return led;
}

function counts(led: Map<number, number[]>): number[] {
  return NODES.map((id) => led.get(id)!.length);
}

describe('placement with real processes', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 3, kvGroups: 6, args: ['--placement-interval-ms', '300'] });
    await cluster.waitForLeaders();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test('3 nodes and 6 KV groups: each node leads 2, again after all leadership moved to one node', async () => {
    await waitFor('2 leaders per node', async () => counts(await leadersPerNode(cluster)).every((n) => n === 2), 60_000, 250);

    for (const groupId of [1, 2, 3, 4, 5, 6]) {
      // A transfer in flight leaves the group without a known leader for a moment: retry.
      await waitFor(`transfer of group ${groupId} accepted`, async () => {
        await call((cb) => cluster.cluster(2).TransferLeader({ group_id: groupId, to: 1 }, { deadline: Date.now() + 10_000 }, cb));
        return true;
      }, 30_000, 100);
    }
    const skewed = await waitFor('node 1 leads most groups', async () => {
      const led = await leadersPerNode(cluster);
      return led.get(1)!.length >= 5 ? led : false;
    }, 30_000, 50);
    const balancedAt = Date.now();
    const balanced = await waitFor('leaders balanced again', async () => {
      const led = await leadersPerNode(cluster);
      return counts(led).every((n) => n === 2) ? led : false;
    }, 60_000, 250);
    process.stdout.write(`leaders ${JSON.stringify([...skewed])} rebalanced to ${JSON.stringify([...balanced])} in ${Date.now() - balancedAt} ms\n`);
  });

  test('a KV group created online gets its replicas and a leader; leadership stays even', async () => {
    const created = await call<{ group_id: number; voters: number[]; preferred_leader: number }>((cb) =>
      cluster.cluster(3).CreateGroup({ replication: 0 }, { deadline: Date.now() + 10_000 }, cb),
    );
    const groupId = Number(created.group_id);
    expect(groupId).toBe(7);
    expect(created.voters.map(Number).sort()).toEqual([1, 2, 3]);
    await waitFor(`group ${groupId} replicated and led on every voter`, async () => {
      for (const id of NODES) {
        const group = (await cluster.status(id)).groups.find((g) => Number(g.id) === groupId);
        if (group === undefined || Number(group.leader) === 0 || Number(group.commit) < 1) return false;
        if (group.applied_voters.map(Number).sort().join() !== '1,2,3') return false;
      }
      return true;
    }, 60_000, 250);
    await waitFor('the new group led by its preferred leader, 7 groups spread 3-2-2', async () => {
      const led = await leadersPerNode(cluster);
      const sorted = counts(led).sort();
      return sorted.join() === '2,2,3' && led.get(Number(created.preferred_leader))!.includes(groupId);
    }, 60_000, 250);

    const single = await call<{ group_id: number; voters: number[] }>((cb) => cluster.cluster(1).CreateGroup({ replication: 1 }, { deadline: Date.now() + 10_000 }, cb));
    expect(single.voters).toHaveLength(1);
    const owner = Number(single.voters[0]);
    await waitFor('the single-replica group elects its only member', async () => {
      const group = (await cluster.status(owner)).groups.find((g) => Number(g.id) === Number(single.group_id));
      return group !== undefined && Number(group.leader) === owner;
    }, 60_000, 250);
  });
});
