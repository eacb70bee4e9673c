// One Corral node: the only place that builds the real implementations (RocksDB storage,
// gRPC transport and API, timers) and wires them to the host and the state machines.

import * as grpc from '@grpc/grpc-js';
import { randomInt } from 'node:crypto';
import { ApiContext } from '../api/api-context';
import { Forwarder } from '../api/forwarder';
import { addPublicServices } from '../api/services';
import { Router } from '../api/router';
import { MultiRaftHost } from '../host/multi-raft-host';
import { META_GROUP_ID, type GroupId, type GroupStateMachine } from '../host/ports';
import { PeerTransport } from '../host/transport/peer-transport';
import { KvGroupStateMachine } from '../kv/kv-group';
import { defaultKvLimits, type KvLimits } from '../kv/limits';
import { emptyLayout, initialLayout, type ClusterLayout } from '../meta/layout';
import { MetaStateMachine } from '../meta/meta-state-machine';
import { type ClusterMember, ConfigError, parseInitialCluster, type ServerConfig } from '../ops/config';
import type { Logger } from '../ops/logger';
import { NodeOps } from '../ops/node-ops';
import { ObservedHost } from '../ops/observed-host';
import { defaultRaftConfig } from '../raft';
import type { NodeId } from '../raft/types';
import { NodeStore } from '../storage/node-store';
import { SeededRandom } from '../util/random';
import { bootstrapNode, checkIdentity, clusterIdOf } from './bootstrap';
import { ClusterAgents } from './cluster-agents';
import { prepareJoin, registerMember, waitForCatalog } from './join';
import { ClusterPeers } from './cluster-peers';
import { kvRuntimeOf, type KvRuntime } from './kv-runtime';

/** Largest gRPC message accepted: a maximal value plus framing, or a peer batch. */
const GRPC_MESSAGE_BYTES_MAX = 16 * 1024 * 1024;

export function kvLimitsOf(config: ServerConfig): KvLimits {
  return {
    ...defaultKvLimits(),
    pathBytesMax: config.pathBytesMax,
    valueBytesMax: config.valueBytesMax,
    sessionTtlMsMin: config.sessionTtlMsMin,
    sessionTtlMsMax: config.sessionTtlMsMax,
    sessionsMax: config.sessionsMax,
    watchersMax: config.watchersMax,
    watchQueueEventsMax: config.watchQueueEventsMax,
    watchHistoryEventsMax: config.watchHistoryEventsMax,
    txnOpsMax: config.txnOpsMax,
    listPageMax: config.listPageMax,
  };
}

