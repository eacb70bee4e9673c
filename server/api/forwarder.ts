// Forwards a unary client call to another node (the group's leader, or a node hosting a
// replica of the group) over the public API, carrying a hop count so that a request is
// forwarded at most `hopsMax` times and never loops.

import * as grpc from '@grpc/grpc-js';

export const HOPS_KEY = 'corral-hops';

export class ForwardedError extends Error {
  override readonly name = 'ForwardedError';

  constructor(readonly status: grpc.ServiceError) {
    super(status.details);
  }
}

export class Forwarder {
  private readonly clients = new Map<string, grpc.Client>();

  constructor(private readonly clientsMax: number) {}

  private client(address: string): grpc.Client {
    let client = this.clients.get(address);
    if (client === undefined) {
      if (this.clients.size >= this.clientsMax) {
        const [oldest, old] = this.clients.entries().next().value as [string, grpc.Client];
        old.close();
        this.clients.delete(oldest);
      }
      client = new grpc.Client(address, grpc.credentials.createInsecure(), {
        'grpc.max_receive_message_length': 64 * 1024 * 1024,
        'grpc.max_send_message_length': 64 * 1024 * 1024,
      });
      this.clients.set(address, client);
    }
    return client;
  }

  forwardUnary<Request, Response>(options: {
    readonly method: grpc.MethodDefinition<Request, Response>;
    readonly request: Request;
    readonly address: string;
    readonly deadlineMs: number;
    readonly hops: number;
  }): Promise<Response> {
    const metadata = new grpc.Metadata();
    metadata.set(HOPS_KEY, String(options.hops + 1));
    const method = options.method;
    return new Promise<Response>((resolve, reject) => {
      this.client(options.address).makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        options.request,
        metadata,
        { deadline: Date.now() + options.deadlineMs },
        (error: grpc.ServiceError | null, response?: Response) => {
          if (error !== null) reject(new ForwardedError(error));
          else resolve(response as Response);
        },
      );
    });
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

export function hopsOf(metadata: grpc.Metadata): number {
  const value = metadata.get(HOPS_KEY)[0];
  const hops = Number(value ?? 0);
  return Number.isInteger(hops) && hops >= 0 ? hops : 0;
}
