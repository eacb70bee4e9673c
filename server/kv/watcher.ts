// One watcher of a replica's watch hub: what it covers, its bounded queue, and how it ends.
// Pull-based: the host drains it with `next()` whenever the hub says it has output.
//
// A watcher is in one of three phases:
// - catching up: it started from a past revision and reads the hub's history; it is not yet
//   subscribed to live events (they go to the history too), so nothing is seen twice;
// - live: subscribed; published events that match are queued;
// - ended: a terminal outcome (one-shot fired, closed, compacted, slow consumer) that `next()`
//   returns once the queued events are drained.

import { assert } from '../util/assert';
import { parentOf, isRoot, isSelfOrDescendant } from './path';
import type { WatchEvent, WatchKind } from './watch-event';

export type WatchTerminal =
  | { readonly kind: 'end'; readonly reason: 'one-shot' | 'closed' }
  | { readonly kind: 'cancelled'; readonly cancelled: 'compacted'; readonly compactRevision: number }
  | { readonly kind: 'cancelled'; readonly cancelled: 'slow-consumer'; readonly resumeRevision: number };

export type WatchNext =
  /** The current state (as ADD events) as of `revision`; live events follow from revision + 1. */
  | { readonly kind: 'replay'; readonly revision: number; readonly events: readonly WatchEvent[] }
  | { readonly kind: 'events'; readonly events: readonly WatchEvent[] }
  /** Nothing queued: wait until `publish` names this watcher again. */
  | { readonly kind: 'idle' }
  | WatchTerminal;

export function watchMatches(kind: WatchKind, watchPath: string, eventPath: string): boolean {
  switch (kind) {
    case 'path':
      return eventPath === watchPath;
    case 'children':
      return !isRoot(eventPath) && parentOf(eventPath) === watchPath;
    case 'subtree':
      return isSelfOrDescendant(eventPath, watchPath);
  }
}

/** What a watcher needs from its hub. */
export interface WatchFeed {
  /** Last published revision. */
  currentRevision(): number;
  /** Reads history from `fromRevision`; 'compacted' with the oldest servable revision. */
  readHistory(watcher: Watcher, fromRevision: number, eventsMax: number): { events: WatchEvent[]; nextRevision: number } | { compactRevision: number };
  /** Catch-up reached the present: start receiving published events. */
  goLive(watcher: Watcher): void;
  /** The watcher ended: stop routing to it and stop counting it. */
  detach(watcher: Watcher): void;
}

export interface WatcherOptions {
  readonly id: number;
  readonly path: string;
  readonly kind: WatchKind;
  readonly oneShot: boolean;
  readonly queueEventsMax: number;
  /** Events below this revision are not delivered (a start revision in the future). */
  readonly fromRevision: number;
}

export class Watcher {
  readonly id: number;
  readonly path: string;
  readonly kind: WatchKind;
  readonly oneShot: boolean;
  readonly queueEventsMax: number;
  private readonly fromRevision: number;
  private queue: WatchEvent[] = [];
  private queueHead = 0;
  private replay: { revision: number; events: readonly WatchEvent[] } | null = null;
  /** Next revision to read from history while catching up; null when live or ended. */
  private catchUpRevision: number | null = null;
  private terminal: WatchTerminal | null = null;

  constructor(options: WatcherOptions, private readonly feed: WatchFeed) {
    assert(options.queueEventsMax >= 1, 'queue bound must be positive');
    this.id = options.id;
    this.path = options.path;
    this.kind = options.kind;
    this.oneShot = options.oneShot;
    this.queueEventsMax = options.queueEventsMax;
    this.fromRevision = options.fromRevision;
  }

  get ended(): boolean {
    return this.terminal !== null;
  }

  get catchingUp(): boolean {
    return this.catchUpRevision !== null;
  }

  get queuedEvents(): number {
    return this.queue.length - this.queueHead;
  }

  matches(event: WatchEvent): boolean {
    return event.revision >= this.fromRevision && watchMatches(this.kind, this.path, event.path);
  }

  // --- driven by the hub ----------------------------------------------------------------

