// Conversations: elections, step by step, with every message shown.

import { Network } from './network';
import { normalizeScript, runScript } from './script';

function check(net: Network, script: string): void {
  expect(runScript(net, script)).toBe(normalizeScript(script));
}

test('a pre-vote round, a vote round, then the no-op commits', () => {
  const net = new Network({ voters: [1, 2, 3] });
  check(
    net,
    `
    > campaign 1
    > queue
    1->2 pre-vote term=1 last=0/0
    1->3 pre-vote term=1 last=0/0
    > status 1
    1 pre-candidate term=0 leader=0 commit=0 last=0 applied=[]
    > deliver
    1->2 pre-vote term=1 last=0/0
    1->3 pre-vote term=1 last=0/0
    > deliver
    2->1 pre-vote-resp term=1
    3->1 pre-vote-resp term=1
    > status 1
    1 candidate term=1 leader=0 commit=0 last=0 applied=[]
    > deliver
    1->2 vote term=1 last=0/0
    1->3 vote term=1 last=0/0
    > deliver
    2->1 vote-resp term=1
    3->1 vote-resp term=1
    > status 1
    1 leader term=1 commit=0 last=1 applied=[]
    > deliver
    1->2 app term=1 prev=0/0 commit=0 [1/1]
    1->3 app term=1 prev=0/0 commit=0 [1/1]
    > deliver
    2->1 app-resp term=1 index=1
    3->1 app-resp term=1 index=1
    > status 1
    1 leader term=1 commit=1 last=1 applied=[]
    > deliver
    1->2 app term=1 prev=1/1 commit=1
    1->3 app term=1 prev=1/1 commit=1
    > stabilize
    > status
    1 leader term=1 commit=1 last=1 applied=[]
    2 follower term=1 leader=1 commit=1 last=1 applied=[]
    3 follower term=1 leader=1 commit=1 last=1 applied=[]
    `,
  );
});

test('a candidate with a stale log loses; the up-to-date node wins the next election', () => {
  const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, preVote: false, checkQuorum: false }) });
  check(
    net,
    `
    > campaign 1
    > stabilize
    > propose 1 x
    ok index=2 term=1
    > stabilize
    > isolate 3
    > propose 1 y
    ok index=3 term=1
    > stabilize
    > heal
    > stop 1
    > campaign 3
    > deliver
    3->1 vote term=2 last=1/2
    3->2 vote term=2 last=1/2
    > deliver
    2->3 vote-resp term=2 reject
    > status 2 3
    2 follower term=2 leader=0 commit=3 last=3 applied=[x,y]
    3 candidate term=2 leader=0 commit=2 last=2 applied=[x]
    > campaign 2
    > stabilize
    > status 2 3
    2 leader term=3 commit=4 last=4 applied=[x,y]
    3 follower term=3 leader=2 commit=4 last=4 applied=[x,y]
    `,
  );
});

test('leader stickiness: a follower that heard from the leader ignores a higher-term vote', () => {
  const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, preVote: false, checkQuorum: true }) });
  check(
    net,
    `
    > campaign 1
    > stabilize
    > isolate 3
    > tick 3 20
    > heal
    > queue
    3->1 vote term=2 last=1/1
    3->2 vote term=2 last=1/1
    > deliver
    3->1 vote term=2 last=1/1
    3->2 vote term=2 last=1/1
    > status
    1 leader term=1 commit=1 last=1 applied=[]
    2 follower term=1 leader=1 commit=1 last=1 applied=[]
    3 candidate term=2 leader=0 commit=1 last=1 applied=[]
    > tick 1
    > deliver type=heartbeat to=3
    1->3 heartbeat term=1 commit=1
    > deliver
    1->2 heartbeat term=1 commit=1
    3->1 app-resp term=2 index=0
    > status 1
    1 follower term=2 leader=0 commit=1 last=1 applied=[]
    `,
  );
});

test('pre-vote: a partitioned node does not bump its term and cannot disrupt the leader', () => {
  const net = new Network({ voters: [1, 2, 3] });
  check(
    net,
    `
    > campaign 1
    > stabilize
    > isolate 3
    > tick 3 20
    > status 3
    3 pre-candidate term=1 leader=0 commit=1 last=1 applied=[]
    > drop
    3->1 pre-vote term=2 last=1/1
    3->2 pre-vote term=2 last=1/1
    > heal
    > tick 3 20
    > deliver to=1
    3->1 pre-vote term=2 last=1/1
    > deliver to=2
    3->2 pre-vote term=2 last=1/1
    > stabilize
    > tick 1
    > stabilize
    > status
    1 leader term=1 commit=1 last=1 applied=[]
    2 follower term=1 leader=1 commit=1 last=1 applied=[]
    3 follower term=1 leader=1 commit=1 last=1 applied=[]
    `,
  );
});
