// Watches against a fake node (real gRPC): resuming from the last revision + 1 after a broken
// stream (no duplicates, no gaps), a replay cut short asked for again, compaction surfaced as
// a thrown CompactedError, slow-consumer cancellation resumed, one-shot, close.

import * as grpc from '@grpc/grpc-js';
import { CompactedError, CorralClient, type WatchEvent } from '../../client-sdk';
import type { WatchRequest__Output } from '../../proto/gen/corral/v1/WatchRequest';
import type { WatchResponse } from '../../proto/gen/corral/v1/WatchResponse';
import { type FakeCluster, startFakeCluster } from './fake-corral-server';

jest.setTimeout(60_000);

let fake: FakeCluster;
let client: CorralClient;

beforeEach(async () => {
  fake = await startFakeCluster(1);
  client = new CorralClient({ endpoints: fake.endpoints, timeoutMs: 5_000, backoff: { baseMs: 10, capMs: 50 } });
});

afterEach(async () => {
  client.close();
  await fake.stop();
});

type Call = grpc.ServerWritableStream<WatchRequest__Output, WatchResponse>;

function event(type: 'ADD' | 'UPDATE' | 'REMOVE', path: string, revision: number, value = `v${revision}`) {
  return { type, path, revision, value: Buffer.from(value), prev_value: Buffer.alloc(0), stat: { version: 1, mod_revision: revision } };
}

function breakStream(call: Call): void {
  call.emit('error', Object.assign(new Error('node going away'), { code: grpc.status.UNAVAILABLE, details: 'node going away', metadata: new grpc.Metadata() }));
}

/** Scripts the n-th Watch call (0-based) with `scripts[n]`. */
function script(scripts: ((call: Call) => void)[]): void {
  let calls = 0;
  fake.nodes[0].onWatch = (call) => {
    const run = scripts[Math.min(calls, scripts.length - 1)];
    calls += 1;
    run(call);
  };
}

async function take(iterable: AsyncIterable<WatchEvent>, count: number): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  for await (const e of iterable) {
    events.push(e);
    if (events.length === count) break;
  }
  return events;
}

test('"from now" is pinned to the current revision, and a broken stream resumes at the next revision', async () => {
  script([
    (call) => {
      call.write({ events: [], revision: 10 });
      call.write({ events: [event('ADD', '/a/x', 11)], revision: 11 });
      call.write({ events: [event('UPDATE', '/a/x', 12), event('ADD', '/a/y', 12)], revision: 12 });
      setTimeout(() => breakStream(call), 20);
    },
    (call) => {
      // A server that ignored from_revision would resend 12: the client must not repeat it.
      call.write({ events: [event('UPDATE', '/a/x', 12)], revision: 12 });
      call.write({ events: [event('REMOVE', '/a/x', 13)], revision: 13 });
    },
  ]);
  const watch = client.watch('/a', { kind: 'subtree' });
  const events = await take(watch, 4);
  expect(events.map((e) => `${e.type} ${e.path} ${e.revision}`)).toEqual(['ADD /a/x 11', 'UPDATE /a/x 12', 'ADD /a/y 12', 'REMOVE /a/x 13']);
  const requests = fake.nodes[0].watchRequests;
  expect(requests[0]).toMatchObject({ path: '/a', kind: 'SUBTREE', from_revision: 11, replay: false });
  expect(requests[1]).toMatchObject({ from_revision: 13, replay: false });
  expect(watch.nextRevision).toBe(14);
  expect(await watch.closed).toEqual({ reason: 'closed' });
});

test('a replay cut short is asked for again and delivered once; live events follow', async () => {
  script([
    (call) => {
      call.write({ events: [event('ADD', '/r/a', 3)] });
      setTimeout(() => breakStream(call), 20);
    },
    (call) => {
      call.write({ events: [event('ADD', '/r/a', 3), event('ADD', '/r/b', 4)], replay_done: true, revision: 7 });
      call.write({ events: [event('UPDATE', '/r/b', 8)], revision: 8 });
    },
  ]);
  const events = await take(client.watch('/r', { kind: 'children', replay: true }), 3);
  expect(events.map((e) => `${e.type} ${e.path} ${e.replayed}`)).toEqual(['ADD /r/a true', 'ADD /r/b true', 'UPDATE /r/b false']);
  expect(fake.nodes[0].watchRequests.map((r) => r.replay)).toEqual([true, true]);
});

