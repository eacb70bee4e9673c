// The parts of a node that keep the cluster in shape, built and stopped together:
// - the replica lifecycle (which replicas this node hosts, per the catalog),
// - the replica reconciler (group leaders move their configuration to the catalog's target
//   and hand leadership to the preferred leader),
// - the placement loop (on the meta leader: membership, replica placement, leader balance),
// - membership operations (add/remove node, create group) served by the Cluster service.

import type { MultiRaftHost } from '../host/multi-raft-host';
import type { GroupId, GroupStateMachine, HostStorage } from '../host/ports';
import type { MetaStateMachine } from '../meta/meta-state-machine';
import type { ServerConfig } from '../ops/config';
import type { Logger } from '../ops/logger';
import { ClusterPeers } from './cluster-peers';
import { Membership, proposeMetaCommand } from './membership';
import { PlacementLoop } from './placement-loop';
import { ReplicaLifecycle } from './replica-lifecycle';
import { ReplicaReconciler } from './replica-reconciler';

/** A learner is promoted (a voter handed leadership) only this close to the leader's log end. */
const CATCH_UP_LAG_ENTRIES_MAX = 100;
/** Group leaders' steps in flight on this node at once. */
const RECONCILER_STEPS_IN_FLIGHT_MAX = 16;
/** KV groups whose replica set may change at the same time. */
const MOVES_IN_FLIGHT_MAX = 2;
/** Catalog edits per placement round. */
const PLACEMENT_ACTIONS_PER_ROUND_MAX = 8;
/** Bound on one Status poll of a member. */
const POLL_TIMEOUT_MS_MAX = 2_000;
/** Member clients kept open (placement polls, removal evidence). */
const PEER_CLIENTS_MAX = 64;

export interface ClusterAgentsOptions<M extends GroupStateMachine> {
  readonly config: ServerConfig;
  readonly host: MultiRaftHost;
  readonly storage: Pick<HostStorage, 'saveSnapshot'>;
  readonly meta: MetaStateMachine;
  readonly kvGroups: Map<GroupId, M>;
  readonly makeKv: (groupId: GroupId) => M;
  readonly logger: Logger;
}

export class ClusterAgents<M extends GroupStateMachine> {
  readonly peers = new ClusterPeers(PEER_CLIENTS_MAX);
  readonly lifecycle: ReplicaLifecycle<M>;
  readonly reconciler: ReplicaReconciler;
  readonly placement: PlacementLoop;
  readonly membership: Membership;

  /** Installs the host's unknown-group hook at once: build before the node serves peers. */
  constructor(options: ClusterAgentsOptions<M>) {
    const { config, host, meta } = options;
    const nodeId = config.id;
    const intervalMs = config.placementIntervalMs;
    this.lifecycle = new ReplicaLifecycle({
      nodeId, host, meta, storage: options.storage, kvGroups: options.kvGroups, makeKv: options.makeKv, peers: this.peers,
      logger: options.logger.child({ part: 'lifecycle' }), intervalMs, requestTimeoutMs: Math.min(config.requestTimeoutMs, POLL_TIMEOUT_MS_MAX),
    });
    host.onUnknownGroup(this.lifecycle.handleUnknownGroup);
    this.reconciler = new ReplicaReconciler({
      nodeId, host, meta, logger: options.logger.child({ part: 'reconciler' }),
      intervalMs: Math.max(50, Math.floor(intervalMs / 2)),
      catchUpLagEntriesMax: CATCH_UP_LAG_ENTRIES_MAX,
      transferCooldownMs: 2 * config.tickMs * config.electionTicks,
      preferredTransferDelayMs: 3 * config.tickMs * config.electionTicks,
      stepsInFlightMax: RECONCILER_STEPS_IN_FLIGHT_MAX,
      stepTimeoutMs: config.requestTimeoutMs,
    });
    this.placement = new PlacementLoop({
      nodeId, host, meta, peers: this.peers, logger: options.logger.child({ part: 'placement' }),
      proposeMeta: (command) => proposeMetaCommand(host, command),
      intervalMs,
      memberDownAfterMs: config.memberDownAfterMs,
      pollTimeoutMs: Math.min(config.requestTimeoutMs, POLL_TIMEOUT_MS_MAX),
      catchUpLagEntriesMax: CATCH_UP_LAG_ENTRIES_MAX,
      actionsPerRoundMax: PLACEMENT_ACTIONS_PER_ROUND_MAX,
      limits: { movesInFlightMax: MOVES_IN_FLIGHT_MAX },
    });
    this.membership = new Membership({ host, meta, nodeId, logger: options.logger, usableMembers: () => this.placement.usableMembers() });
  }

  start(): void {
    this.lifecycle.start();
    this.reconciler.start();
    this.placement.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.placement.stop(), this.reconciler.stop(), this.lifecycle.stop()]);
    this.peers.close();
  }
}
