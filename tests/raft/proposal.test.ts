// Proposals: where they land, and every reason they are dropped.

import { NONE } from '../../server/raft';
import { Network, bytes } from './network';

describe('proposals', () => {
  test('a successful proposal returns the index and term its entry got', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    expect(net.propose(1, 'a')).toEqual({ ok: true, index: 2, term: 1 });
    expect(net.propose(1, 'b')).toEqual({ ok: true, index: 3, term: 1 });
    net.stabilize();
    expect(net.node(2).applied.map((a) => [a.index, a.term, a.text])).toEqual([
      [1, 1, ''],
      [2, 1, 'a'],
      [3, 1, 'b'],
    ]);
  });

  test("'no-leader' before an election, 'not-leader' with a hint on a follower", () => {
    const net = new Network({ voters: [1, 2, 3] });
    expect(net.propose(2, 'x')).toEqual({ ok: false, reason: 'no-leader', leader: NONE });
    net.campaign(1);
    expect(net.propose(2, 'x')).toEqual({ ok: false, reason: 'not-leader', leader: 1 });
    net.isolate(3);
    net.tick(3, 30);
    expect(net.raw(3).status().role).toBe('pre-candidate');
    expect(net.propose(3, 'x')).toEqual({ ok: false, reason: 'no-leader', leader: NONE });
  });

  test("'transferring' while leadership moves", () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.isolate(2);
    net.raw(1).transferLeadership(2);
    expect(net.propose(1, 'x')).toEqual({ ok: false, reason: 'transferring', leader: 1 });
  });

  test("'entry-too-large' past maxEntryBytes", () => {
    const net = new Network({ voters: [1], configure: (c) => ({ ...c, maxEntryBytes: 8 }) });
    net.campaign(1);
    expect(net.propose(1, '12345678')).toMatchObject({ ok: true });
    expect(net.propose(1, '123456789')).toEqual({ ok: false, reason: 'entry-too-large', leader: 1 });
  });

  test("'uncommitted-limit' past maxUncommittedBytes, until entries commit", () => {
    const net = new Network({ voters: [1, 2], configure: (c) => ({ ...c, maxUncommittedBytes: 10 }) });
    net.campaign(1);
    net.isolate(2);
    expect(net.propose(1, '123456')).toMatchObject({ ok: true });
    expect(net.propose(1, '1234')).toMatchObject({ ok: true }); // exactly 10
    expect(net.propose(1, '1')).toEqual({ ok: false, reason: 'uncommitted-limit', leader: 1 });
    expect(net.raw(1).propose(new Uint8Array(0))).toMatchObject({ ok: true }); // empty entries are free
    net.heal();
    net.stabilize();
    net.tickAll(1);
    expect(net.propose(1, '1')).toMatchObject({ ok: true });
  });

  test('a single proposal larger than the uncommitted limit goes through when nothing is pending', () => {
    const net = new Network({ voters: [1], configure: (c) => ({ ...c, maxUncommittedBytes: 4 }) });
    net.campaign(1);
    expect(net.raw(1).propose(bytes('much larger'))).toMatchObject({ ok: true });
    expect(net.propose(1, 'x')).toMatchObject({ ok: false, reason: 'uncommitted-limit' });
  });
});