  startReplay(revision: number, events: readonly WatchEvent[]): void {
    assert(this.replay === null && this.catchUpRevision === null, 'replay set twice or while catching up');
    this.replay = { revision, events };
  }

  startCatchUp(fromRevision: number): void {
    assert(this.replay === null && this.catchUpRevision === null, 'catch-up set twice or with replay');
    this.catchUpRevision = fromRevision;
  }

  /** Ends the watcher; queued events stay deliverable unless `discardQueue`. */
  end(terminal: WatchTerminal, discardQueue: boolean): void {
    if (this.terminal !== null) return;
    this.terminal = terminal;
    this.catchUpRevision = null;
    if (discardQueue) {
      this.queue = [];
      this.queueHead = 0;
      this.replay = null;
    }
    this.feed.detach(this);
  }

  /** Queues the matching events of one published revision. Returns false if nothing new. */
  offer(events: readonly WatchEvent[]): boolean {
    assert(this.terminal === null && this.catchUpRevision === null, 'offer to an ended or catching-up watcher');
    const wanted = events[0].revision >= this.fromRevision ? events : [];
    if (wanted.length === 0) return false;
    if (this.oneShot) {
      this.queue.push(wanted[0]);
      this.end({ kind: 'end', reason: 'one-shot' }, false);
      return true;
    }
    if (this.queuedEvents > 0 && this.queuedEvents + wanted.length > this.queueEventsMax) {
      // Whole revisions stay queued; the consumer resumes at the first one it will not get.
      this.end({ kind: 'cancelled', cancelled: 'slow-consumer', resumeRevision: wanted[0].revision }, false);
      return true;
    }
    // An empty queue takes a whole revision even past the bound (bounded by the apply's own
    // limits), so that one large revision cannot cancel every consumer forever.
    for (const event of wanted) this.queue.push(event);
    return true;
  }

  /** Closes the watcher (the consumer went away); nothing more is delivered. */
  close(): void {
    this.end({ kind: 'end', reason: 'closed' }, true);
  }

  // --- drained by the host --------------------------------------------------------------

  /** The next batch: the replay first, then whole revisions up to about `eventsMax`
   *  events, then the terminal outcome (repeated on every later call). */
  next(eventsMax: number = this.queueEventsMax): WatchNext {
    assert(eventsMax >= 1, 'eventsMax must be positive');
    if (this.replay !== null) {
      const replay = this.replay;
      this.replay = null;
      return { kind: 'replay', revision: replay.revision, events: replay.events };
    }
    if (this.catchUpRevision !== null) {
      const caughtUp = this.catchUp(eventsMax);
      if (caughtUp !== null) return caughtUp;
    }
    if (this.queuedEvents > 0) return { kind: 'events', events: this.takeQueued(eventsMax) };
    return this.terminal ?? { kind: 'idle' };
  }

  private catchUp(eventsMax: number): WatchNext | null {
    const from = this.catchUpRevision as number;
    const read = this.feed.readHistory(this, from, eventsMax);
    if ('compactRevision' in read) {
      this.end({ kind: 'cancelled', cancelled: 'compacted', compactRevision: read.compactRevision }, true);
      return this.terminal;
    }
    this.catchUpRevision = read.nextRevision;
    if (read.nextRevision > this.feed.currentRevision()) {
      this.catchUpRevision = null;
      this.feed.goLive(this);
    }
    if (read.events.length === 0) return null;
    if (this.oneShot) {
      this.end({ kind: 'end', reason: 'one-shot' }, true);
      return { kind: 'events', events: [read.events[0]] };
    }
    return { kind: 'events', events: read.events };
  }

  private takeQueued(eventsMax: number): WatchEvent[] {
    let end = this.queueHead;
    // Whole revisions: at least one, then more while under eventsMax.
    while (end < this.queue.length) {
      const revision = this.queue[end].revision;
      let revisionEnd = end;
      while (revisionEnd < this.queue.length && this.queue[revisionEnd].revision === revision) revisionEnd += 1;
      if (end > this.queueHead && revisionEnd - this.queueHead > eventsMax) break;
      end = revisionEnd;
    }
    const taken = this.queue.slice(this.queueHead, end);
    this.queueHead = end;
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > this.queue.length / 2) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    return taken;
  }
}
