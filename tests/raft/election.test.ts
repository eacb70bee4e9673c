// Leader election (Raft 5.2, dissertation 9.6): timeouts, votes, pre-vote, check-quorum.

import { NONE, type HardState, type Message, type NodeId } from '../../server/raft';
import { Network } from './network';

const plain = { preVote: false, checkQuorum: false };

function roles(net: Network): string[] {
  return [...net.nodes.values()].map((n) => `${n.id}:${n.raw.status().role}`);
}

describe('election', () => {
  test('a node campaigns after a randomized timeout in [electionTicks, 2*electionTicks)', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 60; seed++) {
      const net = new Network({ voters: [1, 2, 3], seed, configure: (c) => ({ ...c, ...plain }) });
      const node = net.raw(1);
      let ticks = 0;
      while (node.status().role === 'follower') {
        node.tick();
        ticks++;
        if (ticks > 100) throw new Error('never campaigned');
      }
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(ticks).toBeLessThan(20);
      seen.add(ticks);
    }
    expect(seen.size).toBeGreaterThan(5); // actually randomized
  });

  test('basic: ticking elects exactly one leader, and everyone follows it', () => {
    const net = new Network({ voters: [1, 2, 3, 4, 5], seed: 5 });
    net.tickUntil(() => net.leader() !== NONE, 100);
    const leader = net.leader();
    const term = net.raw(leader).status().term;
    for (const node of net.nodes.values()) {
      expect(node.raw.status().term).toBe(term);
      expect(node.raw.status().leader).toBe(leader);
    }
  });

  test('a single-voter cluster elects itself at once', () => {
    const net = new Network({ voters: [1] });
    net.campaign(1);
    expect(net.raw(1).status()).toMatchObject({ role: 'leader', term: 1, commit: 1 });
  });

  test('a split vote resolves through randomized timeouts', () => {
    const net = new Network({ voters: [1, 2, 3, 4], seed: 9, configure: (c) => ({ ...c, ...plain }) });
    net.raw(1).campaign();
    net.raw(2).campaign();
    net.flushAll();
    // 3 hears from 1 first, 4 from 2 first: two votes each, no quorum of 3.
    net.deliver((m) => (m.from === 1 && m.to === 3) || (m.from === 2 && m.to === 4));
    net.stabilize();
    // Each candidate sees two grants and two rejections: lost, back to follower, no leader.
    expect(roles(net)).toEqual(['1:follower', '2:follower', '3:follower', '4:follower']);
    expect(net.raw(1).status().term).toBe(1);
    expect(net.leader()).toBe(NONE);
    net.tickUntil(() => net.leader() !== NONE, 100);
    expect(net.raw(net.leader()).status().term).toBeGreaterThan(1);
  });

  test('a candidate whose log is behind cannot win (Raft 5.4.1)', () => {
    const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, ...plain }) });
    net.campaign(1);
    net.isolate(3);
    net.propose(1, 'x');
    net.stabilize();
    net.heal();
    net.stop(1);
    net.campaign(3);
    expect(net.raw(3).status().role).toBe('candidate');
    expect(net.raw(2).status().vote).toBe(NONE); // rejected, though it moved to the new term
    net.campaign(2);
    expect(net.leader()).toBe(2);
  });

  test('a higher term makes the leader step down (Raft 5.1)', () => {
    const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, ...plain }) });
    net.campaign(1);
    net.isolate(3);
    net.tick(3, 50); // campaigns repeatedly in isolation, bumping its term
    const term3 = net.raw(3).status().term;
    expect(term3).toBeGreaterThan(2);
    net.heal();
    net.stabilize();
    expect(net.raw(1).status().role).not.toBe('leader');
    expect(net.raw(1).status().term).toBeGreaterThanOrEqual(term3);
  });

  test('votes are persisted in the Ready that sends them, and survive a restart', () => {
    const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, ...plain }) });
    net.campaign(1);
    // Replay every Ready of node 2: a granted vote-resp must go out with a hardState that
    // already records the vote (persist before send).
    let persisted: HardState = { term: 0, vote: NONE, commit: 0 };
    let grants = 0;
    for (const ready of net.node(2).readies) {
      if (ready.hardState !== null) persisted = ready.hardState;
      for (const m of ready.messages) {
        if (m.type !== 'vote-resp' || m.reject) continue;
        grants++;
        expect(persisted).toMatchObject({ term: m.term, vote: m.to });
      }
    }
    expect(grants).toBe(1);
    // After a restart node 2 still remembers it voted for 1 in term 1.
    net.stop(2);
    net.restart(2);
    expect(net.raw(2).status()).toMatchObject({ term: 1, vote: 1 });
    const sent: Message[] = [];
    net.raw(2).step({ ...voteRequest(3, 2, 1), logTerm: 5, index: 9 });
    net.flush(2);
    sent.push(...net.queue.filter((m) => m.from === 2));
    expect(sent.map((m) => [m.type, m.reject])).toEqual([['vote-resp', true]]);
  });

  test('learners never campaign, however long they wait', () => {
    const net = new Network({ voters: [1], learners: [2] });
    net.tick(2, 500);
    net.flushAll();
    expect(net.raw(2).status()).toMatchObject({ role: 'follower', term: 0 });
    expect(net.queue).toEqual([]);
    net.raw(2).campaign();
    expect(net.raw(2).status().role).toBe('follower');
  });

  test('a node that has not joined (empty configuration) never campaigns', () => {
    const net = new Network({ voters: [1] });
    net.addNode(7);
    net.tick(7, 500);
    expect(net.raw(7).status().role).toBe('follower');
  });
});

