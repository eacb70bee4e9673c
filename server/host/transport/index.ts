// Public surface of the peer transport. Everything else in this folder is internal.

export { PeerTransport } from './peer-transport';
export type { UnreachableHandler } from './peer-transport';
export type { ReceiveHandler } from './batch-receiver';
export type { SnapshotHandler } from './snapshot-receiver';
export type { SnapshotFailureReason, SnapshotSendResult } from './snapshot-sender';
export type { PeerTransportConfig, PeerTransportOptions } from './transport-config';
export { defaultPeerTransportConfig, validatePeerTransportConfig } from './transport-config';
export type { PeerStats, TransportStats } from './transport-stats';
