// The leader's view of one follower's log (etcd's Progress), and its state machine:
//   probe     — we do not know where the follower's log ends; send one 'app' at a time
//               (one per heartbeat interval while unanswered) and back off on rejection.
//   replicate — the follower accepts our appends; stream them optimistically (`next`
//               moves at send time), bounded by the inflights window.
//   snapshot  — the follower needs entries we compacted; a snapshot is on its way and
//               nothing else is sent until it is reported or acknowledged.
// Invariant: match < next.

import { assert } from '../util/assert';
import { Inflights } from './inflights';
import type { NodeId, ProgressState } from './types';

export class Progress {
  /** Highest index known to be replicated on the follower. */
  match = 0;
  /** Index of the next entry to send. */
  next: number;
  state: ProgressState = 'probe';
  /** In 'snapshot' state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Heard from the follower since the last check-quorum round. */
  recentActive = false;
  /** In 'probe' state: an 'app' is unanswered, wait for a response or the next heartbeat. */
  probeSent = false;
  /** An 'app-resp' arrived since the last heartbeat broadcast (a live replication stream). */
  appRespSinceHeartbeat = false;
  /** The follower rejected an append after index 0: it joined without a configuration and
   *  needs the index-0 snapshot (initial configuration) before any entry. */
  baseConfRequested = false;
  /** Lease reads: the newest heartbeat stamp (leader tick) the follower acknowledged. */
  leaseAckTick = -1;
  learner: boolean;
  readonly inflights: Inflights;

  constructor(
    readonly id: NodeId,
    options: { next: number; learner: boolean; maxInflightMsgs: number; maxInflightBytes: number },
  ) {
    assert(options.next >= 1, 'progress next must be >= 1');
    this.next = options.next;
    this.learner = options.learner;
    this.inflights = new Inflights(options.maxInflightMsgs, options.maxInflightBytes);
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      // Resume after the snapshot if it was installed (reportSnapshot keeps pendingSnapshot).
      this.next = Math.max(this.match + 1, this.pendingSnapshot + 1);
    } else {
      this.next = this.match + 1;
    }
    this.resetState('probe');
  }

  becomeReplicate(): void {
    this.next = this.match + 1;
    this.resetState('replicate');
  }

  becomeSnapshot(snapshotIndex: number): void {
    // Equal only for the index-0 snapshot that hands a joining node the initial configuration.
    assert(snapshotIndex >= this.match, `snapshot ${snapshotIndex} must not be behind match ${this.match}`);
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** An acknowledgement up to `index`. Returns whether `match` moved. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      this.probeSent = false;
      updated = true;
    }
    if (this.next < index + 1) this.next = index + 1;
    this.checkInvariant();
    return updated;
  }

  /** A rejection of the 'app' whose previous index was `rejected`; `probeHint` is where
   *  the logs may match (fast back-off). Returns false for a stale rejection. */
  maybeDecrTo(rejected: number, probeHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false; // stale: we already know better
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false; // not the probe we are waiting for
    this.next = Math.max(Math.min(rejected, probeHint + 1), this.match + 1);
    this.probeSent = false;
    this.checkInvariant();
    return true;
  }

  /** Whether sending 'app' to this follower is paused by flow control. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  /** Records an 'app' with `count` entries ending at `lastIndex` holding `bytes` bytes. */
  sentEntries(count: number, lastIndex: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        assert(lastIndex >= this.next, `sent entries end ${lastIndex} before next ${this.next}`);
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
      return;
    }
    if (this.state === 'probe') this.probeSent = true;
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
    this.checkInvariant();
  }

  private checkInvariant(): void {
    assert(this.match < this.next, `progress ${this.id}: match ${this.match} must be < next ${this.next}`);
  }
}