describe('pre-vote', () => {
  test('a pre-candidate keeps its term and vote; only winning the pre-vote starts a real election', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.isolate(2);
    net.tick(2, 100);
    net.flushAll();
    expect(net.raw(2).status()).toMatchObject({ role: 'pre-candidate', term: 1, vote: 1 });
  });

  test('a partitioned node rejoining does not bump the term or disrupt the leader', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.isolate(3);
    net.tickAll(100);
    expect(net.raw(3).status().term).toBe(1);
    net.heal();
    net.tickAll(30);
    expect(net.leader()).toBe(1);
    for (const id of [1, 2, 3]) expect(net.raw(id).status().term).toBe(1);
  });

  test('without pre-vote the same partition bumps the term and forces a new election', () => {
    const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, preVote: false }) });
    net.campaign(1);
    net.isolate(3);
    net.tickAll(100);
    expect(net.raw(3).status().term).toBeGreaterThan(1);
    net.heal();
    net.tickAll(60);
    expect(net.raw(net.leader()).status().term).toBeGreaterThan(1);
  });

  test('a node that heard from the leader recently rejects nothing but ignores the pre-vote', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.raw(2).step({ ...voteRequest(3, 2, 2), type: 'pre-vote', logTerm: 9, index: 9 });
    net.flush(2);
    expect(net.queue.filter((m) => m.from === 2)).toEqual([]);
  });
});

describe('check-quorum', () => {
  test('an isolated leader steps down after an election timeout', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.isolate(1);
    net.tick(1, 10); // one round: peers were active in the previous one
    net.flushAll();
    net.tick(1, 10);
    net.flushAll();
    expect(net.raw(1).status()).toMatchObject({ role: 'follower', leader: NONE, term: 1 });
  });

  test('a leader that hears from a quorum stays', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.isolate(3);
    net.tickAll(50);
    expect(net.leader()).toBe(1);
  });

  test('without check-quorum an isolated leader stays leader', () => {
    const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, checkQuorum: false }) });
    net.campaign(1);
    net.isolate(1);
    net.tick(1, 100);
    expect(net.raw(1).status().role).toBe('leader');
  });
});

function voteRequest(from: NodeId, to: NodeId, term: number): Message {
  return {
    type: 'vote',
    from,
    to,
    term,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    rejectHintTerm: 0,
    snapshot: null,
    context: '',
  };
}
