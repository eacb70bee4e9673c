// Calls to other members' public Cluster service, made by the node itself: the placement loop
// polls Status (group leaders and committed configurations), a replica that left a group
// looks for proof that its removal committed, and a joining node asks to be added. One
// client per address, at most `clientsMax` of them.

import * as grpc from '@grpc/grpc-js';
import type { AddNodeResponse__Output } from '../../proto/gen/corral/v1/AddNodeResponse';
import type { ClusterClient } from '../../proto/gen/corral/v1/Cluster';
import type { ClusterStatusResponse__Output } from '../../proto/gen/corral/v1/ClusterStatusResponse';
import { loadCorralProto } from '../../proto/load';
import type { NodeId } from '../raft/types';
import { assert } from '../util/assert';

export class ClusterPeers {
  private readonly clients = new Map<string, ClusterClient>();
  private closed = false;

  constructor(private readonly clientsMax: number) {
    assert(clientsMax >= 1, 'clientsMax must be at least 1');
  }

  status(address: string, timeoutMs: number): Promise<ClusterStatusResponse__Output> {
    return new Promise((resolve, reject) => {
      this.client(address).Status({}, { deadline: Date.now() + timeoutMs }, (error, response) => {
        if (error !== null || response === undefined) reject(error ?? new Error('empty Status response'));
        else resolve(response);
      });
    });
  }

  addNode(address: string, id: NodeId, memberAddress: string, timeoutMs: number): Promise<AddNodeResponse__Output> {
    return new Promise((resolve, reject) => {
      this.client(address).AddNode({ id, address: memberAddress }, { deadline: Date.now() + timeoutMs }, (error, response) => {
        if (error !== null || response === undefined) reject(error ?? new Error('empty AddNode response'));
        else resolve(response);
      });
    });
  }

  close(): void {
    this.closed = true;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private client(address: string): ClusterClient {
    assert(!this.closed, 'cluster peers used after close');
    let client = this.clients.get(address);
    if (client === undefined) {
      if (this.clients.size >= this.clientsMax) {
        const [oldest, old] = this.clients.entries().next().value as [string, ClusterClient];
        old.close();
        this.clients.delete(oldest);
      }
      const proto = loadCorralProto().corral.v1;
      client = new proto.Cluster(address, grpc.credentials.createInsecure()) as unknown as ClusterClient;
      this.clients.set(address, client);
    }
    return client;
  }
}

/** The gRPC status code of a failed call, or null for anything else. */
export function grpcCodeOf(error: unknown): grpc.status | null {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') return error.code as grpc.status;
  return null;
}
