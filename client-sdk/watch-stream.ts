// The engine of a watch: one logical subscription that survives disconnects and leader
// failovers, delivering events in order to a sink (push). `Watch` (watch.ts) wraps it as an
// AsyncIterable; the registry helper uses it directly to diff a resync against its mirror.
//
// It tracks `nextRevision`: every event below it has been handed to the sink. A server
// message that says it is current to revision R moves it to R + 1; an event moves it past
// the event's revision. After a broken stream it reconnects (to another replica if one
// failed) asking for `from_revision = nextRevision`, so nothing is seen twice and nothing is
// skipped. A replay (current state as ADD events) is buffered until the server marks its end,
// so a replay cut short is simply asked for again, and the sink hears `replayDone` after it.
//
// Compaction: when the server no longer has the history to resume from, the stream ends
// with a CompactedError whose `details.revision` is the revision to re-list at. Slow
// consumers are resumed from the revision the server names.

import type * as grpc from '@grpc/grpc-js';
import type { WatchEvent__Output } from '../proto/gen/corral/v1/WatchEvent';
import type { WatchResponse__Output } from '../proto/gen/corral/v1/WatchResponse';
import { assert } from './assert';
import { type BackoffPolicy, backoffDelayMs } from './backoff';
import { sleep } from './call-options';
import { CompactedError, CorralError, UnavailableError } from './errors';
import { corralMethods } from './methods';
import { namespaceOfPath } from './shard-map';
import type { Topology } from './topology';
import type { Transport } from './transport';
import { type NodeStat, statOf } from './values';

export type WatchKind = 'path' | 'children' | 'subtree';

export interface WatchOptions {
  /** One node (default), its immediate children, or the node and everything below it. */
  readonly kind?: WatchKind;
  /** Start from this past revision (inclusive). */
  readonly fromRevision?: number;
  /** Start with the current state as ADD events (`replayed: true`), then live events. */
  readonly replay?: boolean;
  /** End after the first live event. */
  readonly oneShot?: boolean;
  readonly signal?: AbortSignal;
  /** Undelivered events held before the stream is paused. Default 10 000. */
  readonly bufferEventsMax?: number;
  /** Consecutive failed reconnects before the watch gives up. Default 120. */
  readonly reconnectAttemptsMax?: number;
}

export interface WatchEvent {
  readonly type: 'ADD' | 'UPDATE' | 'REMOVE';
  readonly path: string;
  readonly revision: number;
  /** The new value; empty for REMOVE. */
  readonly value: Buffer;
  /** The value before the change (REMOVE: the node's last data); null for ADD. */
  readonly prevValue: Buffer | null;
  readonly stat: NodeStat;
  /** Part of the initial replay of the current state. */
  readonly replayed: boolean;
}

/** Where a WatchStream delivers, in order. */
export interface WatchSink {
  event(event: WatchEvent): void;
  /** The replayed current state has been delivered; live events follow from revision + 1. */
  replayDone(revision: number): void;
  /** Called once, last. */
  end(end: WatchEnd): void;
}

export type WatchEnd =
  | { readonly reason: 'closed' | 'one-shot' }
  | { readonly reason: 'error'; readonly error: CorralError };

export interface WatchDeps {
  readonly transport: Transport;
  readonly topology: Topology;
  readonly backoff: BackoffPolicy;
  readonly onClose: (close: () => void) => () => void;
  /** The group revision now current for a path's namespace (to pin "from now"). */
  readonly currentRevision: (path: string) => Promise<number>;
}

const RECONNECT_ATTEMPTS_MAX_DEFAULT = 120;
/** Events buffered during a replay; a bigger replay fails rather than grow without bound. */
const REPLAY_EVENTS_MAX = 1_000_000;
/** Bound on the cluster-view refresh before a reconnect. */
const TOPOLOGY_REFRESH_MS = 2_000;

