// Counters of the peer transport, per peer and per direction. Plain mutable records owned by
// the transport; stats() hands out copies (the metrics code exports them).

import type { NodeId } from '../../raft/types';

/** What this node sent to one peer. */
export interface OutboundCounters {
  batchesSent: number;
  messagesSent: number;
  /** Exact encoded bytes of the batches written. */
  bytesSent: number;
  /** Dropped because the peer's queue was full (the peer is down or slow). */
  droppedQueueFull: number;
  /** Dropped because one message exceeded messageBytesMax. */
  droppedOversize: number;
  /** Streams admitted by the peer after one or more failed ones. */
  reconnects: number;
  /** Streams that ended without close() asking for it (including failed dials). */
  streamFailures: number;
  snapshotsSent: number;
  snapshotsFailed: number;
  snapshotBytesSent: number;
}

/** What this node received from one peer. */
export interface InboundCounters {
  batchesReceived: number;
  messagesReceived: number;
  bytesReceived: number;
  /** Inbound streams or batches refused (wrong cluster, malformed, too many streams). */
  rejected: number;
  snapshotsReceived: number;
  snapshotsRejected: number;
  snapshotBytesReceived: number;
}

export interface PeerStats extends OutboundCounters, InboundCounters {
  readonly nodeId: NodeId;
  /** null when the peer is known only because it sent to us. */
  readonly address: string | null;
  readonly connected: boolean;
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  /** Why the last outbound stream ended ('' if none has). */
  readonly lastError: string;
}

export interface TransportStats {
  readonly peers: readonly PeerStats[];
  /** send() to a node that setPeer() never named, that removePeer() removed, or after close(). */
  readonly droppedUnknownPeer: number;
  /** Received before an onReceive handler was registered. */
  readonly droppedNoHandler: number;
  /** Inbound streams refused before their sender was known (missing or bad metadata). */
  readonly rejectedAnonymous: number;
}

export function newOutboundCounters(): OutboundCounters {
  return {
    batchesSent: 0,
    messagesSent: 0,
    bytesSent: 0,
    droppedQueueFull: 0,
    droppedOversize: 0,
    reconnects: 0,
    streamFailures: 0,
    snapshotsSent: 0,
    snapshotsFailed: 0,
    snapshotBytesSent: 0,
  };
}

export function newInboundCounters(): InboundCounters {
  return {
    batchesReceived: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    rejected: 0,
    snapshotsReceived: 0,
    snapshotsRejected: 0,
    snapshotBytesReceived: 0,
  };
}
