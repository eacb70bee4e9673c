// On every node: for each KV group this node LEADS, take the next step toward the catalog's
// target (server/meta/replica-step.ts): one configuration change, or a leadership transfer
// (off a leaving leader, or to the preferred leader). Runs every intervalMs and soon after
// each catalog change; at most one step per group and stepsInFlightMax steps at a time.

import type { MultiRaftHost } from '../host/multi-raft-host';
import { META_GROUP_ID, type GroupId } from '../host/ports';
import type { MetaStateMachine } from '../meta/meta-state-machine';
import { nextReplicaStep, type ReplicaStep } from '../meta/replica-step';
import type { Logger } from '../ops/logger';
import type { NodeId } from '../raft/types';
import { assert } from '../util/assert';
import { CorralError } from '../util/errors';

export interface ReplicaReconcilerOptions {
  readonly nodeId: NodeId;
  readonly host: MultiRaftHost;
  readonly meta: MetaStateMachine;
  readonly logger: Logger;
  readonly intervalMs: number;
  /** A learner is promoted, and a voter takes over leadership, only this close to the log's end. */
  readonly catchUpLagEntriesMax: number;
  /** Least time between two leadership transfers of one group (a transferee that cannot win
   *  must not make the group flap). */
  readonly transferCooldownMs: number;
  /** A new leader hands leadership to the preferred leader only after leading this long:
   *  balance is not urgent, and a node draining its leaderships before a shutdown must not
   *  get them straight back. Handing over because this node leaves the group is immediate. */
  readonly preferredTransferDelayMs: number;
  readonly stepsInFlightMax: number;
  /** A step not settled by then is forgotten (the group is retried; the core refuses a
   *  second configuration change while the first is pending). */
  readonly stepTimeoutMs: number;
}

export class ReplicaReconciler {
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private soonQueued = false;
  private stopped = false;
  private readonly inFlight = new Map<GroupId, Promise<void>>();
  private readonly lastTransferMs = new Map<GroupId, number>();
  /** When this node was first seen leading each group (by a round). */
  private readonly leaderSinceMs = new Map<GroupId, number>();

  constructor(private readonly options: ReplicaReconcilerOptions) {
    assert(options.intervalMs > 0 && options.stepsInFlightMax >= 1, 'reconciler bounds must be positive');
  }

  start(): void {
    assert(this.timer === null, 'reconciler already started');
    this.timer = setInterval(() => this.round(), this.options.intervalMs);
    this.unsubscribe = this.options.meta.onChange(() => this.soon());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.unsubscribe?.();
    await Promise.all(this.inFlight.values());
  }

  /** A round right after the current pass (catalog changes are applied inside a pass). */
  private soon(): void {
    if (this.soonQueued || this.stopped) return;
    this.soonQueued = true;
    setImmediate(() => {
      this.soonQueued = false;
      this.round();
    });
  }

  private round(): void {
    if (this.stopped) return;
    const { host, meta } = this.options;
    for (const groupId of host.groupIds()) {
      if (this.inFlight.size >= this.options.stepsInFlightMax) return;
      if (groupId === META_GROUP_ID || this.inFlight.has(groupId)) continue;
      const replica = host.group(groupId);
      const record = meta.group(groupId);
      if (replica?.role !== 'leader') this.leaderSinceMs.delete(groupId);
      else if (!this.leaderSinceMs.has(groupId)) this.leaderSinceMs.set(groupId, Date.now());
      if (replica === undefined || record === undefined || replica.role !== 'leader') continue;
      const status = replica.node.status();
      const step = nextReplicaStep({
        self: this.options.nodeId,
        target: record,
        preferredLeader: record.preferredLeader,
        conf: status.conf,
        appliedConf: replica.appliedConf,
        progress: status.progress,
        lastIndex: status.lastIndex,
        catchUpLagEntriesMax: this.options.catchUpLagEntriesMax,
      });
      this.execute(groupId, step);
    }
  }

  private execute(groupId: GroupId, step: ReplicaStep): void {
    if (step.kind === 'none') return;
    const { host, logger } = this.options;
    if (step.kind === 'transfer') {
      const nowMs = Date.now();
      if (nowMs - (this.lastTransferMs.get(groupId) ?? 0) < this.options.transferCooldownMs) return;
      if (step.cause === 'balance' && nowMs - (this.leaderSinceMs.get(groupId) ?? nowMs) < this.options.preferredTransferDelayMs) return;
      this.lastTransferMs.set(groupId, nowMs);
    }
    const started = step.kind === 'conf-change' ? host.proposeConfChange(groupId, step.change).then(() => undefined) : host.transferLeadership(groupId, step.to);
    const done = withTimeout(started, this.options.stepTimeoutMs, `group ${groupId}: step not settled within ${this.options.stepTimeoutMs} ms`).then(
      () => logger.info('replica step', { group: groupId, step: step.kind === 'conf-change' ? step.change : { transfer: step.to }, reason: step.reason }),
      (error: unknown) => logger.debug('replica step not taken; retrying later', { group: groupId, reason: step.reason, error: CorralError.from(error).message }),
    ).finally(() => {
      this.inFlight.delete(groupId);
      if (step.kind === 'conf-change') this.soon();
    });
    this.inFlight.set(groupId, done);
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CorralError('deadline-exceeded', message)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
