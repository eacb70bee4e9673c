// The standard gRPC health service (grpc.health.v1.Health, proto/grpc/health/v1/health.proto)
// on the node's main port. "" and every public corral.v1 service are SERVING while the node
// is ready (the /readyz verdict) and NOT_SERVING otherwise. Watch streams re-check every
// `pollMs` and send only changes, as the protocol asks.

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { loadCorralProto, PROTO_LOAD_OPTIONS, protoDir } from '../../proto/load';
import type { HealthHandlers } from '../../proto/gen/grpc/health/v1/Health';
import type { HealthCheckResponse } from '../../proto/gen/grpc/health/v1/HealthCheckResponse';
import type { ProtoGrpcType } from '../../proto/gen/health';

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface HealthServiceOptions {
  /** Is the node ready for client traffic now? */
  readonly ready: () => boolean;
  /** How often a Watch stream re-checks readiness. */
  readonly pollMs: number;
  /** Bound on concurrent Watch streams; past it Watch fails RESOURCE_EXHAUSTED. */
  readonly watchesMax: number;
}

export function loadHealthProto(): ProtoGrpcType {
  const definition = protoLoader.loadSync('grpc/health/v1/health.proto', { ...PROTO_LOAD_OPTIONS, includeDirs: [protoDir()] });
  return grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
}

/** "" (the whole node) and the public services' full names. */
export function healthServiceNames(): Set<string> {
  const services = Object.entries(loadCorralProto().corral.v1).filter(([, value]) => 'service' in value).map(([name]) => `corral.v1.${name}`);
  return new Set(['', ...services]);
}

export class HealthService {
  private readonly names = healthServiceNames();
  private readonly watches = new Set<grpc.ServerWritableStream<unknown, HealthCheckResponse>>();

  constructor(private readonly options: HealthServiceOptions) {}

  addTo(server: grpc.Server): void {
    server.addService(loadHealthProto().grpc.health.v1.Health.service, this.handlers());
  }

  /** Ends every Watch stream (shutdown: they would otherwise hold the server open). */
  close(): void {
    for (const call of this.watches) call.end();
    this.watches.clear();
  }

  private statusOf(service: string): ServingStatus {
    if (!this.names.has(service)) return 'SERVICE_UNKNOWN';
    return this.options.ready() ? 'SERVING' : 'NOT_SERVING';
  }

  private handlers(): HealthHandlers {
    return {
      Check: (call, callback) => {
        const status = this.statusOf(call.request.service);
        if (status === 'SERVICE_UNKNOWN') callback({ code: grpc.status.NOT_FOUND, details: `unknown service "${call.request.service}"` });
        else callback(null, { status });
      },
      Watch: (call) => {
        if (this.watches.size >= this.options.watchesMax) {
          call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: `too many health watches (${this.options.watchesMax})` });
          return;
        }
        const stream = call as unknown as grpc.ServerWritableStream<unknown, HealthCheckResponse>;
        this.watches.add(stream);
        let last: ServingStatus | null = null;
        const send = (): void => {
          const status = this.statusOf(call.request.service);
          if (status === last) return;
          last = status;
          call.write({ status });
        };
        send();
        const timer = setInterval(send, this.options.pollMs);
        const stop = (): void => {
          clearInterval(timer);
          this.watches.delete(stream);
        };
        call.once('cancelled', stop);
        call.once('close', stop);
        call.once('finish', stop);
      },
    };
  }
}
