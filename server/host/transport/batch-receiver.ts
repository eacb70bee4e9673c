// The server half of Peer.Stream: admits a peer's long-lived stream, decodes and checks
// each Batch, and hands its messages to the receive handler.

import * as grpc from '@grpc/grpc-js';
import type { NodeId } from '../../raft/types';
import { assert } from '../../util/assert';
import { CorralError } from '../../util/errors';
import type { GroupMessage } from '../ports';
import { decodeBatchMessages } from './codec';
import { toStatus } from './grpc-status';
import type { InboundContext } from './inbound-context';
import { admitPeer, clusterMismatch } from './peer-metadata';
import type { WireBatch, WireStreamAck } from './wire-types';

export type ReceiveHandler = (from: NodeId, messages: GroupMessage[]) => void;

type StreamCall = grpc.ServerReadableStream<Buffer, WireStreamAck>;
type Respond = grpc.sendUnaryData<WireStreamAck>;

/** One admitted inbound stream. It ends exactly once, through finish(). */
class InboundStream {
  finished = false;
  batches = 0;

  constructor(
    readonly fromNode: NodeId,
    private readonly respond: Respond,
  ) {}

  finish(error: CorralError | null): void {
    if (this.finished) return;
    this.finished = true;
    if (error === null) this.respond(null, { batchesReceived: this.batches });
    else this.respond(toStatus(error));
  }
}

export class BatchReceiver {
  private handler: ReceiveHandler | null = null;
  private readonly open = new Set<InboundStream>();
  private closed = false;
  droppedNoHandler = 0;

  constructor(private readonly context: InboundContext) {}

  setHandler(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  get openStreams(): number {
    return this.open.size;
  }

  /** The gRPC handler of Peer.Stream. */
  readonly handle = (call: StreamCall, respond: Respond): void => {
    const stream = this.admit(call, respond);
    if (stream === null) return;
    this.open.add(stream);
    const forget = (): void => {
      stream.finished = true;
      this.open.delete(stream);
    };
    call.on('data', (bytes: Buffer) => this.receive(stream, bytes));
    call.on('end', () => {
      stream.finish(null);
      this.open.delete(stream);
    });
    call.on('cancelled', forget);
    call.on('error', forget);
    // Response headers now, before any batch: they tell the dialer its stream was admitted.
    call.sendMetadata(new grpc.Metadata());
  };

  /** Ends every inbound stream (UNAVAILABLE) and refuses new ones. */
  close(): void {
    this.closed = true;
    const reason = new CorralError('unavailable', `node ${this.context.config.nodeId} is shutting down its peer transport`);
    for (const stream of this.open) stream.finish(reason);
    this.open.clear();
  }

  private admit(call: StreamCall, respond: Respond): InboundStream | null {
    const { config } = this.context;
    if (this.closed) {
      respond(toStatus(new CorralError('unavailable', `node ${config.nodeId} is shutting down its peer transport`)));
      return null;
    }
    const admission = admitPeer(call.metadata, config);
    if (!admission.ok) {
      if (admission.fromNode === null) this.context.countAnonymousRejection();
      else this.context.inbound(admission.fromNode).rejected += 1;
      respond(toStatus(admission.error));
      return null;
    }
    if (this.open.size >= config.inboundStreamsMax) {
      this.context.inbound(admission.fromNode).rejected += 1;
      respond(toStatus(new CorralError('resource-exhausted', `node ${config.nodeId} has inboundStreamsMax (${config.inboundStreamsMax}) peer streams open`)));
      return null;
    }
    return new InboundStream(admission.fromNode, respond);
  }

  private receive(stream: InboundStream, bytes: Buffer): void {
    if (stream.finished) return;
    const counters = this.context.inbound(stream.fromNode);
    const checked = this.check(stream, bytes);
    if (!checked.ok) {
      counters.rejected += 1;
      stream.finish(checked.error);
      this.open.delete(stream);
      return;
    }
    stream.batches += 1;
    counters.batchesReceived += 1;
    counters.messagesReceived += checked.messages.length;
    counters.bytesReceived += bytes.length;
    if (this.handler === null) {
      this.droppedNoHandler += checked.messages.length;
      return;
    }
    this.handler(stream.fromNode, checked.messages);
  }

  /** Decodes one batch and checks it belongs to this stream; a peer's bad input is an
   *  error value (the stream ends with it), never an exception. */
  private check(
    stream: InboundStream,
    bytes: Buffer,
  ): { ok: true; messages: GroupMessage[] } | { ok: false; error: CorralError } {
    const { config, protocol } = this.context;
    let batch: WireBatch;
    try {
      batch = protocol.batch.decode(bytes);
    } catch (error) {
      return { ok: false, error: new CorralError('invalid-argument', `undecodable batch: ${String(error)}`) };
    }
    if (batch.clusterId !== config.clusterId) {
      return { ok: false, error: clusterMismatch(config, stream.fromNode, batch.clusterId) };
    }
    if (batch.fromNode !== stream.fromNode) {
      const reason = `batch claims from_node ${batch.fromNode} on the stream of node ${stream.fromNode}`;
      return { ok: false, error: new CorralError('invalid-argument', reason) };
    }
    try {
      const messages = decodeBatchMessages(batch, config.nodeId);
      assert(messages.length === batch.messages.length + batch.heartbeats.length, 'decode kept every message');
      return { ok: true, messages };
    } catch (error) {
      if (error instanceof CorralError) return { ok: false, error };
      throw error;
    }
  }
}
