// One gRPC server interceptor for every client-facing call (corral.v1.* and the standard
// health service): it admits the call through the RequestGate (a draining node answers
// UNAVAILABLE so that clients retry elsewhere) and reports count, status code and latency.
// The peer protocol (corral.raft.v1) shares the port but passes through untouched: Raft
// traffic must keep flowing while a node hands its leaderships over.

import * as grpc from '@grpc/grpc-js';
import { ERROR_CODE_KEY } from '../api/status-map';
import type { CallKind, RequestGate } from './request-gate';
import type { StreamObserver } from './watch-stream-observer';

/** Services whose calls are client calls (everything else on the port is peer traffic). */
const CLIENT_PATH_PREFIXES = ['/corral.v1.', '/grpc.health.v1.'] as const;
/** Still answered while draining: load balancers must see the node go NOT_SERVING. */
const ALWAYS_ADMITTED_PREFIX = '/grpc.health.v1.';

export interface RpcObserver {
  recordRpcStart(): void;
  recordRpcEnd(method: string, code: string, durationMs: number): void;
}

export function statusName(code: number): string {
  const name = (grpc.status as unknown as Record<number, string | undefined>)[code];
  return name ?? `CODE_${code}`;
}

export function isClientPath(path: string): boolean {
  return CLIENT_PATH_PREFIXES.some((prefix) => path.startsWith(prefix));
}

export interface RpcInterceptorOptions {
  readonly gate: RequestGate;
  readonly observer: RpcObserver;
  readonly nodeId: number;
  /** Sees the messages of the calls it asks for (watch metrics). */
  readonly streams?: StreamObserver;
}

export function createRpcInterceptor(options: RpcInterceptorOptions): grpc.ServerInterceptor {
  return (descriptor, call) => {
    if (!isClientPath(descriptor.path)) return new grpc.ServerInterceptingCall(call);
    const method = descriptor.path.slice(1);
    const kind: CallKind = descriptor.requestStream || descriptor.responseStream ? 'stream' : 'unary';
    const startMs = performance.now();
    options.observer.recordRpcStart();
    const exempt = descriptor.path.startsWith(ALWAYS_ADMITTED_PREFIX);
    const admitted = exempt || options.gate.enter(kind);
    const messages = admitted ? options.streams?.forCall(method) ?? null : null;
    let finished = false;
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      if (admitted && !exempt) options.gate.leave(kind);
      options.observer.recordRpcEnd(method, statusName(code), performance.now() - startMs);
    };
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (admitted) return next(metadata);
        const trailers = new grpc.Metadata();
        trailers.set(ERROR_CODE_KEY, 'unavailable');
        finish(grpc.status.UNAVAILABLE);
        call.sendStatus({ code: grpc.status.UNAVAILABLE, details: `node ${options.nodeId} is shutting down; retry on another node`, metadata: trailers });
      })
      .withOnReceiveMessage((message: unknown, next) => {
        messages?.received(message);
        next(message);
      })
      .withOnCancel(() => finish(grpc.status.CANCELLED))
      .build();
    const responder = new grpc.ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendMessage((message: unknown, next) => {
        messages?.sent(message);
        next(message);
      })
      .withSendStatus((status, next) => {
        finish(status.code);
        next(status);
      })
      .build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
}
