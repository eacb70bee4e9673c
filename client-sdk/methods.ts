// The generated method definitions of Corral's public services, loaded once.

import { loadCorralProto } from '../proto/load';
import type { ClusterDefinition } from '../proto/gen/corral/v1/Cluster';
import type { KVDefinition } from '../proto/gen/corral/v1/KV';
import type { LockDefinition } from '../proto/gen/corral/v1/Lock';
import type { SessionDefinition } from '../proto/gen/corral/v1/Session';
import type { WatchDefinition } from '../proto/gen/corral/v1/Watch';

export interface CorralMethods {
  readonly kv: KVDefinition;
  readonly session: SessionDefinition;
  readonly watch: WatchDefinition;
  readonly lock: LockDefinition;
  readonly cluster: ClusterDefinition;
}

let cached: CorralMethods | null = null;

export function corralMethods(): CorralMethods {
  if (cached !== null) return cached;
  const v1 = loadCorralProto().corral.v1;
  cached = { kv: v1.KV.service, session: v1.Session.service, watch: v1.Watch.service, lock: v1.Lock.service, cluster: v1.Cluster.service };
  return cached;
}
