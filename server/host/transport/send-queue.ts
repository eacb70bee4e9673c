// A bounded FIFO of messages waiting to be written to one peer, bounded both in messages
// and in (estimated) bytes. Overflow is an explicit outcome: push() returns false.

import { assert } from '../../util/assert';
import type { GroupMessage } from '../ports';

export interface SendQueueBounds {
  readonly messagesMax: number;
  readonly bytesMax: number;
}

/** Compact the backing arrays once this many taken slots sit before the head. */
const COMPACT_HEAD_MIN = 1024;

export class SendQueue {
  private items: GroupMessage[] = [];
  private sizes: number[] = [];
  private head = 0;
  private queuedBytes = 0;

  constructor(private readonly bounds: SendQueueBounds) {
    assert(bounds.messagesMax > 0 && bounds.bytesMax > 0, 'send queue bounds must be positive');
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** Enqueues unless a bound would be exceeded; returns whether it did. */
  push(item: GroupMessage, bytes: number): boolean {
    assert(bytes > 0, 'a message has a positive size');
    if (this.length + 1 > this.bounds.messagesMax) return false;
    if (this.queuedBytes + bytes > this.bounds.bytesMax) return false;
    this.items.push(item);
    this.sizes.push(bytes);
    this.queuedBytes += bytes;
    return true;
  }

  /** Removes and returns the oldest messages, as many as fit both bounds, and at least one
   *  when the queue is not empty (a message larger than `bytesMax` travels alone). */
  take(messagesMax: number, bytesMax: number): GroupMessage[] {
    assert(messagesMax > 0 && bytesMax > 0, 'batch bounds must be positive');
    const start = this.head;
    let end = start;
    let bytes = 0;
    while (end < this.items.length && end - start < messagesMax) {
      const size = this.sizes[end]!;
      if (end > start && bytes + size > bytesMax) break;
      bytes += size;
      end += 1;
    }
    const taken = this.items.slice(start, end);
    this.head = end;
    this.queuedBytes -= bytes;
    assert(this.queuedBytes >= 0, 'queued bytes went negative');
    this.compact();
    return taken;
  }

  clear(): void {
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.queuedBytes = 0;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.clear();
    } else if (this.head >= COMPACT_HEAD_MIN && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }
}
