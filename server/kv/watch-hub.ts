// The replica-local fan-out of applied changes to watchers. Any replica serves watches from
// its own applied stream: the host calls `publish(events)` after each apply, in order, and
// drains the watchers `publish` returns.
//
// - Watchers of the same (kind, path) share one subscription entry: an event is matched once
//   per entry (a map lookup per kind, per ancestor for subtrees), then fanned out.
// - `fromRevision` reads the bounded history first (catch-up), then goes live with no gap and
//   no duplicate; a start older than the history ends the watcher as 'compacted'.
// - `replay` hands out the current state as ADD events (as of the hub's revision), then live
//   events from the next revision: no gap, no duplicate.
// - Each watcher's queue is bounded; a consumer that falls behind is cancelled with the
//   revision to resume from.
// Synchronous and single-threaded: nothing can happen between a subscribe and a publish.

import { assert } from '../util/assert';
import { kvError } from './kv-error';
import type { KvError } from './kv-error';
import type { KvLimits } from './limits';
import { checkPath, isRoot, parentOf, selfAndAncestors } from './path';
import { WatchHistory } from './watch-history';
import type { WatchEvent, WatchKind } from './watch-event';
import { Watcher } from './watcher';
import type { WatchFeed } from './watcher';

export interface WatchRequest {
  readonly path: string;
  readonly kind: WatchKind;
  /** Deliver events from this revision on (inclusive). Exclusive with `replay`. */
  readonly fromRevision?: number;
  /** Start with the current state as ADD events. */
  readonly replay?: boolean;
  /** End after the first live event (replayed events do not count). */
  readonly oneShot?: boolean;
  /** At most limits.watchQueueEventsMax (the default). */
  readonly queueEventsMax?: number;
}

/** The state a `replay` subscription reads (the group's state machine). */
export interface ReplaySource {
  readonly revision: number;
  collectReplay(path: string, kind: WatchKind, eventsMax: number): readonly WatchEvent[] | null;
}

export type SubscribeResult = { readonly ok: true; readonly watcher: Watcher } | KvError;

const WATCH_KINDS: readonly WatchKind[] = ['path', 'children', 'subtree'];

function subscriptionKey(kind: WatchKind, path: string): string {
  return `${kind}:${path}`;
}

export class WatchHub {
  private readonly subscriptions = new Map<string, Set<Watcher>>();
  private readonly history: WatchHistory;
  /** Watchers not ended (live or catching up): what watchersMax bounds. */
  private readonly active = new Set<Watcher>();
  private revisionValue: number;
  private nextWatcherId = 1;
  private readonly feed: WatchFeed;

  constructor(
    private readonly limits: KvLimits,
    private source: ReplaySource,
  ) {
    this.revisionValue = source.revision;
    this.history = new WatchHistory(limits.watchHistoryEventsMax, limits.watchHistoryBytesMax, source.revision);
    this.feed = {
      currentRevision: () => this.revisionValue,
      readHistory: (watcher, fromRevision, eventsMax) => this.readHistory(watcher, fromRevision, eventsMax),
      goLive: (watcher) => this.attach(watcher),
      detach: (watcher) => this.detach(watcher),
    };
  }

  get revision(): number {
    return this.revisionValue;
  }

