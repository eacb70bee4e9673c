// The current configuration with what the core tracks per member: votes during an election,
// replication progress while leader. Quorum questions are answered over voters only.

import { assert } from '../util/assert';
import { Progress } from './progress';
import { majorityValue, quorumSize, voteResult, type VoteResult } from './quorum';
import type { ConfState, NodeId } from './types';

export interface FlowLimits {
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes: number;
}

export class ProgressTracker {
  private confState: ConfState = { voters: [], learners: [] };
  /** Only while leader; empty otherwise. Insertion order is voters then learners. */
  readonly progress = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();
  /** Reused by the majority computations (no allocation per commit check). */
  private readonly scratch: number[] = [];

  constructor(private readonly limits: FlowLimits) {}

  get conf(): ConfState {
    return this.confState;
  }

  setConf(conf: ConfState): void {
    this.confState = conf;
  }

  isVoter(id: NodeId): boolean {
    return this.confState.voters.includes(id);
  }

  isMember(id: NodeId): boolean {
    return this.isVoter(id) || this.confState.learners.includes(id);
  }

  isSoleVoter(id: NodeId): boolean {
    return this.confState.voters.length === 1 && this.confState.voters[0] === id;
  }

  // --- elections ---

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): VoteResult {
    let granted = 0;
    let rejected = 0;
    for (const voter of this.confState.voters) {
      const vote = this.votes.get(voter);
      if (vote === true) granted++;
      else if (vote === false) rejected++;
    }
    return voteResult(this.confState.voters.length, granted, rejected);
  }

  // --- replication (leader only) ---

  /** A new leader starts from scratch: everyone probes from `lastIndex + 1`. */
  resetProgress(selfId: NodeId, lastIndex: number, selfMatch: number): void {
    this.progress.clear();
    this.syncProgress(lastIndex);
    const self = this.progress.get(selfId);
    if (self !== undefined) {
      self.maybeUpdate(selfMatch);
      self.becomeReplicate();
      self.recentActive = true;
    }
  }

  /** After a configuration change: add progress for new members, drop removed ones. */
  syncProgress(lastIndex: number): void {
    const { voters, learners } = this.confState;
    for (const id of this.progress.keys()) if (!this.isMember(id)) this.progress.delete(id);
    const add = (id: NodeId, learner: boolean): void => {
      const existing = this.progress.get(id);
      if (existing !== undefined) {
        existing.learner = learner;
        return;
      }
      const progress = new Progress(id, {
        next: lastIndex + 1,
        learner,
        maxInflightMsgs: this.limits.maxInflightMsgs,
        maxInflightBytes: this.limits.maxInflightBytes,
      });
      // A new member counts as active until the next check-quorum round (etcd does the same),
      // so that adding it cannot make the leader step down at once.
      progress.recentActive = true;
      this.progress.set(id, progress);
    };
    for (const id of voters) add(id, false);
    for (const id of learners) add(id, true);
  }

  clearProgress(): void {
    this.progress.clear();
  }

  /** The highest index replicated on a majority of voters (0 without voters). */
  committedIndex(): number {
    const voters = this.confState.voters;
    if (voters.length === 0) return 0;
    for (let i = 0; i < voters.length; i++) {
      this.scratch[i] = this.progress.get(voters[i] ?? 0)?.match ?? 0;
    }
    return majorityValue(this.scratch, voters.length);
  }

  /** The newest heartbeat stamp acknowledged by a majority of voters (-1 if none);
   *  the leader itself counts with `selfTick`. */
  leaseStamp(selfId: NodeId, selfTick: number): number {
    const voters = this.confState.voters;
    if (voters.length === 0) return -1;
    for (let i = 0; i < voters.length; i++) {
      const id = voters[i] ?? 0;
      this.scratch[i] = id === selfId ? selfTick : (this.progress.get(id)?.leaseAckTick ?? -1);
    }
    return majorityValue(this.scratch, voters.length);
  }

  /** Whether a majority of voters was heard from since the last reset. */
  quorumActive(selfId: NodeId): boolean {
    let active = 0;
    for (const id of this.confState.voters) {
      if (id === selfId || this.progress.get(id)?.recentActive === true) active++;
    }
    return active >= quorumSize(this.confState.voters.length);
  }

  resetRecentActive(selfId: NodeId): void {
    for (const progress of this.progress.values()) progress.recentActive = progress.id === selfId;
  }

  /** Whether the acknowledging set contains a majority of voters. */
  hasQuorum(acks: ReadonlySet<NodeId>): boolean {
    let count = 0;
    for (const id of this.confState.voters) if (acks.has(id)) count++;
    assert(this.confState.voters.length > 0, 'quorum of an empty configuration');
    return count >= quorumSize(this.confState.voters.length);
  }
}
