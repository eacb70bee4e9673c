// ReadIndex (dissertation 6.4): safe reads confirmed by a heartbeat quorum, follower reads,
// lease reads, and the 'read-without-quorum' bug.

import { NONE } from '../../server/raft';
import { Network } from './network';
import { normalizeScript, runScript } from './script';

function check(net: Network, script: string): void {
  expect(runScript(net, script)).toBe(normalizeScript(script));
}

describe('ReadIndex on the leader (safe)', () => {
  test('the read waits for a heartbeat quorum carrying its context, then returns the commit index', () => {
    const net = new Network({ voters: [1, 2, 3] });
    check(
      net,
      `
      > campaign 1
      > stabilize
      > propose 1 x
      ok index=2 term=1
      > stabilize
      > read 1 r1
      ok
      > reads 1
      > deliver
      1->2 heartbeat term=1 commit=2 context=r1
      1->3 heartbeat term=1 commit=2 context=r1
      > deliver to=1 from=2
      2->1 heartbeat-resp term=1 context=r1
      > reads 1
      r1 index=2
      > deliver
      3->1 heartbeat-resp term=1 context=r1
      > reads 1
      `,
    );
  });

  test('an acknowledgement for a later read confirms the earlier ones too', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.raw(1).readIndex('first');
    net.raw(1).readIndex('second');
    net.flushAll();
    net.drop((m) => m.context === 'first');
    net.stabilize();
    expect(net.node(1).readStates.map((r) => r.context)).toEqual(['first', 'second']);
  });

  test('a new leader queues reads until it has committed an entry of its term', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.raw(1).campaign();
    net.flushAll();
    net.deliver();
    net.flushAll();
    net.deliver(); // pre-vote responses
    net.flushAll();
    net.deliver(); // votes
    net.flushAll();
    net.deliver(); // vote responses: 1 is leader, its no-op is not committed
    expect(net.raw(1).status()).toMatchObject({ role: 'leader', commit: 0 });
    expect(net.raw(1).readIndex('early')).toEqual({ ok: true });
    net.flush(1);
    expect(net.queue.filter((m) => m.context === 'early')).toEqual([]); // no heartbeat round yet
    net.stabilize();
    expect(net.node(1).readStates).toEqual([{ index: 1, context: 'early' }]);
  });

  test('a single-voter cluster answers at once', () => {
    const net = new Network({ voters: [1] });
    net.campaign(1);
    net.raw(1).readIndex('solo');
    net.flush(1);
    expect(net.node(1).readStates).toEqual([{ index: 1, context: 'solo' }]);
    expect(net.queue).toEqual([]);
  });

  test('an isolated leader cannot confirm a read', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.isolate(1);
    expect(net.raw(1).readIndex('lonely')).toEqual({ ok: true });
    net.stabilize();
    net.tick(1, 5);
    net.stabilize();
    expect(net.node(1).readStates).toEqual([]);
  });
});

describe('ReadIndex on a follower', () => {
  test('the follower forwards to the leader and emits the confirmed index', () => {
    const net = new Network({ voters: [1, 2, 3] });
    check(
      net,
      `
      > campaign 1
      > stabilize
      > read 2 f1
      ok
      > deliver
      2->1 read-index term=1 context=f1
      > deliver
      1->2 heartbeat term=1 commit=1 context=f1
      1->3 heartbeat term=1 commit=1 context=f1
      > deliver
      2->1 heartbeat-resp term=1 context=f1
      3->1 heartbeat-resp term=1 context=f1
      > deliver
      1->2 read-index-resp term=1 index=1 context=f1
      > reads 2
      f1 index=1
      > reads 1
      `,
    );
  });

  test('without a known leader the read is refused', () => {
    const net = new Network({ voters: [1, 2, 3] });
    expect(net.raw(2).readIndex('x')).toEqual({ ok: false, reason: 'no-leader', leader: NONE });
  });
});

describe('lease reads', () => {
  /** A lease-based cluster with an elected leader. After a (re)start a node ignores vote
   *  requests for one election timeout (it may have acknowledged a leader's lease before), so
   *  the first election comes from ticking, not from an immediate campaign. */
  function leaseCluster(): { net: Network; leader: number } {
    const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, readOnlyOption: 'lease-based' }) });
    expect(() => net.campaign(1)).not.toThrow();
    expect(net.leader()).toBe(NONE); // the immediate campaign is ignored
    net.tickUntil(() => net.leader() !== NONE, 100);
    const leader = net.leader();
    net.tickAll(2); // a heartbeat round acknowledged by the followers starts the lease
    return { net, leader };
  }

  test('while the lease holds the leader answers without a heartbeat round', () => {
    const { net, leader } = leaseCluster();
    const commit = net.raw(leader).status().commit;
    net.raw(leader).readIndex('fast');
    net.flush(leader);
    expect(net.node(leader).readStates).toEqual([{ index: commit, context: 'fast' }]);
    expect(net.queue.filter((m) => m.context === 'fast')).toEqual([]);
  });

  test('once the lease has run out the leader falls back to a heartbeat round', () => {
    const { net, leader } = leaseCluster();
    net.isolate(leader);
    net.tick(leader, 9); // electionTicks 10: the last acknowledged round is too old now
    net.stabilize();
    expect(net.raw(leader).status().role).toBe('leader');
    net.raw(leader).readIndex('slow');
    net.flush(leader);
    expect(net.node(leader).readStates).toEqual([]);
    expect(net.queue.filter((m) => m.context === 'slow').length).toBe(2);
  });

  test('lease reads are refused while a leadership transfer is under way', () => {
    const { net, leader } = leaseCluster();
    const target = leader === 1 ? 2 : 1;
    net.isolate(target);
    net.raw(leader).transferLeadership(target);
    net.raw(leader).readIndex('during-transfer');
    net.flush(leader);
    expect(net.node(leader).readStates).toEqual([]);
  });
});

describe("bug 'read-without-quorum'", () => {
  test('an isolated, deposed leader serves a stale read; the correct core does not', () => {
    for (const buggy of [false, true]) {
      const net = new Network({
        voters: [1, 2, 3],
        configure: (c) => ({ ...c, checkQuorum: false, bugs: new Set(buggy ? (['read-without-quorum'] as const) : []) }),
      });
      net.campaign(1);
      net.isolate(1);
      net.tickUntil(() => [2, 3].some((id) => net.raw(id).status().role === 'leader'), 200);
      const newLeader = net.raw(2).status().role === 'leader' ? 2 : 3;
      net.propose(newLeader, 'x');
      net.stabilize();
      const committed = net.raw(newLeader).status().commit;
      expect(net.raw(1).status().role).toBe('leader'); // still believes it leads
      net.raw(1).readIndex('stale?');
      net.stabilize();
      const states = net.node(1).readStates;
      if (buggy) {
        expect(states).toHaveLength(1);
        expect(states[0]?.index).toBeLessThan(committed); // misses the write 'x': not linearizable
      } else {
        expect(states).toEqual([]);
      }
    }
  });
});
