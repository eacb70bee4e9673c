// Where to send a call, from the cached cluster view. Pure functions over plain data, so the
// rules are unit-tested without a network:
// - a write (or a session keepalive) goes to the group's leader when it is known;
// - a read goes to any replica of the group (rotating), the leader included;
// - addresses that just failed are avoided while an alternative exists;
// - with nothing known, any endpoint will do: every node forwards to the leader.

import type { ClusterStatusResponse__Output } from '../proto/gen/corral/v1/ClusterStatusResponse';
import { assert } from './assert';
import { groupOfNamespace } from './shard-map';

export const DEFAULT_PORT = 7400;

export interface MemberView {
  readonly id: number;
  readonly address: string;
  readonly state: string;
}

export interface GroupView {
  readonly id: number;
  readonly voters: readonly number[];
  readonly learners: readonly number[];
  /** 0 when the answering node knew no leader. */
  readonly leader: number;
}

export interface ClusterView {
  readonly clusterId: string;
  readonly members: ReadonlyMap<number, MemberView>;
  readonly groups: ReadonlyMap<number, GroupView>;
  readonly slots: readonly number[];
}

export type Role = 'leader' | 'replica';

export interface RouteRequest {
  /** The namespace the call touches; null for calls about the cluster as a whole. */
  readonly namespace: string | null;
  readonly role: Role;
  /** Rotates the choice among equally good addresses (attempt number, call counter). */
  readonly rotation: number;
}

export interface Route {
  readonly address: string;
  /** The group the namespace maps to (undefined when unknown or not asked). */
  readonly groupId: number | undefined;
}

/** Parses `host:port,host:port` (a missing port means DEFAULT_PORT). */
export function parseEndpoints(endpoints: string | readonly string[]): string[] {
  const list = typeof endpoints === 'string' ? endpoints.split(',') : [...endpoints];
  const parsed = list.map((e) => e.trim()).filter((e) => e.length > 0).map(withPort);
  return [...new Set(parsed)];
}

function withPort(endpoint: string): string {
  const bracketed = endpoint.startsWith('[');
  const hasPort = bracketed ? /\]:\d+$/.test(endpoint) : /:\d+$/.test(endpoint) && endpoint.split(':').length === 2;
  return hasPort ? endpoint : `${endpoint}:${DEFAULT_PORT}`;
}

export function clusterViewOf(status: ClusterStatusResponse__Output): ClusterView {
  const members = new Map<number, MemberView>();
  for (const member of status.members) members.set(Number(member.id), { id: Number(member.id), address: member.address, state: member.state });
  const groups = new Map<number, GroupView>();
  for (const group of status.groups) {
    groups.set(Number(group.id), {
      id: Number(group.id),
      voters: group.voters.map(Number),
      learners: group.learners.map(Number),
      leader: Number(group.leader),
    });
  }
  return { clusterId: status.cluster_id, members, groups, slots: status.slots.map(Number) };
}

/** The same view with a group's leader replaced (a leader hint from an error). */
export function withLeader(view: ClusterView, groupId: number, leaderId: number): ClusterView {
  const group = view.groups.get(groupId);
  if (group === undefined || group.leader === leaderId) return view;
  const groups = new Map(view.groups);
  groups.set(groupId, { ...group, leader: leaderId });
  return { ...view, groups };
}

function pick(addresses: readonly string[], avoid: ReadonlySet<string>, rotation: number): string | undefined {
  if (addresses.length === 0) return undefined;
  const preferred = addresses.filter((a) => !avoid.has(a));
  const pool = preferred.length > 0 ? preferred : addresses;
  return pool[Math.abs(rotation) % pool.length];
}

function addressesOf(view: ClusterView, ids: readonly number[]): string[] {
  const addresses: string[] = [];
  for (const id of ids) {
    const address = view.members.get(id)?.address;
    if (address !== undefined && address !== '') addresses.push(address);
  }
  return addresses;
}

/** Every address worth trying for a call about the cluster as a whole. */
export function allAddresses(view: ClusterView | null, seeds: readonly string[]): string[] {
  const known = view === null ? [] : [...view.members.values()].map((m) => m.address).filter((a) => a !== '');
  return [...new Set([...known, ...seeds])];
}

export function route(view: ClusterView | null, seeds: readonly string[], request: RouteRequest, avoid: ReadonlySet<string>): Route {
  assert(seeds.length > 0, 'a client needs at least one endpoint');
  const fallback = (groupId: number | undefined): Route => ({ address: pick(allAddresses(view, seeds), avoid, request.rotation)!, groupId });
  if (view === null || request.namespace === null) return fallback(undefined);
  const groupId = groupOfNamespace(view.slots, request.namespace);
  const group = groupId === undefined ? undefined : view.groups.get(groupId);
  if (group === undefined) return fallback(groupId);
  const leaderAddress = group.leader !== 0 ? view.members.get(group.leader)?.address : undefined;
  if (request.role === 'leader' && leaderAddress !== undefined && !avoid.has(leaderAddress)) return { address: leaderAddress, groupId };
  const replicas = addressesOf(view, [...group.voters, ...group.learners]);
  const chosen = pick(replicas, avoid, request.rotation);
  return chosen === undefined ? fallback(groupId) : { address: chosen, groupId };
}
