// Test harness for the peer transport: real gRPC servers on 127.0.0.1, port 0, and a
// registry that stops everything a test started, even when the test fails.

import * as grpc from '@grpc/grpc-js';
import type { Entry, Message, MessageType, NodeId } from '../../server/raft/types';
import type { GroupMessage } from '../../server/host/ports';
import { PeerTransport } from '../../server/host/transport/peer-transport';
import type { PeerTransportOptions } from '../../server/host/transport/transport-config';
import { SeededRandom } from '../../server/util/random';

export const CLUSTER = 'test-cluster';
/** How long a test waits for something that must happen; a liveness bound, not a
 *  performance threshold (loopback delivery takes milliseconds). */
export const WAIT_MS = 10_000;

export function message(type: MessageType, fields: Partial<Message> = {}): Message {
  return {
    type,
    from: 1,
    to: 2,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    rejectHintTerm: 0,
    snapshot: null,
    context: '',
    ...fields,
  };
}

export function entry(index: number, data: Uint8Array, fields: Partial<Entry> = {}): Entry {
  return { term: 1, index, type: 'normal', data, ...fields };
}

/** `count` distinct 'app' messages for group `groupId`, told apart by their index. */
export function appMessages(groupId: number, count: number, firstIndex = 1): GroupMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    groupId,
    message: message('app', { term: 1, index: firstIndex + i, entries: [entry(firstIndex + i + 1, new Uint8Array([i & 0xff]))] }),
  }));
}

/** Rejects with `what` if `promise` has not settled within `ms`; the timer is always cleared. */
export async function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects what a transport receives; waiters resolve when a predicate becomes true. */
export class Inbox {
  readonly batches: { from: NodeId; messages: GroupMessage[] }[] = [];
  private waiters: { ready: () => boolean; resolve: () => void }[] = [];

  readonly handler = (from: NodeId, messages: GroupMessage[]): void => {
    this.batches.push({ from, messages });
    this.wake();
  };

  get messages(): GroupMessage[] {
    return this.batches.flatMap((batch) => batch.messages);
  }

  /** Resolves once at least `count` messages have arrived in total. */
  waitForMessages(count: number): Promise<void> {
    return within(this.until(() => this.messages.length >= count), `${count} messages (have ${this.messages.length})`);
  }

  until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }

  private wake(): void {
    const still: typeof this.waiters = [];
    for (const waiter of this.waiters) {
      if (waiter.ready()) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }
}

/** The node ids a transport reported unreachable, in order. */
export class UnreachableLog {
  readonly reported: NodeId[] = [];
  private waiters: { nodeId: NodeId; resolve: () => void }[] = [];

  readonly handler = (nodeId: NodeId): void => {
    this.reported.push(nodeId);
    const still = this.waiters.filter((waiter) => waiter.nodeId !== nodeId);
    for (const waiter of this.waiters) if (waiter.nodeId === nodeId) waiter.resolve();
    this.waiters = still;
  };

  /** Resolves once `nodeId` has been reported (at least once, ever). */
  waitFor(nodeId: NodeId): Promise<void> {
    const reported = this.reported.includes(nodeId)
      ? Promise.resolve()
      : new Promise<void>((resolve) => this.waiters.push({ nodeId, resolve }));
    return within(reported, `an unreachable report of node ${nodeId}`);
  }
}

export interface TestNode {
  readonly nodeId: NodeId;
  readonly transport: PeerTransport;
  readonly server: grpc.Server;
  readonly address: string;
  readonly inbox: Inbox;
  readonly unreachable: UnreachableLog;
}

/** Starts gRPC servers and transports and stops all of them in `stopAll()`. */
export class Harness {
  private readonly servers: grpc.Server[] = [];
  private readonly transports: PeerTransport[] = [];

  async startServer(port = 0): Promise<{ server: grpc.Server; port: number }> {
    const server = new grpc.Server();
    this.servers.push(server);
    const bound = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) =>
        error !== null ? reject(error) : resolve(actual),
      );
    });
    return { server, port: bound };
  }

  transport(options: Partial<PeerTransportOptions> & { nodeId: NodeId }): PeerTransport {
    const transport = new PeerTransport({
      clusterId: CLUSTER,
      reconnectBackoffMsMin: 10,
      reconnectBackoffMsMax: 100,
      closeGraceMs: 200,
      random: new SeededRandom(options.nodeId),
      ...options,
    });
    this.transports.push(transport);
    return transport;
  }

  /** A transport served by its own server, with an Inbox and an unreachable log. */
  async node(options: Partial<PeerTransportOptions> & { nodeId: NodeId }, port = 0): Promise<TestNode> {
    const transport = this.transport(options);
    const inbox = new Inbox();
    const unreachable = new UnreachableLog();
    transport.onReceive(inbox.handler);
    transport.onUnreachable(unreachable.handler);
    const { server, port: bound } = await this.startServer(port);
    transport.addToServer(server);
    return { nodeId: options.nodeId, transport, server, address: `127.0.0.1:${bound}`, inbox, unreachable };
  }

  /** Every node names every other one as its peer. */
  connectAll(nodes: readonly TestNode[]): void {
    for (const a of nodes) for (const b of nodes) if (a !== b) a.transport.setPeer(b.nodeId, b.address);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.transports.splice(0).map((transport) => transport.close()));
    for (const server of this.servers.splice(0)) server.forceShutdown();
  }
}

/** A port that nothing listens on right now: bound by a server that is then shut down. */
export async function freePort(harness: Harness): Promise<number> {
  const { server, port } = await harness.startServer();
  server.forceShutdown();
  return port;
}

/** Deterministic pseudo-random bytes (xorshift32, a word at a time: megabytes quickly). */
export function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  const words = new Uint32Array(out.buffer, 0, length >>> 2);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  for (let i = words.length * 4; i < length; i++) out[i] = (x >>> ((i & 3) * 8)) & 0xff;
  return out;
}
