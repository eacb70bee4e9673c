// Real multi-process clusters for integration tests: `corral server` processes on loopback
// with ports chosen per run and data in temp dirs. Everything started is stopped in `stop()`
// and, as a last resort, when the test process exits.

import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorralProto } from '../../proto/load';
import type { ClusterClient } from '../../proto/gen/corral/v1/Cluster';
import type { ClusterStatusResponse__Output } from '../../proto/gen/corral/v1/ClusterStatusResponse';
import type { KVClient } from '../../proto/gen/corral/v1/KV';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'corral');
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

export interface NodeSpec {
  readonly id: number;
  readonly port: number;
  readonly metricsPort: number;
  readonly dataDir: string;
  /** Set for a node added later: it starts with `--join <this>` instead of the founders' list. */
  readonly join?: string;
}

export interface ClusterOptions {
  readonly nodes?: number;
  readonly kvGroups?: number;
  readonly replication?: number;
  /** Extra `corral server` flags for every node. */
  readonly args?: readonly string[];
}

export class TestCluster {
  readonly processes = new Map<number, ChildProcess>();
  private readonly clients = new Map<string, grpc.Client>();

  private constructor(
    readonly dir: string,
    readonly specs: NodeSpec[],
    readonly options: ClusterOptions,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<TestCluster> {
    const cluster = await TestCluster.prepare(options);
    await cluster.startAll();
    return cluster;
  }

  /** Chooses ports and data dirs without starting anything (e.g. to seed the data dirs with
   *  `corral snapshot restore` first); then `startAll()`. */
  static async prepare(options: ClusterOptions = {}): Promise<TestCluster> {
    const count = options.nodes ?? 3;
    const dir = mkdtempSync(join(tmpdir(), 'corral-cluster-'));
    const specs: NodeSpec[] = [];
    for (let id = 1; id <= count; id++) specs.push({ id, port: await freePort(), metricsPort: await freePort(), dataDir: join(dir, `node-${id}`) });
    return new TestCluster(dir, specs, options);
  }

  /** Starts every node; on failure stops everything and removes the data. */
  async startAll(): Promise<void> {
    try {
      await Promise.all(this.specs.map((spec) => this.startNode(spec.id)));
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Starts a new node (the next id) that joins the running cluster through node `via`;
   *  resolves once it serves (it has joined and holds the catalog). Returns its id. */
  async addJoiningNode(via: number, extraArgs: readonly string[] = []): Promise<number> {
    const id = Math.max(...this.specs.map((s) => s.id)) + 1;
    this.specs.push({ id, port: await freePort(), metricsPort: await freePort(), dataDir: join(this.dir, `node-${id}`), join: this.address(via) });
    await this.startNode(id, extraArgs);
    return id;
  }

  /** Where node `id`'s output goes. */
  logPath(id: number): string {
    return join(this.dir, `node-${id}.log`);
  }

  /** The founding members (nodes added with addJoiningNode are not in it). */
  get initialCluster(): string {
    return this.specs.filter((s) => s.join === undefined).map((s) => `${s.id}=127.0.0.1:${s.port}`).join(',');
  }

  address(id: number): string {
    return `127.0.0.1:${this.spec(id).port}`;
  }

  get endpoints(): string[] {
    return this.specs.map((s) => `127.0.0.1:${s.port}`);
  }

  spec(id: number): NodeSpec {
    const spec = this.specs.find((s) => s.id === id);
    if (spec === undefined) throw new Error(`no node ${id}`);
    return spec;
  }

  /** Starts (or restarts) node `id`; resolves once it serves. */
  async startNode(id: number, extraArgs: readonly string[] = []): Promise<void> {
    const spec = this.spec(id);
    const args = [
      BIN, 'server', '--id', String(id), '--listen', `127.0.0.1:${spec.port}`, '--metrics-listen', `127.0.0.1:${spec.metricsPort}`,
      '--data-dir', spec.dataDir, ...(spec.join === undefined ? ['--initial-cluster', this.initialCluster] : ['--join', spec.join]),
      '--kv-groups', String(this.options.kvGroups ?? 2), '--replication', String(this.options.replication ?? 3),
      '--log-level', 'info', ...(this.options.args ?? []), ...extraArgs,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    this.processes.set(id, child);
    const log = createWriteStream(join(this.dir, `node-${id}.log`), { flags: 'a' });
    child.stderr!.pipe(log);
    child.once('exit', () => live.delete(child));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${id} did not start within 60 s (log: ${join(this.dir, `node-${id}.log`)})`)), 60_000);
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        log.write(chunk);
        if (output.includes('serving on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`node ${id} exited during start (code ${code}, signal ${signal}); log: ${join(this.dir, `node-${id}.log`)}`));
      });
    });
  }

  /** Sends a signal and, for SIGKILL/SIGTERM, waits for the process to exit. */
  async signal(id: number, signal: NodeJS.Signals): Promise<void> {
    const child = this.processes.get(id);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 20_000); })]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  }

  kv(id: number): KVClient {
    return this.client(id, 'KV') as unknown as KVClient;
  }

  cluster(id: number): ClusterClient {
    return this.client(id, 'Cluster') as unknown as ClusterClient;
  }

  private client(id: number, service: 'KV' | 'Cluster'): grpc.Client {
    const key = `${service}/${id}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      const proto = loadCorralProto().corral.v1;
      client = new proto[service](this.address(id), grpc.credentials.createInsecure());
      this.clients.set(key, client);
    }
    return client;
  }

  status(id: number, timeoutMs = 5_000): Promise<ClusterStatusResponse__Output> {
    return new Promise((resolve, reject) => {
      this.cluster(id).Status({}, { deadline: Date.now() + timeoutMs }, (error, response) => (error ? reject(error) : resolve(response!)));
    });
  }

  /** Waits until every running node knows a leader for every group it hosts. */
  async waitForLeaders(timeoutMs = 60_000, ids: readonly number[] = this.runningIds()): Promise<void> {
    await waitFor('leaders of every group on every node', async () => {
      for (const id of ids) {
        const status = await this.status(id);
        const hosted = status.groups.filter((g) => g.voters.includes(id) || g.learners.includes(id));
        if (hosted.some((g) => g.leader === 0 || !ids.includes(Number(g.leader)))) return false;
      }
      return true;
    }, timeoutMs, 200);
  }

  runningIds(): number[] {
    return [...this.processes].filter(([, p]) => p.exitCode === null && p.signalCode === null).map(([id]) => id);
  }

  /** Stops every process (SIGKILL) and removes the data unless `keepData`. */
  async stop(keepData = false): Promise<void> {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
    await Promise.all([...this.processes.keys()].map((id) => this.signal(id, 'SIGKILL')));
    if (!keepData) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Promisified unary call on a generated client. */
export function call<Response>(
  invoke: (callback: (error: grpc.ServiceError | null, response?: Response) => void) => unknown,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    invoke((error, response) => (error ? reject(error) : resolve(response as Response)));
  });
}

/** Statuses after which a Put of the same value may be sent again: a Put is an idempotent
 *  upsert, so even an unknown outcome (DEADLINE_EXCEEDED) is safe to retry. */
export const PUT_RETRYABLE: ReadonlySet<grpc.status> = new Set([grpc.status.UNAVAILABLE, grpc.status.ABORTED, grpc.status.DEADLINE_EXCEEDED]);

/** Puts through the given nodes in turn (a list, or a function for a changing membership)
 *  until it is acknowledged; bounded in attempts. */
export async function putWithRetry(
  cluster: TestCluster,
  ids: readonly number[] | (() => readonly number[]),
  path: string,
  value: string,
  options: { readonly attemptsMax?: number; readonly backoffMs?: number } = {},
): Promise<void> {
  const attemptsMax = options.attemptsMax ?? 200;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    const targets = typeof ids === 'function' ? ids() : ids;
    const id = targets[attempt % targets.length];
    try {
      await call((cb) => cluster.kv(id).Put({ path, value: Buffer.from(value) }, { deadline: Date.now() + 5_000 }, cb));
      return;
    } catch (error) {
      lastError = error;
      if (!PUT_RETRYABLE.has((error as grpc.ServiceError).code)) throw error;
      await new Promise((r) => setTimeout(r, options.backoffMs ?? 50));
    }
  }
  throw new Error(`put ${path} never succeeded: ${String(lastError)}`);
}
