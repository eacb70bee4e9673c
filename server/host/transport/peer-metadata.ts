// Who is calling: every peer call carries the caller's node id and cluster id in its
// metadata, so that the server half can refuse a node of another cluster before it reads a
// single batch (and the batches repeat the cluster id, checked again per batch).

import * as grpc from '@grpc/grpc-js';
import type { NodeId } from '../../raft/types';
import { CorralError } from '../../util/errors';

const CLUSTER_ID_KEY = 'corral-cluster-id';
const FROM_NODE_KEY = 'corral-from-node';

export interface PeerIdentity {
  readonly nodeId: NodeId;
  readonly clusterId: string;
}

export function peerMetadata(identity: PeerIdentity): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(CLUSTER_ID_KEY, identity.clusterId);
  metadata.set(FROM_NODE_KEY, String(identity.nodeId));
  return metadata;
}

export type Admission =
  | { readonly ok: true; readonly fromNode: NodeId }
  | { readonly ok: false; readonly fromNode: NodeId | null; readonly error: CorralError };

/** Admits a call whose metadata names a node of `local`'s cluster. */
export function admitPeer(metadata: grpc.Metadata, local: PeerIdentity): Admission {
  const fromText = single(metadata, FROM_NODE_KEY);
  const clusterId = single(metadata, CLUSTER_ID_KEY);
  const fromNode = fromText !== null && /^[1-9][0-9]{0,9}$/.test(fromText) ? Number(fromText) : null;
  if (fromNode === null || fromNode > 0xffffffff) {
    const error = new CorralError('invalid-argument', `peer call without a valid ${FROM_NODE_KEY} metadata entry`);
    return { ok: false, fromNode: null, error };
  }
  if (clusterId !== local.clusterId) return { ok: false, fromNode, error: clusterMismatch(local, fromNode, clusterId) };
  return { ok: true, fromNode };
}

export function clusterMismatch(local: PeerIdentity, fromNode: NodeId, clusterId: string | null): CorralError {
  const theirs = clusterId === null ? 'no cluster id' : `cluster id "${clusterId}"`;
  return new CorralError(
    'failed-precondition',
    `cluster id mismatch: node ${local.nodeId} belongs to cluster "${local.clusterId}", node ${fromNode} sent ${theirs}`,
  );
}

function single(metadata: grpc.Metadata, key: string): string | null {
  const values = metadata.get(key);
  if (values.length !== 1) return null;
  const value = values[0];
  return typeof value === 'string' ? value : null;
}
