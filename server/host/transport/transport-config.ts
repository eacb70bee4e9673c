// Options of the peer transport: one defaultPeerTransportConfig(), one
// validatePeerTransportConfig() that checks every bound and names the one that is wrong.

import type { NodeId, Random } from '../../raft/types';
import { CorralError } from '../../util/errors';
import { SeededRandom } from '../../util/random';

const KIB = 1024;
const MIB = 1024 * KIB;

/** gRPC's default limit on a received message (grpc.max_receive_message_length). The
 *  transport does not own the server, so it stays under the default. */
export const GRPC_RECEIVE_BYTES_DEFAULT = 4 * MIB;
/** Room left under that limit for the batch framing the estimate does not see. */
const GRPC_FRAMING_BYTES_RESERVE = 64 * KIB;
/** The largest Buffer Node 20 allocates on 64-bit platforms is 4 GiB; keep well below. */
const SNAPSHOT_BYTES_LIMIT = 2 * 1024 * MIB;

export interface PeerTransportConfig {
  readonly nodeId: NodeId;
  /** Nodes of other clusters are refused: every stream and batch carries this id. */
  readonly clusterId: string;
  /** Per peer: messages waiting to be written; beyond it new messages are dropped. */
  readonly queueMessagesMax: number;
  /** Per peer: estimated bytes waiting to be written; beyond it new messages are dropped. */
  readonly queueBytesMax: number;
  /** One Batch holds at most this many messages... */
  readonly batchMessagesMax: number;
  /** ...and at most this many estimated bytes (a single larger message goes alone). */
  readonly batchBytesMax: number;
  /** A single message above this is dropped and counted: the peer's gRPC server would
   *  refuse it and fail the whole stream, again on every retry. */
  readonly messageBytesMax: number;
  /** Reconnect delays grow from min to max, doubling, with jitter. */
  readonly reconnectBackoffMsMin: number;
  readonly reconnectBackoffMsMax: number;
  /** Snapshot data travels in chunks of this many bytes. */
  readonly snapshotChunkBytes: number;
  /** A received snapshot larger than this is refused (RESOURCE_EXHAUSTED). */
  readonly snapshotBytesMax: number;
  /** Snapshots being sent at once; one more is refused at once (reason 'busy'). */
  readonly snapshotsSendingMax: number;
  /** Snapshots being received at once (each holds up to snapshotBytesMax in memory). */
  readonly snapshotsReceivingMax: number;
  /** Inbound batch streams open at once (one per peer normally; a bound against leaks). */
  readonly inboundStreamsMax: number;
  /** HTTP/2 keepalive: a silent dead peer is noticed after about time + timeout. */
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  /** close(): how long ended streams may take to finish before they are cancelled. */
  readonly closeGraceMs: number;
  /** Jitter of reconnect delays. */
  readonly random: Random;
}

export type PeerTransportOptions = Partial<PeerTransportConfig> & Pick<PeerTransportConfig, 'nodeId' | 'clusterId'>;

export function defaultPeerTransportConfig(nodeId: NodeId, clusterId: string): PeerTransportConfig {
  return {
    nodeId,
    clusterId,
    queueMessagesMax: 8192,
    queueBytesMax: 32 * MIB,
    batchMessagesMax: 1024,
    batchBytesMax: 1 * MIB,
    messageBytesMax: GRPC_RECEIVE_BYTES_DEFAULT - GRPC_FRAMING_BYTES_RESERVE,
    reconnectBackoffMsMin: 50,
    reconnectBackoffMsMax: 2000,
    snapshotChunkBytes: 1 * MIB,
    snapshotBytesMax: 1024 * MIB,
    snapshotsSendingMax: 4,
    snapshotsReceivingMax: 4,
    inboundStreamsMax: 256,
    keepaliveTimeMs: 10_000,
    keepaliveTimeoutMs: 5_000,
    closeGraceMs: 1_000,
    // Jitter only needs to differ between nodes; main.ts or a simulator may pass a seeded one.
    random: new SeededRandom(Math.floor(Math.random() * 0x100000000)),
  };
}

export function peerTransportConfig(options: PeerTransportOptions): PeerTransportConfig {
  const config: PeerTransportConfig = { ...defaultPeerTransportConfig(options.nodeId, options.clusterId), ...options };
  validatePeerTransportConfig(config);
  return config;
}

/** Throws CorralError('invalid-argument') naming the first bound that is wrong. */
export function validatePeerTransportConfig(config: PeerTransportConfig): void {
  const positive: (keyof PeerTransportConfig)[] = [
    'queueMessagesMax', 'queueBytesMax', 'batchMessagesMax', 'batchBytesMax', 'messageBytesMax',
    'reconnectBackoffMsMin', 'reconnectBackoffMsMax', 'snapshotChunkBytes', 'snapshotBytesMax',
    'snapshotsSendingMax', 'snapshotsReceivingMax', 'inboundStreamsMax', 'keepaliveTimeMs',
    'keepaliveTimeoutMs', 'closeGraceMs',
  ];
  for (const key of positive) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw invalid(`${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (!Number.isSafeInteger(config.nodeId) || config.nodeId <= 0 || config.nodeId > 0xffffffff) {
    throw invalid(`nodeId must be an integer in [1, 2^32), got ${config.nodeId}`);
  }
  if (config.clusterId.length === 0) throw invalid('clusterId must not be empty');
  checkOrder(config.batchMessagesMax, 'batchMessagesMax', config.queueMessagesMax, 'queueMessagesMax');
  checkOrder(config.batchBytesMax, 'batchBytesMax', config.queueBytesMax, 'queueBytesMax');
  checkOrder(config.messageBytesMax, 'messageBytesMax', config.queueBytesMax, 'queueBytesMax');
  checkOrder(config.batchBytesMax, 'batchBytesMax', config.messageBytesMax, 'messageBytesMax');
  const wireMax = GRPC_RECEIVE_BYTES_DEFAULT - GRPC_FRAMING_BYTES_RESERVE;
  checkOrder(config.messageBytesMax, 'messageBytesMax', wireMax, "the peer's gRPC receive limit less framing");
  checkOrder(config.snapshotChunkBytes, 'snapshotChunkBytes', wireMax, "the peer's gRPC receive limit less framing");
  checkOrder(config.reconnectBackoffMsMin, 'reconnectBackoffMsMin', config.reconnectBackoffMsMax, 'reconnectBackoffMsMax');
  checkOrder(config.snapshotBytesMax, 'snapshotBytesMax', SNAPSHOT_BYTES_LIMIT, 'the 2 GiB snapshot limit');
}

function checkOrder(small: number, smallName: string, large: number, largeName: string): void {
  if (small > large) throw invalid(`${smallName} (${small}) must not exceed ${largeName} (${large})`);
}

function invalid(reason: string): CorralError {
  return new CorralError('invalid-argument', `peer transport config: ${reason}`);
}
