// What simulated clients and nodes say to each other. Client traffic is not Raft traffic:
// it goes through the simulator's client links (delayed, never partitioned), except that a
// follower forwarding a write to the leader uses the node-to-node network.

import type { NodeId } from '../../server/raft/types';
import type { KvInput, KvOutput } from './kv-model';

export interface ClientRequest {
  /** Unique per attempt within a run; also the KV command's id in the log. */
  readonly operation: number;
  readonly client: number;
  readonly input: KvInput;
  /** How many times a node has forwarded this request (bounded by `forwardHopsMax`). */
  readonly hops: number;
}

/** 'failed' is definite: the operation did not and will not take effect. */
export type ClientResult =
  | { readonly kind: 'ok'; readonly output: KvOutput }
  | { readonly kind: 'failed'; readonly reason: string; readonly leaderHint: NodeId };

export interface ClientReply {
  readonly operation: number;
  readonly client: number;
  readonly result: ClientResult;
}

/** A write is forwarded at most once (follower -> leader it believes in). */
export const forwardHopsMax = 1;
