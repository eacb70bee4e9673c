// Snapshots streamed in chunks between two transports: intact delivery, size bound, and
// every failure reported as a value.

import type { Message } from '../../server/raft/types';
import { Harness, message, randomBytes, within } from './harness';

const harness = new Harness();
afterEach(async () => harness.stopAll());

const MIB = 1024 * 1024;

function snapMessage(index: number): Message {
  return message('snap', { term: 4, snapshot: { meta: { index, term: 3, conf: { voters: [1, 2, 3], learners: [4] } }, data: new Uint8Array(0) } });
}

/** Yields `data` in pieces of irregular sizes (so re-chunking is exercised). */
async function* irregular(data: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield data.subarray(offset, offset + size);
    offset += size;
  }
}

interface Received {
  from: number;
  groupId: number;
  message: Message;
  data: Uint8Array;
}

async function pair(receiverOptions: { snapshotBytesMax?: number } = {}, senderOptions: { snapshotChunkBytes?: number; snapshotsSendingMax?: number } = {}) {
  const a = await harness.node({ nodeId: 1, ...senderOptions });
  const b = await harness.node({ nodeId: 2, ...receiverOptions });
  harness.connectAll([a, b]);
  const received: Received[] = [];
  b.transport.onSnapshot(async (from, groupId, m, data) => {
    received.push({ from, groupId, message: m, data });
  });
  return { a, b, received };
}

describe('snapshots', () => {
  test('a snapshot of several MiB arrives intact, in chunks, with its header', async () => {
    const { a, b, received } = await pair({}, { snapshotChunkBytes: 256 * 1024 });
    // Larger than gRPC's default 4 MiB receive limit (the test servers keep it), and fed in
    // pieces of up to 2 MiB: it can only arrive if it travels in chunks.
    const data = randomBytes(6 * MIB + 12345, 7);
    const result = await within(a.transport.sendSnapshot(2, 42, snapMessage(900), irregular(data, [1_000_000, 17, 300_000, 2 * MIB])), 'snapshot');
    expect(result).toEqual({ ok: true, bytes: data.length });
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got!.from).toBe(1);
    expect(got!.groupId).toBe(42);
    expect(got!.message).toEqual(snapMessage(900));
    expect(got!.data.length).toBe(data.length);
    expect(Buffer.compare(got!.data, data)).toBe(0);
    expect(a.transport.stats().peers.find((p) => p.nodeId === 2)).toMatchObject({ snapshotsSent: 1, snapshotBytesSent: data.length });
    expect(b.transport.stats().peers.find((p) => p.nodeId === 1)).toMatchObject({ snapshotsReceived: 1, snapshotBytesReceived: data.length });
  });

  test('an empty snapshot image arrives as empty data', async () => {
    const { a, received } = await pair();
    const result = await within(a.transport.sendSnapshot(2, 1, snapMessage(5), irregular(new Uint8Array(0), [1])), 'snapshot');
    expect(result).toEqual({ ok: true, bytes: 0 });
    expect(received.map((r) => r.data.length)).toEqual([0]);
  });

  test('a snapshot above snapshotBytesMax is refused and never handed over', async () => {
    const { a, b, received } = await pair({ snapshotBytesMax: 1 * MIB }, { snapshotChunkBytes: 64 * 1024 });
    const data = randomBytes(3 * MIB, 8);
    const result = await within(a.transport.sendSnapshot(2, 9, snapMessage(10), irregular(data, [512 * 1024])), 'snapshot');
    expect(result).toEqual({
      ok: false,
      reason: 'rejected',
      error: `RESOURCE_EXHAUSTED: snapshot of group 9 from node 1 exceeds snapshotBytesMax (${1 * MIB} bytes)`,
    });
    expect(received).toHaveLength(0);
    expect(b.transport.stats().peers.find((p) => p.nodeId === 1)!.snapshotsRejected).toBe(1);
    expect(a.transport.stats().peers.find((p) => p.nodeId === 2)!.snapshotsFailed).toBe(1);
    // A snapshot of exactly the bound is accepted.
    const exact = await within(a.transport.sendSnapshot(2, 9, snapMessage(11), irregular(data.subarray(0, MIB), [300_000])), 'snapshot');
    expect(exact).toEqual({ ok: true, bytes: MIB });
  });

  test("a failing handler on the receiver fails the sender's result with its reason", async () => {
    const { a, b } = await pair();
    b.transport.onSnapshot(async () => {
      throw new Error('disk full');
    });
    const result = await within(a.transport.sendSnapshot(2, 3, snapMessage(10), irregular(randomBytes(1000, 1), [100])), 'snapshot');
    expect(result).toEqual({ ok: false, reason: 'rejected', error: 'ABORTED: snapshot of group 3 not installed: disk full' });
  });

  test('abort, a failing source, an unknown peer, a down peer and a busy sender are values', async () => {
    const { a } = await pair({}, { snapshotsSendingMax: 1 });
    const controller = new AbortController();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10);
      await gate;
      yield new Uint8Array(10);
    }
    const pending = a.transport.sendSnapshot(2, 1, snapMessage(1), slow(), controller.signal);
    // While it waits on its source, a second send is refused as busy.
    expect(await a.transport.sendSnapshot(2, 1, snapMessage(1), irregular(new Uint8Array(1), [1]))).toMatchObject({ ok: false, reason: 'busy' });
    controller.abort();
    release();
    expect(await within(pending, 'aborted snapshot')).toEqual({ ok: false, reason: 'aborted', error: 'snapshot send aborted' });

    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10);
      throw new Error('read error');
    }
    expect(await within(a.transport.sendSnapshot(2, 1, snapMessage(1), failing()), 'source failure')).toEqual({
      ok: false,
      reason: 'source-failed',
      error: 'snapshot source failed: read error',
    });
    expect(await a.transport.sendSnapshot(9, 1, snapMessage(1), irregular(new Uint8Array(1), [1]))).toMatchObject({ ok: false, reason: 'unknown-peer' });

    a.transport.setPeer(3, '127.0.0.1:1');
    const down = await within(a.transport.sendSnapshot(3, 1, snapMessage(1), irregular(new Uint8Array(1), [1])), 'down peer');
    expect(down).toMatchObject({ ok: false, reason: 'unreachable' });
  });

  test('a node of another cluster cannot install a snapshot', async () => {
    const a = await harness.node({ nodeId: 1, clusterId: 'elsewhere' });
    const b = await harness.node({ nodeId: 2 });
    let handed = 0;
    b.transport.onSnapshot(async () => {
      handed += 1;
    });
    a.transport.setPeer(2, b.address);
    const result = await within(a.transport.sendSnapshot(2, 1, snapMessage(1), irregular(new Uint8Array(100), [10])), 'snapshot');
    expect(result).toMatchObject({ ok: false, reason: 'rejected' });
    expect(result.ok ? '' : result.error).toMatch(/^FAILED_PRECONDITION: cluster id mismatch/);
    expect(handed).toBe(0);
  });

  test('close() aborts a snapshot in flight and the process can exit', async () => {
    const { a } = await pair();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* stuck(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10);
      await gate;
    }
    const pending = a.transport.sendSnapshot(2, 1, snapMessage(1), stuck());
    const closing = a.transport.close();
    release();
    await within(closing, 'close');
    expect(await pending).toEqual({ ok: false, reason: 'closed', error: 'peer transport closed' });
  });
});
