// PeerTransport over real gRPC on 127.0.0.1: exchange, batching, reconnect, bounded queues,
// cluster isolation, clean close.

import * as grpc from '@grpc/grpc-js';
import type { GroupMessage } from '../../server/host/ports';
import { AssertionError } from '../../server/util/assert';
import { CLUSTER, Harness, appMessages, entry, freePort, message, within } from './harness';

const harness = new Harness();
afterEach(async () => harness.stopAll());

/** Sends one message and waits for it: after this the stream from a to b is admitted. */
async function warmUp(a: { transport: { send(to: number, m: GroupMessage[]): void } }, b: { nodeId: number; inbox: { messages: GroupMessage[]; waitForMessages(n: number): Promise<void> } }): Promise<void> {
  const before = b.inbox.messages.length;
  a.transport.send(b.nodeId, [{ groupId: 999, message: message('heartbeat', { term: 1 }) }]);
  await b.inbox.waitForMessages(before + 1);
}

describe('exchange', () => {
  test('two transports exchange batches both ways, messages intact and attributed', async () => {
    const a = await harness.node({ nodeId: 1 });
    const b = await harness.node({ nodeId: 2 });
    harness.connectAll([a, b]);
    const toB: GroupMessage[] = [
      { groupId: 7, message: message('app', { term: 3, logTerm: 2, index: 10, commit: 9, entries: [entry(11, new Uint8Array([0, 255, 1])), entry(12, new Uint8Array(0))] }) },
      { groupId: 8, message: message('heartbeat', { term: 3, commit: 4, context: 'read-1' }) },
      { groupId: 7, message: message('vote', { term: 4, logTerm: 3, index: 12, context: 'transfer' }) },
    ];
    const toA: GroupMessage[] = [
      { groupId: 7, message: message('app-resp', { from: 2, to: 1, term: 3, index: 9, reject: true, rejectHint: 5, rejectHintTerm: 2 }) },
      { groupId: 8, message: message('heartbeat-resp', { from: 2, to: 1, term: 3, context: 'read-1' }) },
    ];
    a.transport.send(2, toB);
    b.transport.send(1, toA);
    await b.inbox.waitForMessages(3);
    await a.inbox.waitForMessages(2);

    expect(b.inbox.batches.every((batch) => batch.from === 1)).toBe(true);
    expect(a.inbox.batches.every((batch) => batch.from === 2)).toBe(true);
    // Full messages keep their order; the heartbeat travels in compact form, after them.
    expect(b.inbox.messages).toEqual([toB[0], toB[2], toB[1]]);
    expect(a.inbox.messages).toEqual([toA[0], toA[1]]);

    const aToB = a.transport.stats().peers.find((peer) => peer.nodeId === 2)!;
    const bFromA = b.transport.stats().peers.find((peer) => peer.nodeId === 1)!;
    expect(aToB.messagesSent).toBe(3);
    expect(bFromA.messagesReceived).toBe(3);
    expect(bFromA.batchesReceived).toBe(aToB.batchesSent);
    expect(bFromA.bytesReceived).toBe(aToB.bytesSent);
    expect(aToB.connected).toBe(true);
  });

  test('three transports: every node reaches both others', async () => {
    const nodes = [await harness.node({ nodeId: 1 }), await harness.node({ nodeId: 2 }), await harness.node({ nodeId: 3 })];
    harness.connectAll(nodes);
    for (const from of nodes) {
      for (const to of nodes) {
        if (from === to) continue;
        from.transport.send(to.nodeId, appMessages(from.nodeId * 10 + to.nodeId, 5));
      }
    }
    for (const node of nodes) await node.inbox.waitForMessages(10);
    for (const node of nodes) {
      const senders = new Set(node.inbox.batches.map((batch) => batch.from));
      expect([...senders].sort()).toEqual(nodes.filter((n) => n !== node).map((n) => n.nodeId));
      for (const batch of node.inbox.batches) {
        for (const item of batch.messages) expect(item.groupId).toBe(batch.from * 10 + node.nodeId);
      }
      expect(node.inbox.messages).toHaveLength(10);
    }
  });
});

