// Log replication (Raft 5.3): appends, conflicts, fast back-off, flow control, commit.

import { NONE, RawNode, defaultRaftConfig } from '../../server/raft';
import { SeededRandom } from '../../server/util/random';
import { Network, bytes } from './network';

function logOf(net: Network, id: number): string[] {
  return net.node(id).store.entries.map((e) => `${e.term}/${e.index}`);
}

describe('replication', () => {
  test('entries are replicated, committed and applied in order everywhere', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    for (const text of ['a', 'b', 'c']) expect(net.propose(1, text)).toMatchObject({ ok: true, term: 1 });
    net.stabilize();
    for (const id of [1, 2, 3]) {
      expect(net.texts(id)).toEqual(['a', 'b', 'c']);
      expect(net.raw(id).status().commit).toBe(4);
    }
  });

  test('the new leader appends an empty no-op entry of its term', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    const noop = net.node(2).store.entries[0];
    expect(noop).toMatchObject({ index: 1, term: 1, type: 'normal' });
    expect(noop?.data.length).toBe(0);
  });

  /** Isolates leader 1 and lets 2 and 3 elect a new leader among themselves. */
  function electWithout1(net: Network): number {
    net.isolate(1);
    net.tickUntil(() => [2, 3].some((id) => net.raw(id).status().role === 'leader'), 200);
    return net.raw(2).status().role === 'leader' ? 2 : 3;
  }

  test('a follower with divergent uncommitted entries is repaired (Raft 5.3, Figure 7)', () => {
    const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, checkQuorum: false }) });
    net.campaign(1);
    net.propose(1, 'committed');
    net.stabilize();
    net.isolate(1);
    for (const text of ['lost1', 'lost2', 'lost3']) net.propose(1, text);
    net.stabilize();
    expect(logOf(net, 1)).toEqual(['1/1', '1/2', '1/3', '1/4', '1/5']);
    const leader = electWithout1(net);
    const term = net.raw(leader).status().term;
    net.propose(leader, 'kept');
    net.stabilize();
    net.heal();
    net.tickAll(3);
    expect(net.raw(1).status()).toMatchObject({ role: 'follower', leader });
    expect(logOf(net, 1)).toEqual(logOf(net, leader));
    expect(logOf(net, 1)).toEqual(['1/1', '1/2', `${term}/3`, `${term}/4`]);
    expect(net.texts(1)).toEqual(['committed', 'kept']);
    net.checkAppliedAgree();
  });

  test('fast back-off skips a whole divergent term in one round trip', () => {
    const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, checkQuorum: false, maxInflightMsgs: 1000 }) });
    net.campaign(1);
    net.isolate(1);
    for (let i = 0; i < 200; i++) net.propose(1, `stale${i}`); // indexes 2..201, term 1, never committed
    net.stabilize();
    const second = electWithout1(net);
    for (let i = 0; i < 200; i++) net.propose(second, `new${i}`); // indexes 3..202 of a later term
    net.stabilize();
    const third = second === 2 ? 3 : 2;
    net.raw(second).transferLeadership(third);
    net.stabilize();
    expect(net.leader()).toBe(third);
    // The new leader probes 1 right after its last index; 1 holds 200 entries of term 1 there.
    net.heal();
    const before = net.delivered.length;
    net.tickAll(3);
    const rejections = net.delivered.slice(before).filter((m) => m.type === 'app-resp' && m.reject && m.from === 1);
    expect(rejections.length).toBeGreaterThanOrEqual(1);
    expect(rejections.length).toBeLessThanOrEqual(2); // a one-by-one back-off would need ~200
    expect(logOf(net, 1)).toEqual(logOf(net, third));
    expect(net.texts(1)).toHaveLength(200);
  });

  test('a follower that lacks entries tells its last index; the leader jumps there', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.stop(3);
    for (let i = 0; i < 50; i++) net.propose(1, `e${i}`);
    net.stabilize();
    net.restart(3);
    // Force the leader to probe from its last index.
    net.raw(1).reportUnreachable(3);
    net.tickAll(2);
    const rejections = net.delivered.filter((m) => m.type === 'app-resp' && m.reject && m.from === 3);
    expect(rejections.length).toBeLessThanOrEqual(1);
    expect(net.texts(3)).toHaveLength(50);
  });

  test('heartbeats carry commit = min(match, commit)', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.stop(3);
    net.propose(1, 'x');
    net.stabilize();
    net.restart(3);
    net.tick(1, 1);
    net.flush(1);
    const heartbeats = net.queue.filter((m) => m.type === 'heartbeat');
    expect(heartbeats.map((m) => [m.to, m.commit])).toEqual([
      [2, 2],
      [3, 1],
    ]);
  });

  test('appends lost on the way are resent after the next heartbeat', () => {
    const net = new Network({ voters: [1, 2, 3] });
    net.campaign(1);
    net.propose(1, 'x');
    net.flushAll();
    expect(net.drop((m) => m.type === 'app')).toBe(2);
    net.stabilize();
    expect(net.raw(1).status().commit).toBe(1);
    net.tickAll(1);
    expect(net.texts(2)).toEqual(['x']);
  });
});

