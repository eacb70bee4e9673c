// Membership on real processes, one cluster through three steps, with writers running and
// every acknowledged write read back at the end:
// 1. a 4th node joins a running 3-node cluster (--join) and placement gives it replicas;
// 2. a node down longer than --member-down-after-ms loses its replicas to live members, and
//    once back deletes the replicas it no longer holds;
// 3. node 1 is removed (its replicas move away first, then it leaves the meta group).

import * as grpc from '@grpc/grpc-js';
import type { ClusterStatusResponse__Output } from '../../proto/gen/corral/v1/ClusterStatusResponse';
import { TestCluster, call, putWithRetry, waitFor } from './harness';

jest.setTimeout(240_000);

const WRITERS = 4;
const WRITES_PER_WRITER_MAX = 10_000;
const ATTEMPTS_MAX = 200;

/** A linearizable read through node `id`; retried while the answer is retryable (a replica
 *  on its way out of a group answers UNAVAILABLE, and placement may still be moving some). */
async function get(cluster: TestCluster, id: number, path: string): Promise<string> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
    try {
      const response = await call<{ value: Buffer }>((cb) => cluster.kv(id).Get({ path }, { deadline: Date.now() + 10_000 }, cb));
      return response.value.toString();
    } catch (error) {
      lastError = error;
      if ((error as grpc.ServiceError).code !== grpc.status.UNAVAILABLE) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`get ${path} through node ${id} never succeeded: ${String(lastError)}`);
}

/** KV groups this node leads whose committed configuration includes `member`. */
function ledGroupsHolding(status: ClusterStatusResponse__Output, member: number): number[] {
  return status.groups
    .filter((g) => Number(g.id) !== 0 && Number(g.leader) === Number(status.node_id))
    .filter((g) => g.applied_voters.map(Number).includes(member) || g.applied_learners.map(Number).includes(member))
    .map((g) => Number(g.id));
}

/** KV groups with a local replica on the node that answers. */
function hostedKvGroups(status: ClusterStatusResponse__Output): number[] {
  return status.groups.filter((g) => Number(g.id) !== 0 && g.applied_voters.length > 0).map((g) => Number(g.id));
}

/** Writers that keep writing through `through()` until stopped; every acknowledged write is
 *  recorded in `acked`. */
class Writers {
  written = 0;
  private writing = true;
  private readonly done: Promise<void[]>;

  constructor(cluster: TestCluster, acked: Map<string, string>, prefix: string, through: () => readonly number[]) {
    this.done = Promise.all(Array.from({ length: WRITERS }, async (_, worker) => {
      for (let i = 0; this.writing && i < WRITES_PER_WRITER_MAX; i++) {
        const path = `/ns${(worker + i) % 5}/${prefix}-${worker}-${i}`;
        await putWithRetry(cluster, through, path, `v${i}`);
        acked.set(path, `v${i}`);
        this.written += 1;
      }
    }));
  }

  async stop(): Promise<number> {
    this.writing = false;
    await this.done;
    return this.written;
  }
}

