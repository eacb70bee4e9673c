// CorralClient: the SDK's front door. It owns the transport (one channel per node), the
// cached cluster view, and the request runner, and hands out the node-tree calls, sessions,
// watches, locks, elections and the registry helper.

import { type BackoffPolicy, DEFAULT_BACKOFF, validateBackoff } from './backoff';
import type { CallOptions } from './call-options';
import { sleep } from './call-options';
import { ClusterApi } from './cluster-api';
import { CancelledError, InvalidArgumentError } from './errors';
import { type CreateOptions, type CreateResult, type DeleteOptions, type DeleteResult, type GetResult, KvApi, type ListOptions, type ListResult, type PutOptions, type PutResult, type ReadOptions, type SetOptions, type SetResult, type TxnOptions } from './kv-api';
import { Election } from './election';
import { KeepAliveHub } from './keepalive-hub';
import { type HeldLock, LockApi, type LockOptions } from './lock';
import { corralMethods } from './methods';
import { Registry, type RegistryOptions } from './registry';
import { CorralSession, type SessionOptions } from './session';
import { SessionApi } from './session-api';
import { namespaceOfPath } from './shard-map';
import { Watch, type WatchOptions } from './watch';
import type { WatchDeps } from './watch-stream';
import { RequestRunner } from './request-runner';
import { parseEndpoints } from './routing';
import { Topology, DEFAULT_TOPOLOGY_OPTIONS } from './topology';
import { GrpcTransport, type Transport } from './transport';
import type { TxnResult, TxnSpec } from './txn';
import type { NodeStat, Value } from './values';

export interface CorralClientOptions {
  /** `host:port` list (array or comma-separated); a missing port means 7400. */
  readonly endpoints: string | readonly string[];
  /** Default bound on each call, retries included. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt of a call (each only when safe). Default 8. */
  readonly retries?: number;
  readonly backoff?: BackoffPolicy;
  /** For tests: a transport other than gRPC. */
  readonly transport?: Transport;
}

export interface ClientConfig {
  readonly endpoints: readonly string[];
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoff: BackoffPolicy;
}

/** Bounds that keep a misconfigured client from doing something absurd. */
const TIMEOUT_MS_MAX = 24 * 60 * 60 * 1000;
const RETRIES_MAX = 100;

export function clientConfig(options: CorralClientOptions): ClientConfig {
  const endpoints = parseEndpoints(options.endpoints);
  if (endpoints.length === 0) throw new InvalidArgumentError('CorralClient needs at least one endpoint (host:port)');
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > TIMEOUT_MS_MAX) throw new InvalidArgumentError(`timeoutMs must be in (0, ${TIMEOUT_MS_MAX}], got ${timeoutMs}`);
  const retries = options.retries ?? 8;
  if (!Number.isSafeInteger(retries) || retries < 0 || retries > RETRIES_MAX) throw new InvalidArgumentError(`retries must be an integer in [0, ${RETRIES_MAX}], got ${retries}`);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  validateBackoff(backoff);
  return { endpoints, timeoutMs, retries, backoff };
}

export class CorralClient {
  readonly config: ClientConfig;
  /** Internal plumbing shared with sessions, watches and locks. */
  readonly runner: RequestRunner;
  readonly transport: Transport;
  readonly cluster: ClusterApi;
  /** Inspect and release locks by name (list, inspect, release with a token). */
  readonly locks: LockApi;
  /** Inspect sessions (list, time to live). */
  readonly sessions: SessionApi;
  /** The node-tree calls (also exposed one by one below). */
  readonly kv: KvApi;
  private readonly hub: KeepAliveHub;
  private readonly watchDeps: WatchDeps;
  private readonly closers = new Set<() => void>();
  private closedValue = false;

  constructor(options: CorralClientOptions) {
    this.config = clientConfig(options);
    this.transport = options.transport ?? new GrpcTransport();
    const fetchStatus = (address: string, deadlineMs: number, signal: AbortSignal | undefined) =>
      this.transport.unary(address, corralMethods().cluster.Status, {}, { deadlineMs, ...(signal !== undefined ? { signal } : {}) });
    const topology = new Topology(this.config.endpoints, fetchStatus, { ...DEFAULT_TOPOLOGY_OPTIONS, statusAttemptMs: Math.min(DEFAULT_TOPOLOGY_OPTIONS.statusAttemptMs, this.config.timeoutMs) });
    this.runner = new RequestRunner(this.transport, topology, {
      defaultTimeoutMs: this.config.timeoutMs,
      attemptsMax: this.config.retries + 1,
      backoff: this.config.backoff,
      random: Math.random,
      sleep,
    });
    this.kv = new KvApi(this.runner);
    this.cluster = new ClusterApi(this.runner);
    this.sessions = new SessionApi(this.runner);
    this.hub = new KeepAliveHub(this.transport, (address, error) => {
      // A refusal with a leader hint is handled by the session (it patches the view).
      if (error.details.leaderId !== undefined) return;
      if (error.details.serverCode === undefined) topology.markFailed(address);
      topology.invalidate();
    });
    this.locks = new LockApi(this.runner, (ttlMs, options) => this.session({ ttlMs, ...withSignal(options.signal) }));
    this.watchDeps = {
      transport: this.transport,
      topology,
      backoff: this.config.backoff,
      onClose: (close) => this.onClose(close),
      currentRevision: async (path) => (await this.kv.existsAt(path)).revision,
    };
  }

