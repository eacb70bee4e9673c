// Conversion between the Raft core's Message (server/raft/types.ts) and the wire shapes of
// proto/raft/peer.proto, both directions, lossless.
//
// Encoding our own messages checks invariants with assertions (a bad message is our bug).
// Decoding a peer's bytes is input validation: a bad field is a CorralError
// ('invalid-argument'), which the receiver turns into a gRPC status.

import type { Entry, EntryType, Message, MessageType, NodeId, Snapshot } from '../../raft/types';
import { assert } from '../../util/assert';
import { CorralError } from '../../util/errors';
import type { GroupId, GroupMessage } from '../ports';
import type {
  WireBatch,
  WireConfState,
  WireDraft,
  WireEntry,
  WireGroupMessage,
  WireHeartbeat,
  WireMessage,
  WireSnapshot,
} from './wire-types';

/** Enum numbers of `corral.raft.v1.MessageType` (tests check them against the .proto). */
export const MESSAGE_TYPE_TO_WIRE: Readonly<Record<MessageType, number>> = {
  app: 1,
  'app-resp': 2,
  vote: 3,
  'vote-resp': 4,
  'pre-vote': 5,
  'pre-vote-resp': 6,
  heartbeat: 7,
  'heartbeat-resp': 8,
  snap: 9,
  'read-index': 10,
  'read-index-resp': 11,
  'timeout-now': 12,
  'transfer-leader': 13,
};

export const ENTRY_TYPE_TO_WIRE: Readonly<Record<EntryType, number>> = { normal: 0, 'conf-change': 1 };

const MESSAGE_TYPE_FROM_WIRE: ReadonlyMap<number, MessageType> = invert(MESSAGE_TYPE_TO_WIRE);
const ENTRY_TYPE_FROM_WIRE: ReadonlyMap<number, EntryType> = invert(ENTRY_TYPE_TO_WIRE);

/** Upper bounds of the protobuf framing around the variable-size parts, so that
 *  `messageBytesEstimate` bounds the encoded size from above (a varint field is at most
 *  1 tag byte + 10 value bytes; a length-delimited one at most 1 + 5 + its bytes). */
const MESSAGE_FIXED_BYTES_MAX = 11 * 11 + 3 * 6;
const ENTRY_FIXED_BYTES_MAX = 3 * 11 + 2 * 6;
const CONF_MEMBER_BYTES_MAX = 11;
/** A JS string's UTF-8 form takes at most 3 bytes per UTF-16 code unit. */
const UTF8_BYTES_PER_CODE_UNIT_MAX = 3;

// ---------------------------------------------------------------------------------------
// Message -> wire. Zero fields are left out of the drafts: protobufjs would write them.

export function encodeMessage(message: Message): WireDraft<WireMessage> {
  assert(MESSAGE_TYPE_TO_WIRE[message.type] !== undefined, `unknown message type ${message.type}`);
  assert(isCount(message.term) && isCount(message.index) && isCount(message.commit), 'message counters');
  const wire: WireDraft<WireMessage> = { type: MESSAGE_TYPE_TO_WIRE[message.type] };
  if (message.from !== 0) wire.from = message.from;
  if (message.to !== 0) wire.to = message.to;
  if (message.term !== 0) wire.term = message.term;
  if (message.logTerm !== 0) wire.logTerm = message.logTerm;
  if (message.index !== 0) wire.index = message.index;
  if (message.entries.length > 0) wire.entries = message.entries.map(encodeEntry);
  if (message.commit !== 0) wire.commit = message.commit;
  if (message.reject) wire.reject = true;
  if (message.rejectHint !== 0) wire.rejectHint = message.rejectHint;
  if (message.rejectHintTerm !== 0) wire.rejectHintTerm = message.rejectHintTerm;
  if (message.snapshot !== null) wire.snapshot = encodeSnapshot(message.snapshot);
  if (message.context !== '') wire.context = message.context;
  return wire;
}

