import type { KvCommand } from '../../server/kv/commands';
import { encodeCommand } from '../../server/kv/commands';
import type { KvApplied } from '../../server/kv/kv-group';
import { KvGroupStateMachine } from '../../server/kv/kv-group';
import type { KvLimits } from '../../server/kv/limits';
import type { WatchEvent, WatchKind } from '../../server/kv/watch-event';
import type { Watcher, WatchNext } from '../../server/kv/watcher';
import { SeededRandom } from '../../server/util/random';
import { cmd, op, testLimits, text } from './helpers';

/** A replica: state machine + hub, fed through the host-shaped adapter. */
class Replica {
  readonly group: KvGroupStateMachine;
  private index = 0;
  readonly all: WatchEvent[] = [];

  constructor(limits: KvLimits = testLimits()) {
    this.group = new KvGroupStateMachine(limits);
  }

  apply(command: KvCommand): KvApplied {
    this.index += 1;
    const applied = this.group.applyEntry(this.index, 1, encodeCommand(command));
    if (!applied.result.ok) throw new Error(applied.result.message);
    this.all.push(...applied.events);
    return applied;
  }

  watch(request: Parameters<KvGroupStateMachine['hub']['subscribe']>[0]): Watcher {
    const subscribed = this.group.hub.subscribe(request);
    if (!subscribed.ok) throw new Error(subscribed.message);
    return subscribed.watcher;
  }
}

const short = (events: readonly WatchEvent[]): string[] => events.map((event) => `${event.type} ${event.path} @${event.revision}`);

/** Drains a watcher until idle or ended (bounded), returning events and the last outcome. */
function drain(watcher: Watcher, eventsMax?: number): { events: WatchEvent[]; last: WatchNext; batches: number } {
  const events: WatchEvent[] = [];
  for (let batches = 1; batches <= 1000; batches += 1) {
    const next = watcher.next(eventsMax);
    if (next.kind === 'events' || next.kind === 'replay') {
      events.push(...next.events);
      continue;
    }
    return { events, last: next, batches };
  }
  throw new Error('watcher never drained');
}

describe('watch kinds', () => {
  it('path, children and subtree watchers see exactly their events', () => {
    const replica = new Replica();
    const path = replica.watch({ path: '/a', kind: 'path' });
    const children = replica.watch({ path: '/a', kind: 'children' });
    const subtree = replica.watch({ path: '/a', kind: 'subtree' });
    const root = replica.watch({ path: '/', kind: 'children' });
    replica.apply(cmd.create('/a/b/c', 'x', { makeParents: true }));
    replica.apply(cmd.create('/ab', 'sibling with a shared prefix'));
    replica.apply(cmd.set('/a/b', 'y'));
    replica.apply(cmd.set('/a', 'z'));
    replica.apply(cmd.del('/a', { recursive: true }));
    expect(short(drain(path).events)).toEqual(['ADD /a @1', 'UPDATE /a @4', 'REMOVE /a @5']);
    expect(short(drain(children).events)).toEqual(['ADD /a/b @1', 'UPDATE /a/b @3', 'REMOVE /a/b @5']);
    expect(short(drain(subtree).events)).toEqual([
      'ADD /a @1', 'ADD /a/b @1', 'ADD /a/b/c @1', 'UPDATE /a/b @3', 'UPDATE /a @4', 'REMOVE /a/b/c @5', 'REMOVE /a/b @5', 'REMOVE /a @5',
    ]);
    expect(short(drain(root).events)).toEqual(['ADD /a @1', 'ADD /ab @2', 'UPDATE /a @4', 'REMOVE /a @5']);
  });

  it('publish names only the watchers with new output; REMOVE carries the last value', () => {
    const replica = new Replica();
    const a = replica.watch({ path: '/a', kind: 'subtree' });
    const b = replica.watch({ path: '/b', kind: 'subtree' });
    expect(replica.apply(cmd.create('/a', 'last-a')).readyWatchers).toEqual([a]);
    expect(replica.apply(cmd.create('/b')).readyWatchers).toEqual([b]);
    expect(replica.apply(cmd.open(5000)).readyWatchers).toEqual([]);
    const removed = replica.apply(cmd.del('/a'));
    expect(removed.readyWatchers).toEqual([a]);
    const events = drain(a).events;
    expect(text(events[1].prevValue)).toBe('last-a');
  });
});