  get closed(): boolean {
    return this.closedValue;
  }

  create(path: string, value: Value, options?: CreateOptions): Promise<CreateResult> {
    return this.kv.create(path, value, options);
  }

  get(path: string, options?: ReadOptions): Promise<GetResult> {
    return this.kv.get(path, options);
  }

  async getString(path: string, options?: ReadOptions): Promise<string> {
    return (await this.kv.get(path, options)).value.toString('utf8');
  }

  exists(path: string, options?: ReadOptions): Promise<NodeStat | null> {
    return this.kv.exists(path, options);
  }

  set(path: string, value: Value, options?: SetOptions): Promise<SetResult> {
    return this.kv.set(path, value, options);
  }

  put(path: string, value: Value, options?: PutOptions): Promise<PutResult> {
    return this.kv.put(path, value, options);
  }

  delete(path: string, options?: DeleteOptions): Promise<DeleteResult> {
    return this.kv.delete(path, options);
  }

  list(path: string, options?: ListOptions): Promise<ListResult> {
    return this.kv.list(path, options);
  }

  txn(spec: TxnSpec, options?: TxnOptions): Promise<TxnResult> {
    return this.kv.txn(spec, options);
  }

  /** A session (see session.ts). Sub-sessions open lazily per namespace, or at once for
   *  `namespaces`. Keepalives run until close(), expiry, or client.close(). */
  async session(options: SessionOptions): Promise<CorralSession> {
    const session = new CorralSession(this.runner, this.hub, options.ttlMs, options.keepAliveIntervalMs);
    const unregister = this.onClose(() => session.abandon());
    void session.ended.then(unregister);
    try {
      await Promise.all((options.namespaces ?? []).map((namespace) => session.subSessionId(namespace.replace(/^\//, ''), options)));
    } catch (error) {
      await session.close().catch(() => undefined);
      throw error;
    }
    return session;
  }

  /** Watches a node, its children or its subtree (see watch.ts). */
  watch(path: string, options: WatchOptions = {}): Watch {
    namespaceOfPath(path);
    return new Watch(path, options, this.watchDeps);
  }

  /** Takes a lock (see lock.ts). */
  lock(name: string, options: LockOptions = {}): Promise<HeldLock> {
    return this.locks.acquire(name, options);
  }

  election(name: string): Election {
    return new Election(this.electionDeps(), name);
  }

  /** The DolphinScheduler-style registry helper (see registry.ts). */
  registry(options: RegistryOptions = {}): Registry {
    return new Registry({ ...this.electionDeps(), watchDeps: this.watchDeps }, options);
  }

  private electionDeps(): { kv: KvApi; locks: LockApi; watch: (path: string, options: WatchOptions) => Watch; openSession: (ttlMs: number, options: CallOptions) => Promise<CorralSession> } {
    return {
      kv: this.kv,
      locks: this.locks,
      watch: (path, options) => this.watch(path, options),
      openSession: (ttlMs, options) => this.session({ ttlMs, ...withSignal(options.signal) }),
    };
  }

  /** Registers cleanup run by close() (sessions, watches). Returns the unregister function. */
  onClose(closer: () => void): () => void {
    if (this.closedValue) throw new CancelledError('the client is closed');
    this.closers.add(closer);
    return () => this.closers.delete(closer);
  }

  /** Stops every watch and keepalive of this client and closes its connections. Sessions are
   *  NOT closed on the server (their ephemeral nodes live until their TTL runs out); call
   *  `session.close()` first for that. */
  close(): void {
    if (this.closedValue) return;
    this.closedValue = true;
    for (const closer of [...this.closers]) closer();
    this.closers.clear();
    this.hub.close();
    this.transport.close();
  }
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal !== undefined ? { signal } : {};
}

export type { CallOptions };
