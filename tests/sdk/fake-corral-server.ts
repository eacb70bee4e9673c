// An in-process fake of a Corral node (real gRPC on 127.0.0.1, port 0) whose Cluster, Session
// and Watch answers a test scripts. It lets the SDK's streaming code (keepalive hub, session
// state machine, watch resume) be tested deterministically, without a cluster.

import * as grpc from '@grpc/grpc-js';
import { loadCorralProto } from '../../proto/load';
import type { KeepAliveRequest__Output } from '../../proto/gen/corral/v1/KeepAliveRequest';
import type { KeepAliveResponse } from '../../proto/gen/corral/v1/KeepAliveResponse';
import type { WatchRequest__Output } from '../../proto/gen/corral/v1/WatchRequest';
import type { WatchResponse } from '../../proto/gen/corral/v1/WatchResponse';

export type KeepAliveBehaviour =
  | { readonly kind: 'alive'; readonly remainingMs?: number }
  | { readonly kind: 'silent' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'not-leader'; readonly leaderId: number; readonly leaderAddress: string };

export interface FakeNode {
  readonly id: number;
  address: string;
  keepAlive: KeepAliveBehaviour;
  readonly keepAlives: KeepAliveRequest__Output[];
  readonly watchRequests: WatchRequest__Output[];
  /** Called for each Watch call: script the stream. */
  onWatch: (call: grpc.ServerWritableStream<WatchRequest__Output, WatchResponse>) => void;
  nextSessionId: number;
  readonly closedSessions: number[];
}

export interface FakeCluster {
  readonly nodes: FakeNode[];
  /** Group 1 holds every namespace (one slot); its leader is `leader`. */
  leader: number;
  readonly endpoints: string[];
  stop(): Promise<void>;
  /** Resolves once `predicate` holds, checked after every recorded request. */
  until(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
}

function statusOf(cluster: FakeCluster, nodeId: number): object {
  return {
    cluster_id: 'fake',
    node_id: nodeId,
    members: cluster.nodes.map((n) => ({ id: n.id, address: n.address, state: 'active', meta_voter: true })),
    groups: [{ id: 1, voters: cluster.nodes.map((n) => n.id), learners: [], epoch: 1, leader: cluster.leader, term: 1, commit: 1, applied: 1 }],
    slot_count: 1,
    slots: [1],
  };
}

function keepAliveAnswer(node: FakeNode, request: KeepAliveRequest__Output, call: grpc.ServerDuplexStream<KeepAliveRequest__Output, KeepAliveResponse>): void {
  const behaviour = node.keepAlive;
  switch (behaviour.kind) {
    case 'alive':
      call.write({ alive: request.session_ids, expired: [], ttl_remaining_ms: behaviour.remainingMs ?? 3_000 });
      return;
    case 'silent':
      return;
    case 'expired':
      call.write({ alive: [], expired: request.session_ids, ttl_remaining_ms: 0 });
      return;
    case 'not-leader': {
      const metadata = new grpc.Metadata();
      metadata.set('corral-error', 'not-leader');
      metadata.set('corral-leader-id', String(behaviour.leaderId));
      metadata.set('corral-leader-address', behaviour.leaderAddress);
      call.emit('error', { code: grpc.status.UNAVAILABLE, details: `group 1: node ${node.id} is not the leader`, metadata });
      return;
    }
  }
}

export async function startFakeCluster(nodeCount: number): Promise<FakeCluster> {
  const proto = loadCorralProto().corral.v1;
  const servers: grpc.Server[] = [];
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  const cluster: FakeCluster = {
    nodes: [],
    leader: 1,
    endpoints: [],
    stop: async () => {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.tryShutdown(() => resolve()))));
      for (const server of servers) server.forceShutdown();
    },
    until: (what, predicate, timeoutMs = 20_000) => new Promise<void>((resolve, reject) => {
      if (predicate()) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
    }),
  };
  for (let id = 1; id <= nodeCount; id++) {
    const node: FakeNode = { id, address: '', keepAlive: { kind: 'alive' }, keepAlives: [], watchRequests: [], onWatch: () => undefined, nextSessionId: 100 * id, closedSessions: [] };
    const server = new grpc.Server();
    server.addService(proto.Cluster.service, {
      Status: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, statusOf(cluster, id)),
    });
    server.addService(proto.Session.service, {
      Open: (_call: unknown, callback: grpc.sendUnaryData<object>) => {
        node.nextSessionId += 1;
        callback(null, { session_id: node.nextSessionId, ttl_ms: 3_000 });
        notify();
      },
      Close: (call: grpc.ServerUnaryCall<{ session_id: number }, object>, callback: grpc.sendUnaryData<object>) => {
        node.closedSessions.push(Number(call.request.session_id));
        callback(null, {});
        notify();
      },
      KeepAlive: (call: grpc.ServerDuplexStream<KeepAliveRequest__Output, KeepAliveResponse>) => {
        call.on('data', (request: KeepAliveRequest__Output) => {
          node.keepAlives.push(request);
          keepAliveAnswer(node, request, call);
          notify();
        });
        call.on('end', () => call.end());
        call.on('error', () => undefined);
      },
    });
    server.addService(proto.Watch.service, {
      Watch: (call: grpc.ServerWritableStream<WatchRequest__Output, WatchResponse>) => {
        node.watchRequests.push(call.request);
        call.on('error', () => undefined);
        node.onWatch(call);
        notify();
      },
    });
    server.addService(proto.KV.service, {
      Exists: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { exists: false, revision: 10 }),
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error !== null ? reject(error) : resolve(bound)));
    });
    node.address = `127.0.0.1:${port}`;
    servers.push(server);
    cluster.nodes.push(node);
    cluster.endpoints.push(node.address);
  }
  return cluster;
}
