// Joining a running cluster (`--join host:port`): find out which cluster answers there and
// check it is the intended one, ask it to add this node (Cluster.AddNode, which any member
// forwards to the meta leader), then wait until the meta leader has brought this node's meta
// replica up to date (the replica is created when its first message arrives: see
// replica-lifecycle.ts). Every step is bounded by joinTimeoutMs and fails with a ConfigError
// that says what to check.

import * as grpc from '@grpc/grpc-js';
import type { ClusterStatusResponse__Output } from '../../proto/gen/corral/v1/ClusterStatusResponse';
import type { MetaStateMachine } from '../meta/meta-state-machine';
import { type ClusterMember, ConfigError, parseInitialCluster, parseJoinAddresses, type ServerConfig } from '../ops/config';
import type { Logger } from '../ops/logger';
import type { NodeId } from '../raft/types';
import { clusterIdOf } from './bootstrap';
import { type ClusterPeers, grpcCodeOf } from './cluster-peers';

/** Pause between two attempts to reach the cluster. */
const JOIN_RETRY_MS = 200;
/** Bound on one call while joining. */
const JOIN_CALL_TIMEOUT_MS = 3_000;
/** Answers that mean "try again" (elections, forwarding, a member starting up). */
const RETRYABLE_CODES: ReadonlySet<grpc.status> = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.ABORTED]);

export interface JoinPlan {
  readonly clusterId: string;
  /** Members to dial before this node has a catalog of its own. */
  readonly seedPeers: readonly ClusterMember[];
  /** Whether this node must (still) ask to be added. */
  readonly register: boolean;
}

export interface JoinContext {
  readonly config: ServerConfig;
  readonly peers: ClusterPeers;
  readonly logger: Logger;
}

/** Decides how this start joins: a restart of a node that already has its meta replica needs
 *  nobody; a first start (or a crash before the catalog arrived) asks the cluster. */
export async function prepareJoin(context: JoinContext, identity: { clusterId: string; nodeId: number } | null, hasMetaReplica: boolean): Promise<JoinPlan> {
  const { config } = context;
  const expected = config.initialCluster === '' ? null : clusterIdOf(config.clusterToken, parseInitialCluster(config.initialCluster));
  if (identity !== null) {
    if (identity.nodeId !== config.id) throw new ConfigError(`data dir ${config.dataDir} belongs to node ${identity.nodeId}, not node ${config.id} (check --id or --data-dir)`);
    checkClusterId(config, identity.clusterId, expected, `data dir ${config.dataDir} belongs to`);
    if (hasMetaReplica) return { clusterId: identity.clusterId, seedPeers: [], register: false };
  }
  const status = await discoverCluster(context);
  const clusterId = status.cluster_id;
  checkClusterId(config, clusterId, expected, `the cluster at ${config.join} is`);
  if (identity !== null && identity.clusterId !== clusterId) {
    throw new ConfigError(`data dir ${config.dataDir} belongs to cluster "${identity.clusterId}", but the cluster at ${config.join} is "${clusterId}"`);
  }
  const self = status.members.find((m) => Number(m.id) === config.id);
  if (self?.state === 'removed') throw new ConfigError(`node id ${config.id} belonged to a removed member of cluster "${clusterId}"; ids are never reused, start with a new --id and an empty --data-dir`);
  if (self !== undefined && self.address !== config.advertise) {
    throw new ConfigError(`node ${config.id} is already a member of cluster "${clusterId}" at ${self.address}, not ${config.advertise} (check --id and --advertise)`);
  }
  const seedPeers = status.members.filter((m) => m.state !== 'removed' && Number(m.id) !== config.id).map((m) => ({ id: Number(m.id), address: m.address }));
  context.logger.info('joining cluster', { clusterId, via: config.join, members: seedPeers.map((m) => m.id) });
  return { clusterId, seedPeers, register: true };
}

function checkClusterId(config: ServerConfig, actual: string, expected: string | null, subject: string): void {
  if (expected !== null && actual !== expected) {
    throw new ConfigError(`${subject} cluster "${actual}", but --initial-cluster and --cluster-token describe cluster "${expected}"`);
  }
  if (!actual.startsWith(`${config.clusterToken}-`)) {
    throw new ConfigError(`${subject} cluster "${actual}", which does not have --cluster-token "${config.clusterToken}" (check --cluster-token and --join)`);
  }
}

/** Status from the first join address that answers with a catalog. */
async function discoverCluster(context: JoinContext): Promise<ClusterStatusResponse__Output> {
  const addresses = parseJoinAddresses(context.config.join);
  const deadline = Date.now() + context.config.joinTimeoutMs;
  let lastError = 'no answer';
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const address = addresses[attempt % addresses.length];
    try {
      const status = await context.peers.status(address, callTimeoutMs(deadline));
      if (status.members.length > 0) return status;
      lastError = `${address} has no catalog yet`;
    } catch (error) {
      lastError = `${address}: ${error instanceof Error ? error.message : String(error)}`;
    }
    await sleep(Math.min(JOIN_RETRY_MS, Math.max(0, deadline - Date.now())));
  }
  throw new ConfigError(`could not reach the cluster to join at ${context.config.join} within ${context.config.joinTimeoutMs} ms (last error: ${lastError}); check --join`);
}

/** Cluster.AddNode through any join address, retried while the answer is retryable. */
export async function registerMember(context: JoinContext): Promise<void> {
  const { config } = context;
  const addresses = parseJoinAddresses(config.join);
  const deadline = Date.now() + config.joinTimeoutMs;
  let lastError = 'no answer';
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const address = addresses[attempt % addresses.length];
    try {
      await context.peers.addNode(address, config.id, config.advertise, callTimeoutMs(deadline));
      context.logger.info('added to the cluster', { via: address, address: config.advertise });
      return;
    } catch (error) {
      const code = grpcCodeOf(error);
      const message = error instanceof Error ? error.message : String(error);
      if (code !== null && !RETRYABLE_CODES.has(code)) throw new ConfigError(`the cluster refused to add node ${config.id}: ${message}`);
      lastError = `${address}: ${message}`;
    }
    await sleep(Math.min(JOIN_RETRY_MS, Math.max(0, deadline - Date.now())));
  }
  throw new ConfigError(`could not join the cluster at ${config.join} within ${config.joinTimeoutMs} ms (last error: ${lastError})`);
}

/** Resolves once this node's meta replica holds a catalog that lists it. */
export function waitForCatalog(meta: MetaStateMachine, nodeId: NodeId, config: ServerConfig): Promise<void> {
  if (meta.member(nodeId) !== undefined) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new ConfigError(
        `added to the cluster, but the meta leader did not bring this node's catalog up to date within ${config.joinTimeoutMs} ms; ` +
          `check that the members can reach this node at --advertise ${config.advertise}`,
      ));
    }, config.joinTimeoutMs);
    const unsubscribe = meta.onChange(() => {
      if (meta.member(nodeId) === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

function callTimeoutMs(deadline: number): number {
  return Math.max(1, Math.min(JOIN_CALL_TIMEOUT_MS, deadline - Date.now()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
