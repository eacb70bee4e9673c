// The SDK's only contact with the network: one gRPC channel per server address, shared by all
// services (methods are called by their definitions), with calls as promises (unary) or
// grpc-js streams. An interface, so that the request runner can be tested with a script.

import * as grpc from '@grpc/grpc-js';
import { assert } from './assert';

export interface AttemptOptions {
  /** Absolute deadline (epoch ms) of this attempt. */
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
}

export interface StreamOptions {
  /** Absolute deadline (epoch ms); none for long-lived streams. */
  readonly deadlineMs?: number;
}

/** The parts of a generated method definition a call needs. */
export interface Method<Request, Response> {
  readonly path: string;
  readonly requestSerialize: (value: Request) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => Response;
}

export interface Transport {
  unary<Request, Response>(address: string, method: Method<Request, Response>, request: Request, options: AttemptOptions): Promise<Response>;
  serverStream<Request, Response>(address: string, method: Method<Request, Response>, request: Request, options: StreamOptions): grpc.ClientReadableStream<Response>;
  bidiStream<Request, Response>(address: string, method: Method<Request, Response>, options: StreamOptions): grpc.ClientDuplexStream<Request, Response>;
  close(): void;
}

export interface GrpcTransportOptions {
  /** Most channels kept open; the least recently created is closed beyond it. */
  readonly channelsMax: number;
  readonly messageBytesMax: number;
}

export const DEFAULT_TRANSPORT_OPTIONS: GrpcTransportOptions = { channelsMax: 64, messageBytesMax: 64 * 1024 * 1024 };

function callOptions(deadlineMs: number | undefined): grpc.CallOptions {
  return deadlineMs === undefined ? {} : { deadline: new Date(deadlineMs) };
}

export class GrpcTransport implements Transport {
  private readonly channels = new Map<string, grpc.Client>();
  private closed = false;

  constructor(private readonly options: GrpcTransportOptions = DEFAULT_TRANSPORT_OPTIONS) {
    assert(options.channelsMax >= 1, 'channelsMax must be >= 1');
  }

  private channel(address: string): grpc.Client {
    assert(!this.closed, 'transport used after close()');
    let client = this.channels.get(address);
    if (client === undefined) {
      if (this.channels.size >= this.options.channelsMax) {
        const [oldestAddress, oldest] = this.channels.entries().next().value as [string, grpc.Client];
        oldest.close();
        this.channels.delete(oldestAddress);
      }
      client = new grpc.Client(address, grpc.credentials.createInsecure(), {
        'grpc.max_receive_message_length': this.options.messageBytesMax,
        'grpc.max_send_message_length': this.options.messageBytesMax,
        // A restarted node must be found again quickly, not after grpc's default 1..120 s backoff.
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 1_000,
        'grpc.enable_retries': 0,
      });
      this.channels.set(address, client);
    }
    return client;
  }

  unary<Request, Response>(address: string, method: Method<Request, Response>, request: Request, options: AttemptOptions): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const call = this.channel(address).makeUnaryRequest<Request, Response>(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        new grpc.Metadata(),
        callOptions(options.deadlineMs),
        (error: grpc.ServiceError | null, response?: Response) => {
          options.signal?.removeEventListener('abort', onAbort);
          if (error !== null) reject(error);
          else resolve(response as Response);
        },
      );
      const onAbort = (): void => call.cancel();
      if (options.signal?.aborted === true) call.cancel();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  serverStream<Request, Response>(address: string, method: Method<Request, Response>, request: Request, options: StreamOptions): grpc.ClientReadableStream<Response> {
    return this.channel(address).makeServerStreamRequest<Request, Response>(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      new grpc.Metadata(),
      callOptions(options.deadlineMs),
    );
  }

  bidiStream<Request, Response>(address: string, method: Method<Request, Response>, options: StreamOptions): grpc.ClientDuplexStream<Request, Response> {
    return this.channel(address).makeBidiStreamRequest<Request, Response>(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      new grpc.Metadata(),
      callOptions(options.deadlineMs),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const client of this.channels.values()) client.close();
    this.channels.clear();
  }
}
