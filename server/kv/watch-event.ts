// What a watcher sees: one applied change of one node. All events of one apply share the
// group revision that apply produced (a transaction or a recursive delete is one revision).

export type WatchEventType = 'ADD' | 'UPDATE' | 'REMOVE';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly path: string;
  /** Group revision of the change (for a replayed ADD: the node's modRevision). */
  readonly revision: number;
  /** The new value; for REMOVE, empty. */
  readonly value: Uint8Array;
  /** The value before the change: null for ADD; for REMOVE, the node's last data. */
  readonly prevValue: Uint8Array | null;
  /** The node's version after the change (for REMOVE: the last version it had). */
  readonly version: number;
  readonly createRevision: number;
  /** Owning session of an ephemeral node, or 0 (NO_SESSION). */
  readonly ephemeralOwner: number;
}

/** Rough memory cost of an event, for the history's byte bound. */
export function watchEventBytes(event: WatchEvent): number {
  const EVENT_OVERHEAD_BYTES = 96;
  return EVENT_OVERHEAD_BYTES + event.path.length * 2 + event.value.length + (event.prevValue?.length ?? 0);
}

/** What a watch covers: one node, its immediate children, or the node and all below it. */
export type WatchKind = 'path' | 'children' | 'subtree';
