// Shared pieces of the coordination tests: which group a namespace lives in, who leads it,
// and small wrappers over the raw clients.

import * as grpc from '@grpc/grpc-js';
import { groupForNamespace } from '../../server/meta/shard-map';
import { TestCluster, waitFor } from '../cluster/harness';
import { Clients, deadline, statusOf, unaryCall, withRetry, type CallStatus } from './raw-client';

export async function groupOfNamespace(cluster: TestCluster, namespace: string): Promise<number> {
  const id = cluster.runningIds()[0];
  const status = await cluster.status(id);
  return groupForNamespace(status.slots.map(Number), namespace);
}

/** The group's leader as the running nodes see it (waits until one is known and running). */
export async function leaderOf(cluster: TestCluster, groupId: number, timeoutMs = 30_000): Promise<number> {
  return waitFor(`a running leader of group ${groupId}`, async () => {
    const running = cluster.runningIds();
    for (const id of running) {
      const status = await cluster.status(id, 2_000);
      const leader = Number(status.groups.find((g) => Number(g.id) === groupId)?.leader ?? 0);
      if (leader !== 0 && running.includes(leader)) return leader;
    }
    return undefined;
  }, timeoutMs, 100);
}

export function endpointsOf(cluster: TestCluster): string[] {
  return cluster.runningIds().map((id) => cluster.address(id));
}

/** Expects the call to fail with `code`; returns the status (details checked by the caller). */
export async function expectStatus(promise: Promise<unknown>, code: grpc.status): Promise<CallStatus> {
  let status: CallStatus | null = null;
  try {
    await promise;
  } catch (error) {
    status = statusOf(error);
  }
  if (status === null) throw new Error(`expected status ${grpc.status[code]}, but the call succeeded`);
  if (status.code !== code) throw new Error(`expected status ${grpc.status[code]}, got ${grpc.status[status.code]}: ${status.details}`);
  return status;
}

export interface NodeReply {
  readonly value: Buffer;
  readonly revision: number;
  readonly stat: { readonly version: number; readonly ephemeral_owner: number; readonly create_revision: number } | null;
}

export function get(clients: Clients, address: string, path: string): Promise<NodeReply> {
  return unaryCall<NodeReply>((cb) => clients.kv(address).Get({ path }, deadline(5_000), cb));
}

export async function exists(clients: Clients, endpoints: readonly string[], path: string): Promise<{ exists: boolean; revision: number; stat: NodeReply['stat'] }> {
  const response = await withRetry(`exists ${path}`, endpoints, (address) =>
    unaryCall<{ exists: boolean; revision: number; stat: NodeReply['stat'] }>((cb) => clients.kv(address).Exists({ path }, deadline(5_000), cb)));
  return { exists: response.exists, revision: Number(response.revision), stat: response.stat };
}

/** The group revision a namespace is at (linearizable). */
export async function revisionOf(clients: Clients, endpoints: readonly string[], namespace: string): Promise<number> {
  return (await exists(clients, endpoints, `/${namespace}`)).revision;
}

/** Waits until every running node answers a linearizable read of the namespace (the first
 *  reads after an election can stall until the new leader commits in its term). */
export async function warmUp(cluster: TestCluster, clients: Clients, namespace: string): Promise<void> {
  for (const address of endpointsOf(cluster)) await exists(clients, [address], `/${namespace}`);
}

/** A running node other than the one at `failed` (for a watch to resume on). */
export function otherEndpoint(cluster: TestCluster, failed: string): string {
  const running = endpointsOf(cluster);
  const others = running.filter((address) => address !== failed);
  return others[Math.floor(Math.random() * others.length)] ?? running[0];
}

/**
 * Best effort: waits (up to `timeoutMs`, never failing) until every KV group is led by its
 * initial preferred leader (member g for group g, the initial layout's round-robin), since
 * the placement loop moves leadership there a few seconds after start — a move that would
 * otherwise land in the middle of a test as a transient UNAVAILABLE.
 */
export async function settleLeadership(cluster: TestCluster, timeoutMs = 20_000): Promise<void> {
  const ids = cluster.specs.map((spec) => spec.id).sort((a, b) => a - b);
  await waitFor('preferred leaders', async () => {
    const status = await cluster.status(cluster.runningIds()[0], 2_000);
    const kvGroups = status.groups.filter((g) => Number(g.id) !== 0);
    return kvGroups.every((g) => Number(g.leader) === ids[(Number(g.id) - 1) % ids.length]);
  }, timeoutMs, 200).catch(() => undefined);
}
