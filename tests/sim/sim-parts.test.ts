// The simulator's pieces in isolation: agenda order, network model, partitions, disk model,
// safety checker and the KV state machine.

import type { Entry, Message, Ready } from '../../server/raft/types';
import { SeededRandom } from '../../server/util/random';
import { EventQueue } from './event-queue';
import { KvStateMachine, decodeCommand, encodeCommand } from './kv-state-machine';
import { SimNetwork, type NetworkParams } from './network';
import { bridge, deafen, isolate, mute, split } from './partition';
import { SafetyChecker } from './safety-checker';
import { SimDisk } from './sim-disk';

const encoder = new TextEncoder();

function entry(index: number, term: number, text = `e${index}.${term}`): Entry {
  return { index, term, type: 'normal', data: encoder.encode(text) };
}

function ready(parts: Partial<Ready>): Ready {
  return {
    softState: null,
    hardState: null,
    entries: [],
    snapshot: null,
    messages: [],
    committedEntries: [],
    readStates: [],
    ...parts,
  };
}

function emptyDisk(): SimDisk {
  return new SimDisk({ meta: { index: 0, term: 0, conf: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array() });
}

describe('event queue', () => {
  test('pops by time, then by insertion order', () => {
    const queue = new EventQueue<string>(100);
    queue.push(5, 'a');
    queue.push(1, 'b');
    queue.push(5, 'c');
    queue.push(3, 'd');
    queue.push(1, 'e');
    const order: string[] = [];
    for (let next = queue.pop(); next !== null; next = queue.pop()) order.push(next.event);
    expect(order).toEqual(['b', 'e', 'd', 'a', 'c']);
  });

  test('overflow is a loud failure', () => {
    const queue = new EventQueue<number>(2);
    queue.push(1, 1);
    queue.push(1, 2);
    expect(() => queue.push(1, 3)).toThrow(/overflow/);
  });
});

describe('network', () => {
  const params: NetworkParams = {
    delayMinUnits: 1,
    delayMaxUnits: 5,
    longDelayChance: 0,
    longDelayMaxUnits: 5,
    lossRate: 0.2,
    duplicateRate: 0.1,
  };

  test('loss, duplication and delay follow the parameters', () => {
    const network = new SimNetwork(new SeededRandom(7), params);
    let lost = 0;
    let duplicated = 0;
    const sends = 10_000;
    for (let i = 0; i < sends; i += 1) {
      const route = network.route(1, 2);
      if (route.kind === 'dropped') {
        expect(route.reason).toBe('lost');
        lost += 1;
        continue;
      }
      if (route.delaysUnits.length === 2) duplicated += 1;
      for (const delay of route.delaysUnits) {
        expect(delay).toBeGreaterThanOrEqual(1);
        expect(delay).toBeLessThanOrEqual(5);
      }
    }
    expect(lost / sends).toBeGreaterThan(0.17);
    expect(lost / sends).toBeLessThan(0.23);
    expect(duplicated / (sends - lost)).toBeGreaterThan(0.07);
    expect(duplicated / (sends - lost)).toBeLessThan(0.13);
  });

  test('partitions block exactly their directed links, heal restores them', () => {
    const network = new SimNetwork(new SeededRandom(1), { ...params, lossRate: 0, duplicateRate: 0 });
    network.setPartition(mute(2, [1, 2, 3]));
    expect(network.route(2, 1)).toEqual({ kind: 'dropped', reason: 'partitioned' });
    expect(network.route(1, 2).kind).toBe('deliver');
    expect(network.route(1, 3).kind).toBe('deliver');
    network.heal();
    expect(network.route(2, 1).kind).toBe('deliver');
    expect(network.partitioned).toBe(false);
  });

  test('the same seed routes the same way', () => {
    const a = new SimNetwork(new SeededRandom(42), params);
    const b = new SimNetwork(new SeededRandom(42), params);
    for (let i = 0; i < 200; i += 1) expect(a.route(1, 3)).toEqual(b.route(1, 3));
  });
});

describe('partition shapes', () => {
  const nodes = [1, 2, 3, 4, 5];
  const blocks = (links: readonly (readonly [number, number])[], from: number, to: number): boolean =>
    links.some(([a, b]) => a === from && b === to);

  test('isolate cuts both directions of one node only', () => {
    const p = isolate(3, nodes);
    expect(p.blocked).toHaveLength(8);
    expect(blocks(p.blocked, 3, 1) && blocks(p.blocked, 1, 3)).toBe(true);
    expect(blocks(p.blocked, 1, 2)).toBe(false);
  });

  test('mute and deafen are one-way', () => {
    expect(blocks(mute(1, nodes).blocked, 1, 2)).toBe(true);
    expect(blocks(mute(1, nodes).blocked, 2, 1)).toBe(false);
    expect(blocks(deafen(1, nodes).blocked, 2, 1)).toBe(true);
    expect(blocks(deafen(1, nodes).blocked, 1, 2)).toBe(false);
  });

  test('split makes two non-empty sides; bridge keeps one node connected to all', () => {
    const random = new SeededRandom(3);
    for (let i = 0; i < 50; i += 1) {
      const s = split(nodes, random);
      const cutNodes = new Set(s.blocked.flat());
      expect(cutNodes.size).toBe(5);
      const b = bridge(nodes, random);
      const middle = nodes.filter((n) => !b.blocked.some(([from, to]) => from === n || to === n));
      expect(middle).toHaveLength(1);
    }
  });
});

describe('simulated disk', () => {
  test('persists entries and hard state; truncates on conflicting append', () => {
    const disk = emptyDisk();
    expect(disk.persistReady(ready({ entries: [entry(1, 1), entry(2, 1), entry(3, 1)], hardState: { term: 1, vote: 1, commit: 1 } }))).toBeNull();
    expect(disk.lastIndex).toBe(3);
    expect(disk.persistReady(ready({ entries: [entry(2, 2)] }))).toBeNull();
    expect(disk.lastIndex).toBe(2);
    expect(disk.term(2)).toBe(2);
    expect(disk.hardState).toEqual({ term: 1, vote: 1, commit: 1 });
    const initial = disk.initialState();
    expect(initial.entries.map((e) => [e.index, e.term])).toEqual([[1, 1], [2, 2]]);
    expect(initial.applied).toBe(0);
  });

  test('rejects appends that leave a gap or go below the snapshot', () => {
    const disk = emptyDisk();
    expect(disk.persistReady(ready({ entries: [entry(3, 1)] }))?.kind).toBe('gap');
    disk.persistReady(ready({ entries: [entry(1, 1), entry(2, 1)] }));
    disk.saveSnapshot({ meta: { index: 2, term: 1, conf: { voters: [1], learners: [] } }, data: new Uint8Array([1]) });
    expect(disk.persistReady(ready({ entries: [entry(2, 1)] }))?.kind).toBe('below-snapshot');
    expect(disk.lastIndex).toBe(2);
  });

  test('compaction keeps the tail; restart starts from the snapshot', () => {
    const disk = emptyDisk();
    disk.persistReady(ready({ entries: [1, 2, 3, 4].map((i) => entry(i, 1)), hardState: { term: 1, vote: 0, commit: 4 } }));
    disk.saveSnapshot({ meta: { index: 2, term: 1, conf: { voters: [1], learners: [] } }, data: new Uint8Array([9]) });
    const initial = disk.initialState();
    expect(initial.snapshot.index).toBe(2);
    expect(initial.applied).toBe(2);
    expect(initial.entries.map((e) => e.index)).toEqual([3, 4]);
    expect(disk.term(2)).toBe(1);
    expect(disk.term(1)).toBeNull();
  });

  test('an installed snapshot replaces the stored log; entries may follow it in the same write', () => {
    const disk = emptyDisk();
    disk.persistReady(ready({ entries: [1, 2, 3].map((i) => entry(i, 1)) }));
    const snap = { meta: { index: 2, term: 1, conf: { voters: [1], learners: [] } }, data: new Uint8Array([7]) };
    disk.persistReady(ready({ snapshot: snap }));
    expect(disk.lastIndex).toBe(2);
    expect(disk.firstIndex).toBe(3);
    expect(disk.snapshot.data).toEqual(new Uint8Array([7]));
    disk.persistReady(ready({ snapshot: { ...snap, meta: { ...snap.meta, index: 5 } }, entries: [entry(6, 3)] }));
    expect(disk.lastIndex).toBe(6);
    expect(disk.term(6)).toBe(3);
    expect(disk.persistReady(ready({ snapshot: { ...snap, meta: { ...snap.meta, index: 8 } }, entries: [entry(10, 3)] }))?.kind).toBe('gap');
  });
});

describe('safety checker', () => {
  const checker = (): SafetyChecker => new SafetyChecker(() => 0);
  const app = (from: number, prevIndex: number, prevTerm: number, entries: Entry[]): Message => ({
    type: 'app',
    from,
    to: 9,
    term: entries[0].term,
    logTerm: prevTerm,
    index: prevIndex,
    entries,
    commit: 0,
    reject: false,
    rejectHint: 0,
    rejectHintTerm: 0,
    snapshot: null,
    context: '',
  });

  test('two leaders in one term', () => {
    const c = checker();
    c.observeLeader(1, 5);
    c.observeLeader(1, 5);
    c.observeLeader(2, 6);
    expect(c.ok).toBe(true);
    c.observeLeader(3, 6);
    expect(c.violations.map((v) => v.kind)).toEqual(['two-leaders']);
  });

  test('log matching: same (index, term) with different data or a different prefix', () => {
    const c = checker();
    c.observeMessage(app(1, 0, 0, [entry(1, 1, 'x'), entry(2, 1, 'y')]));
    c.observeMessage(app(2, 1, 1, [entry(2, 1, 'y')]));
    expect(c.ok).toBe(true);
    c.observeMessage(app(2, 1, 1, [entry(2, 1, 'other')]));
    expect(c.violations[0].kind).toBe('log-matching');
    const d = checker();
    d.observeMessage(app(1, 1, 1, [entry(2, 3, 'z')]));
    d.observeMessage(app(2, 1, 2, [entry(2, 3, 'z')]));
    expect(d.violations[0].kind).toBe('log-matching');
  });

  test('a committed entry that changes is caught, across nodes', () => {
    const c = checker();
    const a = emptyDisk();
    const r1 = ready({ entries: [entry(1, 1, 'a')], hardState: { term: 1, vote: 1, commit: 1 } });
    a.persistReady(r1);
    c.observePersist(1, a, r1);
    const b = emptyDisk();
    const r2 = ready({ entries: [entry(1, 2, 'b')], hardState: { term: 2, vote: 2, commit: 1 } });
    b.persistReady(r2);
    c.observePersist(2, b, r2);
    expect(c.violations.map((v) => v.kind)).toEqual(['committed-changed']);
  });

  test('applying a different entry than the committed one breaks state machine safety', () => {
    const c = checker();
    c.observeApply(1, entry(1, 1, 'a'), 1);
    c.observeApply(2, entry(1, 1, 'a'), 1);
    expect(c.ok).toBe(true);
    c.observeApply(3, entry(1, 1, 'b'), 1);
    expect(c.violations.map((v) => v.kind)).toEqual(['state-machine-safety']);
  });

  test('a new leader missing a committed entry breaks leader completeness', () => {
    const c = checker();
    c.observeApply(1, entry(1, 1, 'a'), 1);
    c.observeApply(1, entry(2, 1, 'b'), 1);
    const disk = emptyDisk();
    const r = ready({
      entries: [entry(1, 1, 'a'), entry(2, 2, 'noop')],
      hardState: { term: 2, vote: 3, commit: 0 },
      softState: { leader: 3, role: 'leader' },
    });
    disk.persistReady(r);
    c.observePersist(3, disk, r);
    expect(c.violations.map((v) => v.kind)).toEqual(['leader-completeness']);
  });

  test('commit index must not regress nor pass the log', () => {
    const c = checker();
    const disk = emptyDisk();
    const r1 = ready({ entries: [entry(1, 1), entry(2, 1)], hardState: { term: 1, vote: 1, commit: 2 } });
    disk.persistReady(r1);
    c.observePersist(1, disk, r1);
    const r2 = ready({ hardState: { term: 1, vote: 1, commit: 1 } });
    disk.persistReady(r2);
    c.observePersist(1, disk, r2);
    const r3 = ready({ hardState: { term: 1, vote: 1, commit: 9 } });
    disk.persistReady(r3);
    c.observePersist(1, disk, r3);
    expect(c.violations.map((v) => v.kind)).toEqual(['commit-regressed', 'invariant']);
  });

  test('snapshots at the same index must be identical', () => {
    const c = checker();
    c.observeSnapshot(1, 10, 2, new Uint8Array([1, 2]));
    c.observeSnapshot(2, 10, 2, new Uint8Array([1, 2]));
    expect(c.ok).toBe(true);
    c.observeSnapshot(3, 10, 2, new Uint8Array([1, 3]));
    expect(c.violations.map((v) => v.kind)).toEqual(['snapshot-mismatch']);
  });
});

describe('kv state machine', () => {
  test('commands round-trip and apply; snapshots restore the same state', () => {
    const machine = new KvStateMachine();
    const put = decodeCommand(encodeCommand({ operation: 1, input: { kind: 'put', key: 'k', value: 'v' } }));
    expect(machine.apply(put)).toEqual({ kind: 'put' });
    expect(machine.apply({ operation: 2, input: { kind: 'cas', key: 'k', expected: 'x', value: 'w' } })).toEqual({ kind: 'cas', ok: false });
    expect(machine.apply({ operation: 3, input: { kind: 'cas', key: 'k', expected: 'v', value: 'w' } })).toEqual({ kind: 'cas', ok: true });
    const copy = new KvStateMachine();
    copy.restore(machine.snapshot());
    expect(copy.read('k')).toBe('w');
    expect(copy.digest()).toBe(machine.digest());
    expect(() => encodeCommand({ operation: 4, input: { kind: 'get', key: 'k' } })).toThrow();
  });
});
