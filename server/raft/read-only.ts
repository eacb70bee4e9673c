// ReadIndex bookkeeping on the leader ('safe' mode, Raft dissertation 6.4): each read is
// recorded at the commit index of the moment it arrived, and becomes servable once a
// majority of voters acknowledged a heartbeat carrying its context. An acknowledgement for
// a read also confirms every read queued before it.

import { assert } from '../util/assert';
import type { NodeId } from './types';

export interface ReadRequest {
  readonly index: number;
  /** Who asked: the leader itself, or the follower that forwarded the read. */
  readonly from: NodeId;
  readonly context: string;
  readonly acks: Set<NodeId>;
}

/** Compact the consumed front of the queue once it holds this many dead slots. */
const consumedSlotsMax = 256;

export class ReadOnly {
  private readonly pending = new Map<string, ReadRequest>();
  private queue: ReadRequest[] = [];
  private head = 0;

  constructor(readonly pendingReadsMax: number) {
    assert(pendingReadsMax >= 1, 'pendingReadsMax must be positive');
  }

  get size(): number {
    return this.pending.size;
  }

  full(): boolean {
    return this.pending.size >= this.pendingReadsMax;
  }

  /** Records a read; false if a read with this context is already pending (the first one
   *  answers for both). */
  add(index: number, from: NodeId, context: string): boolean {
    assert(context !== '', 'a read needs a non-empty context');
    assert(!this.full(), 'read-only queue overflow');
    if (this.pending.has(context)) return false;
    const request: ReadRequest = { index, from, context, acks: new Set<NodeId>() };
    this.pending.set(context, request);
    this.queue.push(request);
    return true;
  }

  /** A heartbeat acknowledgement carrying `context`; the request, if still pending. */
  ack(context: string, from: NodeId): ReadRequest | null {
    const request = this.pending.get(context);
    if (request === undefined) return null;
    request.acks.add(from);
    return request;
  }

  /** Removes and returns every request up to and including the one with `context`. */
  releaseThrough(context: string): ReadRequest[] {
    const released: ReadRequest[] = [];
    if (!this.pending.has(context)) return released;
    while (this.head < this.queue.length) {
      const request = this.queue[this.head] as ReadRequest;
      this.head++;
      this.pending.delete(request.context);
      released.push(request);
      if (request.context === context) break;
    }
    if (this.head >= consumedSlotsMax || this.head === this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return released;
  }

  /** The context of the newest pending read ('' if none): periodic heartbeats carry it so
   *  that a lost heartbeat round is retried. */
  lastPendingContext(): string {
    return this.queue.length > this.head ? (this.queue[this.queue.length - 1] as ReadRequest).context : '';
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
    this.head = 0;
  }
}