test('after a replay, a reconnect resumes from the replay revision + 1 (not another replay)', async () => {
  script([
    (call) => {
      call.write({ events: [event('ADD', '/r/a', 3)], replay_done: true, revision: 7 });
      setTimeout(() => breakStream(call), 20);
    },
    (call) => call.write({ events: [event('UPDATE', '/r/a', 9)], revision: 9 }),
  ]);
  const events = await take(client.watch('/r', { replay: true }), 2);
  expect(events.map((e) => e.revision)).toEqual([3, 9]);
  expect(fake.nodes[0].watchRequests[1]).toMatchObject({ replay: false, from_revision: 8 });
});

test('COMPACTED is thrown from the iterator as a CompactedError naming the revision to re-list at', async () => {
  script([(call) => {
    call.write({ events: [event('ADD', '/c/a', 5)], revision: 5 });
    call.write({ cancelled: 'COMPACTED', compact_revision: 40 });
    call.end();
  }]);
  const watch = client.watch('/c', { fromRevision: 5 });
  const seen: number[] = [];
  let thrown: unknown = null;
  try {
    for await (const e of watch) seen.push(e.revision);
  } catch (error) {
    thrown = error;
  }
  expect(seen).toEqual([5]);
  expect(thrown).toBeInstanceOf(CompactedError);
  expect((thrown as CompactedError).details.revision).toBe(40);
  expect(await watch.closed).toMatchObject({ reason: 'error' });
});

test('SLOW_CONSUMER is resumed from the revision the server names', async () => {
  script([
    (call) => {
      call.write({ events: [event('ADD', '/s/a', 5)], revision: 5 });
      call.write({ cancelled: 'SLOW_CONSUMER', resume_revision: 6, revision: 5 });
      call.end();
    },
    (call) => call.write({ events: [event('ADD', '/s/b', 6)], revision: 6 }),
  ]);
  const events = await take(client.watch('/s', { kind: 'children', fromRevision: 5 }), 2);
  expect(events.map((e) => e.revision)).toEqual([5, 6]);
  expect(fake.nodes[0].watchRequests.map((r) => Number(r.from_revision))).toEqual([5, 6]);
});

test('one-shot ends after the first live event; close() ends a watch and settles `closed`', async () => {
  script([(call) => {
    call.write({ events: [], revision: 2 });
    call.write({ events: [event('UPDATE', '/o/a', 3)], revision: 3 });
    call.write({ events: [event('UPDATE', '/o/a', 4)], revision: 4 });
  }]);
  const oneShot = client.watch('/o/a', { oneShot: true, fromRevision: 3 });
  const events: WatchEvent[] = [];
  for await (const e of oneShot) events.push(e);
  expect(events.map((e) => e.revision)).toEqual([3]);
  expect(await oneShot.closed).toEqual({ reason: 'one-shot' });
  script([(call) => call.write({ events: [], revision: 2 })]);
  const open = client.watch('/o/a', { fromRevision: 3 });
  const iterating = take(open, 1);
  await fake.until('the second watch call', () => fake.nodes[0].watchRequests.length === 2);
  open.close();
  expect(await iterating).toEqual([]);
  expect(await open.closed).toEqual({ reason: 'closed' });
});

test('an AbortSignal ends the watch; a bad path is refused at once', () => {
  const controller = new AbortController();
  controller.abort();
  const watch = client.watch('/o/a', { signal: controller.signal });
  expect(() => client.watch('relative', {})).toThrow(/absolute/);
  return expect(watch.closed).resolves.toEqual({ reason: 'closed' });
});