describe('replay', () => {
  it('replays the current state as ADD events, then live events with no gap and no duplicate', () => {
    const replica = new Replica();
    replica.apply(cmd.create('/reg/m1', 'one', { makeParents: true }));
    replica.apply(cmd.create('/reg/m2', 'two'));
    replica.apply(cmd.set('/reg/m1', 'one-b'));
    const watcher = replica.watch({ path: '/reg', kind: 'children', replay: true });
    replica.apply(cmd.create('/reg/m3', 'three'));
    replica.apply(cmd.del('/reg/m2'));
    const first = watcher.next();
    expect(first.kind).toBe('replay');
    if (first.kind !== 'replay') return;
    expect(first.revision).toBe(3);
    expect(first.events.map((event) => [event.type, event.path, text(event.value), event.revision])).toEqual([
      ['ADD', '/reg/m1', 'one-b', 3],
      ['ADD', '/reg/m2', 'two', 2],
    ]);
    expect(short(drain(watcher).events)).toEqual(['ADD /reg/m3 @4', 'REMOVE /reg/m2 @5']);
  });

  it('replays subtrees parents-first, and refuses replays larger than watchReplayEventsMax', () => {
    const replica = new Replica(testLimits({ watchReplayEventsMax: 3 }));
    replica.apply(cmd.create('/s/a/b', '', { makeParents: true }));
    const subtree = replica.watch({ path: '/s', kind: 'subtree', replay: true });
    expect(short(drain(subtree).events)).toEqual(['ADD /s @1', 'ADD /s/a @1', 'ADD /s/a/b @1']);
    replica.apply(cmd.create('/s/c'));
    const tooBig = replica.group.hub.subscribe({ path: '/s', kind: 'subtree', replay: true });
    expect(tooBig).toMatchObject({ ok: false, code: 'resource-exhausted' });
    const missing = replica.watch({ path: '/nothing', kind: 'path', replay: true });
    expect(missing.next()).toEqual({ kind: 'replay', revision: 2, events: [] });
  });
});

describe('fromRevision and history', () => {
  it('catches up from any retained revision, then continues live, with no gap and no duplicate', () => {
    const replica = new Replica();
    for (let step = 0; step < 12; step += 1) {
      replica.apply(step % 3 === 2 ? cmd.txn([], [op.put(`/n/${step}`, 'a'), op.put(`/n/${step - 1}`, 'b')]) : cmd.put(`/n/${step}`, 'v'));
    }
    for (let fromRevision = 1; fromRevision <= 14; fromRevision += 1) {
      const current = replica.group.hub.revision;
      const watcher = replica.watch({ path: '/n', kind: 'subtree', fromRevision });
      expect(watcher.catchingUp).toBe(fromRevision <= current);
      const early = drain(watcher, 2); // small batches: whole revisions at a time
      replica.apply(cmd.put('/n/live', String(fromRevision)));
      const late = drain(watcher, 2);
      const expected = replica.all.filter((event) => event.revision >= fromRevision && (event.path === '/n' || event.path.startsWith('/n/')));
      expect(short([...early.events, ...late.events])).toEqual(short(expected));
      watcher.close();
    }
  });

  it('answers compacted with the oldest servable revision when history is gone', () => {
    const replica = new Replica(testLimits({ watchHistoryEventsMax: 4, watchQueueEventsMax: 4 }));
    for (let step = 0; step < 6; step += 1) replica.apply(cmd.put(`/k${step}`, 'v'));
    expect(replica.group.hub.oldestRevision).toBe(3);
    const old = replica.watch({ path: '/', kind: 'subtree', fromRevision: 2 });
    expect(old.next()).toEqual({ kind: 'cancelled', cancelled: 'compacted', compactRevision: 3 });
    expect(replica.group.hub.watcherCount).toBe(0);
    const ok = replica.watch({ path: '/', kind: 'subtree', fromRevision: 3 });
    expect(short(drain(ok).events)).toEqual(['ADD /k2 @3', 'ADD /k3 @4', 'ADD /k4 @5', 'ADD /k5 @6']);
  });

  it('a catch-up overtaken by eviction ends compacted', () => {
    const replica = new Replica(testLimits({ watchHistoryEventsMax: 3, watchQueueEventsMax: 3 }));
    for (let step = 0; step < 3; step += 1) replica.apply(cmd.put(`/k${step}`, 'v'));
    const watcher = replica.watch({ path: '/', kind: 'subtree', fromRevision: 1 });
    for (let step = 3; step < 6; step += 1) replica.apply(cmd.put(`/k${step}`, 'v'));
    expect(watcher.next()).toEqual({ kind: 'cancelled', cancelled: 'compacted', compactRevision: 4 });
  });

  it('starts a future fromRevision live but delivers nothing before it', () => {
    const replica = new Replica();
    const watcher = replica.watch({ path: '/', kind: 'subtree', fromRevision: 3 });
    replica.apply(cmd.put('/a', '1'));
    replica.apply(cmd.put('/a', '2'));
    replica.apply(cmd.put('/a', '3'));
    expect(short(drain(watcher).events)).toEqual(['UPDATE /a @3']);
  });
});