export function watchEventOf(event: WatchEvent__Output, replayed: boolean): WatchEvent {
  return {
    type: event.type,
    path: event.path,
    revision: Number(event.revision),
    value: event.value,
    prevValue: event.type === 'ADD' ? null : event.prev_value,
    stat: statOf(event.stat),
    replayed,
  };
}

export class WatchStream {
  private readonly namespace: string;
  private call: grpc.ClientReadableStream<WatchResponse__Output> | null = null;
  private nextRevisionValue: number;
  private replayPending: boolean;
  private replayBuffer: WatchEvent[] = [];
  private liveSeen = false;
  private failures = 0;
  private paused = false;
  private ended = false;
  private readonly unregister: () => void;

  constructor(
    readonly path: string,
    private readonly options: WatchOptions,
    private readonly deps: WatchDeps,
    private readonly sink: WatchSink,
  ) {
    this.namespace = namespaceOfPath(path);
    if (options.fromRevision !== undefined && (!Number.isSafeInteger(options.fromRevision) || options.fromRevision < 1)) {
      throw new RangeError(`fromRevision must be an integer >= 1, got ${options.fromRevision}`);
    }
    this.nextRevisionValue = options.fromRevision ?? 0;
    this.replayPending = options.replay === true;
    this.unregister = deps.onClose(() => this.close());
    options.signal?.addEventListener('abort', () => this.close(), { once: true });
    if (options.signal?.aborted === true) this.close();
    else this.start();
  }

  /** "From now" is pinned to a revision first: a reconnect before the first message would
   *  otherwise start from a later "now" and miss what happened in between. */
  private start(): void {
    if (this.nextRevisionValue !== 0 || this.replayPending) {
      this.connect();
      return;
    }
    this.deps.currentRevision(this.path).then(
      (revision) => {
        if (this.nextRevisionValue === 0) this.nextRevisionValue = revision + 1;
        this.connect();
      },
      (error: unknown) => {
        const coded = CorralError.from(error);
        if (this.reconnectable(coded)) this.reconnectSoon();
        else this.finish({ reason: 'error', error: coded });
      },
    );
  }

  /** Every event below this revision has been delivered (0: nothing yet, from now). */
  get nextRevision(): number {
    return this.nextRevisionValue;
  }

  close(): void {
    this.finish({ reason: 'closed' });
  }

  private finish(end: WatchEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.unregister();
    this.dropCall();
    this.sink.end(end);
  }

  private dropCall(): void {
    const call = this.call;
    this.call = null;
    if (call === null) return;
    call.removeAllListeners();
    call.on('error', () => undefined);
    call.cancel();
  }

  /** Backpressure from the consumer: pause or resume reading the stream. */
  pressure(paused: boolean): void {
    this.paused = paused;
    if (paused) this.call?.pause();
    else this.call?.resume();
  }

  private connect(): void {
    if (this.ended) return;
    this.dropCall();
    const target = this.deps.topology.route({ namespace: this.namespace, role: 'replica', rotation: this.failures });
    const request = {
      path: this.path,
      kind: ({ path: 'PATH', children: 'CHILDREN', subtree: 'SUBTREE' } as const)[this.options.kind ?? 'path'],
      from_revision: this.replayPending ? 0 : this.nextRevisionValue,
      replay: this.replayPending,
      one_shot: this.options.oneShot === true,
    };
    this.replayBuffer = [];
    const call = this.deps.transport.serverStream(target.address, corralMethods().watch.Watch, request, {});
    this.call = call;
    if (this.paused) call.pause();
    call.on('data', (response: WatchResponse__Output) => this.onResponse(response));
    call.on('error', (error: unknown) => this.onBroken(call, target.address, CorralError.from(error)));
    call.on('end', () => this.onBroken(call, target.address, null));
  }

