// RawNode: the driver object the host holds. It wraps the Raft state machine and packages
// its output as Ready values (types.ts states the ordering contract), one at a time: after
// `ready()` the host must call `advance(ready)` before asking for the next one. Stepping
// messages, ticking and proposing between the two is allowed; whatever they produce goes
// into the next Ready.

import { assert } from '../util/assert';
import { applyEntriesMax, Raft } from './raft';
import type {
  ConfChange,
  HardState,
  Message,
  ProposeResult,
  RaftConfig,
  RaftInitialState,
  RaftNode,
  RaftStatus,
  ReadIndexResult,
  Ready,
  SoftState,
  TransferResult,
} from './types';

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export class RawNode implements RaftNode {
  private readonly raft: Raft;
  private readonly maxApplyBytes: number;
  private prevSoftState: SoftState;
  private prevHardState: HardState;
  /** The Ready handed out and not advanced yet. */
  private outstanding: Ready | null = null;

  constructor(config: RaftConfig, initial: RaftInitialState) {
    this.raft = new Raft(config, initial);
    this.maxApplyBytes = config.maxApplyBytes;
    this.prevSoftState = this.raft.softState();
    this.prevHardState = this.raft.hardState();
  }

  tick(): void {
    this.raft.tick();
  }

  step(message: Message): void {
    this.raft.step(message);
  }

  propose(data: Uint8Array): ProposeResult {
    return this.raft.propose(data);
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    return this.raft.proposeConfChange(change);
  }

  readIndex(context: string): ReadIndexResult {
    return this.raft.readIndex(context);
  }

  transferLeadership(to: number): TransferResult {
    return this.raft.transferLeadership(to);
  }

  campaign(): void {
    this.raft.campaign();
  }

  hasReady(): boolean {
    const raft = this.raft;
    const log = raft.log;
    return (
      !raft.softStateEquals(this.prevSoftState) ||
      !raft.hardStateEquals(this.prevHardState) ||
      log.hasUnstableEntries() ||
      log.pendingSnapshot !== null ||
      raft.msgs.length > 0 ||
      raft.readStates.length > 0 ||
      log.hasNextCommittedEntries()
    );
  }

  ready(): Ready {
    assert(this.outstanding === null, 'ready() called again before advance()');
    const raft = this.raft;
    const log = raft.log;
    const softState = raft.softState();
    const hardState = raft.hardState();
    const committedEntries = log.nextCommittedEntries({ maxBytes: this.maxApplyBytes, maxEntries: applyEntriesMax });
    const ready: Ready = {
      softState: sameSoftState(softState, this.prevSoftState) ? null : softState,
      hardState: sameHardState(hardState, this.prevHardState) ? null : hardState,
      entries: log.unstableEntries(),
      snapshot: log.pendingSnapshot,
      messages: raft.msgs,
      committedEntries,
      readStates: raft.readStates,
    };
    raft.msgs = [];
    raft.readStates = [];
    const lastCommitted = committedEntries[committedEntries.length - 1];
    if (lastCommitted !== undefined) log.markApplying(lastCommitted.index);
    this.prevSoftState = softState;
    this.prevHardState = hardState;
    this.outstanding = ready;
    return ready;
  }

  advance(ready: Ready): void {
    assert(this.outstanding !== null && ready === this.outstanding, 'advance() needs the Ready from ready()');
    this.outstanding = null;
    const log = this.raft.log;
    if (ready.snapshot !== null) log.snapshotPersisted(ready.snapshot.meta.index);
    const lastCommitted = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastCommitted !== undefined) log.appliedTo(lastCommitted.index);
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry !== undefined) this.raft.onEntriesPersisted(lastEntry.index, lastEntry.term);
  }

  compact(index: number): void {
    this.raft.compact(index);
  }

  reportSnapshot(to: number, ok: boolean): void {
    this.raft.reportSnapshot(to, ok);
  }

  reportUnreachable(to: number): void {
    this.raft.reportUnreachable(to);
  }

  status(): RaftStatus {
    return this.raft.status();
  }
}
