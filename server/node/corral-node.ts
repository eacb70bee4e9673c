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
import { defaultKvLimits, type KvLimits } from '../kv/limits';
import { initialLayout, type ClusterLayout } from '../meta/layout';
import { MetaStateMachine } from '../meta/meta-state-machine';
import { ConfigError, parseInitialCluster, type ServerConfig } from '../ops/config';
import type { Logger } from '../ops/logger';
import { defaultRaftConfig } from '../raft';
import type { NodeId } from '../raft/types';
import { NodeStore } from '../storage/node-store';
import { SeededRandom } from '../util/random';
import { bootstrapNode, checkIdentity, clusterIdOf } from './bootstrap';
import { KvGroupMachine } from './kv-group-machine';
import { Membership } from './membership';

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
    readonly kvGroups: ReadonlyMap<GroupId, KvGroupMachine>,
    private readonly store: NodeStore,
    private readonly transport: PeerTransport,
    private readonly server: grpc.Server,
    private readonly forwarder: Forwarder,
    private readonly logger: Logger,
  ) {}

  get nodeId(): NodeId {
    return this.config.id;
  }

  static async start(config: ServerConfig, logger: Logger): Promise<CorralNode> {
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

  private static async startWithStore(
    config: ServerConfig,
    logger: Logger,
    clusterId: string,
    members: ReturnType<typeof parseInitialCluster>,
    store: NodeStore,
  ): Promise<CorralNode> {
    const layout = initialLayout({ clusterId, members, kvGroups: config.kvGroups, replication: config.replication });
    const limits = kvLimitsOf(config);
    const makeMachine = (groupId: GroupId): GroupStateMachine =>
      groupId === META_GROUP_ID ? new MetaStateMachine(layout) : new KvGroupMachine(groupId, limits);
    if ((await checkIdentity(store, clusterId, config.id, config.dataDir)) === 'new') {
      const hosted = await bootstrapNode({ storage: store, identity: store, layout, nodeId: config.id, makeStateMachine: makeMachine });
      logger.info('bootstrapped a new data dir', { clusterId, groups: hosted });
    }
    const server = new grpc.Server({ 'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX, 'grpc.max_send_message_length': GRPC_MESSAGE_BYTES_MAX });
    const transport = new PeerTransport({ nodeId: config.id, clusterId });
    transport.addToServer(server);
    const host = new MultiRaftHost(
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
      store,
      transport,
      {
        onLeaderChange: (groupId, leader, term) => logger.info('leader changed', { group: groupId, leader, term }),
      },
    );
    const { meta, kvGroups } = await loadGroups(store, host, layout, limits);
    const node = await CorralNode.serve({ config, logger, clusterId, store, transport, server, host, meta, kvGroups, limits });
    return node;
  }

  private static async serve(parts: {
    config: ServerConfig; logger: Logger; clusterId: string; store: NodeStore; transport: PeerTransport;
    server: grpc.Server; host: MultiRaftHost; meta: MetaStateMachine; kvGroups: Map<GroupId, KvGroupMachine>; limits: KvLimits;
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
    const membership = new Membership({ host, meta, nodeId: config.id, logger: parts.logger });
    addPublicServices(server, { context, meta, clusterId: parts.clusterId, membership });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(config.listen, grpc.ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(new ConfigError(`cannot listen on ${config.listen}: ${error.message}`)) : resolve(boundPort)));
    });
    host.start();
    const address = `${config.listen.slice(0, config.listen.lastIndexOf(':'))}:${port}`;
    parts.logger.info('serving', { node: config.id, address, clusterId: parts.clusterId, groups: host.groupIds() });
    return new CorralNode(config, parts.clusterId, address, host, meta, parts.kvGroups, parts.store, transport, server, forwarder, parts.logger);
  }

  /** Stops serving and closes storage; bounded by shutdownTimeoutMs. */
  stop(): Promise<void> {
    if (this.stopping === null) this.stopping = this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.server.forceShutdown(); resolve(); }, this.config.shutdownTimeoutMs);
      this.server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    });
    await this.host.stop();
    this.forwarder.close();
    await this.transport.close();
    await this.store.close();
    this.logger.info('stopped', { node: this.nodeId });
  }
}

async function loadGroups(store: NodeStore, host: MultiRaftHost, layout: ClusterLayout, limits: KvLimits): Promise<{ meta: MetaStateMachine; kvGroups: Map<GroupId, KvGroupMachine> }> {
  let meta: MetaStateMachine | null = null;
  const kvGroups = new Map<GroupId, KvGroupMachine>();
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
      meta = new MetaStateMachine(layout);
      host.addGroup(groupId, meta, loaded.initial, snapshot?.data ?? null);
    } else {
      const machine = new KvGroupMachine(groupId, limits);
      kvGroups.set(groupId, machine);
      host.addGroup(groupId, machine, loaded.initial, snapshot?.data ?? null);
    }
  }
  if (meta === null) throw new ConfigError('data dir has no meta group replica; it was not bootstrapped completely (use an empty --data-dir)');
  return { meta, kvGroups };
}
