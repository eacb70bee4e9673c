// One simulated Corral client's connection: a grpc-js channel to one member, shared by every
// service (KV, Session, Watch, Lock, Cluster). A follower forwards what it can to the leader;
// when it answers instead with a leader hint (`corral-leader-address`), the call is made once
// more on a second channel to the hinted leader, as the SDK does.

import * as grpc from '@grpc/grpc-js';
import { loadCorralProto } from '../../../proto/load';
import type { ClusterDefinition } from '../../../proto/gen/corral/v1/Cluster';
import type { KVDefinition } from '../../../proto/gen/corral/v1/KV';
import type { LockDefinition } from '../../../proto/gen/corral/v1/Lock';
import type { SessionDefinition } from '../../../proto/gen/corral/v1/Session';
import type { WatchDefinition } from '../../../proto/gen/corral/v1/Watch';

export const LEADER_ADDRESS_KEY = 'corral-leader-address';

export interface CorralServices {
  readonly kv: KVDefinition;
  readonly session: SessionDefinition;
  readonly watch: WatchDefinition;
  readonly lock: LockDefinition;
  readonly cluster: ClusterDefinition;
}

let services: CorralServices | null = null;

export function corralServices(): CorralServices {
  if (services !== null) return services;
  const v1 = loadCorralProto().corral.v1;
  services = { kv: v1.KV.service, session: v1.Session.service, watch: v1.Watch.service, lock: v1.Lock.service, cluster: v1.Cluster.service };
  return services;
}

interface Method<Request, Response> {
  readonly path: string;
  readonly requestSerialize: (value: Request) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => Response;
}

let connectionCount = 0;

function newChannel(address: string, connectionId: number): grpc.Client {
  // grpc-js shares one TCP connection among channels with equal options to one address; the
  // per-client id gives each simulated client its own connection.
  return new grpc.Client(address, grpc.credentials.createInsecure(), { 'bench.connection_id': connectionId, 'grpc.enable_retries': 0 });
}

function leaderHint(error: unknown): string | undefined {
  const metadata = (error as Partial<grpc.ServiceError>).metadata;
  if (metadata === undefined) return undefined;
  const value = metadata.get(LEADER_ADDRESS_KEY)[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export class CorralConnection {
  private readonly id = ++connectionCount;
  private readonly channel: grpc.Client;
  private leaderChannel: { readonly address: string; readonly client: grpc.Client } | null = null;

  constructor(readonly address: string) {
    this.channel = newChannel(address, this.id);
  }

  private channelFor(address: string): grpc.Client {
    if (address === this.address) return this.channel;
    if (this.leaderChannel?.address !== address) {
      this.leaderChannel?.client.close();
      this.leaderChannel = { address, client: newChannel(address, this.id) };
    }
    return this.leaderChannel.client;
  }

  private unaryOn<Request, Response>(client: grpc.Client, method: Method<Request, Response>, request: Request, timeoutMs: number): Promise<Response> {
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs },
        (error: grpc.ServiceError | null, response?: Response) => (error !== null ? reject(error) : resolve(response as Response)));
    });
  }

  /** A unary call on this client's member; followed once to a hinted leader. */
  async unary<Request, Response>(method: Method<Request, Response>, request: Request, timeoutMs: number): Promise<Response> {
    try {
      return await this.unaryOn(this.channel, method, request, timeoutMs);
    } catch (error) {
      const hint = leaderHint(error);
      if (hint === undefined || hint === this.address) throw error;
      return this.unaryOn(this.channelFor(hint), method, request, timeoutMs);
    }
  }

  serverStream<Request, Response>(method: Method<Request, Response>, request: Request, address = this.address): grpc.ClientReadableStream<Response> {
    return this.channelFor(address).makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, new grpc.Metadata(), {});
  }

  bidiStream<Request, Response>(method: Method<Request, Response>, address = this.address): grpc.ClientDuplexStream<Request, Response> {
    return this.channelFor(address).makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, new grpc.Metadata(), {});
  }

  /** The leader hint carried by a failed call or stream, if any. */
  static leaderHintOf(error: unknown): string | undefined {
    return leaderHint(error);
  }

  close(): void {
    this.channel.close();
    this.leaderChannel?.client.close();
    this.leaderChannel = null;
  }
}
