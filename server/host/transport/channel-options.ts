// gRPC channel options of the transport's client calls.

import type * as grpc from '@grpc/grpc-js';
import type { PeerTransportConfig } from './transport-config';

export function peerChannelOptions(config: PeerTransportConfig): grpc.ChannelOptions {
  return {
    // Each client gets its own connection: a snapshot never shares a TCP connection (and its
    // head-of-line blocking) with the heartbeats of the batch stream, and a redial after a
    // failure starts fresh instead of inheriting grpc's own (slower) reconnect backoff from
    // a shared subchannel. The transport's Backoff is the only retry policy.
    'grpc.use_local_subchannel_pool': 1,
    'grpc.enable_retries': 0,
    'grpc.initial_reconnect_backoff_ms': config.reconnectBackoffMsMin,
    'grpc.max_reconnect_backoff_ms': config.reconnectBackoffMsMax,
    // A peer that vanished without closing its socket (power loss, partition) is noticed by
    // keepalive pings instead of waiting for TCP to give up.
    'grpc.keepalive_time_ms': config.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': config.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 0,
  };
}

/** Request bytes are encoded by the transport itself (peer-protocol.ts): pass them through. */
export function passThrough(bytes: Buffer): Buffer {
  return bytes;
}
