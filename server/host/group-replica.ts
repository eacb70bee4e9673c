// One Raft group's replica on this node: the core, its state machine, and the promises of
// proposals and reads waiting on it. Only the host's pass touches the core (see
// multi-raft-host.ts); everything here is synchronous.

import { decodeConfChange } from '../raft';
import type { ConfState, Entry, HardState, NodeId, RaftNode, Ready, Role, SnapshotMeta } from '../raft/types';
import { NONE } from '../raft/types';
import { assert } from '../util/assert';
import { CorralError } from '../util/errors';
import type { GroupId, GroupStateMachine } from './ports';

export interface ProposalWaiter {
  readonly term: number;
  readonly resolve: (value: { index: number; result: unknown }) => void;
  readonly reject: (error: CorralError) => void;
}

export interface ReadWaiter {
  readonly resolve: (index: number) => void;
  readonly reject: (error: CorralError) => void;
}

/** Applies a conf change to a configuration (the same rule the core uses when appending). */
export function applyConfChange(conf: ConfState, data: Uint8Array): ConfState {
  const change = decodeConfChange(data);
  const voters = conf.voters.filter((id) => id !== change.nodeId);
  const learners = conf.learners.filter((id) => id !== change.nodeId);
  switch (change.type) {
    case 'add-learner':
      // Adding a learner that is already a voter is refused by the core; keep it a voter.
      return conf.voters.includes(change.nodeId) ? conf : { voters, learners: [...learners, change.nodeId] };
    case 'promote-learner':
      return { voters: [...voters, change.nodeId], learners };
    case 'remove-node':
      return { voters, learners };
  }
}

export class GroupReplica {
  readonly proposals = new Map<number, ProposalWaiter>();
  private readonly readsByContext = new Map<string, ReadWaiter>();
  /** Read states whose index is not applied yet, in arrival order (indexes non-decreasing). */
  private readonly readsWaitingApply: { index: number; waiter: ReadWaiter }[] = [];
  private readSequence = 0;
  /** Distinguishes this process's read contexts from those of an earlier run of the node. */
  private readonly readEpoch = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

  role: Role = 'follower';
  leader: NodeId = NONE;
  /** Term of the entry at `sm.appliedIndex` and configuration as of it: snapshot metadata. */
  appliedTerm: number;
  appliedConf: ConfState;
  lastSnapshotIndex: number;
  leaderChanges = 0;
  /** The hard state last written to storage (to tell commit-only changes apart). */
  persistedHardState: HardState | null = null;

  constructor(
    readonly groupId: GroupId,
    readonly nodeId: NodeId,
    readonly node: RaftNode,
    readonly sm: GroupStateMachine,
    snapshot: SnapshotMeta,
  ) {
    this.appliedTerm = snapshot.term;
    this.appliedConf = snapshot.conf;
    this.lastSnapshotIndex = snapshot.index;
  }

  nextReadContext(): string {
    // The leader keys pending reads by context: it must be unique across the nodes of the
    // group and across restarts of this one.
    this.readSequence += 1;
    return `${this.nodeId}:${this.groupId}:${this.readEpoch}:${this.readSequence}`;
  }

  addReadWaiter(context: string, waiter: ReadWaiter): void {
    assert(!this.readsByContext.has(context), `duplicate read context ${context}`);
    this.readsByContext.set(context, waiter);
  }

  dropReadWaiter(context: string): ReadWaiter | undefined {
    const waiter = this.readsByContext.get(context);
    this.readsByContext.delete(context);
    return waiter;
  }

  /** Records the soft state of a Ready; returns true when the leader changed. */
  noteSoftState(ready: Ready): boolean {
    if (ready.softState === null) return false;
    const changed = ready.softState.leader !== this.leader;
    this.role = ready.softState.role;
    this.leader = ready.softState.leader;
    if (changed) this.leaderChanges += 1;
    return changed;
  }

  /** Installs a snapshot received from the leader. Pending proposals below it have an
   *  unknown outcome: they may be inside the snapshot. */
  installSnapshot(meta: SnapshotMeta, data: Uint8Array): void {
    // A joining node receives the founders' snapshot at index 0 (initial configuration and
    // initial state) while its own empty machine is also at 0; otherwise it must be newer.
    assert(meta.index > this.sm.appliedIndex || meta.index === 0, `snapshot ${meta.index} not past applied ${this.sm.appliedIndex}`);
    this.sm.restore(data, meta.index);
    this.appliedTerm = meta.term;
    this.appliedConf = meta.conf;
    this.lastSnapshotIndex = meta.index;
    for (const [index, waiter] of this.proposals) {
      if (index > meta.index) continue;
      this.proposals.delete(index);
      waiter.reject(new CorralError('deadline-exceeded', 'outcome unknown: replica was replaced by a snapshot'));
    }
  }

  /** Applies committed entries in order and settles the proposals waiting on them. */
  applyEntries(entries: readonly Entry[], onApplied: (entry: Entry, result: unknown) => void): void {
    for (const entry of entries) {
      if (entry.index <= this.sm.appliedIndex) continue; // already in the restored snapshot
      assert(entry.index === this.sm.appliedIndex + 1, `apply gap: ${entry.index} after ${this.sm.appliedIndex}`);
      let result: unknown = null;
      if (entry.type === 'conf-change') {
        this.appliedConf = applyConfChange(this.appliedConf, entry.data);
        this.sm.skipEntry(entry.index);
      } else if (entry.data.length === 0) {
        this.sm.skipEntry(entry.index);
      } else {
        result = this.sm.applyEntry(entry.index, entry.term, entry.data);
      }
      assert(this.sm.appliedIndex === entry.index, `state machine did not advance to ${entry.index}`);
      this.appliedTerm = entry.term;
      this.settleProposal(entry, result);
      onApplied(entry, result);
    }
    this.serveReads();
  }

  private settleProposal(entry: Entry, result: unknown): void {
    const waiter = this.proposals.get(entry.index);
    if (waiter === undefined) return;
    this.proposals.delete(entry.index);
    if (waiter.term === entry.term) {
      waiter.resolve({ index: entry.index, result });
    } else {
      // Another leader's entry committed at this index: ours never will (Raft log matching).
      waiter.reject(new CorralError('aborted', 'leadership changed before the proposal committed; safe to retry'));
    }
  }

  acceptReadStates(ready: Ready): void {
    for (const state of ready.readStates) {
      const waiter = this.dropReadWaiter(state.context);
      if (waiter === undefined) continue; // timed out already
      this.readsWaitingApply.push({ index: state.index, waiter });
    }
    this.serveReads();
  }

  private serveReads(): void {
    let served = 0;
    while (served < this.readsWaitingApply.length && this.readsWaitingApply[served].index <= this.sm.appliedIndex) {
      served += 1;
    }
    if (served === 0) return;
    for (const { waiter } of this.readsWaitingApply.splice(0, served)) waiter.resolve(this.sm.appliedIndex);
  }

  /** Fails everything waiting (shutdown or replica removal). */
  failAll(error: CorralError): void {
    for (const waiter of this.proposals.values()) waiter.reject(error);
    this.proposals.clear();
    for (const waiter of this.readsByContext.values()) waiter.reject(error);
    this.readsByContext.clear();
    for (const { waiter } of this.readsWaitingApply) waiter.reject(error);
    this.readsWaitingApply.length = 0;
  }
}
