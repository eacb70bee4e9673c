// Restart from persisted state: the host rebuilds the core from RaftInitialState.

import { Network } from './network';

describe('restart', () => {
  test('every node crashes and restarts: nothing committed is lost, terms and votes are kept', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    for (const text of ['a', 'b', 'c']) net.propose(1, text);
    net.stabilize();
    const before = [1, 2, 3].map((id) => net.raw(id).status());
    for (const id of [1, 2, 3]) {
      net.stop(id);
      net.restart(id);
    }
    for (const [i, id] of [1, 2, 3].entries()) {
      const status = net.raw(id).status();
      expect(status).toMatchObject({ role: 'follower', term: before[i]?.term, vote: before[i]?.vote, commit: 4 });
      expect(status.lastIndex).toBe(4);
    }
    net.stabilize(); // committed entries are handed out again from the last snapshot
    for (const id of [1, 2, 3]) expect(net.texts(id)).toEqual(['a', 'b', 'c']);
    net.tickUntil(() => net.leader() !== 0, 100);
    net.propose(net.leader(), 'd');
    net.stabilize();
    for (const id of [1, 2, 3]) expect(net.texts(id)).toEqual(['a', 'b', 'c', 'd']);
  });

  test('a restart from a snapshot plus the log tail', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    for (const text of ['a', 'b', 'c', 'd']) net.propose(1, text);
    net.stabilize();
    net.compact(2, 3);
    net.stop(2);
    net.restart(2);
    expect(net.raw(2).status()).toMatchObject({ firstIndex: 4, lastIndex: 5, commit: 5, applied: 3 });
    net.stabilize();
    expect(net.texts(2)).toEqual(['a', 'b', 'c', 'd']);
  });

  test('a crash that loses an unpersisted Ready loses nothing acknowledged', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.propose(1, 'a');
    net.stabilize();
    net.propose(1, 'lost');
    expect(net.raw(1).hasReady()).toBe(true);
    net.stop(1); // crashed before persisting or sending anything of this Ready
    net.restart(1);
    expect(net.raw(1).status().lastIndex).toBe(2);
    net.stabilize();
    net.tickUntil(() => net.leader() !== 0, 100);
    net.propose(net.leader(), 'b');
    net.stabilize();
    net.tickAll(2);
    for (const id of [1, 2, 3]) expect(net.texts(id)).toEqual(['a', 'b']);
  });

  test('a node that voted keeps its vote across a restart: no second vote in that term', () => {
    const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, preVote: false, checkQuorum: false }) });
    net.raw(1).campaign();
    net.flushAll();
    net.deliver((m) => m.to === 2); // 2 votes for 1 in term 1, persisted
    net.flushAll();
    net.drop(() => true);
    net.stop(2);
    net.restart(2);
    net.raw(3).campaign(); // term 1 as well
    net.flushAll();
    net.deliver((m) => m.to === 2);
    net.flushAll();
    const answer = net.queue.find((m) => m.from === 2 && m.to === 3);
    expect(answer).toMatchObject({ type: 'vote-resp', term: 1, reject: true });
  });
});