function encodeEntry(entry: Entry): WireDraft<WireEntry> {
  assert(isCount(entry.term) && isCount(entry.index), `entry term/index must be counts`);
  const wire: WireDraft<WireEntry> = { term: entry.term, index: entry.index };
  if (entry.type !== 'normal') wire.type = ENTRY_TYPE_TO_WIRE[entry.type];
  if (entry.data.length > 0) wire.data = entry.data;
  return wire;
}

function encodeSnapshot(snapshot: Snapshot): WireDraft<WireSnapshot> {
  const { meta } = snapshot;
  assert(isCount(meta.index) && isCount(meta.term), 'snapshot meta index/term must be counts');
  const conf: WireDraft<WireConfState> = { voters: [...meta.conf.voters], learners: [...meta.conf.learners] };
  const wire: WireDraft<WireSnapshot> = { meta: { index: meta.index, term: meta.term, conf } };
  if (snapshot.data.length > 0) wire.data = snapshot.data;
  return wire;
}

/** True when `message` travels losslessly as a compact Heartbeat (every other field zero,
 *  and from/to not NONE, since 0 on the wire stands for the batch's endpoints). */
export function isCompactHeartbeat(message: Message): boolean {
  return (
    (message.type === 'heartbeat' || message.type === 'heartbeat-resp') &&
    message.from !== 0 &&
    message.to !== 0 &&
    message.logTerm === 0 &&
    message.index === 0 &&
    message.entries.length === 0 &&
    !message.reject &&
    message.rejectHint === 0 &&
    message.rejectHintTerm === 0 &&
    message.snapshot === null
  );
}

/** The two nodes a batch travels between: compact heartbeats elide ids equal to them. */
export interface BatchEndpoints {
  readonly fromNode: NodeId;
  readonly toNode: NodeId;
}

export function encodeHeartbeat(groupId: GroupId, message: Message, endpoints: BatchEndpoints): WireDraft<WireHeartbeat> {
  assert(isCompactHeartbeat(message), `not a compact heartbeat: ${message.type}`);
  const wire: WireDraft<WireHeartbeat> = {};
  if (groupId !== 0) wire.groupId = groupId;
  if (message.type === 'heartbeat-resp') wire.response = true;
  if (message.term !== 0) wire.term = message.term;
  if (message.commit !== 0) wire.commit = message.commit;
  if (message.context !== '') wire.context = message.context;
  if (message.from !== endpoints.fromNode) wire.from = message.from;
  if (message.to !== endpoints.toNode) wire.to = message.to;
  return wire;
}

export interface BatchHeader extends BatchEndpoints {
  readonly clusterId: string;
}

/** One wire Batch: heartbeats go in compact form, everything else as full messages. */
export function encodeBatch(header: BatchHeader, messages: readonly GroupMessage[]): WireDraft<WireBatch> {
  assert(messages.length > 0, 'an empty batch is never sent');
  const full: WireDraft<WireGroupMessage>[] = [];
  const heartbeats: WireDraft<WireHeartbeat>[] = [];
  for (const { groupId, message } of messages) {
    assert(isGroupId(groupId), `group id must be a uint32, got ${groupId}`);
    if (isCompactHeartbeat(message)) heartbeats.push(encodeHeartbeat(groupId, message, header));
    else full.push({ groupId, message: encodeMessage(message) });
  }
  return { fromNode: header.fromNode, clusterId: header.clusterId, messages: full, heartbeats };
}

/** An upper bound of the encoded size of `message` inside a Batch, computed without
 *  encoding it. Queue and batch byte bounds count this. */
