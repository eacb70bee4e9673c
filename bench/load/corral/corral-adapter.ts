// Corral behind the benchmark's adapter interface, over its public gRPC API (corral.proto):
// KV.Put and linearizable KV.Get sent to the client's member (a follower forwards to the
// leader), sessions with a KeepAlive stream every TTL/3, SUBTREE watches, and the server-side
// FIFO Lock service with the client's session.

import type { WatchResponse__Output } from '../../../proto/gen/corral/v1/WatchResponse';
import * as grpc from '@grpc/grpc-js';
import { nowMs, sleep } from '../../util/time';
import { BENCH_NAMESPACE, type BenchClient, type BenchSession, type BenchWatch, type BenchWatchEvent, type ConnectOptions, LOCK_SESSION_TTL_MS, type LockHold, type OpOptions, type SystemAdapter } from '../adapter';
import { CorralConnection, corralServices } from './corral-connection';
import { CorralBenchSession } from './corral-session';

export function namespaceOf(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

/** Attempts of a lock acquire that failed with a retryable status (UNAVAILABLE, ABORTED). */
const ACQUIRE_ATTEMPTS_MAX = 3;
const RETRYABLE_CODES: ReadonlySet<number> = new Set([grpc.status.UNAVAILABLE, grpc.status.ABORTED]);

async function retryingRetryable<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = (error as Partial<grpc.ServiceError>).code;
      if (attempt >= ACQUIRE_ATTEMPTS_MAX || code === undefined || !RETRYABLE_CODES.has(code)) throw error;
      await sleep(50 * attempt);
    }
  }
}

class CorralBenchClient implements BenchClient {
  private readonly sessions = new Set<CorralBenchSession>();
  private lockSession: Promise<CorralBenchSession> | null = null;

  constructor(private readonly connection: CorralConnection) {}

  async preparePrefix(_prefix: string, _options: OpOptions): Promise<void> {
    // Put creates missing parents.
  }

  async put(key: string, value: Buffer, options: OpOptions): Promise<void> {
    await this.connection.unary(corralServices().kv.Put, { path: key, value, ephemeral: false, session_id: 0 }, options.timeoutMs);
  }

  async get(key: string, options: OpOptions): Promise<Buffer> {
    const response = await this.connection.unary(corralServices().kv.Get, { path: key, serializable: false }, options.timeoutMs);
    return response.value;
  }

  async openSession(ttlMs: number, options: OpOptions): Promise<BenchSession> {
    const session = await CorralBenchSession.open(this.connection, BENCH_NAMESPACE, ttlMs, options);
    this.sessions.add(session);
    return session;
  }

  watchPrefix(prefix: string, onEvent: (event: BenchWatchEvent) => void, options: OpOptions): Promise<BenchWatch> {
    // replay=true makes the server mark, with replay_done, the moment the watch is live.
    const stream = this.connection.serverStream(corralServices().watch.Watch, { path: prefix, kind: 'SUBTREE', from_revision: 0, replay: true, one_shot: false });
    return new Promise<BenchWatch>((resolve, reject) => {
      let live = false;
      const timer = setTimeout(() => {
        stream.cancel();
        reject(new Error(`watch ${prefix}: not live within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      stream.on('data', (response: WatchResponse__Output) => {
        if (live) {
          const arrivedAtMs = nowMs();
          for (const event of response.events) {
            // SUBTREE includes the prefix node itself; the other systems report only keys below it.
            if (event.path.startsWith(`${prefix}/`)) onEvent({ kind: event.type === 'REMOVE' ? 'delete' : 'put', key: event.path, arrivedAtMs });
          }
        }
        if (response.replay_done && !live) {
          live = true;
          clearTimeout(timer);
          resolve({ close: () => stream.cancel() });
        }
      });
      stream.on('error', (error: Error) => {
        clearTimeout(timer);
        if (!live) reject(error);
      });
    });
  }

  private lockSessionOnce(options: OpOptions): Promise<CorralBenchSession> {
    if (this.lockSession === null) {
      this.lockSession = CorralBenchSession.open(this.connection, BENCH_NAMESPACE, LOCK_SESSION_TTL_MS, options);
      void this.lockSession.then((session) => this.sessions.add(session), () => { this.lockSession = null; });
    }
    return this.lockSession;
  }

  async lock(name: string, options: OpOptions): Promise<LockHold> {
    const session = await this.lockSessionOnce(options);
    // One request id for every attempt: a retried acquire whose first attempt was granted
    // gets that grant back instead of queueing behind itself (the SDK does the same).
    const request = { name, session_id: session.sessionId, wait_ms: options.timeoutMs, max_hold_ms: 0, request_id: session.nextRequestId() };
    const response = await retryingRetryable(() => this.connection.unary(corralServices().lock.Acquire, request, options.timeoutMs + 1_000));
    const token = response.token;
    return { release: (releaseOptions: OpOptions) => this.connection.unary(corralServices().lock.Release, { name, token }, releaseOptions.timeoutMs).then(() => undefined) };
  }

  close(): void {
    for (const session of this.sessions) session.abandon();
    this.sessions.clear();
    this.connection.close();
  }
}

export const corralAdapter: SystemAdapter = {
  name: 'corral',
  async connect(memberAddress: string, _options: ConnectOptions): Promise<BenchClient> {
    return new CorralBenchClient(new CorralConnection(memberAddress));
  },
};
