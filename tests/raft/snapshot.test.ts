// Log compaction and snapshot install (Raft 7).

import { Network } from './network';
import { normalizeScript, runScript } from './script';

function check(net: Network, script: string): void {
  expect(runScript(net, script)).toBe(normalizeScript(script));
}

describe('snapshots', () => {
  test('compaction drops entries and records term and configuration at the index', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    for (const text of ['a', 'b', 'c']) net.propose(1, text);
    net.stabilize();
    net.compact(1, 3);
    expect(net.raw(1).status()).toMatchObject({ firstIndex: 4, lastIndex: 4, applied: 4 });
    expect(net.node(1).store.snapshot.meta).toEqual({ index: 3, term: 1, conf: { voters: [1, 2, 3], learners: [] } });
  });

  test('a lagging follower installs the snapshot, then catches up from the log', () => {
    const net = new Network({ voters: [1, 2, 3] });
    check(
      net,
      `
      > campaign 1
      > stabilize
      > stop 3
      > propose 1 a
      ok index=2 term=1
      > propose 1 b
      ok index=3 term=1
      > stabilize
      > compact 1 3
      > propose 1 c
      ok index=4 term=1
      > stabilize
      > restart 3
      > tick 1
      > deliver to=3
      1->3 heartbeat term=1 commit=1
      > deliver
      1->2 heartbeat term=1 commit=4
      3->1 heartbeat-resp term=1
      > deliver to=3
      1->3 app term=1 prev=1/4 commit=4
      > deliver
      2->1 heartbeat-resp term=1
      3->1 app-resp term=1 reject index=4 hint=1/1
      > deliver to=3
      1->3 snap term=1 snapshot=1/3 voters=1,2,3
      > status 3
      3 follower term=1 leader=1 commit=3 last=3 applied=[a,b]
      > deliver
      3->1 app-resp term=1 index=3
      > stabilize
      > status
      1 leader term=1 commit=4 last=4 applied=[a,b,c]
      2 follower term=1 leader=1 commit=4 last=4 applied=[a,b,c]
      3 follower term=1 leader=1 commit=4 last=4 applied=[a,b,c]
      `,
    );
    expect(net.node(3).store.snapshot.meta.index).toBe(3);
    // The installed snapshot survives a restart.
    net.stop(3);
    net.restart(3);
    expect(net.texts(3)).toEqual(['a', 'b']);
    net.tickAll(2);
    expect(net.texts(3)).toEqual(['a', 'b', 'c']);
  });

  test('a lost snapshot is reported, and sent again after the next heartbeat', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.stop(3);
    net.propose(1, 'a');
    net.stabilize();
    net.compact(1, 2);
    net.restart(3);
    net.tick(1);
    const stateOf3 = (): string | undefined => net.raw(1).status().progress.find((p) => p.id === 3)?.state;
    for (let round = 0; round < 10 && stateOf3() !== 'snapshot'; round++) {
      net.flushAll();
      net.deliver();
    }
    net.flushAll();
    expect(stateOf3()).toBe('snapshot');
    expect(net.drop((m) => m.type === 'snap')).toBe(1); // the transport reports the failure
    expect(stateOf3()).toBe('probe');
    net.stabilize();
    expect(net.texts(3)).toEqual([]); // nothing more until the next heartbeat
    net.tickAll(1);
    expect(net.texts(3)).toEqual(['a']);
    expect(stateOf3()).toBe('replicate');
  });

  test('a snapshot whose last entry the follower holds only moves its commit index', () => {
    const net = new Network({ voters: [1, 2] });
    net.campaign(1);
    net.propose(1, 'a');
    net.stabilize();
    const before = net.raw(2).status();
    net.raw(2).step({
      type: 'snap',
      from: 1,
      to: 2,
      term: 1,
      logTerm: 0,
      index: 0,
      entries: [],
      commit: 0,
      reject: false,
      rejectHint: 0,
      rejectHintTerm: 0,
      snapshot: { meta: { index: 2, term: 1, conf: { voters: [1, 2], learners: [] } }, data: new Uint8Array() },
      context: '',
    });
    const ready = net.raw(2).ready();
    expect(ready.snapshot).toBeNull();
    expect(ready.messages.map((m) => [m.type, m.index])).toEqual([['app-resp', 2]]);
    net.raw(2).advance(ready);
    expect(net.raw(2).status()).toMatchObject({ lastIndex: before.lastIndex, firstIndex: 1 });
  });
});
