// The simulated network: per message it decides loss, duplication and delay (random delays
// reorder messages), and it drops everything crossing a blocked directed link (partitions).
// It knows nothing about Raft: the simulator asks it how to route and schedules deliveries.

import type { NodeId } from '../../server/raft/types';
import { assert } from '../../server/util/assert';
import type { SeededRandom } from '../../server/util/random';
import type { Partition } from './partition';

export interface NetworkParams {
  readonly delayMinUnits: number;
  readonly delayMaxUnits: number;
  /** Chance that a message is held back up to `longDelayMaxUnits` (reordering past others). */
  readonly longDelayChance: number;
  readonly longDelayMaxUnits: number;
  readonly lossRate: number;
  readonly duplicateRate: number;
}

export type Route =
  | { readonly kind: 'deliver'; readonly delaysUnits: readonly number[] }
  | { readonly kind: 'dropped'; readonly reason: 'partitioned' | 'lost' };

export function validateNetworkParams(params: NetworkParams): void {
  assert(params.delayMinUnits >= 1, 'delayMinUnits must be >= 1 (a send is never instantaneous)');
  assert(params.delayMaxUnits >= params.delayMinUnits, 'delayMaxUnits must be >= delayMinUnits');
  assert(params.longDelayMaxUnits >= params.delayMaxUnits, 'longDelayMaxUnits must be >= delayMaxUnits');
  for (const [name, rate] of [
    ['longDelayChance', params.longDelayChance],
    ['lossRate', params.lossRate],
    ['duplicateRate', params.duplicateRate],
  ] as const) {
    assert(rate >= 0 && rate < 1, `${name} must be in [0, 1): ${rate}`);
  }
}

export class SimNetwork {
  private params: NetworkParams;
  private blocked = new Set<number>();

  constructor(
    private readonly random: SeededRandom,
    params: NetworkParams,
  ) {
    validateNetworkParams(params);
    this.params = params;
  }

  setParams(params: NetworkParams): void {
    validateNetworkParams(params);
    this.params = params;
  }

  setPartition(partition: Partition): void {
    this.blocked = new Set(partition.blocked.map(([from, to]) => linkKey(from, to)));
  }

  heal(): void {
    this.blocked = new Set();
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(linkKey(from, to));
  }

  get partitioned(): boolean {
    return this.blocked.size > 0;
  }

  route(from: NodeId, to: NodeId): Route {
    assert(from !== to, `a node does not send to itself (${from})`);
    if (this.isBlocked(from, to)) return { kind: 'dropped', reason: 'partitioned' };
    if (this.random.chance(this.params.lossRate)) return { kind: 'dropped', reason: 'lost' };
    const copies = this.random.chance(this.params.duplicateRate) ? 2 : 1;
    const delaysUnits: number[] = [];
    for (let copy = 0; copy < copies; copy += 1) delaysUnits.push(this.delayUnits());
    return { kind: 'deliver', delaysUnits };
  }

  private delayUnits(): number {
    const { delayMinUnits, delayMaxUnits, longDelayChance, longDelayMaxUnits } = this.params;
    const maxUnits = this.random.chance(longDelayChance) ? longDelayMaxUnits : delayMaxUnits;
    return delayMinUnits + this.random.nextInt(maxUnits - delayMinUnits + 1);
  }
}

function linkKey(from: NodeId, to: NodeId): number {
  assert(from > 0 && from < 1024 && to > 0 && to < 1024, `node ids out of range: ${from}, ${to}`);
  return from * 1024 + to;
}