describe('batching', () => {
  test('N sends to one peer in one event-loop turn go out as ONE batch', async () => {
    const a = await harness.node({ nodeId: 1 });
    const b = await harness.node({ nodeId: 2 });
    harness.connectAll([a, b]);
    await warmUp(a, b);
    const batchesBefore = a.transport.stats().peers.find((p) => p.nodeId === 2)!.batchesSent;
    const receivedBefore = b.inbox.batches.length;

    const sends = 100;
    for (let i = 0; i < sends; i++) a.transport.send(2, appMessages(i % 4, 1, i + 1));
    await b.inbox.waitForMessages(1 + sends);

    expect(b.inbox.batches.length - receivedBefore).toBe(1);
    expect(b.inbox.batches.at(-1)!.messages).toHaveLength(sends);
    expect(a.transport.stats().peers.find((p) => p.nodeId === 2)!.batchesSent - batchesBefore).toBe(1);
  });

  test('a turn with more than batchMessagesMax messages is cut at the bound', async () => {
    const a = await harness.node({ nodeId: 1, batchMessagesMax: 10 });
    const b = await harness.node({ nodeId: 2 });
    harness.connectAll([a, b]);
    await warmUp(a, b);
    const before = b.inbox.batches.length;
    for (let i = 0; i < 25; i++) a.transport.send(2, appMessages(1, 1, i + 1));
    await b.inbox.waitForMessages(1 + 25);
    expect(b.inbox.batches.slice(before).map((batch) => batch.messages.length)).toEqual([10, 10, 5]);
    // Order across batches is the send order.
    expect(b.inbox.messages.slice(1).map((item) => item.message.index)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  test('a turn above batchBytesMax is cut by bytes; a single larger message goes alone', async () => {
    const a = await harness.node({ nodeId: 1, batchBytesMax: 64 * 1024 });
    const b = await harness.node({ nodeId: 2 });
    harness.connectAll([a, b]);
    await warmUp(a, b);
    const before = b.inbox.batches.length;
    const big = (index: number, bytes: number): GroupMessage => ({
      groupId: 1,
      message: message('app', { term: 1, index, entries: [entry(index + 1, new Uint8Array(bytes).fill(index))] }),
    });
    a.transport.send(2, [big(1, 40_000), big(2, 40_000), big(3, 100_000), big(4, 1_000)]);
    await b.inbox.waitForMessages(1 + 4);
    expect(b.inbox.batches.slice(before).map((batch) => batch.messages.map((m) => m.message.index))).toEqual([[1], [2], [3], [4]]);
    const data = b.inbox.messages.at(-2)!.message.entries[0]!.data;
    expect(Buffer.compare(data, new Uint8Array(100_000).fill(3))).toBe(0);
  });
});

describe('failures', () => {
  test('a peer that is down, then comes up, receives the later messages (reconnect)', async () => {
    const port = await freePort(harness);
    const a = await harness.node({ nodeId: 1 });
    a.transport.setPeer(2, `127.0.0.1:${port}`);
    a.transport.send(2, appMessages(1, 3, 1));
    await a.unreachable.waitFor(2);
    expect(a.transport.stats().peers.find((p) => p.nodeId === 2)!.connected).toBe(false);

    const b = await harness.node({ nodeId: 2 }, port);
    a.transport.send(2, appMessages(1, 2, 100));
    await b.inbox.waitForMessages(5);
    const indexes = b.inbox.messages.map((item) => item.message.index);
    expect(indexes).toEqual([1, 2, 3, 100, 101]); // queued while down, then the later ones
    const stats = a.transport.stats().peers.find((p) => p.nodeId === 2)!;
    expect(stats.reconnects).toBe(1);
    expect(stats.streamFailures).toBeGreaterThanOrEqual(1);
    expect(stats.lastError).toMatch(/^UNAVAILABLE/);
    expect(stats.connected).toBe(true);
  });

  test('a peer that restarts mid-stream is redialled and gets messages sent after', async () => {
    const a = await harness.node({ nodeId: 1 });
    const b1 = await harness.node({ nodeId: 2 });
    harness.connectAll([a, b1]);
    await warmUp(a, b1);
    const port = Number(b1.address.split(':')[1]);
    await b1.transport.close();
    b1.server.forceShutdown();
    await a.unreachable.waitFor(2);

    const b2 = await harness.node({ nodeId: 2 }, port);
    a.transport.send(2, appMessages(3, 1, 42));
    await b2.inbox.waitForMessages(1);
    expect(b2.inbox.messages[0]!.message.index).toBe(42);
    expect(a.transport.stats().peers.find((p) => p.nodeId === 2)!.reconnects).toBe(1);
  });

  test('the queue of a down peer is bounded in messages: overflow is dropped and counted', async () => {
    const port = await freePort(harness);
    const a = await harness.node({ nodeId: 1, queueMessagesMax: 10, batchMessagesMax: 10 });
    a.transport.setPeer(2, `127.0.0.1:${port}`);
    a.transport.send(2, appMessages(1, 25));
    a.transport.send(2, appMessages(1, 5, 100));
    const stats = a.transport.stats().peers.find((p) => p.nodeId === 2)!;
    expect(stats.droppedQueueFull).toBe(20);
    expect(stats.queuedMessages).toBe(10);
    expect(stats.messagesSent).toBe(0);
    expect(a.unreachable.reported).toEqual([2]); // reported once for the overflow, synchronously

    const b = await harness.node({ nodeId: 2 }, port);
    await b.inbox.waitForMessages(10);
    expect(b.inbox.messages.map((item) => item.message.index)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  test('the queue is bounded in bytes, and a message above messageBytesMax is dropped', async () => {
    const port = await freePort(harness);
    const a = await harness.node({ nodeId: 1, queueBytesMax: 100_000, batchBytesMax: 50_000, messageBytesMax: 60_000 });
    a.transport.setPeer(2, `127.0.0.1:${port}`);
    const sized = (index: number, bytes: number): GroupMessage => ({
      groupId: 1,
      message: message('app', { index, entries: [entry(index + 1, new Uint8Array(bytes))] }),
    });
    a.transport.send(2, [sized(1, 40_000), sized(2, 40_000), sized(3, 40_000), sized(4, 70_000), sized(5, 1_000)]);
    const stats = a.transport.stats().peers.find((p) => p.nodeId === 2)!;
    expect(stats.droppedQueueFull).toBe(1); // message 3: 120 kB would exceed 100 kB
    expect(stats.droppedOversize).toBe(1); // message 4
    expect(stats.queuedMessages).toBe(3); // 1, 2, 5
    expect(stats.queuedBytes).toBeLessThanOrEqual(100_000);
  });

  test('send() to an unknown peer drops and counts; a snap message in send() is a bug', async () => {
    const a = await harness.node({ nodeId: 1 });
    expect(() => a.transport.send(9, appMessages(1, 3))).not.toThrow();
    expect(a.transport.stats().droppedUnknownPeer).toBe(3);
    a.transport.setPeer(2, '127.0.0.1:1');
    const snap = message('snap', { snapshot: { meta: { index: 5, term: 1, conf: { voters: [1], learners: [] } }, data: new Uint8Array(0) } });
    expect(() => a.transport.send(2, [{ groupId: 1, message: snap }])).toThrow(AssertionError);
  });
});

describe('cluster isolation', () => {
  test('a node of another cluster is refused with FAILED_PRECONDITION and nothing is delivered', async () => {
    const a = await harness.node({ nodeId: 1, clusterId: 'other-cluster' });
    const b = await harness.node({ nodeId: 2 });
    a.transport.setPeer(2, b.address);
    a.transport.send(2, appMessages(1, 3));
    await a.unreachable.waitFor(2);
    const stats = a.transport.stats().peers.find((p) => p.nodeId === 2)!;
    expect(stats.lastError).toBe(
      `FAILED_PRECONDITION: cluster id mismatch: node 2 belongs to cluster "${CLUSTER}", node 1 sent cluster id "other-cluster"`,
    );
    expect(stats.messagesSent).toBe(0);
    expect(stats.queuedMessages).toBe(3);
    expect(b.inbox.batches).toHaveLength(0);
    expect(b.transport.stats().peers.find((p) => p.nodeId === 1)!.rejected).toBeGreaterThanOrEqual(1);
  });

  test('a batch whose cluster_id differs from its stream is refused (raw client)', async () => {
    const b = await harness.node({ nodeId: 2 });
    const result = await rawStream(b.address, { 'corral-cluster-id': CLUSTER, 'corral-from-node': '5' }, (encode) => [
      encode({ fromNode: 5, clusterId: 'intruder', messages: [], heartbeats: [{ groupId: 1, response: false, term: 1, commit: 0, context: '', from: 5, to: 2 }] }),
    ]);
    expect(result.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(result.details).toBe(`cluster id mismatch: node 2 belongs to cluster "${CLUSTER}", node 5 sent cluster id "intruder"`);
    expect(b.inbox.batches).toHaveLength(0);
  });

  test('missing identity metadata, garbage bytes and a lying from_node are refused', async () => {
    const b = await harness.node({ nodeId: 2 });
    const anonymous = await rawStream(b.address, {}, () => []);
    expect(anonymous.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(b.transport.stats().rejectedAnonymous).toBe(1);

    const garbage = await rawStream(b.address, { 'corral-cluster-id': CLUSTER, 'corral-from-node': '5' }, () => [Buffer.from([0xff, 0xff, 0xff])]);
    expect(garbage.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(garbage.details).toMatch(/^undecodable batch/);

    const liar = await rawStream(b.address, { 'corral-cluster-id': CLUSTER, 'corral-from-node': '5' }, (encode) => [
      encode({ fromNode: 6, clusterId: CLUSTER, messages: [], heartbeats: [] }),
    ]);
    expect(liar.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(liar.details).toBe('batch claims from_node 6 on the stream of node 5');
    expect(b.inbox.batches).toHaveLength(0);
  });
});

describe('lifecycle', () => {
  test('setPeer with a new address redials there', async () => {
    const a = await harness.node({ nodeId: 1 });
    const b = await harness.node({ nodeId: 2 });
    const c = await harness.node({ nodeId: 2 }); // the same node id, moved to a new address
    a.transport.setPeer(2, b.address);
    await warmUp(a, b);
    a.transport.setPeer(2, c.address);
    a.transport.send(2, appMessages(1, 1, 77));
    await c.inbox.waitForMessages(1);
    expect(c.inbox.messages[0]!.message.index).toBe(77);
    expect(b.inbox.messages).toHaveLength(1);
  });

  test('removePeer stops sending; later sends are counted as unknown-peer drops', async () => {
    const a = await harness.node({ nodeId: 1 });
    const b = await harness.node({ nodeId: 2 });
    a.transport.setPeer(2, b.address);
    await warmUp(a, b);
    a.transport.removePeer(2);
    a.transport.send(2, appMessages(1, 2));
    expect(a.transport.stats().droppedUnknownPeer).toBe(2);
    expect(a.transport.stats().peers.find((p) => p.nodeId === 2)!.address).toBeNull();
  });

  test('close() ends inbound and outbound streams, so the server shuts down gracefully', async () => {
    const a = await harness.node({ nodeId: 1 });
    const b = await harness.node({ nodeId: 2 });
    harness.connectAll([a, b]);
    await warmUp(a, b);
    await warmUp(b, a);
    await a.transport.close();
    await b.transport.close();
    // tryShutdown waits for every open call: it completes only if close() ended them all.
    await within(new Promise<void>((resolve, reject) => a.server.tryShutdown((error) => (error ? reject(error) : resolve()))), 'server a shutdown');
    await within(new Promise<void>((resolve, reject) => b.server.tryShutdown((error) => (error ? reject(error) : resolve()))), 'server b shutdown');
    expect(() => a.transport.send(2, appMessages(1, 1))).not.toThrow();
    expect(a.transport.stats().droppedUnknownPeer).toBe(1);
  });
});

/** Opens a raw Peer.Stream call with the given metadata and frames, and returns its status. */
async function rawStream(
  address: string,
  entries: Record<string, string>,
  frames: (encode: (batch: import('../../server/host/transport/wire-types').WireBatch) => Buffer) => Buffer[],
): Promise<{ code: grpc.status; details: string }> {
  const { peerProtocol, STREAM_PATH } = await import('../../server/host/transport/peer-protocol');
  const protocol = peerProtocol();
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
    return await within(
      new Promise<{ code: grpc.status; details: string }>((resolve) => {
        const call = client.makeClientStreamRequest<Buffer, unknown>(STREAM_PATH, (b: Buffer) => b, (b: Buffer) => b, metadata, {}, (error) => {
          resolve(error === null ? { code: grpc.status.OK, details: '' } : { code: error.code, details: error.details });
        });
        for (const frame of frames((batch) => protocol.batch.encode(batch))) call.write(frame);
      }),
      'raw stream status',
    );
  } finally {
    client.close();
  }
}