describe('bounded queues', () => {
  it('cancels a slow consumer with the revision to resume from; resuming loses nothing', () => {
    const replica = new Replica();
    const slow = replica.watch({ path: '/q', kind: 'children', queueEventsMax: 3 });
    replica.apply(cmd.create('/q'));
    replica.apply(cmd.create('/q/1'));
    replica.apply(cmd.create('/q/2'));
    replica.apply(cmd.txn([], [op.create('/q/3'), op.create('/q/4')]));
    replica.apply(cmd.create('/q/5'));
    expect(slow.ended).toBe(true);
    const drained = drain(slow);
    expect(short(drained.events)).toEqual(['ADD /q/1 @2', 'ADD /q/2 @3']);
    expect(drained.last).toEqual({ kind: 'cancelled', cancelled: 'slow-consumer', resumeRevision: 4 });
    const resumed = replica.watch({ path: '/q', kind: 'children', fromRevision: 4 });
    expect(short(drain(resumed).events)).toEqual(['ADD /q/3 @4', 'ADD /q/4 @4', 'ADD /q/5 @5']);
  });

  it('an empty queue accepts one revision larger than its bound (no livelock on big revisions)', () => {
    const replica = new Replica();
    const watcher = replica.watch({ path: '/', kind: 'subtree', queueEventsMax: 2 });
    replica.apply(cmd.create('/a/b/c/d', '', { makeParents: true }));
    expect(watcher.ended).toBe(false);
    expect(drain(watcher).events).toHaveLength(4);
  });

  it('hands out whole revisions per batch', () => {
    const replica = new Replica();
    const watcher = replica.watch({ path: '/', kind: 'subtree' });
    replica.apply(cmd.create('/a/b', '', { makeParents: true }));
    replica.apply(cmd.create('/c'));
    replica.apply(cmd.create('/d'));
    const first = watcher.next(1);
    expect(first.kind === 'events' && short(first.events)).toEqual(['ADD /a @1', 'ADD /a/b @1']);
    const second = watcher.next(2);
    expect(second.kind === 'events' && short(second.events)).toEqual(['ADD /c @2', 'ADD /d @3']);
    expect(watcher.next()).toEqual({ kind: 'idle' });
  });
});

describe('subscriptions', () => {
  it('watchers of the same path share one subscription entry', () => {
    const replica = new Replica();
    const hub = replica.group.hub;
    const first = replica.watch({ path: '/svc', kind: 'children' });
    const second = replica.watch({ path: '/svc', kind: 'children', replay: true });
    const other = replica.watch({ path: '/svc', kind: 'subtree' });
    expect(hub.subscriptionCount).toBe(2);
    expect(hub.watcherCount).toBe(3);
    replica.apply(cmd.create('/svc/a', '', { makeParents: true }));
    expect(short(drain(first).events)).toEqual(['ADD /svc/a @1']);
    expect(short(drain(second).events)).toEqual(['ADD /svc/a @1']);
    first.close();
    expect(first.next()).toEqual({ kind: 'end', reason: 'closed' });
    expect(hub.subscriptionCount).toBe(2);
    second.close();
    other.close();
    expect(hub.subscriptionCount).toBe(0);
    expect(hub.watcherCount).toBe(0);
  });

  it('one-shot watchers fire once, live or from history', () => {
    const replica = new Replica();
    replica.apply(cmd.create('/a'));
    const live = replica.watch({ path: '/a', kind: 'path', oneShot: true, replay: true });
    const past = replica.watch({ path: '/a', kind: 'path', oneShot: true, fromRevision: 1 });
    replica.apply(cmd.set('/a', 'x'));
    replica.apply(cmd.set('/a', 'y'));
    const liveDrained = drain(live);
    expect(short(liveDrained.events)).toEqual(['ADD /a @1', 'UPDATE /a @2']); // replay, then one event
    expect(liveDrained.last).toEqual({ kind: 'end', reason: 'one-shot' });
    const pastDrained = drain(past);
    expect(short(pastDrained.events)).toEqual(['ADD /a @1']);
    expect(pastDrained.last).toEqual({ kind: 'end', reason: 'one-shot' });
    expect(replica.group.hub.watcherCount).toBe(0);
  });

  it('enforces watchersMax; ended watchers free their slot', () => {
    const replica = new Replica(testLimits({ watchersMax: 2 }));
    const one = replica.watch({ path: '/a', kind: 'path' });
    replica.watch({ path: '/b', kind: 'path' });
    expect(replica.group.hub.subscribe({ path: '/c', kind: 'path' })).toMatchObject({ ok: false, code: 'resource-exhausted' });
    one.close();
    expect(replica.group.hub.subscribe({ path: '/c', kind: 'path' }).ok).toBe(true);
  });

  it('validates requests', () => {
    const hub = new Replica().group.hub;
    expect(hub.subscribe({ path: 'x', kind: 'path' })).toMatchObject({ code: 'invalid-argument' });
    expect(hub.subscribe({ path: '/x', kind: 'bogus' as 'path' })).toMatchObject({ code: 'invalid-argument' });
    expect(hub.subscribe({ path: '/x', kind: 'path', fromRevision: 0 })).toMatchObject({ code: 'invalid-argument' });
    expect(hub.subscribe({ path: '/x', kind: 'path', fromRevision: 1, replay: true })).toMatchObject({ code: 'invalid-argument' });
    expect(hub.subscribe({ path: '/x', kind: 'path', queueEventsMax: 1_000_000 })).toMatchObject({ code: 'invalid-argument' });
  });

  it('a snapshot install ends every watcher as compacted at the new revision', () => {
    const source = new Replica();
    source.apply(cmd.create('/a'));
    source.apply(cmd.create('/b'));
    const replica = new Replica();
    const watcher = replica.watch({ path: '/', kind: 'subtree' });
    replica.group.restore(source.group.snapshot(), 2);
    expect(watcher.next()).toEqual({ kind: 'cancelled', cancelled: 'compacted', compactRevision: 3 });
    expect(replica.group.state.exists('/b')).toBe(true);
    const fresh = replica.watch({ path: '/', kind: 'subtree', replay: true });
    expect(short(drain(fresh).events)).toEqual(['ADD /a @1', 'ADD /b @2']);
  });
});