  get watcherCount(): number {
    return this.active.size;
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** Oldest revision a `fromRevision` watch can still start at. */
  get oldestRevision(): number {
    return this.history.floorRevision + 1;
  }

  subscribe(request: WatchRequest): SubscribeResult {
    const invalid = this.validate(request);
    if (invalid !== null) return invalid;
    if (this.active.size >= this.limits.watchersMax) {
      return kvError('resource-exhausted', `replica has ${this.active.size} watchers (watchersMax)`);
    }
    let replayEvents: readonly WatchEvent[] | null = null;
    if (request.replay === true) {
      assert(this.source.revision === this.revisionValue, `replay source at ${this.source.revision}, hub at ${this.revisionValue}: publish every apply`);
      replayEvents = this.source.collectReplay(request.path, request.kind, this.limits.watchReplayEventsMax);
      if (replayEvents === null) {
        return kvError('resource-exhausted', `replay of ${request.path} exceeds watchReplayEventsMax ${this.limits.watchReplayEventsMax}; list with pagination, then watch from the listing's revision + 1`);
      }
    }
    const fromRevision = request.fromRevision ?? this.revisionValue + 1;
    const watcher = new Watcher(
      {
        id: this.nextWatcherId,
        path: request.path,
        kind: request.kind,
        oneShot: request.oneShot === true,
        queueEventsMax: request.queueEventsMax ?? this.limits.watchQueueEventsMax,
        fromRevision,
      },
      this.feed,
    );
    this.nextWatcherId += 1;
    this.active.add(watcher);
    if (replayEvents !== null) watcher.startReplay(this.revisionValue, replayEvents);
    if (fromRevision <= this.revisionValue) watcher.startCatchUp(fromRevision);
    else this.attach(watcher);
    return { ok: true, watcher };
  }

  private validate(request: WatchRequest): KvError | null {
    const pathCheck = checkPath(request.path, this.limits);
    if (!pathCheck.ok) return kvError('invalid-argument', pathCheck.message);
    if (!WATCH_KINDS.includes(request.kind)) return kvError('invalid-argument', `unknown watch kind ${String(request.kind)}`);
    const { fromRevision, queueEventsMax } = request;
    if (fromRevision !== undefined && (!Number.isSafeInteger(fromRevision) || fromRevision < 1)) {
      return kvError('invalid-argument', `fromRevision ${fromRevision} must be a positive integer`);
    }
    if (fromRevision !== undefined && request.replay === true) {
      return kvError('invalid-argument', 'fromRevision and replay are exclusive: replay starts at the current revision');
    }
    const queueMax = this.limits.watchQueueEventsMax;
    if (queueEventsMax !== undefined && (!Number.isSafeInteger(queueEventsMax) || queueEventsMax < 1 || queueEventsMax > queueMax)) {
      return kvError('invalid-argument', `queueEventsMax ${queueEventsMax} must be in [1, ${queueMax}]`);
    }
    return null;
  }

  /**
   * Publishes the events of one apply (all with revision = previous revision + 1; an apply
   * without events need not be published). Returns the watchers that have new output.
   */
  publish(events: readonly WatchEvent[]): Watcher[] {
    if (events.length === 0) return [];
    const revision = events[0].revision;
    assert(revision === this.revisionValue + 1, `publish revision ${revision} after ${this.revisionValue}`);
    assert(events.every((event) => event.revision === revision), 'publish mixes revisions');
    this.history.append(events);
    this.revisionValue = revision;
    const matched = new Map<Watcher, WatchEvent[]>();
    for (const event of events) {
      for (const key of this.keysFor(event.path)) {
        const watchers = this.subscriptions.get(key);
        if (watchers === undefined) continue;
        for (const watcher of watchers) {
          const list = matched.get(watcher);
          if (list === undefined) matched.set(watcher, [event]);
          else list.push(event);
        }
      }
    }
    // Offer after matching: offering may end a watcher, which edits the subscription sets.
    const ready: Watcher[] = [];
    for (const [watcher, list] of matched) {
      if (watcher.offer(list)) ready.push(watcher);
    }
    return ready;
  }

  /** After a snapshot install: history is gone and every watcher must re-list. */
  reset(source: ReplaySource): void {
    this.source = source;
    this.revisionValue = source.revision;
    this.history.reset(source.revision);
    for (const watcher of [...this.active]) {
      watcher.end({ kind: 'cancelled', cancelled: 'compacted', compactRevision: source.revision + 1 }, true);
    }
    assert(this.active.size === 0 && this.subscriptions.size === 0, 'watchers left after reset');
  }

  // --- routing --------------------------------------------------------------------------

  /** The subscription keys an event at `path` can match: a bounded list (depth + 2). */
  private keysFor(path: string): string[] {
    const keys = [subscriptionKey('path', path)];
    if (!isRoot(path)) keys.push(subscriptionKey('children', parentOf(path)));
    for (const ancestor of selfAndAncestors(path)) keys.push(subscriptionKey('subtree', ancestor));
    return keys;
  }

  private attach(watcher: Watcher): void {
    assert(this.active.has(watcher), `attach of inactive watcher ${watcher.id}`);
    const key = subscriptionKey(watcher.kind, watcher.path);
    let watchers = this.subscriptions.get(key);
    if (watchers === undefined) {
      watchers = new Set();
      this.subscriptions.set(key, watchers);
    }
    watchers.add(watcher);
  }

  private detach(watcher: Watcher): void {
    this.active.delete(watcher);
    const key = subscriptionKey(watcher.kind, watcher.path);
    const watchers = this.subscriptions.get(key);
    if (watchers === undefined) return;
    watchers.delete(watcher);
    if (watchers.size === 0) this.subscriptions.delete(key);
  }

  private readHistory(watcher: Watcher, fromRevision: number, eventsMax: number): { events: WatchEvent[]; nextRevision: number } | { compactRevision: number } {
    if (fromRevision <= this.history.floorRevision) return { compactRevision: this.history.floorRevision + 1 };
    return this.history.read(fromRevision, eventsMax, (event) => watcher.matches(event), this.revisionValue);
  }
}