export class CorralNode {
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly config: ServerConfig,
    readonly clusterId: string,
    readonly address: string,
    readonly host: MultiRaftHost,
    readonly meta: MetaStateMachine,
    readonly kvGroups: ReadonlyMap<GroupId, KvGroupStateMachine>,
    private readonly store: NodeStore,
    private readonly transport: PeerTransport,
    private readonly server: grpc.Server,
    private readonly forwarder: Forwarder,
    private readonly logger: Logger,
    /** Metrics, health, readiness and the drain of a graceful shutdown. */
    readonly ops: NodeOps,
    /** Replica lifecycle, group reconciliation, placement, membership. */
    readonly agents: ClusterAgents<KvGroupStateMachine>,
    /** Session tracker leader loop, lock waits, watch and keepalive streams. */
    private readonly runtime: KvRuntime,
  ) {}

  get nodeId(): NodeId {
    return this.config.id;
  }

  static async start(config: ServerConfig, logger: Logger): Promise<CorralNode> {
    if (config.join !== '') return CorralNode.startJoining(config, logger);
    const members = parseInitialCluster(config.initialCluster);
    const clusterId = clusterIdOf(config.clusterToken, members);
    const store = await NodeStore.open({ dir: config.dataDir });
    try {
      return await CorralNode.startWithStore(config, logger, clusterId, members, store);
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /** A node joining a running cluster (--join): it bootstraps nothing; the meta leader
   *  creates its meta replica (see replica-lifecycle.ts), then placement gives it replicas. */
  private static async startJoining(config: ServerConfig, logger: Logger): Promise<CorralNode> {
    const peers = new ClusterPeers(4);
    const store = await NodeStore.open({ dir: config.dataDir });
    try {
      const context = { config, peers, logger };
      const plan = await prepareJoin(context, await store.readIdentity(), (await store.listGroups()).includes(META_GROUP_ID));
      const node = await CorralNode.startWithStore(config, logger, plan.clusterId, null, store, plan.seedPeers);
      try {
        if (plan.register) {
          await registerMember(context);
          await store.writeIdentity({ clusterId: plan.clusterId, nodeId: config.id });
        }
        await waitForCatalog(node.meta, config.id, config);
      } catch (error) {
        await node.stop();
        throw error;
      }
      return node;
    } catch (error) {
      await store.close();
      throw error;
    } finally {
      peers.close();
    }
  }

  /** `members` null: a joining node (no bootstrap; `seedPeers` until the catalog arrives). */
  private static async startWithStore(
    config: ServerConfig,
    logger: Logger,
    clusterId: string,
    members: ReturnType<typeof parseInitialCluster> | null,
    store: NodeStore,
    seedPeers: readonly ClusterMember[] = [],
  ): Promise<CorralNode> {
    const limits = kvLimitsOf(config);
    if (members !== null && (await checkIdentity(store, clusterId, config.id, config.dataDir)) === 'new') {
      const layout = initialLayout({ clusterId, members, kvGroups: config.kvGroups, replication: config.replication });
      const makeMachine = (groupId: GroupId): GroupStateMachine =>
        groupId === META_GROUP_ID ? new MetaStateMachine(layout) : new KvGroupStateMachine(limits);
      const hosted = await bootstrapNode({ storage: store, identity: store, layout, nodeId: config.id, makeStateMachine: makeMachine });
      logger.info('bootstrapped a new data dir', { clusterId, groups: hosted });
    }
    const ops = new NodeOps(config, clusterId, logger);
    const server = new grpc.Server({
      'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX, 'grpc.max_send_message_length': GRPC_MESSAGE_BYTES_MAX, interceptors: [ops.interceptor],
    });
    const transport = new PeerTransport({ nodeId: config.id, clusterId });
    transport.addToServer(server);
    // The coordination runtime hears every apply; the KV machines it serves are bound once loaded.
    const kvGroupsLoaded: { current: ReadonlyMap<GroupId, KvGroupStateMachine> } = { current: new Map() };
    const runtime = kvRuntimeOf(config, limits, logger, (groupId) => kvGroupsLoaded.current.get(groupId));
    const host = new ObservedHost(
      ops.metrics,
      {
        nodeId: config.id,
        tickMs: config.tickMs,
        raftConfig: () => ({ ...defaultRaftConfig(config.id, new SeededRandom(randomInt(0x7fffffff))), electionTicks: config.electionTicks, heartbeatTicks: config.heartbeatTicks }),
        inputQueueMax: 100_000,
        pendingProposalsMax: 50_000,
        snapshotEntries: config.snapshotEntries,
        catchUpEntries: config.catchUpEntries,
        ticksPerPassMax: 2,
      },
      ops.observeStorage(store),
      transport,
      ops.hostEvents({
        onLeaderChange: (groupId, leader, term) => {
          logger.info('leader changed', { group: groupId, leader, term });
          runtime.onLeaderChange(groupId);
        },
        onApplied: (groupId, index, result) => runtime.onApplied(groupId, index, result),
        onSnapshotInstalled: (groupId) => runtime.onSnapshotInstalled(groupId),
      }),
    );
    const { meta, kvGroups } = await loadGroups(store, host, clusterId, limits, members === null);
    kvGroupsLoaded.current = kvGroups;
    for (const peer of seedPeers) transport.setPeer(peer.id, peer.address);
    const node = await CorralNode.serve({ config, logger, clusterId, store, transport, server, host, meta, kvGroups, limits, ops, runtime });
    return node;
  }

  private static async serve(parts: {
    config: ServerConfig; logger: Logger; clusterId: string; store: NodeStore; transport: PeerTransport;
    server: grpc.Server; host: MultiRaftHost; meta: MetaStateMachine; kvGroups: Map<GroupId, KvGroupStateMachine>; limits: KvLimits; ops: NodeOps;
    runtime: KvRuntime;
  }): Promise<CorralNode> {
    const { config, transport, meta, host, server } = parts;
    const syncPeers = (layout: ClusterLayout): void => {
      for (const member of layout.members) if (member.id !== config.id && member.state !== 'removed') transport.setPeer(member.id, member.address);
    };
    syncPeers(meta.layout);
    meta.onChange(syncPeers);
    const router = new Router(host, meta);
    const forwarder = new Forwarder(64);
    const context = new ApiContext({
      host, router, forwarder, limits: parts.limits, requestTimeoutMs: config.requestTimeoutMs, nodeId: config.id,
      kvGroup: (groupId) => parts.kvGroups.get(groupId),
    });
    const agents = new ClusterAgents({
      config, host, storage: parts.store, meta, kvGroups: parts.kvGroups, makeKv: () => new KvGroupStateMachine(parts.limits), logger: parts.logger,
    });
    addPublicServices(server, { context, meta, clusterId: parts.clusterId, membership: agents.membership, coordination: parts.runtime });
    parts.ops.addServices(server);
    await parts.ops.start({ server, host, store: parts.store, transport, kvGroups: parts.kvGroups });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(config.listen, grpc.ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(new ConfigError(`cannot listen on ${config.listen}: ${error.message}`)) : resolve(boundPort)));
    }).catch(async (error: unknown) => {
      await parts.ops.close();
      throw error;
    });
    host.start();
    parts.runtime.start(host);
    agents.start();
    const address = `${config.listen.slice(0, config.listen.lastIndexOf(':'))}:${port}`;
    parts.logger.info('serving', { node: config.id, address, clusterId: parts.clusterId, groups: host.groupIds() });
    return new CorralNode(config, parts.clusterId, address, host, meta, parts.kvGroups, parts.store, transport, server, forwarder, parts.logger, parts.ops, agents, parts.runtime);
  }

  /** Graceful shutdown, bounded by shutdownTimeoutMs: refuses new client calls, hands every
   *  leadership to another voter and lets admitted calls finish (ops.drain), then stops the
   *  host, the peer transport, the gRPC server and the ops endpoint, and closes RocksDB. */
  stop(): Promise<void> {
    if (this.stopping === null) this.stopping = this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const startMs = Date.now();
    // Ends watch/observe/keepalive streams and lock waits (clients retry elsewhere), so that
    // the drain below does not wait for them.
    this.runtime.stop();
    await this.ops.drain(this.ops.drainDeadline(startMs));
    this.ops.closeStreams();
    await this.agents.stop();
    await this.host.stop();
    // The server stops taking calls first; closing the transport then ends the peers'
    // inbound streams, which would otherwise keep tryShutdown waiting.
    const serverDone = new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.server.forceShutdown(); resolve(); }, Math.max(0, startMs + this.config.shutdownTimeoutMs - Date.now()));
      this.server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    });
    await this.transport.close();
    await serverDone;
    this.forwarder.close();
    await this.ops.close();
    await this.store.close();
    const { fsyncs, entriesPersisted } = this.host.stats;
    this.logger.info('stopped', { node: this.nodeId, fsyncs, entriesPersisted, entriesPerFsync: fsyncs === 0 ? 0 : entriesPersisted / fsyncs });
  }
}

