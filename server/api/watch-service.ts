// The Watch service: a server stream of applied changes, served by ANY replica of the path's
// group from its local watch hub (watchers of one path share one subscription there).
//
// A watch "from now" (no from_revision) starts at a linearizable point (a ReadIndex round).
// The stream starts with one message before any event: for a `replay` watch, the current
// state as ADD events with `replay_done` set; otherwise no events and `revision` = the
// revision the watch has covered so far (from_revision - 1 for a watch from the past). Then whole revisions of events, each
// message's `revision` being its last event's. A watch ends
// with OK (one-shot fired) or with a last message carrying `cancelled`: COMPACTED with the
// revision to re-list at, or SLOW_CONSUMER with the revision to resume from.
//
// Flow control: the pump pulls from the watcher only while gRPC accepts writes (`write`
// returning false means wait for 'drain'); meanwhile the watcher's bounded queue absorbs
// events, and a consumer that lets it overflow is cancelled as SLOW_CONSUMER.

import type * as grpc from '@grpc/grpc-js';
import type { WatchHandlers } from '../../proto/gen/corral/v1/Watch';
import type { WatchEvent as WatchEventMessage } from '../../proto/gen/corral/v1/WatchEvent';
import type { WatchRequest__Output } from '../../proto/gen/corral/v1/WatchRequest';
import type { WatchResponse } from '../../proto/gen/corral/v1/WatchResponse';
import type { WatchEvent, WatchKind } from '../kv/watch-event';
import type { WatchRequest } from '../kv/watch-hub';
import type { Watcher } from '../kv/watcher';
import { checkPath } from '../kv/path';
import type { GroupId } from '../host/ports';
import { NONE } from '../raft/types';
import { CorralError } from '../util/errors';
import { type ApiContext, failStream, kvFailure } from './api-context';

/** What the watch service needs from the node's coordination runtime. */
export interface WatchPort {
  /** Calls `wake` whenever the watcher may have new output; returns the unregister function. */
  registerWatcher(groupId: GroupId, watcher: Watcher, wake: () => void): () => void;
  /** Takes one of the node's watcher slots; null when watchersMax are in use. */
  admitWatcher(): (() => void) | null;
  trackStream(close: (error: CorralError) => void): () => void;
}

/** Events per response message (whole revisions: one large revision may exceed it). */
export const WATCH_MESSAGE_EVENTS_MAX = 256;
/** Messages written per pump turn before yielding to the event loop. */
export const WATCH_PUMP_MESSAGES_MAX = 64;

const KINDS: Readonly<Record<string, WatchKind>> = { PATH: 'path', CHILDREN: 'children', SUBTREE: 'subtree' };

/** UNAVAILABLE naming a node that hosts a replica of the group (as the leader hint). */
export function replicaElsewhere(context: ApiContext, groupId: GroupId): CorralError {
  const self = context.options.nodeId;
  const other = context.router.replicasOf(groupId).find((id) => id !== self) ?? NONE;
  const address = other === NONE ? undefined : context.router.addressOf(other);
  return new CorralError('unavailable', `group ${groupId} has no replica on node ${self}${other !== NONE ? `; node ${other} has one` : ''}`, {
    groupId, ...(other !== NONE ? { leaderHint: other } : {}), ...(address !== undefined ? { leaderAddress: address } : {}),
  });
}

export function watchEventMessage(event: WatchEvent): WatchEventMessage {
  return {
    type: event.type,
    path: event.path,
    revision: event.revision,
    value: Buffer.from(event.value.buffer, event.value.byteOffset, event.value.byteLength),
    prev_value: event.prevValue === null ? Buffer.alloc(0) : Buffer.from(event.prevValue.buffer, event.prevValue.byteOffset, event.prevValue.byteLength),
    stat: {
      version: event.version,
      create_revision: event.createRevision,
      mod_revision: event.revision,
      ephemeral_owner: event.ephemeralOwner,
      data_length: event.type === 'REMOVE' ? 0 : event.value.length,
    },
  };
}

function hubRequestOf(context: ApiContext, request: WatchRequest__Output): WatchRequest {
  const check = checkPath(request.path, context.limits);
  if (!check.ok) throw new CorralError('invalid-argument', check.message);
  const kind = KINDS[request.kind];
  if (kind === undefined) throw new CorralError('invalid-argument', `unknown watch kind ${String(request.kind)}`);
  const fromRevision = Number(request.from_revision);
  if (fromRevision !== 0 && request.replay) throw new CorralError('invalid-argument', 'from_revision and replay are exclusive: replay starts at the current revision');
  return { path: request.path, kind, oneShot: request.one_shot, replay: request.replay, ...(fromRevision !== 0 ? { fromRevision } : {}) };
}

