// The outbound half towards one peer: a bounded queue, and one long-lived Peer.Stream call
// that carries the queue's messages as Batches, redialled with jittered backoff when it
// fails.
//
//   connecting --(server admits: response headers)--> connected --(call ends)--> backoff
//   backoff --(timer)--> connecting;  any state --(shutdown)--> closed
//
// Messages are written only while connected; otherwise they wait in the queue (bounded:
// overflow drops and counts them; Raft retransmits what matters).

import * as grpc from '@grpc/grpc-js';
import type { NodeId } from '../../raft/types';
import { assert } from '../../util/assert';
import type { GroupMessage } from '../ports';
import { Backoff } from './backoff';
import { passThrough, peerChannelOptions } from './channel-options';
import { encodeBatch, messageBytesEstimate } from './codec';
import { describeCallError } from './grpc-status';
import { peerMetadata } from './peer-metadata';
import type { PeerProtocol } from './peer-protocol';
import { STREAM_PATH } from './peer-protocol';
import { SendQueue } from './send-queue';
import type { PeerTransportConfig } from './transport-config';
import type { OutboundCounters } from './transport-stats';
import type { WireStreamAck } from './wire-types';

/** Batches written per flush before yielding to the event loop (receives, timers). */
const FLUSH_BATCHES_MAX = 64;

/** Statuses that a quick redial will not fix: wait the longest backoff before the next. */
const PERSISTENT_FAILURES: ReadonlySet<grpc.status> = new Set([
  grpc.status.FAILED_PRECONDITION,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.UNIMPLEMENTED,
  grpc.status.RESOURCE_EXHAUSTED,
]);

export interface PeerLinkDeps {
  readonly config: PeerTransportConfig;
  readonly protocol: PeerProtocol;
  readonly counters: OutboundCounters;
  readonly onUnreachable: (nodeId: NodeId) => void;
}

type LinkState = 'connecting' | 'connected' | 'backoff' | 'closed';

type StreamCall = grpc.ClientWritableStream<Buffer>;

export class PeerLink {
  private state: LinkState = 'backoff';
  private client: grpc.Client | null = null;
  private call: StreamCall | null = null;
  /** Connected and gRPC's buffer has room (false while waiting for 'drain'). */
  private writable = false;
  private flushImmediate: NodeJS.Immediate | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** onUnreachable was called for the current overflow; reset once a batch goes out. */
  private overflowReported = false;
  /** A stream failed since the last one was admitted: the next admission is a reconnect. */
  private failedSinceAdmitted = false;
  private lastErrorText = '';
  private readonly queue: SendQueue;
  private readonly backoff: Backoff;

  constructor(
    readonly nodeId: NodeId,
    private addressValue: string,
    private readonly deps: PeerLinkDeps,
  ) {
    const { config } = deps;
    this.queue = new SendQueue({ messagesMax: config.queueMessagesMax, bytesMax: config.queueBytesMax });
    this.backoff = new Backoff({ delayMsMin: config.reconnectBackoffMsMin, delayMsMax: config.reconnectBackoffMsMax, random: config.random });
    this.connect();
  }