/** `joining`: a node whose meta replica may not exist yet (the meta leader creates it). */
async function loadGroups(
  store: NodeStore, host: MultiRaftHost, clusterId: string, limits: KvLimits, joining: boolean,
): Promise<{ meta: MetaStateMachine; kvGroups: Map<GroupId, KvGroupStateMachine> }> {
  let meta: MetaStateMachine | null = null;
  const kvGroups = new Map<GroupId, KvGroupStateMachine>();
  for (const groupId of await store.listGroups()) {
    const loaded = await store.loadGroup(groupId);
    if (loaded.corruption !== null) {
      // A record that fails its checksum may be an entry this node acknowledged: dropping it
      // could lose a committed write, so the node refuses to start instead.
      throw new ConfigError(
        `group ${groupId}: log record at index ${loaded.corruption.index} is corrupt (${loaded.corruption.reason}); ` +
          'refusing to start. Remove this node from the cluster, wipe its data dir and add it back as a new node.',
      );
    }
    const snapshot = await store.loadSnapshot(groupId);
    if (groupId === META_GROUP_ID) {
      // The stored snapshot (at least the bootstrap one at index 0) carries the layout.
      meta = new MetaStateMachine(emptyLayout(clusterId));
      host.addGroup(groupId, meta, loaded.initial, snapshot?.data ?? null);
    } else {
      const machine = new KvGroupStateMachine(limits);
      kvGroups.set(groupId, machine);
      host.addGroup(groupId, machine, loaded.initial, snapshot?.data ?? null);
    }
  }
  if (meta === null && joining) meta = new MetaStateMachine(emptyLayout(clusterId));
  if (meta === null) throw new ConfigError('data dir has no meta group replica; it was not bootstrapped completely (use an empty --data-dir)');
  return { meta, kvGroups };
}
