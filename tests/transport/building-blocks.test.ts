// The transport's pure parts: bounded send queue, jittered backoff, re-chunking, config checks.

import { Backoff } from '../../server/host/transport/backoff';
import { PieceCutter, rechunk } from '../../server/host/transport/rechunk';
import { SendQueue } from '../../server/host/transport/send-queue';
import { defaultPeerTransportConfig, peerTransportConfig } from '../../server/host/transport/transport-config';
import { CorralError } from '../../server/util/errors';
import { SeededRandom } from '../../server/util/random';
import { appMessages } from './harness';

describe('SendQueue', () => {
  test('bounded in messages and bytes; overflow is refused, not queued', () => {
    const queue = new SendQueue({ messagesMax: 3, bytesMax: 100 });
    const [m1, m2, m3, m4] = appMessages(1, 4);
    expect(queue.push(m1!, 40)).toBe(true);
    expect(queue.push(m2!, 40)).toBe(true);
    expect(queue.push(m3!, 30)).toBe(false); // 110 bytes > 100
    expect(queue.push(m3!, 20)).toBe(true);
    expect(queue.push(m4!, 1)).toBe(false); // 4 messages > 3
    expect([queue.length, queue.bytes]).toEqual([3, 100]);
  });

  test('take() respects both batch bounds, keeps FIFO order, and always takes at least one', () => {
    const queue = new SendQueue({ messagesMax: 100, bytesMax: 10_000 });
    const items = appMessages(1, 10);
    const sizes = [10, 10, 500, 10, 10, 10, 10, 10, 10, 10];
    items.forEach((item, i) => expect(queue.push(item, sizes[i]!)).toBe(true));
    expect(queue.take(100, 100)).toEqual(items.slice(0, 2)); // the 500-byte one does not fit
    expect(queue.take(100, 100)).toEqual(items.slice(2, 3)); // alone: larger than the bound
    expect(queue.take(3, 1000)).toEqual(items.slice(3, 6));
    expect(queue.take(100, 1000)).toEqual(items.slice(6));
    expect([queue.length, queue.bytes]).toEqual([0, 0]);
    expect(queue.take(10, 10)).toEqual([]);
  });

  test('stays FIFO and exact across many push/take rounds (compaction included)', () => {
    const queue = new SendQueue({ messagesMax: 10_000, bytesMax: 1 << 30 });
    const random = new SeededRandom(3);
    const taken: number[] = [];
    let next = 0;
    let bytesConsistent = true;
    for (let round = 0; round < 2000; round++) {
      // Pushes outpace takes, so the queue grows and its head passes the compaction point.
      const pushes = random.nextInt(7);
      for (let i = 0; i < pushes; i++) queue.push(appMessages(1, 1, next++)[0]!, 10);
      for (const item of queue.take(1 + random.nextInt(4), 1 << 20)) taken.push(item.message.index);
      bytesConsistent &&= queue.bytes === queue.length * 10;
    }
    expect(bytesConsistent).toBe(true);
    expect(queue.length).toBeGreaterThan(1024);
    expect(taken).toEqual(Array.from({ length: taken.length }, (_, i) => i));
    expect(queue.take(10_000, 1 << 30).map((item) => item.message.index)).toEqual(
      Array.from({ length: next - taken.length }, (_, i) => taken.length + i),
    );
  });
});

describe('Backoff', () => {
  test('doubles from min to max with equal jitter, and reset() starts over', () => {
    const backoff = new Backoff({ delayMsMin: 10, delayMsMax: 1000, random: new SeededRandom(1) });
    const delays = Array.from({ length: 12 }, () => backoff.nextDelayMs());
    expect(delays[0]).toBe(10);
    const bases = [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000, 1000, 1000];
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(Math.max(10, bases[i]! / 2));
      expect(delay).toBeLessThanOrEqual(bases[i]!);
    });
    expect(new Set(delays.slice(7)).size).toBeGreaterThan(1); // jittered at the cap
    backoff.reset();
    expect(backoff.nextDelayMs()).toBe(10);
    for (let i = 0; i < 100; i++) expect(backoff.nextDelayMs()).toBeLessThanOrEqual(1000); // no overflow
    const longest = backoff.maxDelayMs();
    expect(longest).toBeGreaterThanOrEqual(500);
    expect(longest).toBeLessThanOrEqual(1000);
  });

  test('the same seed gives the same delays', () => {
    const run = (): number[] => {
      const backoff = new Backoff({ delayMsMin: 5, delayMsMax: 5000, random: new SeededRandom(99) });
      return Array.from({ length: 20 }, () => backoff.nextDelayMs());
    };
    expect(run()).toEqual(run());
  });
});

