// The multi-raft host over in-memory storage and network: group commit, forwarding hints,
// ReadIndex on followers, failover, restart from storage, snapshot catch-up.

import { defaultRaftConfig } from '../../server/raft';
import type { NodeId, RaftInitialState } from '../../server/raft/types';
import { MultiRaftHost, type HostOptions } from '../../server/host/multi-raft-host';
import { CorralError } from '../../server/util/errors';
import { SeededRandom } from '../../server/util/random';
import { MapStateMachine, MemoryNetwork, MemoryStorage, put } from './fakes';

interface TestNode {
  id: NodeId;
  storage: MemoryStorage;
  host: MultiRaftHost;
  machines: Map<number, MapStateMachine>;
}

const GROUPS = [1, 2];
const IDS = [1, 2, 3];

function hostOptions(id: NodeId, overrides: Partial<HostOptions> = {}): HostOptions {
  const random = new SeededRandom(id * 7919);
  return {
    nodeId: id,
    tickMs: 10,
    raftConfig: () => ({ ...defaultRaftConfig(id, random), electionTicks: 10, heartbeatTicks: 1 }),
    inputQueueMax: 100_000,
    pendingProposalsMax: 10_000,
    snapshotEntries: 1_000_000,
    catchUpEntries: 0,
    ticksPerPassMax: 3,
    ...overrides,
  };
}

async function startNode(network: MemoryNetwork, id: NodeId, storage: MemoryStorage, overrides: Partial<HostOptions> = {}): Promise<TestNode> {
  const host = new MultiRaftHost(hostOptions(id, overrides), storage, network.transport(id));
  const machines = new Map<number, MapStateMachine>();
  for (const groupId of GROUPS) {
    if (!storage.groups.has(groupId)) {
      // Bootstrap: the initial configuration is persisted as a snapshot at index 0.
      const sm = new MapStateMachine();
      await storage.saveSnapshot(groupId, { index: 0, term: 0, conf: { voters: IDS, learners: [] } }, sm.snapshot());
    }
    const loaded = await storage.loadGroup(groupId);
    const snapshot = await storage.loadSnapshot(groupId);
    const sm = new MapStateMachine();
    machines.set(groupId, sm);
    host.addGroup(groupId, sm, loaded.initial as RaftInitialState, snapshot?.data ?? null);
  }
  host.start();
  return { id, storage, host, machines };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function leaderOf(nodes: readonly TestNode[], groupId: number): TestNode | undefined {
  return nodes.find((n) => n.host.group(groupId)?.role === 'leader');
}

async function proposeWithRetry(nodes: readonly TestNode[], groupId: number, data: Uint8Array): Promise<unknown> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const leader = leaderOf(nodes, groupId);
    if (leader !== undefined) {
      try {
        return (await leader.host.propose(groupId, data)).result;
      } catch (error) {
        if (!(error instanceof CorralError) || !error.retryable) throw error;
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('proposal never committed');
}

describe('MultiRaftHost', () => {
  let nodes: TestNode[] = [];
  let network: MemoryNetwork;

  beforeEach(async () => {
    network = new MemoryNetwork();
    nodes = [];
    for (const id of IDS) nodes.push(await startNode(network, id, new MemoryStorage()));
  });

  afterEach(async () => {
    for (const node of nodes) await node.host.stop();
  });

  test('elects a leader per group and commits proposals on every replica', async () => {
    for (const groupId of GROUPS) await waitFor(`leader of ${groupId}`, () => leaderOf(nodes, groupId));
    for (const groupId of GROUPS) {
      expect(await proposeWithRetry(nodes, groupId, put('a', `v${groupId}`))).toBeNull();
      expect(await proposeWithRetry(nodes, groupId, put('a', `w${groupId}`))).toBe(`v${groupId}`);
    }
    for (const node of nodes) {
      for (const groupId of GROUPS) {
        await waitFor('apply everywhere', () => node.machines.get(groupId)!.values.get('a') === `w${groupId}`);
      }
    }
  });

  test('a follower refuses a proposal with a leader hint', async () => {
    const leader = await waitFor('leader', () => leaderOf(nodes, 1));
    const follower = nodes.find((n) => n !== leader)!;
    await waitFor('follower knows leader', () => follower.host.group(1)!.leader === leader.id);
    await expect(follower.host.propose(1, put('x', 'y'))).rejects.toMatchObject({ code: 'not-leader', details: { leaderHint: leader.id } });
  });

  test('a linearizable read on a follower sees a write acknowledged by the leader', async () => {
    await waitFor('leader', () => leaderOf(nodes, 1));
    await proposeWithRetry(nodes, 1, put('k', 'fresh'));
    for (const node of nodes) {
      await node.host.readBarrier(1, 5_000);
      expect(node.machines.get(1)!.values.get('k')).toBe('fresh');
    }
  });

  test('group commit: concurrent proposals of two groups share fsyncs', async () => {
    for (const groupId of GROUPS) await waitFor(`leader of ${groupId}`, () => leaderOf(nodes, groupId));
    const leaders = GROUPS.map((g) => leaderOf(nodes, g)!);
    const before = nodes.map((n) => n.host.stats.fsyncs);
    const proposals: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) for (const [g, leader] of leaders.entries()) proposals.push(leader.host.propose(GROUPS[g], put(`k${i}`, 'v')));
    await Promise.all(proposals);
    const fsyncs = nodes.reduce((sum, n, i) => sum + n.host.stats.fsyncs - before[i], 0);
    // 400 entries reached 3 disks; without batching that would be at least 1200 fsyncs.
    expect(fsyncs).toBeLessThan(400);
  });

  test('a stopped leader is replaced, and on restart it catches up from its storage', async () => {
    const leader = await waitFor('leader', () => leaderOf(nodes, 1));
    await proposeWithRetry(nodes, 1, put('before', '1'));
    await leader.host.stop();
    network.disconnect(leader.id);
    const others = nodes.filter((n) => n !== leader);
    const next = await waitFor('new leader', () => leaderOf(others, 1));
    expect(next.id).not.toBe(leader.id);
    await proposeWithRetry(others, 1, put('after', '2'));
    const restarted = await startNode(network, leader.id, leader.storage);
    nodes = [...others, restarted];
    await waitFor('restarted catches up', () => restarted.machines.get(1)!.values.get('after') === '2');
    expect(restarted.machines.get(1)!.values.get('before')).toBe('1');
  });
});

describe('MultiRaftHost snapshots', () => {
  test('a follower that fell behind the compacted log installs a snapshot', async () => {
    const network = new MemoryNetwork();
    const nodes: TestNode[] = [];
    try {
      for (const id of IDS) nodes.push(await startNode(network, id, new MemoryStorage(), { snapshotEntries: 20, catchUpEntries: 5 }));
      const leader = await waitFor('leader', () => leaderOf(nodes, 1));
      const lagging = nodes.find((n) => n !== leader)!;
      network.isolate(lagging.id, IDS.filter((id) => id !== lagging.id));
      const rest = nodes.filter((n) => n !== lagging);
      for (let i = 0; i < 100; i++) await proposeWithRetry(rest, 1, put(`k${i}`, `${i}`));
      network.heal();
      await waitFor('lagging catches up', () => lagging.machines.get(1)!.values.get('k99') === '99');
      expect(lagging.machines.get(1)!.values.size).toBe(100);
      expect(lagging.host.group(1)!.lastSnapshotIndex).toBeGreaterThan(0);
    } finally {
      for (const node of nodes) await node.host.stop();
    }
  });
});
