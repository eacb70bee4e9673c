// Membership changes, one server at a time (dissertation 4.1-4.2): learners, promotion,
// removal (including the leader), configurations taking effect on append.

import { NONE, type ConfChange } from '../../server/raft';
import { Network } from './network';

const addLearner = (nodeId: number): ConfChange => ({ type: 'add-learner', nodeId });
const promote = (nodeId: number): ConfChange => ({ type: 'promote-learner', nodeId });
const remove = (nodeId: number): ConfChange => ({ type: 'remove-node', nodeId });

/** A 3-voter cluster with leader 1 and an empty node 4 ready to join. */
function clusterWithJoiner(): Network {
  const net = new Network({ voters: [1, 2, 3] });
  net.campaign(1);
  net.propose(1, 'before');
  net.stabilize();
  net.addNode(4);
  return net;
}

describe('membership', () => {
  test('a configuration takes effect on append, on the leader and on followers, before commit', () => {
    const net = clusterWithJoiner();
    expect(net.raw(1).proposeConfChange(addLearner(4))).toMatchObject({ ok: true, index: 3 });
    expect(net.raw(1).status().conf).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(net.raw(1).status().commit).toBe(2); // not committed yet
    net.flush(1);
    net.deliver((m) => m.to === 2); // 2 appends the entry, does not know it is committed
    expect(net.raw(2).status()).toMatchObject({ commit: 2, conf: { voters: [1, 2, 3], learners: [4] } });
    expect(net.raw(3).status().conf).toEqual({ voters: [1, 2, 3], learners: [] });
  });

  test('a joining node learns the initial configuration, then catches up as a learner', () => {
    const net = clusterWithJoiner();
    net.raw(1).proposeConfChange(addLearner(4));
    net.stabilize();
    net.tickAll(3);
    expect(net.texts(4)).toEqual(['before']);
    expect(net.raw(4).status().conf).toEqual({ voters: [1, 2, 3], learners: [4] });
    // It received the index-0 snapshot carrying the initial configuration first.
    expect(net.node(4).store.snapshot.meta).toEqual({ index: 0, term: 0, conf: { voters: [1, 2, 3], learners: [] } });
    net.propose(1, 'after');
    net.stabilize();
    expect(net.texts(4)).toEqual(['before', 'after']);
    // A restarted joiner rebuilds the same configuration from what it persisted.
    net.stop(4);
    net.restart(4);
    expect(net.raw(4).status().conf).toEqual({ voters: [1, 2, 3], learners: [4] });
  });

  test('learners do not count in quorums and never campaign', () => {
    const net = new Network({ voters: [1, 2], learners: [3] });
    net.campaign(1);
    net.isolate(2);
    net.propose(1, 'x');
    net.stabilize();
    expect(net.raw(3).status().lastIndex).toBe(2); // the learner has it...
    expect(net.raw(1).status().commit).toBe(1); // ...but only voters count
    net.heal();
    net.stop(1);
    net.tickAll(100);
    expect(net.raw(3).status().role).toBe('follower');
  });

  test('a promoted learner counts as a voter', () => {
    const net = clusterWithJoiner();
    net.raw(1).proposeConfChange(addLearner(4));
    net.stabilize();
    net.tickAll(2);
    expect(net.raw(1).proposeConfChange(promote(4))).toMatchObject({ ok: true });
    net.stabilize();
    expect(net.raw(4).status().conf).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    // With 4 voters the quorum is 3: leader plus 4 is not enough, leader plus 4 plus 2 is.
    net.cut(1, 2);
    net.cut(1, 3);
    net.propose(1, 'needs-three');
    net.stabilize();
    const status = net.raw(1).status();
    expect(status.commit).toBe(status.lastIndex - 1); // 'needs-three' is not committed
    net.heal();
    net.tickAll(2);
    expect(net.texts(4)).toContain('needs-three');
  });

  test('removing a follower: it stops counting, the rest commit without it', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    expect(net.raw(1).proposeConfChange(remove(3))).toMatchObject({ ok: true });
    net.stabilize();
    expect(net.raw(1).status().conf).toEqual({ voters: [1, 2], learners: [] });
    net.stop(3);
    net.propose(1, 'two-of-two');
    net.stabilize();
    expect(net.texts(2)).toEqual(['two-of-two']);
    expect(net.raw(1).status().progress.map((p) => p.id)).toEqual([1, 2]);
  });

  test('removing the leader: it leads until the removal commits (not counting itself), then steps down', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    const result = net.raw(1).proposeConfChange(remove(1));
    expect(result).toMatchObject({ ok: true, index: 2 });
    expect(net.raw(1).status()).toMatchObject({ role: 'leader', conf: { voters: [2, 3], learners: [] } });
    expect(net.propose(1, 'refused')).toMatchObject({ ok: false, reason: 'no-leader' });
    net.flush(1);
    net.deliver((m) => m.to === 2);
    net.flushAll();
    net.deliver((m) => m.from === 2); // one ack from 2 of {2, 3}: not a quorum of the new conf
    expect(net.raw(1).status()).toMatchObject({ role: 'leader', commit: 1 });
    net.stabilize();
    expect(net.raw(1).status()).toMatchObject({ role: 'follower', commit: 2, leader: NONE });
    net.tickUntil(() => [2, 3].some((id) => net.raw(id).status().role === 'leader'), 100);
    const leader = net.leader();
    net.propose(leader, 'after');
    net.stabilize();
    expect(net.texts(2)).toEqual(['after']);
    expect(net.texts(3)).toEqual(['after']);
    net.tickAll(50);
    expect(net.raw(1).status().role).toBe('follower'); // removed: never campaigns
  });

  test('one change at a time, and only after committing in the current term', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.raw(1).campaign();
    for (let i = 0; i < 4; i++) {
      net.flushAll();
      net.deliver(); // pre-vote, pre-vote-resp, vote, vote-resp: leader, no-op not committed
    }
    expect(net.raw(1).status().role).toBe('leader');
    expect(net.raw(1).proposeConfChange(remove(3))).toMatchObject({ ok: false, reason: 'no-term-commit' });
    net.stabilize();
    expect(net.raw(1).proposeConfChange(remove(3))).toMatchObject({ ok: true });
    expect(net.raw(1).proposeConfChange(addLearner(5))).toMatchObject({ ok: false, reason: 'conf-change-pending' });
    net.stabilize();
    expect(net.raw(1).proposeConfChange(addLearner(5))).toMatchObject({ ok: true });
  });

  test('invalid changes are refused', () => {
    const net = new Network({ voters: [1, 2], learners: [3] });
    net.campaign(1);
    const invalid = [addLearner(2), addLearner(3), promote(2), promote(9), remove(9), addLearner(0)];
    for (const change of invalid) {
      expect(net.raw(1).proposeConfChange(change)).toMatchObject({ ok: false, reason: 'invalid-conf-change' });
    }
    expect(net.raw(2).proposeConfChange(addLearner(4))).toEqual({ ok: false, reason: 'not-leader', leader: 1 });
  });

  test('a configuration reverts when its uncommitted entry is truncated', () => {
    const net = new Network({ voters: [1, 2, 3, 4, 5] });
    net.campaign(1);
    net.raw(1).proposeConfChange(addLearner(6));
    net.flush(1);
    net.deliver((m) => m.to === 2); // only 2 appends it; nobody acknowledges
    net.flushAll();
    net.drop(() => true);
    expect(net.raw(2).status().conf).toEqual({ voters: [1, 2, 3, 4, 5], learners: [6] });
    // 1 dies; 3, 4, 5 elect a leader without the entry while 2 is cut off.
    net.stop(1);
    net.isolate(2);
    net.tickUntil(() => [3, 4, 5].some((id) => net.raw(id).status().role === 'leader'), 200);
    net.heal();
    net.tickAll(3);
    // The new leader's entry at index 2 replaced the conf change on 2: its configuration reverted.
    expect(net.raw(2).status().conf).toEqual({ voters: [1, 2, 3, 4, 5], learners: [] });
    expect(net.node(2).store.entries.every((e) => e.type === 'normal')).toBe(true);
  });
});
