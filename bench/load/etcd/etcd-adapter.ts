// etcd behind the benchmark's adapter interface, on the etcd3 npm client (grpc-js, like
// Corral's). Gets are linearizable (etcd's default, serializable=false); a session is a lease
// kept alive by etcd3 every TTL/3 with keys attached to it; watches are prefix watches; locks
// use etcd's server-side v3lock service with the client's lease.

import type * as grpc from '@grpc/grpc-js';
import { Etcd3, type Lease } from 'etcd3';
import { nowMs, withTimeout } from '../../util/time';
import { type BenchClient, type BenchSession, type BenchWatch, type BenchWatchEvent, type ConnectOptions, LOCK_SESSION_TTL_MS, type LockHold, type OpOptions, type SystemAdapter } from '../adapter';
import { V3LockClient } from './v3lock-client';

let connectionCount = 0;

/** etcd leases have whole-second TTLs. */
function ttlSeconds(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs / 1000));
}

class EtcdBenchClient implements BenchClient {
  private lockLease: Lease | null = null;

  constructor(private readonly client: Etcd3, private readonly locks: V3LockClient) {}

  async preparePrefix(_prefix: string, _options: OpOptions): Promise<void> {
    // etcd keys are flat: nothing to create.
  }

  async put(key: string, value: Buffer, options: OpOptions): Promise<void> {
    await withTimeout(this.client.put(key).value(value).exec(), options.timeoutMs, `put ${key}`);
  }

  async get(key: string, options: OpOptions): Promise<Buffer> {
    const value = await withTimeout(this.client.get(key).buffer(), options.timeoutMs, `get ${key}`);
    if (value === null) throw new Error(`get ${key}: missing`);
    return value;
  }

  async openSession(ttlMs: number, options: OpOptions): Promise<BenchSession> {
    const lease = this.client.lease(ttlSeconds(ttlMs));
    await withTimeout(lease.grant(), options.timeoutMs, 'lease grant');
    return {
      ttlMs: ttlSeconds(ttlMs) * 1000,
      registerEphemeral: async (key: string, value: Buffer, putOptions: OpOptions) => {
        await withTimeout(lease.put(key).value(value).exec(), putOptions.timeoutMs, `put ${key} with lease`);
      },
      close: (closeOptions: OpOptions) => withTimeout(lease.revoke(), closeOptions.timeoutMs, 'lease revoke'),
    };
  }

  async watchPrefix(prefix: string, onEvent: (event: BenchWatchEvent) => void, options: OpOptions): Promise<BenchWatch> {
    const watcher = await withTimeout(this.client.watch().prefix(`${prefix}/`).create(), options.timeoutMs, `watch ${prefix}`);
    watcher.on('put', (kv) => onEvent({ kind: 'put', key: kv.key.toString(), arrivedAtMs: nowMs() }));
    watcher.on('delete', (kv) => onEvent({ kind: 'delete', key: kv.key.toString(), arrivedAtMs: nowMs() }));
    return { close: () => void watcher.cancel().catch(() => undefined) };
  }

  async lock(name: string, options: OpOptions): Promise<LockHold> {
    if (this.lockLease === null) {
      this.lockLease = this.client.lease(ttlSeconds(LOCK_SESSION_TTL_MS));
      this.lockLease.on('lost', () => { this.lockLease = null; });
    }
    const leaseId = await withTimeout(this.lockLease.grant(), options.timeoutMs, 'lease grant');
    const key = await this.locks.lock(name, leaseId, options.timeoutMs);
    return { release: (releaseOptions: OpOptions) => this.locks.unlock(key, releaseOptions.timeoutMs) };
  }

  close(): void {
    this.locks.close();
    this.client.close();
  }
}

export const etcdAdapter: SystemAdapter = {
  name: 'etcd',
  async connect(memberAddress: string, _options: ConnectOptions): Promise<BenchClient> {
    // grpc-js shares one connection among all channels with equal options to one address; a
    // per-client option value gives each simulated client its own connection.
    const grpcOptions: grpc.ChannelOptions = { 'bench.connection_id': ++connectionCount };
    const client = new Etcd3({ hosts: `http://${memberAddress}`, grpcOptions });
    return new EtcdBenchClient(client, new V3LockClient(memberAddress, grpcOptions));
  },
};
