// What the server halves (batch-receiver.ts, snapshot-receiver.ts) share with the transport.

import type { NodeId } from '../../raft/types';
import type { PeerProtocol } from './peer-protocol';
import type { PeerTransportConfig } from './transport-config';
import type { InboundCounters } from './transport-stats';

export interface InboundContext {
  readonly config: PeerTransportConfig;
  readonly protocol: PeerProtocol;
  /** The counters of messages from `nodeId` (created on first use). */
  inbound(nodeId: NodeId): InboundCounters;
  /** A call refused before its sender was known. */
  countAnonymousRejection(): void;
}
