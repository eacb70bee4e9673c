// The one load-generator design, behind a small per-system adapter. A simulated client is one
// `BenchClient`: one connection to one member of the system (chosen by the workload, spread
// round-robin over the members). Keys are path-shaped (`/bench/w1/c3-17`) for all systems:
// ZooKeeper and Corral need paths, and etcd takes them as plain keys.
//
// What each operation means per system (the definitions):
// - put: Corral KV.Put (upsert) | etcd Put | ZooKeeper create (setData if the node exists)
// - get (linearizable): Corral KV.Get (serializable=false) | etcd Range (serializable=false)
//   | ZooKeeper sync + getData
// - session + ephemeral: Corral Session.Open + KeepAlive stream + KV.Create(EPHEMERAL)
//   | etcd lease + put with the lease + keepalive | ZooKeeper session + ephemeral znode
// - watch prefix: Corral Watch(SUBTREE) | etcd watch with prefix | ZooKeeper persistent
//   recursive watch (addWatch, 3.6+)
// - lock: Corral Lock.Acquire/Release with the client's session | etcd v3lock Lock/Unlock
//   with the client's lease | ZooKeeper sequential-ephemeral recipe

export type SystemName = 'corral' | 'etcd' | 'zookeeper';
export const SYSTEM_NAMES: readonly SystemName[] = ['corral', 'etcd', 'zookeeper'];

export interface OpOptions {
  readonly timeoutMs: number;
}

export type WatchEventKind = 'put' | 'delete';

export interface BenchWatchEvent {
  readonly kind: WatchEventKind;
  readonly key: string;
  /** Monotonic arrival time (util/time.ts nowMs). */
  readonly arrivedAtMs: number;
}

export interface BenchWatch {
  close(): void;
}

export interface BenchSession {
  /** The session's TTL as granted by the server. */
  readonly ttlMs: number;
  /** Creates `key` as an ephemeral node (a key attached to the lease) owned by this session. */
  registerEphemeral(key: string, value: Buffer, options: OpOptions): Promise<void>;
  /** Stops the keepalives and ends the session on the server. */
  close(options: OpOptions): Promise<void>;
}

export interface LockHold {
  release(options: OpOptions): Promise<void>;
}

export interface BenchClient {
  /** Makes keys under `prefix` writable: ZooKeeper creates the parent nodes; a no-op elsewhere. */
  preparePrefix(prefix: string, options: OpOptions): Promise<void>;
  put(key: string, value: Buffer, options: OpOptions): Promise<void>;
  /** A linearizable read of `key` (which exists). */
  get(key: string, options: OpOptions): Promise<Buffer>;
  /** A session with the given TTL, kept alive every TTL/3 until closed. */
  openSession(ttlMs: number, options: OpOptions): Promise<BenchSession>;
  /** Watches every key under `prefix` (a path without a trailing '/'); resolves when armed. */
  watchPrefix(prefix: string, onEvent: (event: BenchWatchEvent) => void, options: OpOptions): Promise<BenchWatch>;
  /** Takes lock `name` (waiting in the system's queue) with this client's lock session. */
  lock(name: string, options: OpOptions): Promise<LockHold>;
  /** Drops the connection (sessions are not closed: their TTL runs out). */
  close(): void;
}

export interface ConnectOptions extends OpOptions {
  /** TTL of the sessions this client will open. ZooKeeper's session is its connection, so it
   *  must be fixed at connect time; the others take it at openSession. Default LOCK_SESSION_TTL_MS. */
  readonly sessionTtlMs?: number;
}

export interface SystemAdapter {
  readonly name: SystemName;
  /** Connects a simulated client to one member (`host:port`). */
  connect(memberAddress: string, options: ConnectOptions): Promise<BenchClient>;
}

export function splitAddress(address: string): { readonly host: string; readonly port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad member address ${JSON.stringify(address)}: expected host:port`);
  return { host: address.slice(0, colon), port };
}

/** Session TTL of the lock clients (W5): long enough never to expire during a measurement. */
export const LOCK_SESSION_TTL_MS = 10_000;

/** Every workload key lives under this namespace (first path segment), except W7's. */
export const BENCH_NAMESPACE = 'bench';