describe('cluster membership with real processes', () => {
  let cluster: TestCluster;
  const acked = new Map<string, string>();

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 3, kvGroups: 3, args: ['--placement-interval-ms', '300', '--member-down-after-ms', '5000'] });
    await cluster.waitForLeaders();
  });

  afterAll(async () => {
    // KEEP_CLUSTER=1 keeps the data dirs and logs for a look after a failure.
    await cluster?.stop(process.env.KEEP_CLUSTER === '1');
    if (process.env.KEEP_CLUSTER === '1') process.stdout.write(`logs: ${cluster?.dir}\n`);
  });

  test('a 4th node joins under writes and receives replicas', async () => {
    const through = [1, 2, 3];
    const writers = new Writers(cluster, acked, 'join', () => through);
    try {
      await waitFor('writes before the join', () => writers.written >= 40, 60_000, 20);
      expect(await cluster.addJoiningNode(2)).toBe(4);
      through.push(4);
      const status = await cluster.status(4);
      expect(status.members.find((m) => Number(m.id) === 4)).toMatchObject({ state: 'active' });
      // 3 groups x 3 replicas on 4 nodes: placement moves one replica to the new node.
      await waitFor('node 4 holds a led replica', async () => {
        const groups = (await cluster.status(4)).groups;
        return groups.some((g) => Number(g.id) !== 0 && g.applied_voters.map(Number).includes(4) && Number(g.leader) !== 0);
      }, 60_000, 200);
      const atJoin = writers.written;
      await waitFor('writes continue', () => writers.written >= atJoin + 40, 60_000, 20);
    } finally {
      process.stdout.write(`join: ${await writers.stop()} writes acknowledged\n`);
    }
  });

  test('a node down too long loses its replicas to live nodes; back, it deletes the stale ones', async () => {
    const before = hostedKvGroups(await cluster.status(3));
    expect(before.length).toBeGreaterThan(0);
    const writers = new Writers(cluster, acked, 'down', () => [1, 2, 4]);
    try {
      await cluster.signal(3, 'SIGKILL');
      await waitFor('no KV group targets node 3', async () => {
        const status = await cluster.status(1);
        return status.groups.every((g) => Number(g.id) === 0 || !g.voters.map(Number).includes(3));
      }, 60_000, 250);
      await cluster.startNode(3);
      // Back and active, node 3 first deletes what it no longer holds (placement may later
      // give it replicas again to even out the load).
      await waitFor('node 3 deleted its stale replicas', async () => {
        const status = await cluster.status(3);
        const targets = status.groups.filter((g) => Number(g.id) !== 0 && g.voters.map(Number).includes(3)).map((g) => Number(g.id));
        return hostedKvGroups(status).every((id) => targets.includes(id));
      }, 60_000, 250);
    } finally {
      process.stdout.write(`node down: ${await writers.stop()} writes acknowledged\n`);
    }
    await cluster.waitForLeaders();
  });

  test('node 1 is removed under writes: replicas first, then the meta group; nothing acknowledged is lost', async () => {
    const writers = new Writers(cluster, acked, 'remove', () => [2, 3, 4]);
    try {
      await waitFor('writes before the removal', () => writers.written >= 40, 60_000, 20);
      const response = await call<{ members: { id: number; state: string }[] }>((cb) => cluster.cluster(3).RemoveNode({ id: 1 }, { deadline: Date.now() + 10_000 }, cb));
      expect(response.members.find((m) => Number(m.id) === 1)?.state).toBe('leaving');
      await waitFor('node 1 removed and out of every configuration', async () => {
        const status = await cluster.status(2);
        if (status.members.find((m) => Number(m.id) === 1)?.state !== 'removed') return false;
        const meta = status.groups.find((g) => Number(g.id) === 0)!;
        if (meta.applied_voters.map(Number).includes(1) || meta.applied_learners.map(Number).includes(1)) return false;
        for (const id of [2, 3, 4]) if (ledGroupsHolding(await cluster.status(id), 1).length > 0) return false;
        return true;
      }, 120_000, 300);
      await waitFor('node 1 deleted its KV replicas', async () => hostedKvGroups(await cluster.status(1)).length === 0, 60_000, 300);
      const atRemoval = writers.written;
      await waitFor('writes continue after the removal', () => writers.written >= atRemoval + 40, 60_000, 20);
    } finally {
      process.stdout.write(`removal: ${await writers.stop()} writes acknowledged\n`);
    }
    await cluster.signal(1, 'SIGTERM');
    await waitFor('meta voters recorded as 2, 3, 4', async () => {
      const members = (await cluster.status(2)).members;
      return members.filter((m) => m.meta_voter).map((m) => Number(m.id)).sort().join() === '2,3,4';
    }, 60_000, 250);
    for (const group of (await cluster.status(2)).groups.filter((g) => Number(g.id) !== 0)) {
      expect(group.voters.map(Number)).not.toContain(1);
      expect(group.voters).toHaveLength(3);
    }

    // The joined node restarts from its data dir (no new join), then every write is read
    // back linearizably through every remaining node.
    await cluster.signal(4, 'SIGKILL');
    await cluster.startNode(4);
    await cluster.waitForLeaders(60_000, [2, 3, 4]);
    process.stdout.write(`reading back ${acked.size} acknowledged writes through nodes 2, 3, 4\n`);
    for (const id of [2, 3, 4]) for (const [path, value] of acked) expect(await get(cluster, id, path)).toBe(value);
  });
});
