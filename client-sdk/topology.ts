// The client's cached view of the cluster (members, groups and their leaders, shard map),
// fetched with Cluster.Status from any reachable node. Refreshes are single-flight; leader
// hints from errors patch the cache at once; addresses that failed are avoided for a while.

import type { ClusterStatusResponse__Output } from '../proto/gen/corral/v1/ClusterStatusResponse';
import { assert } from './assert';
import { withDeadline } from './call-options';
import { CorralError, UnavailableError } from './errors';
import { allAddresses, clusterViewOf, route, withLeader, type ClusterView, type Route, type RouteRequest } from './routing';

/** Fetches Cluster.Status from one address. */
export type StatusFetcher = (address: string, deadlineMs: number, signal: AbortSignal | undefined) => Promise<ClusterStatusResponse__Output>;

export interface TopologyOptions {
  /** Bound on one Status attempt, so that one dead address cannot eat a whole call's time. */
  readonly statusAttemptMs: number;
  /** How long an address that failed is avoided when another can be used. */
  readonly suspectMs: number;
  /** Most addresses tried per refresh. */
  readonly refreshAddressesMax: number;
}

export const DEFAULT_TOPOLOGY_OPTIONS: TopologyOptions = { statusAttemptMs: 2_000, suspectMs: 2_000, refreshAddressesMax: 16 };

export class Topology {
  private current: ClusterView | null = null;
  private stale = true;
  private inflight: Promise<ClusterView> | null = null;
  private readonly suspectUntilMs = new Map<string, number>();
  private readonly hints = new Map<number, { readonly leaderId: number; readonly untilMs: number }>();

  constructor(
    readonly seeds: readonly string[],
    private readonly fetchStatus: StatusFetcher,
    private readonly options: TopologyOptions = DEFAULT_TOPOLOGY_OPTIONS,
  ) {
    assert(seeds.length > 0, 'a client needs at least one endpoint');
  }

  get view(): ClusterView | null {
    return this.current;
  }

  get needsRefresh(): boolean {
    return this.current === null || this.stale;
  }

  /** Marks the cache stale: the next call refreshes it first. */
  invalidate(): void {
    this.stale = true;
  }

  /** Records a leader hint from a server error. The node that refused knows better than a
   *  Status answer from elsewhere that may be older, so a fresh hint outlives a refresh. */
  noteLeader(groupId: number, leaderId: number): void {
    this.hints.set(groupId, { leaderId, untilMs: Date.now() + this.options.suspectMs });
    if (this.current !== null && this.current.members.has(leaderId)) this.current = withLeader(this.current, groupId, leaderId);
  }

  markFailed(address: string): void {
    this.suspectUntilMs.set(address, Date.now() + this.options.suspectMs);
  }

  private suspects(): Set<string> {
    const now = Date.now();
    const suspects = new Set<string>();
    for (const [address, untilMs] of this.suspectUntilMs) {
      if (untilMs > now) suspects.add(address);
      else this.suspectUntilMs.delete(address);
    }
    return suspects;
  }

  route(request: RouteRequest): Route {
    return route(this.current, this.seeds, request, this.suspects());
  }

  /** Addresses of every known node (for calls that may go anywhere). */
  addresses(): string[] {
    return allAddresses(this.current, this.seeds);
  }

  /** Fetches a fresh view (single-flight). Rejects with UnavailableError naming every address
   *  tried when none answered. */
  refresh(deadlineMs: number, signal: AbortSignal | undefined): Promise<ClusterView> {
    if (this.inflight === null) {
      // Shared by concurrent callers: it is not bound to one caller's signal (each caller's own
      // wait is, below).
      this.inflight = this.fetchFromAny(deadlineMs).finally(() => {
        this.inflight = null;
      });
    }
    return withDeadline(this.inflight, deadlineMs, signal, 'cluster discovery');
  }

  /** Replaces the view with one fetched elsewhere (Status answered to a CLI command). */
  accept(status: ClusterStatusResponse__Output): ClusterView {
    let view = clusterViewOf(status);
    const now = Date.now();
    for (const [groupId, hint] of this.hints) {
      if (hint.untilMs <= now) this.hints.delete(groupId);
      else if (view.members.has(hint.leaderId)) view = withLeader(view, groupId, hint.leaderId);
    }
    this.current = view;
    this.stale = false;
    return this.current;
  }

  private async fetchFromAny(deadlineMs: number): Promise<ClusterView> {
    const suspects = this.suspects();
    const candidates = this.addresses();
    const ordered = [...candidates.filter((a) => !suspects.has(a)), ...candidates.filter((a) => suspects.has(a))].slice(0, this.options.refreshAddressesMax);
    const failures: string[] = [];
    for (const address of ordered) {
      if (Date.now() >= deadlineMs) break;
      const attemptDeadlineMs = Math.min(deadlineMs, Date.now() + this.options.statusAttemptMs);
      try {
        return this.accept(await this.fetchStatus(address, attemptDeadlineMs, undefined));
      } catch (error) {
        this.markFailed(address);
        failures.push(`${address}: ${CorralError.from(error).message}`);
      }
    }
    const tried = failures.length > 0 ? failures.join('; ') : `no time left to try ${ordered.join(', ')}`;
    throw new UnavailableError(`cannot reach any Corral node (${tried})`);
  }
}
