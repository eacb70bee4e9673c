// Raw gRPC clients for the coordination tests (the SDK is written elsewhere and not used
// here): generated clients per endpoint, promisified unary calls, the status of a failed
// call with its leader hint, a keepalive loop that follows the group leader, and a watch
// that resumes from its last revision on another node when its stream breaks.
// Used by the test process and by the child processes the tests SIGKILL.

import * as grpc from '@grpc/grpc-js';
import { loadCorralProto } from '../../proto/load';
import type { KVClient } from '../../proto/gen/corral/v1/KV';
import type { KeepAliveRequest } from '../../proto/gen/corral/v1/KeepAliveRequest';
import type { KeepAliveResponse__Output } from '../../proto/gen/corral/v1/KeepAliveResponse';
import type { LockClient } from '../../proto/gen/corral/v1/Lock';
import type { SessionClient } from '../../proto/gen/corral/v1/Session';
import type { WatchClient } from '../../proto/gen/corral/v1/Watch';
import type { WatchRequest } from '../../proto/gen/corral/v1/WatchRequest';
import type { WatchResponse__Output } from '../../proto/gen/corral/v1/WatchResponse';
import type { WatchEvent__Output } from '../../proto/gen/corral/v1/WatchEvent';

export type ServiceName = 'KV' | 'Session' | 'Lock' | 'Watch';

/** One channel per endpoint and per Clients instance (a "process" of its own). */
export class Clients {
  private readonly clients = new Map<string, grpc.Client>();
  private closed = false;

  /** `instance` keeps channels of different Clients apart (grpc-js shares them otherwise). */
  constructor(private readonly instance: string = `c${Math.random()}`) {}

