// Leadership transfer (dissertation 3.10): catch the transferee up, then 'timeout-now'.

import { NONE } from '../../server/raft';
import { Network } from './network';
import { normalizeScript, runScript } from './script';

function check(net: Network, script: string): void {
  expect(runScript(net, script)).toBe(normalizeScript(script));
}

describe('leadership transfer', () => {
  test('to an up-to-date follower: timeout-now at once, which campaigns without pre-vote', () => {
    const net = new Network({ voters: [1, 2, 3] });
    check(
      net,
      `
      > campaign 1
      > stabilize
      > transfer 1 3
      ok
      > deliver
      1->3 timeout-now term=1
      > deliver
      3->1 vote term=2 last=1/1 context=transfer
      3->2 vote term=2 last=1/1 context=transfer
      > stabilize
      > status
      1 follower term=2 leader=3 commit=2 last=2 applied=[]
      2 follower term=2 leader=3 commit=2 last=2 applied=[]
      3 leader term=2 commit=2 last=2 applied=[]
      `,
    );
  });

  test('to a lagging follower: the leader first brings it up to date', () => {
    const net = new Network({ voters: [1, 2, 3] });
    check(
      net,
      `
      > campaign 1
      > stabilize
      > isolate 3
      > propose 1 a
      ok index=2 term=1
      > propose 1 b
      ok index=3 term=1
      > stabilize
      > heal
      > transfer 1 3
      ok
      > propose 1 c
      dropped transferring leader=1
      > deliver
      1->3 app term=1 prev=1/3 commit=3
      > deliver
      3->1 app-resp term=1 reject index=3 hint=1/1
      > deliver
      1->3 app term=1 prev=1/1 commit=3 [1/2 a, 1/3 b]
      > deliver
      3->1 app-resp term=1 index=3
      > deliver
      1->3 app term=1 prev=1/3 commit=3
      1->3 timeout-now term=1
      > stabilize
      > status
      1 follower term=2 leader=3 commit=4 last=4 applied=[a,b]
      2 follower term=2 leader=3 commit=4 last=4 applied=[a,b]
      3 leader term=2 commit=4 last=4 applied=[a,b]
      `,
    );
  });

  test('a transfer that does not finish within an election timeout is aborted', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.isolate(3);
    expect(net.raw(1).transferLeadership(3)).toEqual({ ok: true });
    expect(net.raw(1).status().transferee).toBe(3);
    expect(net.propose(1, 'x')).toMatchObject({ ok: false, reason: 'transferring' });
    net.tickAll(9);
    expect(net.raw(1).status().transferee).toBe(3);
    net.tickAll(1);
    expect(net.raw(1).status()).toMatchObject({ role: 'leader', transferee: NONE });
    expect(net.propose(1, 'x')).toMatchObject({ ok: true });
  });

  test("a follower's request is forwarded to the leader as 'transfer-leader'", () => {
    const net = new Network({ voters: [1, 2, 3] });
    check(
      net,
      `
      > campaign 1
      > stabilize
      > transfer 2 2
      ok
      > deliver
      2->1 transfer-leader term=1
      > deliver
      1->2 timeout-now term=1
      > stabilize
      > status 2
      2 leader term=2 commit=2 last=2 applied=[]
      `,
    );
  });

  test('only voters can receive leadership', () => {
    const net = new Network({ voters: [1, 2], learners: [3] });
    net.campaign(1);
    expect(net.raw(1).transferLeadership(3)).toEqual({ ok: false, reason: 'unknown-node', leader: 1 });
    expect(net.raw(1).transferLeadership(9)).toEqual({ ok: false, reason: 'unknown-node', leader: 1 });
    expect(net.raw(1).transferLeadership(1)).toEqual({ ok: true }); // already leader: nothing to do
    expect(net.raw(1).status().transferee).toBe(NONE);
  });

  test('without a known leader a follower cannot ask for a transfer', () => {
    const net = new Network({ voters: [1, 2, 3] });
    expect(net.raw(2).transferLeadership(2)).toEqual({ ok: false, reason: 'no-leader', leader: NONE });
  });
});
