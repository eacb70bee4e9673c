// Commitment (Raft 5.4.2, Figure 8): a leader never commits an entry of an earlier term by
// counting replicas; such entries commit only once an entry of its own term does.

import type { RaftBug } from '../../server/raft';
import { AssertionError } from '../../server/util/assert';
import { Network } from './network';
import { normalizeScript, runScript } from './script';

function figure8Network(bugs: readonly RaftBug[] = []): Network {
  return new Network({
    voters: [1, 2, 3, 4, 5],
    configure: (c) => ({ ...c, preVote: false, checkQuorum: false, bugs: new Set(bugs) }),
  });
}

/** (a)-(c) of Figure 8: 'a' (term 1, index 2) reaches S1 and S2; S5 wins term 2 with votes of
 *  S3 and S4 and appends its own entries at 2 and 3; S1 wins term 3 and brings index 2 to S3,
 *  so the term-1 entry sits on a majority (S1, S2, S3) while S1's term-3 entry does not. */
const FIGURE_8_PREFIX = `
    > campaign 1
    > stabilize
    > propose 1 a
    ok index=2 term=1
    > drop type=app to=3
    1->3 app term=1 prev=1/1 commit=1 [1/2 a]
    > drop type=app to=4
    1->4 app term=1 prev=1/1 commit=1 [1/2 a]
    > drop type=app to=5
    1->5 app term=1 prev=1/1 commit=1 [1/2 a]
    > stabilize
    > status
    1 leader term=1 commit=1 last=2 applied=[]
    2 follower term=1 leader=1 commit=1 last=2 applied=[]
    3 follower term=1 leader=1 commit=1 last=1 applied=[]
    4 follower term=1 leader=1 commit=1 last=1 applied=[]
    5 follower term=1 leader=1 commit=1 last=1 applied=[]
    > stop 1
    > campaign 5
    > deliver
    5->1 vote term=2 last=1/1
    5->2 vote term=2 last=1/1
    5->3 vote term=2 last=1/1
    5->4 vote term=2 last=1/1
    > deliver
    2->5 vote-resp term=2 reject
    3->5 vote-resp term=2
    4->5 vote-resp term=2
    > status 5
    5 leader term=2 commit=1 last=2 applied=[]
    > isolate 5
    > propose 5 b
    ok index=3 term=2
    > flush 5
    > stop 5
    > restart 1
    > cut 1 4
    > campaign 1
    > deliver
    1->2 vote term=2 last=1/2
    1->3 vote term=2 last=1/2
    1->4 vote term=2 last=1/2
    1->5 vote term=2 last=1/2
    > deliver
    2->1 vote-resp term=2
    3->1 vote-resp term=2 reject
    > status 1
    1 candidate term=2 leader=0 commit=1 last=2 applied=[]
    > campaign 1
    > deliver
    1->2 vote term=3 last=1/2
    1->3 vote term=3 last=1/2
    1->4 vote term=3 last=1/2
    1->5 vote term=3 last=1/2
    > deliver
    2->1 vote-resp term=3
    3->1 vote-resp term=3
    > status 1
    1 leader term=3 commit=1 last=3 applied=[]
    > trim 2 2
    > trim 3 2
    > drop to=4
    1->4 app term=3 prev=1/2 commit=1 [3/3]
    > drop to=5
    1->5 app term=3 prev=1/2 commit=1 [3/3]
    > deliver
    1->2 app term=3 prev=1/2 commit=1
    1->3 app term=3 prev=1/2 commit=1
    > deliver
    2->1 app-resp term=3 index=2
    3->1 app-resp term=3 reject index=2 hint=1/1
    > trim 2 2
    > trim 3 2
    > deliver
    1->2 app term=3 prev=1/2 commit=1
    1->3 app term=3 prev=1/1 commit=1 [1/2 a]
    > deliver
    2->1 app-resp term=3 index=2
    3->1 app-resp term=3 index=2
    > queue
    1->3 app term=3 prev=1/2 commit=1 [3/3]
`;

function check(net: Network, script: string): void {
  expect(runScript(net, script)).toBe(normalizeScript(script));
}

test('(c)-(d): the old-term entry on a majority is not committed, and is rightly overwritten', () => {
  const net = figure8Network();
  check(
    net,
    FIGURE_8_PREFIX +
      `
    > drop
    1->3 app term=3 prev=1/2 commit=1 [3/3]
    > status
    1 leader term=3 commit=1 last=3 applied=[]
    2 follower term=3 leader=1 commit=1 last=2 applied=[]
    3 follower term=3 leader=1 commit=1 last=2 applied=[]
    4 follower term=2 leader=0 commit=1 last=1 applied=[]
    5 stopped
    > stop 1
    > heal
    > restart 5
    > campaign 5
    > stabilize
    > campaign 5
    > stabilize
    > status
    1 stopped
    2 follower term=4 leader=5 commit=4 last=4 applied=[b]
    3 follower term=4 leader=5 commit=4 last=4 applied=[b]
    4 follower term=4 leader=5 commit=4 last=4 applied=[b]
    5 leader term=4 commit=4 last=4 applied=[b]
    `,
  );
  // S5 (last term 2) was more up to date than S2 and S3 (last term 1) and replaced 'a' with
  // its own entries; 'a' had never been committed, so nothing committed was lost.
  net.restart(1);
  net.tickAll(3);
  expect(net.texts(1)).toEqual(['b']);
  net.checkAppliedAgree();
});

test('(e): once an entry of the current term reaches a majority, the earlier entry commits with it', () => {
  const net = figure8Network();
  check(
    net,
    FIGURE_8_PREFIX +
      `
    > deliver
    1->3 app term=3 prev=1/2 commit=1 [3/3]
    > deliver
    3->1 app-resp term=3 index=3
    > status 1
    1 leader term=3 commit=1 last=3 applied=[]
    > tick 1
    > stabilize
    > status
    1 leader term=3 commit=3 last=3 applied=[a]
    2 follower term=3 leader=1 commit=3 last=3 applied=[a]
    3 follower term=3 leader=1 commit=3 last=3 applied=[a]
    4 follower term=2 leader=0 commit=1 last=1 applied=[]
    5 stopped
    `,
  );
});

test("bug 'commit-old-term': counting replicas commits 'a', which S5 then overwrites", () => {
  const net = figure8Network(['commit-old-term']);
  const transcript = runScript(net, FIGURE_8_PREFIX + '\n> drop\n> status 1');
  expect(transcript.split('\n').slice(-1)).toEqual(['1 leader term=3 commit=2 last=3 applied=[a]']);
  runScript(net, '> stop 1\n> heal\n> restart 5\n> campaign 5\n> stabilize\n> campaign 5\n> stabilize');
  expect(net.texts(2)).toEqual(['b']);
  // S1 applied 'a' at index 2; the others applied S5's entry there: a committed entry was lost.
  expect(() => net.checkAppliedAgree()).toThrow(/disagree at 2/);
  // And S1, coming back, finds the new leader's log conflicting with its committed entry.
  net.restart(1);
  expect(() => net.tickAll(3)).toThrow(AssertionError);
});