  get address(): string {
    return this.addressValue;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  get queuedBytes(): number {
    return this.queue.bytes;
  }

  get lastError(): string {
    return this.lastErrorText;
  }

  /** Queues `messages`; they go out in this turn's batch (or at once if a batch is full). */
  enqueue(messages: readonly GroupMessage[]): void {
    assert(this.state !== 'closed', `enqueue on the closed link to node ${this.nodeId}`);
    const { config, counters } = this.deps;
    let overflow = false;
    for (const item of messages) {
      assert(item.message.type !== 'snap', "'snap' messages go through sendSnapshot, not send");
      const bytes = messageBytesEstimate(item.message);
      if (bytes > config.messageBytesMax) counters.droppedOversize += 1;
      else if (!this.queue.push(item, bytes)) {
        counters.droppedQueueFull += 1;
        overflow = true;
      }
    }
    if (overflow && !this.overflowReported) {
      this.overflowReported = true;
      this.deps.onUnreachable(this.nodeId);
    }
    const batchFull = this.queue.length >= config.batchMessagesMax || this.queue.bytes >= config.batchBytesMax;
    if (batchFull) this.flush();
    this.scheduleFlush();
  }

  /** Points the link at a new address: the current stream is dropped and redialled now. */
  setAddress(address: string): void {
    assert(this.state !== 'closed', 'setAddress on a closed link');
    if (address === this.addressValue) return;
    this.addressValue = address;
    this.teardown();
    this.backoff.reset();
    this.connect();
  }

  /** Stops at once: cancels the stream, clears timers, drops what is queued. */
  shutdownNow(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.teardown();
    this.queue.clear();
  }

  /** Stops gracefully: ends the stream (the peer receives what was written) and waits up to
   *  closeGraceMs for it to finish before cancelling it. */
  async shutdown(): Promise<void> {
    if (this.state === 'closed') return;
    const call = this.call;
    this.state = 'closed';
    this.writable = false; // nothing may be written after end()
    this.clearTimers();
    this.queue.clear();
    if (call !== null) await endWithin(call, this.deps.config.closeGraceMs);
    this.teardown();
  }

  private connect(): void {
    assert(this.call === null && this.client === null, 'connect while a stream is open');
    assert(this.state !== 'closed', 'connect on a closed link');
    const { config, protocol } = this.deps;
    const client = new grpc.Client(this.addressValue, grpc.credentials.createInsecure(), peerChannelOptions(config));
    const call = client.makeClientStreamRequest<Buffer, WireStreamAck>(
      STREAM_PATH,
      passThrough,
      (bytes: Buffer) => protocol.streamAck.decode(bytes),
      peerMetadata(config),
      {},
      (error) => this.onStreamEnded(call, error),
    );
    call.on('metadata', () => this.onStreamAdmitted(call));
    call.on('drain', () => this.onDrain(call));
    this.client = client;
    this.call = call;
    this.state = 'connecting';
  }

  private onStreamAdmitted(call: StreamCall): void {
    if (call !== this.call || this.state !== 'connecting') return;
    if (this.failedSinceAdmitted) this.deps.counters.reconnects += 1;
    this.failedSinceAdmitted = false;
    this.state = 'connected';
    this.writable = true;
    this.backoff.reset();
    this.flush();
    this.scheduleFlush();
  }

  private onStreamEnded(call: StreamCall, error: grpc.ServiceError | null): void {
    if (call !== this.call || this.state === 'closed') return;
    this.lastErrorText = error === null ? 'stream ended by the peer' : describeCallError(error);
    this.deps.counters.streamFailures += 1;
    this.failedSinceAdmitted = true;
    this.teardown();
    this.state = 'backoff';
    const persistent = error !== null && PERSISTENT_FAILURES.has(error.code);
    const delayMs = persistent ? this.backoff.maxDelayMs() : this.backoff.nextDelayMs();
    this.reconnectTimer = setTimeout(() => this.onReconnectDue(), delayMs);
    this.reconnectTimer.unref();
    this.deps.onUnreachable(this.nodeId);
  }

  private onReconnectDue(): void {
    this.reconnectTimer = null;
    if (this.state !== 'backoff') return;
    this.connect();
  }

  private onDrain(call: StreamCall): void {
    if (call !== this.call || this.state !== 'connected') return;
    this.writable = true;
    this.flush();
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushImmediate !== null || !this.writable || this.queue.length === 0) return;
    this.flushImmediate = setImmediate(() => {
      this.flushImmediate = null;
      this.flush();
      this.scheduleFlush();
    });
  }

  /** Writes queued messages as Batches while the stream has room, at most
   *  FLUSH_BATCHES_MAX of them (scheduleFlush continues in the next turn). */
  private flush(): void {
    if (!this.writable || this.call === null) return;
    const { config, counters, protocol } = this.deps;
    const header = { fromNode: config.nodeId, toNode: this.nodeId, clusterId: config.clusterId };
    for (let written = 0; written < FLUSH_BATCHES_MAX && this.queue.length > 0; written++) {
      const messages = this.queue.take(config.batchMessagesMax, config.batchBytesMax);
      const bytes = protocol.batch.encode(encodeBatch(header, messages));
      counters.batchesSent += 1;
      counters.messagesSent += messages.length;
      counters.bytesSent += bytes.length;
      this.overflowReported = false;
      if (!this.call.write(bytes)) {
        this.writable = false; // 'drain' resumes
        return;
      }
    }
  }

  private teardown(): void {
    this.clearTimers();
    this.writable = false;
    const call = this.call;
    const client = this.client;
    this.call = null;
    this.client = null;
    call?.cancel();
    client?.close();
  }

  private clearTimers(): void {
    if (this.flushImmediate !== null) clearImmediate(this.flushImmediate);
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.flushImmediate = null;
    this.reconnectTimer = null;
  }
}

/** Ends `call` and resolves when its status arrives or after `graceMs`, whichever is first. */
function endWithin(call: StreamCall, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, graceMs);
    timer.unref();
    call.once('status', finish);
    call.end();
    function finish(): void {
      clearTimeout(timer);
      resolve();
    }
  });
}