/** Moves a watcher's output onto its gRPC stream, honouring backpressure. */
class WatchPump {
  private scheduled = false;
  private waitingDrain = false;
  private done = false;

  constructor(
    private readonly call: grpc.ServerWritableStream<WatchRequest__Output, WatchResponse>,
    private readonly watcher: Watcher,
    private readonly onDone: () => void,
  ) {}

  schedule(): void {
    if (this.scheduled || this.done) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Writes without pulling (the first message). */
  send(message: WatchResponse): void {
    if (!this.done) this.write(message);
  }

  pump(): void {
    for (let messages = 0; !this.done && !this.waitingDrain; messages += 1) {
      if (messages >= WATCH_PUMP_MESSAGES_MAX) return this.schedule();
      const next = this.watcher.next(WATCH_MESSAGE_EVENTS_MAX);
      switch (next.kind) {
        case 'idle':
          return;
        case 'replay':
          this.write({ events: next.events.map(watchEventMessage), replay_done: true, revision: next.revision });
          break;
        case 'events':
          this.write({ events: next.events.map(watchEventMessage), revision: next.events[next.events.length - 1].revision });
          break;
        case 'end':
          return this.finish(null);
        case 'cancelled':
          if (next.cancelled === 'compacted') this.write({ cancelled: 'COMPACTED', compact_revision: next.compactRevision });
          else this.write({ cancelled: 'SLOW_CONSUMER', resume_revision: next.resumeRevision, revision: next.resumeRevision - 1 });
          return this.finish(null);
      }
    }
  }

  private write(message: WatchResponse): void {
    if (this.call.write(message)) return;
    this.waitingDrain = true;
    this.call.once('drain', () => {
      this.waitingDrain = false;
      this.schedule();
    });
  }

  /** Ends the stream: OK, or the error's status. */
  finish(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.watcher.close();
    this.onDone();
    if (error === null) this.call.end();
    else failStream(this.call, error);
  }

  /** The client went away. */
  abandon(): void {
    if (this.done) return;
    this.done = true;
    this.watcher.close();
    this.onDone();
  }
}

async function startWatch(context: ApiContext, port: WatchPort, call: grpc.ServerWritableStream<WatchRequest__Output, WatchResponse>, cleanups: (() => void)[]): Promise<void> {
  const request = hubRequestOf(context, call.request);
  const groupId = context.router.groupOfPath(request.path);
  if (context.localKv(groupId) === undefined) throw replicaElsewhere(context, groupId);
  const release = port.admitWatcher();
  if (release === null) throw new CorralError('resource-exhausted', `node ${context.options.nodeId} serves ${context.limits.watchersMax} watchers (watchersMax)`);
  cleanups.push(release);
  if (request.fromRevision === undefined) {
    // "From now" and a replay start at a linearizable point, like every read by default: the
    // replay includes, and the live events exclude, every write acknowledged before the
    // watch, even on a follower that lags (ReadIndex round, bounded; failure is retryable).
    await context.readLocal(groupId, false);
  } else if (request.fromRevision > (context.localKv(groupId)?.hub.revision ?? 0) + 1) {
    // A client that wrote at revision R and watches from R (or R + 1) must see its write:
    // when this replica is behind, first let it catch up to the leader's commit (bounded; the
    // hub would deliver it later anyway, so a failed barrier is not an error).
    await context.host.readBarrier(groupId, context.options.requestTimeoutMs).catch(() => 0);
  }
  if (call.cancelled) {
    for (const cleanup of cleanups.splice(0)) cleanup();
    return;
  }
  const machine = context.localKv(groupId);
  if (machine === undefined) throw replicaElsewhere(context, groupId);
  const subscribed = machine.hub.subscribe(request);
  if (!subscribed.ok) throw kvFailure(subscribed)!;
  const watcher = subscribed.watcher;
  const pump = new WatchPump(call, watcher, () => { for (const cleanup of cleanups.splice(0)) cleanup(); });
  cleanups.push(() => watcher.close());
  cleanups.push(port.registerWatcher(groupId, watcher, () => pump.schedule()));
  cleanups.push(port.trackStream((error) => pump.finish(error)));
  call.on('cancelled', () => pump.abandon());
  call.on('error', () => pump.abandon());
  if (request.replay !== true) {
    const covered = request.fromRevision !== undefined ? Math.min(request.fromRevision - 1, machine.hub.revision) : machine.hub.revision;
    pump.send({ events: [], revision: covered });
  }
  pump.pump();
}

export function watchHandlers(context: ApiContext, port: WatchPort): WatchHandlers {
  return {
    Watch: (call) => {
      const cleanups: (() => void)[] = [];
      startWatch(context, port, call, cleanups).catch((error: unknown) => {
        for (const cleanup of cleanups.splice(0)) cleanup();
        failStream(call, error);
      });
    },
  };
}
