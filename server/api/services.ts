// Registers every public gRPC service on the node's server. One place, so that adding a
// service does not touch the node's composition.

import type * as grpc from '@grpc/grpc-js';
import { loadCorralProto } from '../../proto/load';
import type { MetaStateMachine } from '../meta/meta-state-machine';
import type { ApiContext } from './api-context';
import { clusterHandlers, type MembershipOperations } from './cluster-service';
import { kvHandlers } from './kv-service';
import { lockHandlers, type LockPort } from './lock-service';
import { sessionHandlers, type SessionPort } from './session-service';
import { watchHandlers, type WatchPort } from './watch-service';
import { maintenanceHandlers } from './maintenance-service';

export interface ServiceParts {
  readonly context: ApiContext;
  readonly meta: MetaStateMachine;
  readonly clusterId: string;
  readonly membership: MembershipOperations;
  /** The node's coordination runtime (server/node/kv-runtime.ts): sessions, locks, watches. */
  readonly coordination: SessionPort & LockPort & WatchPort;
}

type Methods = Record<string, grpc.MethodDefinition<unknown, unknown>>;

export function addPublicServices(server: grpc.Server, parts: ServiceParts): void {
  const proto = loadCorralProto().corral.v1;
  const methods = (definition: grpc.ServiceDefinition): Methods => definition as unknown as Methods;
  server.addService(proto.KV.service, kvHandlers(parts.context, methods(proto.KV.service)));
  server.addService(proto.Session.service, sessionHandlers(parts.context, parts.coordination, methods(proto.Session.service)));
  server.addService(proto.Lock.service, lockHandlers(parts.context, parts.coordination, methods(proto.Lock.service)));
  server.addService(proto.Watch.service, watchHandlers(parts.context, parts.coordination));
  server.addService(proto.Cluster.service, clusterHandlers(parts.context, parts.meta, parts.clusterId, parts.membership, methods(proto.Cluster.service)));
  server.addService(proto.Maintenance.service, maintenanceHandlers(parts.context, parts.clusterId, methods(proto.Maintenance.service)));
}