export function messageBytesEstimate(message: Message): number {
  let bytes = MESSAGE_FIXED_BYTES_MAX + message.context.length * UTF8_BYTES_PER_CODE_UNIT_MAX;
  for (const entry of message.entries) bytes += ENTRY_FIXED_BYTES_MAX + entry.data.length;
  if (message.snapshot !== null) {
    const { conf } = message.snapshot.meta;
    bytes += MESSAGE_FIXED_BYTES_MAX + message.snapshot.data.length;
    bytes += (conf.voters.length + conf.learners.length) * CONF_MEMBER_BYTES_MAX;
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------
// wire -> Message (untrusted input)

export function decodeMessage(wire: WireMessage): Message {
  const type = MESSAGE_TYPE_FROM_WIRE.get(wire.type);
  if (type === undefined) throw invalid(`unknown message type ${wire.type}`);
  return {
    type,
    from: count(wire.from, 'from'),
    to: count(wire.to, 'to'),
    term: count(wire.term, 'term'),
    logTerm: count(wire.logTerm, 'log_term'),
    index: count(wire.index, 'index'),
    entries: wire.entries.map(decodeEntry),
    commit: count(wire.commit, 'commit'),
    reject: wire.reject,
    rejectHint: count(wire.rejectHint, 'reject_hint'),
    rejectHintTerm: count(wire.rejectHintTerm, 'reject_hint_term'),
    snapshot: wire.snapshot === null ? null : decodeSnapshot(wire.snapshot),
    context: wire.context,
  };
}

function decodeEntry(wire: WireEntry): Entry {
  const type = ENTRY_TYPE_FROM_WIRE.get(wire.type);
  if (type === undefined) throw invalid(`unknown entry type ${wire.type}`);
  // A copy: the decoder's bytes are a view of the whole received batch, which one retained
  // entry would otherwise keep alive.
  return { term: count(wire.term, 'entry term'), index: count(wire.index, 'entry index'), type, data: copyBytes(wire.data) };
}

function decodeSnapshot(wire: WireSnapshot): Snapshot {
  if (wire.meta === null) throw invalid('snapshot without meta');
  const conf = wire.meta.conf ?? { voters: [], learners: [] };
  return {
    meta: {
      index: count(wire.meta.index, 'snapshot index'),
      term: count(wire.meta.term, 'snapshot term'),
      conf: { voters: conf.voters.map((id) => count(id, 'voter')), learners: conf.learners.map((id) => count(id, 'learner')) },
    },
    data: copyBytes(wire.data),
  };
}

export function decodeHeartbeat(wire: WireHeartbeat, endpoints: BatchEndpoints): GroupMessage {
  const message: Message = {
    type: wire.response ? 'heartbeat-resp' : 'heartbeat',
    from: wire.from === 0 ? endpoints.fromNode : count(wire.from, 'heartbeat from'),
    to: wire.to === 0 ? endpoints.toNode : count(wire.to, 'heartbeat to'),
    term: count(wire.term, 'heartbeat term'),
    logTerm: 0,
    index: 0,
    entries: [],
    commit: count(wire.commit, 'heartbeat commit'),
    reject: false,
    rejectHint: 0,
    rejectHintTerm: 0,
    snapshot: null,
    context: wire.context,
  };
  return { groupId: wire.groupId, message };
}

/** The batch's messages: full messages first, then heartbeats, each list in order.
 *  `toNode` is the receiving node (for the heartbeats' elided `to`). */
export function decodeBatchMessages(batch: WireBatch, toNode: NodeId): GroupMessage[] {
  const out: GroupMessage[] = [];
  for (const item of batch.messages) {
    if (item.message === null) throw invalid(`group message for group ${item.groupId} without a message`);
    const message = decodeMessage(item.message);
    if (message.type === 'snap') throw invalid('snap messages travel on SendSnapshot, not in a batch');
    out.push({ groupId: item.groupId, message });
  }
  const endpoints: BatchEndpoints = { fromNode: batch.fromNode, toNode };
  for (const heartbeat of batch.heartbeats) out.push(decodeHeartbeat(heartbeat, endpoints));
  return out;
}

// ---------------------------------------------------------------------------------------
// helpers

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isGroupId(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

/** uint64 decoded as a JS number: beyond 2^53 it has lost precision, which we refuse. */
function count(value: number, field: string): number {
  if (!isCount(value)) throw invalid(`${field} is not a safe integer: ${value}`);
  return value;
}

function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function invalid(reason: string): CorralError {
  return new CorralError('invalid-argument', `malformed peer message: ${reason}`);
}

function invert<K extends string>(table: Readonly<Record<K, number>>): ReadonlyMap<number, K> {
  const out = new Map<number, K>();
  for (const key of Object.keys(table) as K[]) out.set(table[key], key);
  return out;
}