describe('flow control', () => {
  const make = (): Network =>
    new Network({
      voters: [1, 2],
      configure: (c) => ({ ...c, maxInflightMsgs: 3, maxMsgBytes: 10, maxInflightBytes: 1000 }),
    });

  test('at most maxInflightMsgs appends are in flight to a silent follower', () => {
    const net = make();
    net.campaign(1);
    for (let i = 0; i < 20; i++) net.propose(1, `entry-${i}`);
    net.flush(1);
    const appends = net.queue.filter((m) => m.type === 'app' && m.entries.length > 0);
    expect(appends).toHaveLength(3);
    // Acknowledging them opens the window again.
    net.stabilize();
    expect(net.texts(2)).toHaveLength(20);
  });

  test('each append stays within maxMsgBytes unless one entry is larger', () => {
    const net = make();
    net.campaign(1);
    const sizes = [3, 3, 3, 3, 14, 2, 2, 2, 2, 2, 2];
    for (const [i, size] of sizes.entries()) net.propose(1, String(i % 10).repeat(size));
    net.stabilize();
    const sent = net.delivered.filter((m) => m.type === 'app' && m.entries.length > 0);
    expect(sent.length).toBeGreaterThan(3);
    for (const m of sent) {
      const total = m.entries.reduce((s, e) => s + e.data.length, 0);
      if (m.entries.length > 1) expect(total).toBeLessThanOrEqual(10);
    }
    expect(sent.some((m) => m.entries.length > 1)).toBe(true);
    expect(net.texts(2)).toHaveLength(sizes.length);
  });

  test('at most about maxInflightBytes bytes are in flight', () => {
    const net = new Network({
      voters: [1, 2],
      configure: (c) => ({ ...c, maxInflightMsgs: 100, maxMsgBytes: 10, maxInflightBytes: 30 }),
    });
    net.campaign(1);
    for (let i = 0; i < 20; i++) net.propose(1, '0123456789');
    net.flush(1);
    const inflightBytes = net.queue
      .filter((m) => m.type === 'app')
      .reduce((s, m) => s + m.entries.reduce((t, e) => t + e.data.length, 0), 0);
    expect(inflightBytes).toBeLessThanOrEqual(30);
    expect(inflightBytes).toBeGreaterThan(0);
  });

  test('reportUnreachable sends a replicating follower back to probing', () => {
    const net = make();
    net.campaign(1);
    expect(net.raw(1).status().progress.find((p) => p.id === 2)?.state).toBe('replicate');
    net.raw(1).reportUnreachable(2);
    expect(net.raw(1).status().progress.find((p) => p.id === 2)?.state).toBe('probe');
  });
});

describe('the leader counts its own entries once persisted', () => {
  test('a single voter commits only after advance() of the Ready holding the entry', () => {
    const config = defaultRaftConfig(1, new SeededRandom(1));
    const node = new RawNode(config, {
      hardState: { term: 0, vote: NONE, commit: 0 },
      snapshot: { index: 0, term: 0, conf: { voters: [1], learners: [] } },
      entries: [],
      applied: 0,
    });
    node.campaign();
    node.advance(node.ready()); // persists the no-op; it commits
    node.advance(node.ready()); // applies it
    expect(node.propose(bytes('x'))).toEqual({ ok: true, index: 2, term: 1 });
    const ready = node.ready();
    expect(ready.entries.map((e) => e.index)).toEqual([2]);
    expect(ready.committedEntries).toEqual([]);
    expect(node.status().commit).toBe(1); // not before it is persisted
    node.advance(ready);
    expect(node.status().commit).toBe(2);
    const next = node.ready();
    expect(next.committedEntries.map((e) => e.index)).toEqual([2]);
    expect(next.hardState?.commit).toBe(2);
    node.advance(next);
    expect(node.hasReady()).toBe(false);
  });

  test('committed entries are handed out in batches of at most maxApplyBytes', () => {
    const net = new Network({ voters: [1], configure: (c) => ({ ...c, maxApplyBytes: 5 }) });
    net.campaign(1);
    for (let i = 0; i < 6; i++) net.propose(1, 'abc');
    net.stabilize();
    const batches = net.node(1).readies.map((r) => r.committedEntries.length).filter((n) => n > 0);
    expect(Math.max(...batches)).toBe(1); // 3 + 3 bytes > 5: one entry per Ready
    expect(net.texts(1)).toHaveLength(6);
  });
});
