// The host's part in membership, over in-memory storage and network: a replica created on
// first contact (unknown-group hook) that adopts the group's index-0 snapshot and catches
// up as a learner; a removed replica is not re-created by stray messages; and a read that
// was sent to a leader that died is asked again of the next leader instead of timing out.

import { defaultRaftConfig } from '../../server/raft';
import type { NodeId, RaftInitialState } from '../../server/raft/types';
import { MultiRaftHost, type HostOptions } from '../../server/host/multi-raft-host';
import { CorralError } from '../../server/util/errors';
import { SeededRandom } from '../../server/util/random';
import { MapStateMachine, MemoryNetwork, MemoryStorage, put } from './fakes';

const GROUP = 1;
const FOUNDERS = [1, 2, 3];
const WAIT_MS = 20_000;

interface TestNode {
  readonly id: NodeId;
  readonly host: MultiRaftHost;
  readonly machines: Map<number, MapStateMachine>;
  readonly created: number[];
}

function hostOptions(id: NodeId): HostOptions {
  const random = new SeededRandom(id * 104_729);
  return {
    nodeId: id,
    tickMs: 10,
    raftConfig: () => ({ ...defaultRaftConfig(id, random), electionTicks: 10, heartbeatTicks: 1 }),
    inputQueueMax: 100_000,
    pendingProposalsMax: 10_000,
    snapshotEntries: 1_000_000,
    catchUpEntries: 0,
    ticksPerPassMax: 3,
  };
}

const EMPTY: RaftInitialState = { hardState: { term: 0, vote: 0, commit: 0 }, snapshot: { index: 0, term: 0, conf: { voters: [], learners: [] } }, entries: [], applied: 0 };

/** A founder bootstraps the group; any other node creates an empty replica when the
 *  leader first contacts it, unless `refuse` says otherwise. */
async function startNode(network: MemoryNetwork, id: NodeId, refuse: () => boolean = () => false): Promise<TestNode> {
  const storage = new MemoryStorage();
  const host = new MultiRaftHost(hostOptions(id), storage, network.transport(id));
  const node: TestNode = { id, host, machines: new Map(), created: [] };
  if (FOUNDERS.includes(id)) {
    const sm = new MapStateMachine();
    sm.values.set('seed', 'index-0 state');
    await storage.saveSnapshot(GROUP, { index: 0, term: 0, conf: { voters: FOUNDERS, learners: [] } }, sm.snapshot());
    const loaded = await storage.loadGroup(GROUP);
    node.machines.set(GROUP, sm);
    host.addGroup(GROUP, sm, loaded.initial, (await storage.loadSnapshot(GROUP))!.data);
  }
  host.onUnknownGroup((groupId) => {
    if (refuse()) return false;
    const sm = new MapStateMachine();
    node.machines.set(groupId, sm);
    node.created.push(groupId);
    host.addGroup(groupId, sm, EMPTY, null);
    return true;
  });
  host.start();
  return node;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function leaderDo<T>(nodes: readonly TestNode[], action: (leader: TestNode) => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const leader = nodes.find((n) => n.host.group(GROUP)?.role === 'leader');
    if (leader !== undefined) {
      try {
        return await action(leader);
      } catch (error) {
        if (!(error instanceof CorralError) || !(error.retryable || error.code === 'failed-precondition')) throw error;
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no leader took the action');
}

describe('host membership support', () => {
  const started: TestNode[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((n) => n.host.stop()));
  });

  test('a replica created on first contact adopts the index-0 snapshot and catches up as a learner', async () => {
    const network = new MemoryNetwork();
    const nodes = await Promise.all([1, 2, 3, 4].map((id) => startNode(network, id)));
    started.push(...nodes);
    const founders = nodes.slice(0, 3);
    for (let i = 0; i < 20; i++) await leaderDo(founders, (l) => l.host.propose(GROUP, put(`k${i}`, `v${i}`)));
    expect(nodes[3].created).toEqual([]);
    await leaderDo(founders, (l) => l.host.proposeConfChange(GROUP, { type: 'add-learner', nodeId: 4 }));
    await leaderDo(founders, (l) => l.host.propose(GROUP, put('after', 'join')));
    const joined = nodes[3];
    const machine = await waitFor('node 4 caught up', () => {
      const sm = joined.machines.get(GROUP);
      return sm !== undefined && sm.values.get('after') === 'join' ? sm : false;
    });
    expect(joined.created).toEqual([GROUP]);
    expect(machine.values.get('seed')).toBe('index-0 state'); // from the base snapshot, not the log
    for (let i = 0; i < 20; i++) expect(machine.values.get(`k${i}`)).toBe(`v${i}`);
    expect(joined.host.group(GROUP)!.appliedConf.learners).toEqual([4]);
  });

  test('a removed replica is not re-created when the hook refuses', async () => {
    const network = new MemoryNetwork();
    let refusing = false;
    const nodes = await Promise.all([1, 2, 3].map((id) => startNode(network, id)));
    const joiner = await startNode(network, 4, () => refusing);
    started.push(...nodes, joiner);
    await leaderDo(nodes, (l) => l.host.proposeConfChange(GROUP, { type: 'add-learner', nodeId: 4 }));
    await waitFor('node 4 created its replica', () => joiner.host.group(GROUP) !== undefined);
    refusing = true;
    await joiner.host.removeGroup(GROUP);
    await leaderDo(nodes, (l) => l.host.propose(GROUP, put('x', 'y'))); // the leader still sends to 4
    await waitFor('a write committed on the founders', () => nodes.every((n) => n.machines.get(GROUP)!.values.get('x') === 'y'));
    expect(joiner.host.group(GROUP)).toBeUndefined();
    expect(joiner.created).toEqual([GROUP]);
  });

  test('a read sent to a leader that died is asked again of the next leader', async () => {
    const network = new MemoryNetwork();
    const nodes = await Promise.all([1, 2, 3].map((id) => startNode(network, id)));
    started.push(...nodes);
    await leaderDo(nodes, (l) => l.host.propose(GROUP, put('a', '1')));
    const leader = nodes.find((n) => n.host.group(GROUP)?.role === 'leader')!;
    const follower = nodes.find((n) => n !== leader)!;
    await waitFor('follower applied the write', () => follower.machines.get(GROUP)!.values.get('a') === '1');
    // The follower still believes in the old leader: its ReadIndex request goes there and is lost.
    network.isolate(leader.id, nodes.map((n) => n.id).filter((id) => id !== leader.id));
    const read = follower.host.readBarrier(GROUP, WAIT_MS);
    const index = await read;
    expect(index).toBeGreaterThanOrEqual(1);
    expect(follower.host.group(GROUP)!.leader).not.toBe(leader.id);
    network.heal();
  });
});