/** An independent statement of what each kind covers (not the hub's own matcher). */
function oracleMatches(kind: WatchKind, watchPath: string, eventPath: string): boolean {
  const below = eventPath.startsWith(`${watchPath}/`);
  if (kind === 'path') return eventPath === watchPath;
  if (kind === 'children') return below && !eventPath.slice(watchPath.length + 1).includes('/');
  return eventPath === watchPath || below;
}

describe('randomized: no gap, no duplicate', () => {
  const paths = ['/w', '/w/a', '/w/b', '/w/a/x', '/w/a/y', '/v'];
  const kinds = ['path', 'children', 'subtree'] as const;

  interface Consumer {
    readonly path: string;
    readonly kind: WatchKind;
    watcher: Watcher;
    got: WatchEvent[];
    /** The revision the consumer's verified stream starts at (moves on compaction). */
    from: number;
  }

  /** Takes one batch; on cancellation resubscribes where the hub says. Returns the cancel. */
  function pull(replica: Replica, consumer: Consumer, random: SeededRandom): WatchNext {
    const next = consumer.watcher.next(1 + random.nextInt(4));
    if (next.kind === 'events') consumer.got.push(...next.events);
    if (next.kind !== 'cancelled') return next;
    let from: number;
    if (next.cancelled === 'slow-consumer') {
      from = next.resumeRevision;
    } else {
      // Compacted: a real consumer re-lists; here the verified stream restarts there.
      from = next.compactRevision;
      consumer.got = [];
      consumer.from = from;
    }
    consumer.watcher = replica.watch({ path: consumer.path, kind: consumer.kind, fromRevision: from, queueEventsMax: 1 + random.nextInt(8) });
    return next;
  }

  it.each([1, 2, 3, 4, 5, 6])('seed %i: resubscribing consumers see exactly the filtered stream', (seed) => {
    const random = new SeededRandom(seed);
    const replica = new Replica(testLimits({ watchHistoryEventsMax: 40, watchQueueEventsMax: 8 }));
    const consumers: Consumer[] = Array.from({ length: 8 }, () => {
      const path = paths[random.nextInt(paths.length)];
      const kind = kinds[random.nextInt(kinds.length)];
      return { path, kind, watcher: replica.watch({ path, kind, queueEventsMax: 1 + random.nextInt(8) }), got: [], from: 1 };
    });
    const cancels = new Set<string>();
    for (let step = 0; step < 300; step += 1) {
      const path = paths[random.nextInt(paths.length)];
      const choice = random.nextInt(3);
      replica.apply(choice === 0 ? cmd.put(path, String(step)) : choice === 1 ? cmd.del(path, { recursive: true, ifExists: true }) : cmd.put(`${path}/c${step % 3}`, 's'));
      for (const consumer of consumers) {
        if (!random.chance(0.3)) continue;
        const next = pull(replica, consumer, random);
        if (next.kind === 'cancelled') cancels.add(next.cancelled);
      }
    }
    for (const consumer of consumers) {
      for (let rounds = 0; rounds < 200 && pull(replica, consumer, random).kind !== 'idle'; rounds += 1);
      const expected = replica.all.filter((event) => event.revision >= consumer.from && oracleMatches(consumer.kind, consumer.path, event.path));
      expect(short(consumer.got)).toEqual(short(expected));
    }
    expect(cancels.has('slow-consumer')).toBe(true);
  });
});
