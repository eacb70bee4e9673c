// A bounded ring of the most recent watch events of one replica, for watches that start from
// a past revision. Bounded by event count and by bytes (values included).
//
// `floorRevision` is the newest revision that is NOT fully in the ring: every event with a
// revision above it is present. A watch can start from `floorRevision + 1` or later; older
// starts are answered "compacted". Evicting one event of a revision makes the whole revision
// unavailable (the floor moves to it), so a watch never sees half a revision.

import { assert } from '../util/assert';
import type { WatchEvent } from './watch-event';
import { watchEventBytes } from './watch-event';

export interface HistoryRead {
  readonly events: WatchEvent[];
  /** The revision to continue reading from. */
  readonly nextRevision: number;
}

export class WatchHistory {
  private readonly ring: (WatchEvent | undefined)[];
  private head = 0;
  private length = 0;
  private bytes = 0;
  private floor: number;

  constructor(
    private readonly eventsMax: number,
    private readonly bytesMax: number,
    floorRevision: number,
  ) {
    assert(Number.isSafeInteger(eventsMax) && eventsMax > 0, `bad history size ${eventsMax}`);
    this.ring = new Array<WatchEvent | undefined>(eventsMax).fill(undefined);
    this.floor = floorRevision;
  }

  get floorRevision(): number {
    return this.floor;
  }

  get size(): number {
    return this.length;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Forgets everything; revisions up to `floorRevision` are unavailable from now on. */
  reset(floorRevision: number): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.length = 0;
    this.bytes = 0;
    this.floor = floorRevision;
  }

  /** Appends the events of one or more newer revisions, evicting the oldest past a bound. */
  append(events: readonly WatchEvent[]): void {
    for (const event of events) {
      const newest = this.length === 0 ? this.floor : this.at(this.length - 1).revision;
      assert(event.revision >= newest && event.revision > this.floor, `history: revision ${event.revision} after ${newest}`);
      if (this.length === this.eventsMax) this.evictOldest();
      this.ring[(this.head + this.length) % this.eventsMax] = event;
      this.length += 1;
      this.bytes += watchEventBytes(event);
    }
    // Bounded: each iteration removes one event.
    while (this.bytes > this.bytesMax && this.length > 0) this.evictOldest();
  }

  /**
   * Matching events from `fromRevision` on, whole revisions only, stopping at the first
   * revision boundary after `eventsMax` matches. `fromRevision` must be above the floor.
   * Scans at most the ring (eventsMax of the history).
   */
  read(fromRevision: number, eventsMax: number, matches: (event: WatchEvent) => boolean, lastRevision: number): HistoryRead {
    assert(fromRevision > this.floor, `history read from ${fromRevision} at or below floor ${this.floor}`);
    const events: WatchEvent[] = [];
    for (let index = this.firstIndexAtOrAfter(fromRevision); index < this.length; index += 1) {
      const event = this.at(index);
      if (events.length >= eventsMax && event.revision !== events[events.length - 1].revision) {
        return { events, nextRevision: event.revision };
      }
      if (matches(event)) events.push(event);
    }
    return { events, nextRevision: lastRevision + 1 };
  }

  private at(logicalIndex: number): WatchEvent {
    const event = this.ring[(this.head + logicalIndex) % this.eventsMax];
    assert(event !== undefined, `history slot ${logicalIndex} empty`);
    return event;
  }

  private firstIndexAtOrAfter(revision: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).revision < revision) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private evictOldest(): void {
    const oldest = this.at(0);
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.eventsMax;
    this.length -= 1;
    this.bytes -= watchEventBytes(oldest);
    this.floor = Math.max(this.floor, oldest.revision);
  }
}
