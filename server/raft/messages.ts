// Building messages and measuring entries. Every message the core emits goes through
// `makeMessage`, so that unused fields are at their zero values (types.ts: a flat message)
// and every message object has the same shape.

import type { Entry, Message, MessageType, NodeId, Snapshot } from './types';

export const EMPTY_ENTRIES: readonly Entry[] = Object.freeze([]);
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** 'vote' / 'pre-vote' context of a campaign started by leadership transfer. */
export const TRANSFER_CONTEXT = 'transfer';

export interface MessageFields {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly logTerm?: number;
  readonly index?: number;
  readonly entries?: readonly Entry[];
  readonly commit?: number;
  readonly reject?: boolean;
  readonly rejectHint?: number;
  readonly rejectHintTerm?: number;
  readonly snapshot?: Snapshot | null;
  readonly context?: string;
}

export function makeMessage(fields: MessageFields): Message {
  return makeMessageFrom(fields, fields.from, fields.term);
}

/** `fields` with `from` and `term` given apart. (Spreading `{ ...fields, from, term }` instead
 *  takes microseconds per message in V8: a slow path, and this is the hottest allocation.) */
export function makeMessageFrom(fields: Omit<MessageFields, 'from' | 'term'>, from: NodeId, term: number): Message {
  return {
    type: fields.type,
    from,
    to: fields.to,
    term,
    logTerm: fields.logTerm ?? 0,
    index: fields.index ?? 0,
    entries: fields.entries ?? EMPTY_ENTRIES,
    commit: fields.commit ?? 0,
    reject: fields.reject ?? false,
    rejectHint: fields.rejectHint ?? 0,
    rejectHintTerm: fields.rejectHintTerm ?? 0,
    snapshot: fields.snapshot ?? null,
    context: fields.context ?? '',
  };
}

/** The size an entry counts for in every byte limit of the config: its payload. An empty
 *  entry (the leader's no-op) counts 0 bytes, which is why entry-count bounds exist too. */
export function entryBytes(entry: Entry): number {
  return entry.data.length;
}

export function entriesBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const entry of entries) total += entry.data.length;
  return total;
}
