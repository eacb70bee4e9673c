// A typed client for etcd's v3lock service: Lock(name, lease) waits in etcd's queue and returns
// the key that holds the lock; Unlock(key) deletes it.

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';

interface LockRequest { readonly name: Buffer; readonly lease: string }
interface LockResponse { readonly key: Buffer }
interface UnlockRequest { readonly key: Buffer }

let methods: { lock: grpc.MethodDefinition<LockRequest, LockResponse>; unlock: grpc.MethodDefinition<UnlockRequest, object> } | null = null;

function lockMethods(): NonNullable<typeof methods> {
  if (methods !== null) return methods;
  const definition = protoLoader.loadSync(join(__dirname, 'v3lock.proto'), { keepCase: true, longs: String, defaults: true });
  const service = definition['v3lockpb.Lock'] as unknown as Record<'Lock' | 'Unlock', grpc.MethodDefinition<unknown, unknown>>;
  methods = {
    lock: service.Lock as grpc.MethodDefinition<LockRequest, LockResponse>,
    unlock: service.Unlock as grpc.MethodDefinition<UnlockRequest, object>,
  };
  return methods;
}

function unary<Request, Response>(client: grpc.Client, method: grpc.MethodDefinition<Request, Response>, request: Request, timeoutMs: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs },
      (error: grpc.ServiceError | null, response?: Response) => (error !== null ? reject(error) : resolve(response as Response)));
  });
}

export class V3LockClient {
  private readonly client: grpc.Client;

  /** `channelOptions` equal to the etcd3 client's make both share one connection. */
  constructor(address: string, channelOptions: grpc.ChannelOptions) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), channelOptions);
  }

  async lock(name: string, leaseId: string, timeoutMs: number): Promise<Buffer> {
    const response = await unary(this.client, lockMethods().lock, { name: Buffer.from(name), lease: leaseId }, timeoutMs);
    return response.key;
  }

  async unlock(key: Buffer, timeoutMs: number): Promise<void> {
    await unary(this.client, lockMethods().unlock, { key }, timeoutMs);
  }

  close(): void {
    this.client.close();
  }
}
