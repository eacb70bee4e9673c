// A single-consumer async queue behind an AsyncIterator: producers push, the consumer awaits
// `next()`. Bounded by watermarks: above `highWater` items the producer is asked to pause
// (`onPressure(true)`), and below `lowWater` to resume (`onPressure(false)`). It ends
// normally (`end`) or with an error (`fail`) that `next()` throws once the items queued before
// it are consumed.

import { assert } from './assert';

export interface QueueBounds {
  readonly highWater: number;
  readonly lowWater: number;
}

type Waiter<T> = { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void };

export class EventQueue<T> {
  private readonly items: T[] = [];
  private head = 0;
  private waiter: Waiter<T> | null = null;
  private finished: { readonly error: unknown } | null = null;
  private pressured = false;

  constructor(
    private readonly bounds: QueueBounds,
    private readonly onPressure: (paused: boolean) => void,
  ) {
    assert(bounds.lowWater >= 0 && bounds.lowWater < bounds.highWater, 'queue bounds need 0 <= lowWater < highWater');
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get done(): boolean {
    return this.finished !== null;
  }

  push(item: T): void {
    if (this.finished !== null) return;
    if (this.waiter !== null) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter.resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (!this.pressured && this.size >= this.bounds.highWater) {
      this.pressured = true;
      this.onPressure(true);
    }
  }

  end(): void {
    this.finish({ error: undefined });
  }

  fail(error: unknown): void {
    assert(error !== undefined, 'fail() needs an error');
    this.finish({ error });
  }

  private finish(outcome: { readonly error: unknown }): void {
    if (this.finished !== null) return;
    this.finished = outcome;
    if (this.waiter !== null && this.size === 0) {
      const waiter = this.waiter;
      this.waiter = null;
      if (outcome.error === undefined) waiter.resolve({ value: undefined, done: true });
      else waiter.reject(outcome.error);
    }
  }

  /** Drops queued items and ends (the consumer stopped listening). */
  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }

  next(): Promise<IteratorResult<T>> {
    assert(this.waiter === null, 'EventQueue has a single consumer: next() called while another next() is pending');
    if (this.size > 0) {
      const item = this.items[this.head];
      this.head += 1;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      if (this.pressured && this.size <= this.bounds.lowWater) {
        this.pressured = false;
        this.onPressure(false);
      }
      return Promise.resolve({ value: item, done: false });
    }
    if (this.finished !== null) {
      return this.finished.error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.finished.error);
    }
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}
