// ZooKeeper behind the benchmark's adapter interface, on the project's own small client
// (zk-client.ts). Watches are persistent recursive watches (addWatch, ZooKeeper 3.6+): armed
// once, they report every change under the prefix without re-arming, so no event falls into a
// re-arm gap. ZooKeeper's events carry no data (a reader would getData after the event); the
// benchmark times the event's arrival, ZooKeeper's best case.

import { nowMs, withTimeout } from '../../util/time';
import { type BenchClient, type BenchSession, type BenchWatch, type BenchWatchEvent, type ConnectOptions, LOCK_SESSION_TTL_MS, type LockHold, type OpOptions, type SystemAdapter, splitAddress } from '../adapter';
import { ZkClient } from './zk-client';
import { acquireZkLock, releaseZkLock } from './zk-lock';
import { ERR_NODEEXISTS, ERR_NONODE, ZkError } from './zk-protocol';

/** Deepest path the parent-creating helper walks. */
const PATH_DEPTH_MAX = 32;

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

class ZkBenchClient implements BenchClient {
  constructor(private readonly client: ZkClient) {}

  async preparePrefix(prefix: string, options: OpOptions): Promise<void> {
    await withTimeout(this.makePath(prefix), options.timeoutMs, `mkdir ${prefix}`);
  }

  private async makePath(path: string): Promise<void> {
    const segments = path.split('/').filter((s) => s !== '');
    if (segments.length > PATH_DEPTH_MAX) throw new Error(`${path}: deeper than ${PATH_DEPTH_MAX}`);
    let current = '';
    for (const segment of segments) {
      current += `/${segment}`;
      try {
        await this.client.create(current, Buffer.alloc(0), 'persistent');
      } catch (error) {
        if (!(error instanceof ZkError && error.code === ERR_NODEEXISTS)) throw error;
      }
    }
  }

  async put(key: string, value: Buffer, options: OpOptions): Promise<void> {
    const write = async (): Promise<void> => {
      try {
        await this.client.create(key, value, 'persistent');
      } catch (error) {
        if (error instanceof ZkError && error.code === ERR_NODEEXISTS) await this.client.setData(key, value);
        else if (error instanceof ZkError && error.code === ERR_NONODE) {
          await this.makePath(parentOf(key));
          await this.client.create(key, value, 'persistent');
        } else throw error;
      }
    };
    await withTimeout(write(), options.timeoutMs, `put ${key}`);
  }

  async get(key: string, options: OpOptions): Promise<Buffer> {
    const read = async (): Promise<Buffer> => {
      await this.client.sync(key);
      return this.client.getData(key);
    };
    return withTimeout(read(), options.timeoutMs, `get ${key}`);
  }

  async openSession(ttlMs: number, _options: OpOptions): Promise<BenchSession> {
    if (ttlMs !== this.client.options.sessionTimeoutMs) throw new Error(`a ZooKeeper session is its connection: connect with sessionTtlMs ${ttlMs} (this one has ${this.client.options.sessionTimeoutMs})`);
    const client = this.client;
    return {
      ttlMs: client.negotiatedTimeoutMs,
      registerEphemeral: async (key: string, value: Buffer, options: OpOptions) => {
        await withTimeout(client.create(key, value, 'ephemeral'), options.timeoutMs, `create ephemeral ${key}`);
      },
      close: (options: OpOptions) => client.close(options.timeoutMs),
    };
  }

  async watchPrefix(prefix: string, onEvent: (event: BenchWatchEvent) => void, options: OpOptions): Promise<BenchWatch> {
    const stop = this.client.onEvent((event) => {
      if (!event.path.startsWith(`${prefix}/`)) return;
      if (event.type === 'created' || event.type === 'data-changed') onEvent({ kind: 'put', key: event.path, arrivedAtMs: nowMs() });
      else if (event.type === 'deleted') onEvent({ kind: 'delete', key: event.path, arrivedAtMs: nowMs() });
    });
    try {
      await withTimeout(this.client.addWatch(prefix, true), options.timeoutMs, `addWatch ${prefix}`);
    } catch (error) {
      stop();
      throw error;
    }
    return { close: stop };
  }

  async lock(name: string, options: OpOptions): Promise<LockHold> {
    const lockPath = name;
    const acquire = async (): Promise<string> => {
      try {
        return await acquireZkLock(this.client, lockPath, options.timeoutMs);
      } catch (error) {
        if (!(error instanceof ZkError && error.code === ERR_NONODE)) throw error;
        await this.makePath(lockPath);
        return acquireZkLock(this.client, lockPath, options.timeoutMs);
      }
    };
    const node = await withTimeout(acquire(), options.timeoutMs + 1_000, `lock ${name}`);
    return { release: (releaseOptions: OpOptions) => withTimeout(releaseZkLock(this.client, node), releaseOptions.timeoutMs, `unlock ${name}`) };
  }

  close(): void {
    this.client.destroy();
  }
}

export const zookeeperAdapter: SystemAdapter = {
  name: 'zookeeper',
  async connect(memberAddress: string, options: ConnectOptions): Promise<BenchClient> {
    const { host, port } = splitAddress(memberAddress);
    const client = await ZkClient.connect({ host, port, sessionTimeoutMs: options.sessionTtlMs ?? LOCK_SESSION_TTL_MS, connectTimeoutMs: options.timeoutMs });
    return new ZkBenchClient(client);
  },
};
