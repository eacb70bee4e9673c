// The peer transport of a Corral node: Raft messages of every group, batched per destination
// node on one long-lived gRPC stream per peer, and snapshots on calls of their own.
//
// It does not own the gRPC server (one process serves the client API and the peer protocol
// on one port): addToServer() registers the Peer service on the server it is given.

import * as grpc from '@grpc/grpc-js';
import type { Message, NodeId } from '../../raft/types';
import { assert } from '../../util/assert';
import type { GroupId, GroupMessage, HostTransport } from '../ports';
import { encodeMessage } from './codec';
import type { ReceiveHandler } from './batch-receiver';
import { BatchReceiver } from './batch-receiver';
import { passThrough } from './channel-options';
import type { InboundContext } from './inbound-context';
import { PeerLink } from './peer-link';
import type { PeerProtocol } from './peer-protocol';
import { SEND_SNAPSHOT_PATH, STREAM_PATH, peerProtocol } from './peer-protocol';
import type { SnapshotFailureReason, SnapshotSendResult } from './snapshot-sender';
import { sendSnapshotCall } from './snapshot-sender';
import type { SnapshotHandler } from './snapshot-receiver';
import { SnapshotReceiver } from './snapshot-receiver';
import type { PeerTransportConfig, PeerTransportOptions } from './transport-config';
import { peerTransportConfig } from './transport-config';
import type { InboundCounters, OutboundCounters, PeerStats, TransportStats } from './transport-stats';
import { newInboundCounters, newOutboundCounters } from './transport-stats';

export type UnreachableHandler = (nodeId: NodeId) => void;

export class PeerTransport implements HostTransport {
  readonly config: PeerTransportConfig;
  private readonly protocol: PeerProtocol;
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly outbound = new Map<NodeId, OutboundCounters>();
  private readonly inboundCounters = new Map<NodeId, InboundCounters>();
  private readonly batchReceiver: BatchReceiver;
  private readonly snapshotReceiver: SnapshotReceiver;
  /** Snapshot sends in flight, each with the controller that aborts it, by destination. */
  private readonly snapshotSends = new Map<AbortController, { to: NodeId; done: Promise<SnapshotSendResult> }>();
  private unreachableHandler: UnreachableHandler | null = null;
  private droppedUnknownPeer = 0;
  private rejectedAnonymous = 0;
  private addedToServer = false;
  private closed = false;

  constructor(options: PeerTransportOptions) {
    this.config = peerTransportConfig(options);
    this.protocol = peerProtocol();
    const context: InboundContext = {
      config: this.config,
      protocol: this.protocol,
      inbound: (nodeId) => this.inbound(nodeId),
      countAnonymousRejection: () => {
        this.rejectedAnonymous += 1;
      },
    };
    this.batchReceiver = new BatchReceiver(context);
    this.snapshotReceiver = new SnapshotReceiver(context);
  }

  /** Registers the Peer service on `server` (once; before or after it binds). */
  addToServer(server: grpc.Server): void {
    assert(!this.addedToServer, 'the peer transport is added to one server, once');
    this.addedToServer = true;
    const { streamAck, snapshotAck } = this.protocol;
    const service: grpc.ServiceDefinition = {
      Stream: {
        path: STREAM_PATH,
        requestStream: true,
        responseStream: false,
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: streamAck.encode,
        responseDeserialize: streamAck.decode,
      },
      SendSnapshot: {
        path: SEND_SNAPSHOT_PATH,
        requestStream: true,
        responseStream: false,
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: snapshotAck.encode,
        responseDeserialize: snapshotAck.decode,
      },
    };
    server.addService(service, { Stream: this.batchReceiver.handle, SendSnapshot: this.snapshotReceiver.handle });
  }

  /** Names (or renames) a peer; its stream is dialled at once. */
  setPeer(nodeId: NodeId, address: string): void {
    if (this.closed) return; // shutting down: nothing will be sent any more
    assert(Number.isSafeInteger(nodeId) && nodeId > 0, `peer node id must be positive, got ${nodeId}`);
    assert(nodeId !== this.config.nodeId, `node ${nodeId} cannot be its own peer`);
    const link = this.links.get(nodeId);
    if (link !== undefined) {
      link.setAddress(address);
      return;
    }
    const deps = {
      config: this.config,
      protocol: this.protocol,
      counters: this.outboundOf(nodeId),
      onUnreachable: (id: NodeId) => this.unreachableHandler?.(id),
    };
    this.links.set(nodeId, new PeerLink(nodeId, address, deps));
  }

  /** Forgets a peer: its stream is cancelled, its queue dropped, its snapshots aborted. */
  removePeer(nodeId: NodeId): void {
    const link = this.links.get(nodeId);
    if (link === undefined) return;
    link.shutdownNow();
    this.links.delete(nodeId);
    for (const [controller, send] of this.snapshotSends) if (send.to === nodeId) controller.abort('closed');
  }