  private client(service: ServiceName, address: string): grpc.Client {
    if (this.closed) throw new Error('clients closed');
    const key = `${service}/${address}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      const Ctor = loadCorralProto().corral.v1[service];
      client = new Ctor(address, grpc.credentials.createInsecure(), { 'corral-test-instance': this.instance });
      this.clients.set(key, client);
    }
    return client;
  }

  kv(address: string): KVClient {
    return this.client('KV', address) as unknown as KVClient;
  }

  session(address: string): SessionClient {
    return this.client('Session', address) as unknown as SessionClient;
  }

  lock(address: string): LockClient {
    return this.client('Lock', address) as unknown as LockClient;
  }

  watch(address: string): WatchClient {
    return this.client('Watch', address) as unknown as WatchClient;
  }

  close(): void {
    this.closed = true;
    // The Session service's `close` method shadows Client#close on its generated client.
    for (const client of this.clients.values()) grpc.Client.prototype.close.call(client);
    this.clients.clear();
  }
}

export function deadline(ms: number): grpc.CallOptions {
  return { deadline: Date.now() + ms };
}

/** Promisified unary call. */
export function unaryCall<Response>(invoke: (callback: (error: grpc.ServiceError | null, response?: Response) => void) => unknown): Promise<Response> {
  return new Promise((resolve, reject) => {
    invoke((error, response) => (error ? reject(error) : resolve(response as Response)));
  });
}

export interface CallStatus {
  readonly code: number;
  readonly details: string;
  readonly leaderId: number;
  readonly leaderAddress: string;
  /** The precise KV outcome (`corral-reason`), '' when the server sent none. */
  readonly reason: string;
}

function metadataText(metadata: grpc.Metadata | undefined, key: string): string {
  const value = metadata?.get(key)[0];
  return value === undefined ? '' : value.toString();
}

export function statusOf(error: unknown): CallStatus {
  const failure = error as Partial<grpc.ServiceError>;
  if (typeof failure.code !== 'number') throw error;
  return {
    code: failure.code,
    details: failure.details ?? '',
    leaderId: Number(metadataText(failure.metadata, 'corral-leader-id') || 0),
    leaderAddress: metadataText(failure.metadata, 'corral-leader-address'),
    reason: metadataText(failure.metadata, 'corral-reason'),
  };
}

/** Runs `call` until it succeeds or fails with a non-retryable status; bounded attempts. */
export async function withRetry<T>(what: string, endpoints: readonly string[], call: (address: string) => Promise<T>, attemptsMax = 150): Promise<T> {
  const retryable = new Set([grpc.status.UNAVAILABLE, grpc.status.ABORTED, grpc.status.DEADLINE_EXCEEDED]);
  let lastError: unknown = null;
  let preferred: string | null = null;
  for (let attempt = 0; attempt < attemptsMax; attempt += 1) {
    const address = preferred ?? endpoints[attempt % endpoints.length];
    preferred = null;
    try {
      return await call(address);
    } catch (error) {
      lastError = error;
      const status = statusOf(error);
      if (!retryable.has(status.code)) throw error;
      if (status.leaderAddress !== '' && endpoints.includes(status.leaderAddress)) preferred = status.leaderAddress;
      await sleep(100);
    }
  }
  throw new Error(`${what}: no success after ${attemptsMax} attempts (last: ${String(lastError)})`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Opens a session in `namespace` through any endpoint (forwarded to the leader). */
export async function openSession(clients: Clients, endpoints: readonly string[], namespace: string, ttlMs: number): Promise<number> {
  const response = await withRetry('open session', endpoints, (address) =>
    unaryCall<{ session_id: number }>((cb) => clients.session(address).Open({ ttl_ms: ttlMs, namespace }, deadline(5_000), cb)));
  return Number(response.session_id);
}

export interface KeeperOptions {
  readonly namespace: string;
  readonly sessionIds: readonly number[];
  readonly intervalMs: number;
  /** Called when the server reports one of the sessions expired. */
  readonly onExpired?: (ids: readonly number[]) => void;
}

/**
 * Keeps sessions alive over one KeepAlive stream to the group's leader. A node that is not
 * the leader ends the stream with UNAVAILABLE and the leader hint: the keeper reconnects
 * there (or to the next endpoint when there is no hint).
 */
export class SessionKeeper {
  private stream: grpc.ClientDuplexStream<KeepAliveRequest, KeepAliveResponse__Output> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private target: string;
  private rotation = 0;
  private stopped = false;
  /** Reconnects so far (bounded: a keeper is a test's helper, not a daemon). */
  reconnects = 0;
  readonly reconnectsMax = 100_000;
  lastAliveMs = 0;
  readonly expired = new Set<number>();

  constructor(
    private readonly clients: Clients,
    private readonly endpoints: () => readonly string[],
    private readonly options: KeeperOptions,
  ) {
    this.target = endpoints()[0];
  }

  start(): void {
    this.connect();
    this.timer = setInterval(() => this.send(), this.options.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.stream?.cancel();
    this.stream = null;
  }

  private connect(): void {
    if (this.stopped || this.reconnects >= this.reconnectsMax) return;
    const stream = this.clients.session(this.target).KeepAlive();
    this.stream = stream;
    stream.on('data', (response: KeepAliveResponse__Output) => {
      if (response.alive.length > 0) this.lastAliveMs = Date.now();
      const expired = response.expired.map(Number).filter((id: number) => this.options.sessionIds.includes(id));
      if (expired.length > 0) {
        for (const id of expired) this.expired.add(id);
        this.options.onExpired?.(expired);
      }
    });
    stream.on('error', (error) => {
      if (this.stream !== stream || this.stopped) return;
      this.stream = null;
      const status = statusOf(error);
      const endpoints = this.endpoints();
      if (status.leaderAddress !== '' && endpoints.includes(status.leaderAddress) && status.leaderAddress !== this.target) {
        this.target = status.leaderAddress;
      } else {
        this.rotation += 1;
        this.target = endpoints[this.rotation % endpoints.length];
      }
      this.reconnects += 1;
      setTimeout(() => this.connect(), 50);
    });
    stream.on('end', () => undefined);
    this.send();
  }

  private send(): void {
    this.stream?.write({ session_ids: [...this.options.sessionIds], namespace: this.options.namespace });
  }
}

/** A delivered watch message, stamped with the test's clock on arrival. */
export interface SeenEvent {
  readonly event: WatchEvent__Output;
  readonly atMs: number;
}

/**
 * A watch that, when its stream breaks (node killed, or `disconnect()`), resumes on another
 * node from the revision after the last one it has covered — never re-delivering or skipping.
 */
export class ResumingWatcher {
  readonly events: SeenEvent[] = [];
  /** Every revision up to this one has been delivered (or was covered by the header). */
  covered = 0;
  replayDone = false;
  /** Messages received so far (the first one is the watch's header). */
  messages = 0;
  resumes = 0;
  readonly resumesMax = 1_000;
  cancelled: WatchResponse__Output | null = null;
  /** Deliveries that broke exactly-once (a revision at or below one already covered). */
  readonly violations: string[] = [];
  private stream: grpc.ClientReadableStream<WatchResponse__Output> | null = null;
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  constructor(
    private readonly clients: Clients,
    private readonly request: WatchRequest,
    private readonly nextEndpoint: (failed: string) => string,
  ) {}

  start(address: string): void {
    this.open(address, this.request);
  }

  private open(address: string, request: WatchRequest): void {
    const stream = this.clients.watch(address).Watch(request);
    this.stream = stream;
    stream.on('data', (response: WatchResponse__Output) => {
      if (this.stream !== stream) return;
      this.messages += 1;
      const atMs = Date.now();
      for (const event of response.events) {
        if (!response.replay_done && event.revision <= this.covered) this.violations.push(`re-delivered revision ${event.revision} (covered ${this.covered})`);
        this.events.push({ event, atMs });
      }
      if (response.replay_done) this.replayDone = true;
      if (response.cancelled !== 'NONE') this.cancelled = response;
      this.covered = Math.max(this.covered, Number(response.revision));
      for (const wake of [...this.waiters]) wake();
    });
    stream.on('error', () => {
      if (this.stream !== stream || this.stopped) return;
      this.stream = null;
      this.resume(this.nextEndpoint(address));
    });
  }

  /** Breaks the stream as a client that goes away would. */
  disconnect(): void {
    const stream = this.stream;
    this.stream = null;
    stream?.cancel();
  }

  /** Reconnects at `address` from the first revision not yet covered. */
  resume(address: string): void {
    if (this.stopped || this.resumes >= this.resumesMax) return;
    this.resumes += 1;
    setTimeout(() => {
      if (!this.stopped) this.open(address, { path: this.request.path, kind: this.request.kind, from_revision: this.covered + 1 });
    }, 100);
  }

  /** Resolves once the watch delivered its first message (its header). */
  established(timeoutMs: number): Promise<void> {
    return this.waitFor('the watch header', () => this.messages > 0, timeoutMs);
  }

  /** Resolves once `predicate` holds over what was delivered; rejects after `timeoutMs`. */
  waitFor(what: string, predicate: (events: readonly SeenEvent[]) => boolean, timeoutMs: number): Promise<void> {
    if (predicate(this.events)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        if (!predicate(this.events)) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; saw ${this.events.length} events, covered ${this.covered}`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  stop(): void {
    this.stopped = true;
    this.disconnect();
  }
}