describe('rechunk', () => {
  async function collect(inputs: Uint8Array[], pieceBytes: number): Promise<{ data: number[]; last: boolean }[]> {
    async function* source(): AsyncGenerator<Uint8Array> {
      for (const input of inputs) yield input;
    }
    const out: { data: number[]; last: boolean }[] = [];
    for await (const piece of rechunk(source(), pieceBytes)) out.push({ data: [...piece.data], last: piece.last });
    return out;
  }

  test('cuts and joins inputs into exact pieces and marks only the last', async () => {
    const pieces = await collect([new Uint8Array([1, 2]), new Uint8Array([3, 4, 5, 6, 7]), new Uint8Array([]), new Uint8Array([8])], 3);
    expect(pieces).toEqual([
      { data: [1, 2, 3], last: false },
      { data: [4, 5, 6], last: false },
      { data: [7, 8], last: true },
    ]);
  });

  test('an exact multiple ends with a full last piece; an empty source gives one empty last piece', async () => {
    expect(await collect([new Uint8Array([1, 2, 3, 4])], 2)).toEqual([
      { data: [1, 2], last: false },
      { data: [3, 4], last: true },
    ]);
    expect(await collect([], 4)).toEqual([{ data: [], last: true }]);
    expect(await collect([new Uint8Array(0)], 4)).toEqual([{ data: [], last: true }]);
  });

  test('random inputs: concatenation preserved, every piece but the last is full', async () => {
    const random = new SeededRandom(5);
    for (let trial = 0; trial < 50; trial++) {
      const inputs = Array.from({ length: random.nextInt(8) }, () => Uint8Array.from({ length: random.nextInt(40) }, () => random.nextInt(256)));
      const pieceBytes = 1 + random.nextInt(16);
      const pieces = await collect(inputs, pieceBytes);
      expect(pieces.flatMap((p) => p.data)).toEqual(inputs.flatMap((input) => [...input]));
      pieces.slice(0, -1).forEach((p) => expect(p.data).toHaveLength(pieceBytes));
      expect(pieces.map((p) => p.last)).toEqual(pieces.map((_, i) => i === pieces.length - 1));
    }
  });

  test('a whole piece taken straight from a large input is a view, not a copy', () => {
    const input = new Uint8Array(10);
    const [first] = new PieceCutter(4).add(input);
    expect(first!.buffer).toBe(input.buffer);
  });
});

describe('config', () => {
  test('defaults are valid; each broken bound is named', () => {
    expect(() => peerTransportConfig({ nodeId: 1, clusterId: 'c' })).not.toThrow();
    const broken: [Record<string, unknown>, RegExp][] = [
      [{ queueMessagesMax: 0 }, /queueMessagesMax must be a positive integer/],
      [{ batchMessagesMax: 10_000, queueMessagesMax: 100 }, /batchMessagesMax \(10000\) must not exceed queueMessagesMax \(100\)/],
      [{ messageBytesMax: 8 * 1024 * 1024, queueBytesMax: 64 * 1024 * 1024 }, /messageBytesMax .* must not exceed the peer's gRPC receive limit/],
      [{ reconnectBackoffMsMin: 500, reconnectBackoffMsMax: 100 }, /reconnectBackoffMsMin \(500\) must not exceed reconnectBackoffMsMax \(100\)/],
      [{ snapshotChunkBytes: 5 * 1024 * 1024 }, /snapshotChunkBytes/],
      [{ nodeId: 0 }, /nodeId must be an integer/],
      [{ clusterId: '' }, /clusterId must not be empty/],
    ];
    for (const [override, message] of broken) {
      const attempt = (): unknown => peerTransportConfig({ ...defaultPeerTransportConfig(1, 'c'), ...override });
      expect(attempt).toThrow(CorralError);
      expect(attempt).toThrow(message);
    }
  });
});
