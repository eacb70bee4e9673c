// The operations side of one node, composed in one place so that the node's composition
// (server/node/corral-node.ts) only plugs it in: metrics and their hooks (storage wrapper,
// proposal timing, RPC interceptor), the request gate, readiness, the gRPC health service,
// the /metrics /healthz /readyz endpoint, and the drain that starts a graceful shutdown.

import type * as grpc from '@grpc/grpc-js';
import { HealthService } from '../api/health-service';
import type { HostEvents, MultiRaftHost } from '../host/multi-raft-host';
import { META_GROUP_ID, type GroupId, type HostStorage } from '../host/ports';
import type { TransportStats } from '../host/transport/transport-stats';
import { MetaStateMachine } from '../meta/meta-state-machine';
import { groupForNamespace, namespaceOfPath } from '../meta/shard-map';
import type { StoreStats } from '../storage/storage-types';
import type { ServerConfig } from './config';
import { drainLeadership, type DrainResult } from './leadership-drain';
import type { Logger } from './logger';
import { groupViewsOf, type KvGroupView } from './metric-sources';
import { CorralMetrics } from './metrics';
import { ObservedStorage } from './observed-storage';
import { OpsHttpServer } from './ops-http';
import { checkReadiness, type Readiness } from './readiness';
import { RequestGate } from './request-gate';
import { createRpcInterceptor } from './rpc-interceptor';
import { WatchStreamObserver } from './watch-stream-observer';

/** How often a gRPC health Watch re-checks readiness, and how many may run at once. */
const HEALTH_WATCH_POLL_MS = 1_000;
const HEALTH_WATCHES_MAX = 1_000;
/** Share of shutdownTimeoutMs kept for closing the host, transport, server and RocksDB. */
const CLOSE_RESERVE_SHARE = 0.25;
const CLOSE_RESERVE_MS_MAX = 3_000;

export interface NodeOpsParts {
  readonly server: grpc.Server;
  readonly host: MultiRaftHost;
  readonly store: { stats(): StoreStats };
  readonly transport: { stats(): TransportStats };
  readonly kvGroups: ReadonlyMap<GroupId, Omit<KvGroupView, 'groupId'>>;
}

export class NodeOps {
  readonly metrics: CorralMetrics;
  readonly gate = new RequestGate();
  readonly interceptor: grpc.ServerInterceptor;
  private readonly health: HealthService;
  private host: MultiRaftHost | null = null;
  private http: OpsHttpServer | null = null;

  constructor(
    private readonly config: ServerConfig,
    clusterId: string,
    private readonly logger: Logger,
  ) {
    this.metrics = new CorralMetrics({ nodeId: config.id, clusterId, processMetrics: true });
    const streams = new WatchStreamObserver(this.metrics, (path) => this.groupOfPath(path));
    this.interceptor = createRpcInterceptor({ gate: this.gate, observer: this.metrics, nodeId: config.id, streams });
    this.health = new HealthService({ ready: () => this.readiness().ready, pollMs: HEALTH_WATCH_POLL_MS, watchesMax: HEALTH_WATCHES_MAX });
  }

  /** The storage the host should write through (times fsyncs and snapshots). */
  observeStorage(store: HostStorage): HostStorage {
    return new ObservedStorage(store, this.metrics);
  }

  /** `events` plus the counting of applied session expiries. */
  hostEvents(events: HostEvents): HostEvents {
    return {
      ...events,
      onApplied: (groupId, index, result) => {
        events.onApplied?.(groupId, index, result);
        const expired = expiredSessionsOf(result);
        if (expired > 0) this.metrics.recordSessionsExpired(groupId, expired);
      },
    };
  }

  /** Registers the gRPC health service; call before the server binds. */
  addServices(server: grpc.Server): void {
    this.health.addTo(server);
  }

  /** Attaches the parts metrics and readiness read, and opens --metrics-listen (if set). */
  async start(parts: NodeOpsParts): Promise<void> {
    this.host = parts.host;
    const host = parts.host;
    this.metrics.attach({
      nodeId: this.config.id,
      groups: () => groupViewsOf(host),
      // Read through the getters each scrape: a restore from a snapshot replaces `state`.
      kvGroups: () => [...parts.kvGroups].map(([groupId, kv]) => ({ groupId, state: kv.state, ...(kv.hub !== undefined ? { hub: kv.hub } : {}) })),
      host: () => host.stats,
      store: () => parts.store.stats(),
      transport: () => parts.transport.stats(),
    });
    if (this.config.metricsListen === '') return;
    this.http = await OpsHttpServer.start({
      listen: this.config.metricsListen,
      renderMetrics: () => this.metrics.render(),
      metricsContentType: this.metrics.contentType,
      readiness: () => this.readiness(),
      logger: this.logger,
    });
    this.logger.info('ops endpoint listening', { address: this.http.address, paths: ['/metrics', '/healthz', '/readyz'] });
  }

  get opsAddress(): string | null {
    return this.http?.address ?? null;
  }

  /** The KV group of a path by this node's meta replica (null before the host is attached or
   *  while the shard map is empty). */
  private groupOfPath(path: string): GroupId | null {
    const meta = this.host?.group(META_GROUP_ID)?.sm;
    if (!(meta instanceof MetaStateMachine) || meta.layout.slots.length === 0) return null;
    const namespace = namespaceOfPath(path);
    if (namespace === '') return null;
    try {
      return groupForNamespace(meta.layout.slots, namespace);
    } catch {
      return null; // a path the watch service will refuse anyway
    }
  }

  readiness(): Readiness {
    const groups = this.host === null ? [] : groupViewsOf(this.host);
    return checkReadiness({ draining: this.gate.closed, groups, lagEntriesMax: this.config.readyLagEntriesMax });
  }

  /** The first half of a graceful shutdown: refuse new client calls, hand every leadership
   *  over, wait for admitted unary calls. Returns by `deadlineMs` (absolute, Date.now()). */
  async drain(deadlineMs: number): Promise<DrainResult> {
    this.gate.close();
    this.metrics.setDraining(true);
    const host = this.host;
    if (host === null) return { moved: [], stuck: [] };
    const electionMs = this.config.tickMs * this.config.electionTicks;
    const result = await drainLeadership({ host, nodeId: this.config.id, deadlineMs, pollMs: this.config.tickMs, retryMs: Math.max(this.config.tickMs, electionMs), logger: this.logger });
    const idle = await this.gate.waitIdle(deadlineMs - Date.now());
    const inFlight = this.gate.inFlight;
    this.logger.info('drained', { leadershipsMoved: result.moved, leadershipsStuck: result.stuck, unaryInFlight: inFlight.unary, idle });
    return result;
  }

  /** When the drain must end so that closing still fits in shutdownTimeoutMs. */
  drainDeadline(startMs: number): number {
    const reserveMs = Math.min(CLOSE_RESERVE_MS_MAX, this.config.shutdownTimeoutMs * CLOSE_RESERVE_SHARE);
    return startMs + this.config.shutdownTimeoutMs - reserveMs;
  }

  /** Ends health watches (they would hold the gRPC server open). */
  closeStreams(): void {
    this.health.close();
  }

  async close(): Promise<void> {
    this.health.close();
    await this.http?.close();
  }
}

/** Sessions expired by an applied entry's result, whatever wraps it (KvApplied or KvResult). */
export function expiredSessionsOf(result: unknown): number {
  const inner = isRecord(result) && isRecord(result.result) ? result.result : result;
  if (!isRecord(inner) || inner.ok !== true || inner.kind !== 'sessionExpire' || !Array.isArray(inner.expired)) return 0;
  return inner.expired.length;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
