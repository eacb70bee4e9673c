// Helpers of the ops integration tests: plain HTTP GETs of the ops endpoint, a gRPC health
// client, and a client write loop that retries only what the API marks retryable.

import * as grpc from '@grpc/grpc-js';
import { request } from 'node:http';
import type { HealthClient } from '../../proto/gen/grpc/health/v1/Health';
import type { LockClient } from '../../proto/gen/corral/v1/Lock';
import type { SessionClient } from '../../proto/gen/corral/v1/Session';
import type { WatchClient } from '../../proto/gen/corral/v1/Watch';
import { loadCorralProto } from '../../proto/load';
import { loadHealthProto } from '../../server/api/health-service';
import { call, type TestCluster } from '../cluster/harness';

export function httpGet(port: number, path: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // agent: false: no keep-alive socket outlives the request.
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export function healthClient(address: string): HealthClient {
  return new (loadHealthProto().grpc.health.v1.Health)(address, grpc.credentials.createInsecure());
}

export function healthStatus(client: HealthClient, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    client.Check({ service: '' }, { deadline: Date.now() + timeoutMs }, (error, response) => (error ? reject(error) : resolve(response!.status)));
  });
}

/** The statuses a client may retry: the write provably did not apply, or it may be retried
 *  idempotently (Put of the same value). DEADLINE_EXCEEDED is NOT among them: it is an
 *  unknown outcome, which a graceful shutdown must never cause. */
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.ABORTED]);

export interface WriteLoopReport {
  readonly acked: Map<string, string>;
  readonly failures: string[];
  readonly retries: number;
  /** Longest time one write took, retries included. */
  readonly slowestWriteMs: number;
}

export class WriteLoop {
  readonly acked = new Map<string, string>();
  readonly failures: string[] = [];
  retries = 0;
  slowestWriteMs = 0;
  private running = true;
  private readonly done: Promise<void>;

  /** Writes `${prefix}-${i}` one after the other, rotating over `ids` on every retry. */
  constructor(
    private readonly cluster: TestCluster,
    private readonly ids: () => readonly number[],
    private readonly prefix: string,
    private readonly writesMax: number,
  ) {
    this.done = this.run();
  }

  get written(): number {
    return this.acked.size;
  }

  async stop(): Promise<WriteLoopReport> {
    this.running = false;
    await this.done;
    return { acked: this.acked, failures: this.failures, retries: this.retries, slowestWriteMs: this.slowestWriteMs };
  }

  private async run(): Promise<void> {
    for (let i = 0; this.running && i < this.writesMax && this.failures.length === 0; i++) {
      const path = `${this.prefix}-${i}`;
      const startMs = Date.now();
      await this.put(path, `v${i}`, i);
      this.slowestWriteMs = Math.max(this.slowestWriteMs, Date.now() - startMs);
    }
  }

  private async put(path: string, value: string, seed: number): Promise<void> {
    const attemptsMax = 200;
    for (let attempt = 0; attempt < attemptsMax; attempt++) {
      const ids = this.ids();
      const id = ids[(seed + attempt) % ids.length];
      try {
        await call((cb) => this.cluster.kv(id).Put({ path, value: Buffer.from(value) }, { deadline: Date.now() + 10_000 }, cb));
        this.acked.set(path, value);
        return;
      } catch (error) {
        const status = error as grpc.ServiceError;
        if (!RETRYABLE.has(status.code)) {
          this.failures.push(`${path} via node ${id}: ${grpc.status[status.code]} ${status.details}`);
          return;
        }
        this.retries += 1;
        await new Promise((r) => setTimeout(r, Math.min(200, 10 * 2 ** Math.min(attempt, 5))));
      }
    }
    this.failures.push(`${path}: still retryable after ${attemptsMax} attempts`);
  }
}

/** Live coordination state for the scrape test: two sessions holding an ephemeral node and a
 *  lock (one holds, one waits), a session left to expire, and a watch receiving events. */
export class CoordinationActivity {
  watchEventsReceived = 0;
  private readonly clients: grpc.Client[] = [];
  private readonly calls: { cancel(): void }[] = [];

  private constructor(readonly namespace: string) {}

  static async start(cluster: TestCluster, namespace: string, watchNode: number): Promise<CoordinationActivity> {
    const activity = new CoordinationActivity(namespace);
    try {
      await activity.begin(cluster, watchNode);
    } catch (error) {
      activity.stop();
      throw error;
    }
    return activity;
  }

  private client<T>(Service: new (address: string, credentials: grpc.ChannelCredentials) => T, address: string): T {
    const client = new Service(address, grpc.credentials.createInsecure());
    this.clients.push(client as unknown as grpc.Client);
    return client;
  }

  private async begin(cluster: TestCluster, watchNode: number): Promise<void> {
    const proto = loadCorralProto().corral.v1;
    const address = cluster.address(1);
    const sessions = this.client(proto.Session, address) as SessionClient;
    const locks = this.client(proto.Lock, address) as LockClient;
    const watches = this.client(proto.Watch, cluster.address(watchNode)) as WatchClient;
    const deadline = (): { deadline: number } => ({ deadline: Date.now() + 10_000 });
    const open = (ttlMs: number): Promise<number> =>
      call<{ session_id: number }>((cb) => sessions.Open({ ttl_ms: ttlMs, namespace: this.namespace }, deadline(), cb)).then((r) => Number(r.session_id));
    const [holder, waiter] = [await open(60_000), await open(60_000)];
    await open(2_000); // never kept alive: expires
    const watch = watches.Watch({ path: `/${this.namespace}`, kind: 'SUBTREE' });
    watch.on('data', (message: { events: unknown[] }) => { this.watchEventsReceived += message.events.length; });
    watch.on('error', () => undefined); // cancelled in stop()
    this.calls.push(watch);
    // The first message comes once the watch is subscribed: writes after it are all seen.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('watch did not start within 10 s')), 10_000);
      watch.once('data', () => { clearTimeout(timer); resolve(); });
    });
    await call((cb) => cluster.kv(1).Put({ path: `/${this.namespace}/member`, value: Buffer.from('me'), ephemeral: true, session_id: holder }, deadline(), cb));
    await call((cb) => locks.Acquire({ name: `/${this.namespace}/lock`, session_id: holder, wait_ms: 0, request_id: 1 }, deadline(), cb));
    // Queued behind the holder until stop() cancels the call.
    this.calls.push(locks.Acquire({ name: `/${this.namespace}/lock`, session_id: waiter, wait_ms: 120_000, request_id: 1 }, { deadline: Date.now() + 120_000 }, () => undefined));
    for (let i = 0; i < 20; i++) await call((cb) => cluster.kv(1).Put({ path: `/${this.namespace}/event-${i}`, value: Buffer.from(String(i)) }, deadline(), cb));
  }

  stop(): void {
    for (const pending of this.calls) pending.cancel();
    // A generated client of a service with a `Close` RPC (Session) shadows close() with it.
    for (const client of this.clients) grpc.Client.prototype.close.call(client);
  }
}