  /** Queues messages for `to`; never blocks and never throws for a down or unknown peer
   *  (overflow, unknown peers and sends after close() are dropped and counted). 'snap'
   *  messages are a bug here: they go through sendSnapshot. */
  send(to: NodeId, messages: GroupMessage[]): void {
    if (messages.length === 0) return;
    const link = this.links.get(to);
    if (link === undefined) {
      this.droppedUnknownPeer += messages.length;
      return;
    }
    link.enqueue(messages);
  }

  onReceive(handler: ReceiveHandler): void {
    this.batchReceiver.setHandler(handler);
  }

  onSnapshot(handler: SnapshotHandler): void {
    this.snapshotReceiver.setHandler(handler);
  }

  /** Called when a stream to `nodeId` fails (each failed attempt) and when its queue starts
   *  dropping: the host then calls reportUnreachable on its groups' leaders. */
  onUnreachable(handler: UnreachableHandler): void {
    this.unreachableHandler = handler;
  }

  /** Streams one snapshot to `to` in snapshotChunkBytes chunks; `message` is the 'snap'
   *  message (its snapshot's data is not sent: the image is `chunks`). The result is ok only
   *  once the peer's onSnapshot handler has taken it in. */
  async sendSnapshot(
    to: NodeId,
    groupId: GroupId,
    message: Message,
    chunks: AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<SnapshotSendResult> {
    assert(message.type === 'snap' && message.snapshot !== null, "sendSnapshot takes a 'snap' message with a snapshot");
    const counters = this.outboundOf(to);
    if (this.closed) return this.failedSnapshot(counters, 'closed', 'peer transport closed');
    const link = this.links.get(to);
    if (link === undefined) return this.failedSnapshot(counters, 'unknown-peer', `node ${to} is not a known peer`);
    if (this.snapshotSends.size >= this.config.snapshotsSendingMax) {
      return this.failedSnapshot(counters, 'busy', `snapshotsSendingMax (${this.config.snapshotsSendingMax}) snapshots are being sent`);
    }
    const controller = new AbortController();
    const forwardAbort = (): void => controller.abort('aborted');
    if (signal?.aborted === true) forwardAbort();
    signal?.addEventListener('abort', forwardAbort, { once: true });
    const header = {
      fromNode: this.config.nodeId,
      clusterId: this.config.clusterId,
      groupId,
      message: encodeMessage({ ...message, snapshot: { meta: message.snapshot.meta, data: new Uint8Array(0) } }),
    };
    const request = { address: link.address, header, chunks, signal: controller.signal, config: this.config, protocol: this.protocol };
    const done = sendSnapshotCall(request);
    this.snapshotSends.set(controller, { to, done });
    try {
      const result = await done;
      if (result.ok) {
        counters.snapshotsSent += 1;
        counters.snapshotBytesSent += result.bytes;
      } else counters.snapshotsFailed += 1;
      return result;
    } finally {
      this.snapshotSends.delete(controller);
      signal?.removeEventListener('abort', forwardAbort);
    }
  }

  stats(): TransportStats {
    const ids = new Set<NodeId>([...this.links.keys(), ...this.outbound.keys(), ...this.inboundCounters.keys()]);
    const peers: PeerStats[] = [...ids].sort((a, b) => a - b).map((nodeId) => {
      const link = this.links.get(nodeId);
      return {
        nodeId,
        address: link?.address ?? null,
        connected: link?.connected ?? false,
        queuedMessages: link?.queuedMessages ?? 0,
        queuedBytes: link?.queuedBytes ?? 0,
        lastError: link?.lastError ?? '',
        ...this.outboundOf(nodeId),
        ...this.inbound(nodeId),
      };
    });
    return {
      peers,
      droppedUnknownPeer: this.droppedUnknownPeer,
      droppedNoHandler: this.batchReceiver.droppedNoHandler,
      rejectedAnonymous: this.rejectedAnonymous,
    };
  }

  /** Ends every stream and timer so that the process can exit: outbound streams end
   *  gracefully (up to closeGraceMs), inbound ones with UNAVAILABLE, snapshot sends abort.
   *  The gRPC server is the caller's to shut down, after this. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.batchReceiver.close();
    this.snapshotReceiver.close();
    for (const controller of this.snapshotSends.keys()) controller.abort('closed');
    const sends = [...this.snapshotSends.values()].map((send) => send.done);
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.all([...links.map((link) => link.shutdown()), ...sends]);
  }

  private failedSnapshot(counters: OutboundCounters, reason: SnapshotFailureReason, error: string): SnapshotSendResult {
    counters.snapshotsFailed += 1;
    return { ok: false, reason, error };
  }

  private outboundOf(nodeId: NodeId): OutboundCounters {
    let counters = this.outbound.get(nodeId);
    if (counters === undefined) {
      counters = newOutboundCounters();
      this.outbound.set(nodeId, counters);
    }
    return counters;
  }

  private inbound(nodeId: NodeId): InboundCounters {
    let counters = this.inboundCounters.get(nodeId);
    if (counters === undefined) {
      counters = newInboundCounters();
      this.inboundCounters.set(nodeId, counters);
    }
    return counters;
  }
}
