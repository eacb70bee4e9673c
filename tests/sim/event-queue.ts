// The simulator's agenda: a binary min-heap of events ordered by (time, insertion sequence),
// so that events at the same logical time run in the order they were scheduled. This order
// is part of what makes one seed give one run.

import { assert } from '../../server/util/assert';

interface Slot<T> {
  readonly time: number;
  readonly sequence: number;
  readonly event: T;
}

export class EventQueue<T> {
  private readonly heap: Slot<T>[] = [];
  private sequenceNext = 0;

  /** `eventsMax` bounds the agenda: overflowing it is a simulator bug (a runaway producer). */
  constructor(private readonly eventsMax: number) {
    assert(eventsMax > 0, 'eventsMax must be positive');
  }

  get size(): number {
    return this.heap.length;
  }

  push(time: number, event: T): void {
    assert(Number.isInteger(time) && time >= 0, `event time must be a non-negative integer: ${time}`);
    assert(this.heap.length < this.eventsMax, `event queue overflow (eventsMax=${this.eventsMax})`);
    this.heap.push({ time, sequence: this.sequenceNext++, event });
    this.siftUp(this.heap.length - 1);
  }

  /** The earliest event, or null when the agenda is empty. */
  pop(): { time: number; event: T } | null {
    const top = this.heap[0];
    if (top === undefined) return null;
    const last = this.heap.pop();
    assert(last !== undefined, 'heap underflow');
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return { time: top.time, event: top.event };
  }

  peekTime(): number | null {
    return this.heap.length === 0 ? null : this.heap[0].time;
  }

  private less(a: Slot<T>, b: Slot<T>): boolean {
    return a.time < b.time || (a.time === b.time && a.sequence < b.sequence);
  }

  private siftUp(start: number): void {
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.less(this.heap[index], this.heap[parent])) return;
      [this.heap[index], this.heap[parent]] = [this.heap[parent], this.heap[index]];
      index = parent;
    }
  }

  private siftDown(start: number): void {
    let index = start;
    const size = this.heap.length;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < size && this.less(this.heap[left], this.heap[smallest])) smallest = left;
      if (right < size && this.less(this.heap[right], this.heap[smallest])) smallest = right;
      if (smallest === index) return;
      [this.heap[index], this.heap[smallest]] = [this.heap[smallest], this.heap[index]];
      index = smallest;
    }
  }
}
