// The bounded single-consumer queue behind watches.

import { EventQueue } from '../../client-sdk/event-queue';

test('delivers in order, signals pressure at the high mark and release at the low mark', async () => {
  const pressure: boolean[] = [];
  const queue = new EventQueue<number>({ highWater: 4, lowWater: 1 }, (paused) => pressure.push(paused));
  for (let i = 0; i < 5; i++) queue.push(i);
  expect(pressure).toEqual([true]);
  const got: number[] = [];
  for (let i = 0; i < 4; i++) got.push((await queue.next()).value as number);
  expect(pressure).toEqual([true, false]);
  got.push((await queue.next()).value as number);
  expect(got).toEqual([0, 1, 2, 3, 4]);
});

test('a waiting consumer is handed the next item directly; end() finishes after the items', async () => {
  const queue = new EventQueue<string>({ highWater: 10, lowWater: 5 }, () => undefined);
  const waiting = queue.next();
  queue.push('a');
  expect(await waiting).toEqual({ value: 'a', done: false });
  queue.push('b');
  queue.end();
  queue.push('ignored');
  expect(await queue.next()).toEqual({ value: 'b', done: false });
  expect((await queue.next()).done).toBe(true);
});

test('fail() is thrown once the items queued before it are consumed', async () => {
  const queue = new EventQueue<number>({ highWater: 10, lowWater: 5 }, () => undefined);
  queue.push(1);
  queue.fail(new Error('compacted'));
  expect((await queue.next()).value).toBe(1);
  await expect(queue.next()).rejects.toThrow('compacted');
  const other = new EventQueue<number>({ highWater: 10, lowWater: 5 }, () => undefined);
  const pending = other.next();
  other.fail(new Error('gone'));
  await expect(pending).rejects.toThrow('gone');
});

test('two concurrent next() calls are a bug', () => {
  const queue = new EventQueue<number>({ highWater: 10, lowWater: 5 }, () => undefined);
  void queue.next();
  expect(() => queue.next()).toThrow(/single consumer/);
  queue.end();
});