  private onResponse(response: WatchResponse__Output): void {
    if (this.ended) return;
    this.failures = 0;
    if (response.cancelled === 'COMPACTED') {
      const revision = Number(response.compact_revision);
      this.finish({ reason: 'error', error: new CompactedError(`watch of ${this.path}: history from revision ${this.nextRevisionValue} is compacted; re-list at revision ${revision}`, { revision }) });
      return;
    }
    if (this.replayPending) this.collectReplay(response);
    else this.deliver(response.events.map((e) => watchEventOf(e, false)));
    if (!this.replayPending && Number(response.revision) >= this.nextRevisionValue) this.nextRevisionValue = Number(response.revision) + 1;
    if (response.cancelled === 'SLOW_CONSUMER') {
      this.nextRevisionValue = Math.max(this.nextRevisionValue, Number(response.resume_revision));
      this.reconnectSoon();
    }
  }

  private collectReplay(response: WatchResponse__Output): void {
    assert(this.replayPending, 'replay events collected after the replay ended');
    for (const event of response.events) this.replayBuffer.push(watchEventOf(event, true));
    if (this.replayBuffer.length > REPLAY_EVENTS_MAX) {
      this.finish({ reason: 'error', error: new CorralError('resource-exhausted', `watch of ${this.path}: replay larger than ${REPLAY_EVENTS_MAX} events`) });
      return;
    }
    if (!response.replay_done) return;
    this.replayPending = false;
    const replayed = this.replayBuffer;
    this.replayBuffer = [];
    for (const event of replayed) this.sink.event(event);
    this.nextRevisionValue = Math.max(this.nextRevisionValue, Number(response.revision) + 1);
    this.sink.replayDone(Number(response.revision));
  }

  private deliver(events: readonly WatchEvent[]): void {
    const before = this.nextRevisionValue;
    for (const event of events) {
      if (event.revision < this.nextRevisionValue) continue; // already delivered before a reconnect
      this.liveSeen = true;
      this.sink.event(event);
    }
    const last = events[events.length - 1];
    if (last !== undefined && last.revision >= this.nextRevisionValue) this.nextRevisionValue = last.revision + 1;
    assert(this.nextRevisionValue >= before, `watch of ${this.path}: resume revision moved back from ${before} to ${this.nextRevisionValue}`);
    if (this.options.oneShot === true && this.liveSeen) this.finish({ reason: 'one-shot' });
  }

  private onBroken(call: grpc.ClientReadableStream<WatchResponse__Output>, address: string, error: CorralError | null): void {
    if (this.ended || this.call !== call) return;
    this.call = null;
    if (error !== null && !this.reconnectable(error)) {
      this.finish({ reason: 'error', error });
      return;
    }
    if (error !== null && error.details.serverCode === undefined) this.deps.topology.markFailed(address);
    this.deps.topology.invalidate();
    this.reconnectSoon();
  }

  private reconnectable(error: CorralError): boolean {
    return error.code === 'unavailable' || error.code === 'aborted' || error.code === 'cancelled' || error.code === 'deadline-exceeded' || error.code === 'internal';
  }

  private reconnectSoon(): void {
    this.dropCall();
    this.failures += 1;
    const attemptsMax = this.options.reconnectAttemptsMax ?? RECONNECT_ATTEMPTS_MAX_DEFAULT;
    if (this.failures > attemptsMax) {
      this.finish({ reason: 'error', error: new UnavailableError(`watch of ${this.path}: gave up after ${attemptsMax} reconnect attempts`) });
      return;
    }
    const delayMs = backoffDelayMs(this.deps.backoff, this.failures - 1, Math.random);
    void this.refreshThenConnect(delayMs).catch((error: unknown) => this.finish({ reason: 'error', error: CorralError.from(error) }));
  }

  private async refreshThenConnect(delayMs: number): Promise<void> {
    // The timer is held: a consumer awaiting this watch must not see the process exit.
    await sleep(delayMs, undefined, true);
    if (this.ended) return;
    if (this.deps.topology.needsRefresh) await this.deps.topology.refresh(Date.now() + TOPOLOGY_REFRESH_MS, undefined).catch(() => undefined);
    this.start();
  }
}
