// The codec round-trips every message type losslessly through the real protobuf encoding.

import type { GroupMessage } from '../../server/host/ports';
import {
  ENTRY_TYPE_TO_WIRE,
  MESSAGE_TYPE_TO_WIRE,
  decodeBatchMessages,
  decodeMessage,
  encodeBatch,
  encodeMessage,
  isCompactHeartbeat,
  messageBytesEstimate,
} from '../../server/host/transport/codec';
import { peerProtocol } from '../../server/host/transport/peer-protocol';
import type { Message, MessageType } from '../../server/raft/types';
import { CorralError } from '../../server/util/errors';
import { SeededRandom } from '../../server/util/random';
import { entry, message } from './harness';

const protocol = peerProtocol();
const header = { fromNode: 1, toNode: 2, clusterId: 'c' };

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const SAFE_MAX = Number.MAX_SAFE_INTEGER;

/** One message of every type, with every field its type uses set to a non-zero value. */
function everyType(): Message[] {
  const conf = { voters: [1, 2, 3], learners: [4] };
  return [
    message('app', { term: 5, logTerm: 4, index: 100, commit: 99, entries: [entry(101, ALL_BYTES, { term: 5 }), entry(102, new Uint8Array(0), { term: 5 }), entry(103, new Uint8Array([9, 9]), { term: 5, type: 'conf-change' })] }),
    message('app', { term: 5, logTerm: 4, index: 100, commit: 99 }), // a probe: no entries
    message('app-resp', { from: 2, to: 1, term: 5, index: 100, reject: true, rejectHint: 40, rejectHintTerm: 3 }),
    message('vote', { term: 6, logTerm: 5, index: 103, context: 'transfer' }),
    message('vote-resp', { from: 2, to: 1, term: 6, reject: true }),
    message('pre-vote', { term: 7, logTerm: 5, index: 103 }),
    message('pre-vote-resp', { from: 2, to: 1, term: 7 }),
    message('heartbeat', { term: 5, commit: 99, context: 'ctx-7' }),
    message('heartbeat-resp', { from: 2, to: 1, term: 5, context: 'ctx-7' }),
    message('snap', { term: 5, snapshot: { meta: { index: 90, term: 4, conf }, data: ALL_BYTES } }),
    message('snap', { term: 5, snapshot: { meta: { index: 90, term: 4, conf: { voters: [], learners: [] } }, data: new Uint8Array(0) } }),
    message('read-index', { from: 2, to: 1, term: 5, context: 'read-\u00e9\u4e2d\u{1f600}' }),
    message('read-index-resp', { from: 1, to: 2, term: 5, index: 99, context: 'read-1' }),
    message('timeout-now', { term: 5 }),
    message('transfer-leader', { from: 3, to: 1, term: 5 }),
    message('app', { from: SAFE_MAX, to: SAFE_MAX - 1, term: SAFE_MAX, logTerm: SAFE_MAX, index: SAFE_MAX, commit: SAFE_MAX, entries: [entry(SAFE_MAX, ALL_BYTES, { term: SAFE_MAX })] }),
  ];
}

function throughBytes(m: Message): Message {
  return decodeMessage(protocol.message.decode(protocol.message.encode(encodeMessage(m))));
}

describe('codec', () => {
  test('the enum tables match the .proto', () => {
    const protoNames = (type: string): string => type.toUpperCase().replace(/-/g, '_');
    for (const [type, value] of Object.entries(MESSAGE_TYPE_TO_WIRE)) expect(protocol.messageTypeValues.get(protoNames(type))).toBe(value);
    expect(protocol.messageTypeValues.size).toBe(Object.keys(MESSAGE_TYPE_TO_WIRE).length + 1); // + UNSPECIFIED
    for (const [type, value] of Object.entries(ENTRY_TYPE_TO_WIRE)) expect(protocol.entryTypeValues.get(protoNames(type))).toBe(value);
  });

  test('every message type round-trips through protobuf bytes', () => {
    const messages = everyType();
    const types = new Set<MessageType>(messages.map((m) => m.type));
    expect(types.size).toBe(Object.keys(MESSAGE_TYPE_TO_WIRE).length);
    for (const m of messages) expect(throughBytes(m)).toEqual(m);
  });

  test('entry and snapshot bytes come back as independent Uint8Array copies', () => {
    const m = everyType()[0]!;
    const back = throughBytes(m);
    expect(back.entries[0]!.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(back.entries[0]!.data, ALL_BYTES)).toBe(0);
    expect(back.entries[0]!.data.byteOffset).toBe(0);
    expect(back.entries[0]!.data.buffer.byteLength).toBe(256);
    expect(back.entries[1]!.data).toHaveLength(0);
    expect(back.entries[2]!.type).toBe('conf-change');
  });

  test('a batch of every non-snap type round-trips; heartbeats travel compact', () => {
    const messages: GroupMessage[] = everyType()
      .filter((m) => m.type !== 'snap')
      .map((m, i) => ({ groupId: i * 1000 + 7, message: m }));
    messages.push({ groupId: 0xffffffff, message: message('heartbeat', { term: 1 }) });
    // Replica ids other than the batch's endpoints are sent explicitly.
    messages.push({ groupId: 3, message: message('heartbeat-resp', { from: 7, to: SAFE_MAX, term: 2, context: 'c' }) });
    const wire = encodeBatch(header, messages);
    expect(wire.heartbeats).toHaveLength(4);
    // Ids equal to the batch's endpoints (from 1, to 2) are elided; others are explicit.
    const expected = messages.filter((m) => isCompactHeartbeat(m.message)).map(({ message: m }) => [m.from === 1 ? undefined : m.from, m.to === 2 ? undefined : m.to]);
    expect(wire.heartbeats!.map((h) => [h.from, h.to])).toEqual(expected);
    expect(expected).toContainEqual([undefined, undefined]);
    expect(expected).toContainEqual([7, SAFE_MAX]);
    expect(wire.messages).toHaveLength(messages.length - 4);
    const back = decodeBatchMessages(protocol.batch.decode(protocol.batch.encode(wire)), 2);
    const heartbeatFirst = (item: GroupMessage): boolean => item.message.type.startsWith('heartbeat');
    expect(back).toEqual([...messages.filter((x) => !heartbeatFirst(x)), ...messages.filter(heartbeatFirst)]);
  });

  test('a heartbeat with a field the compact form lacks travels as a full message, losslessly', () => {
    const odd = [
      message('heartbeat', { term: 3, commit: 2, index: 5, reject: true }),
      message('heartbeat', { from: 0, term: 3 }), // 0 on the compact wire means "the batch's node"
      message('heartbeat-resp', { to: 0, term: 3 }),
    ];
    for (const m of odd) {
      expect(isCompactHeartbeat(m)).toBe(false);
      const wire = encodeBatch(header, [{ groupId: 1, message: m }]);
      expect(wire.heartbeats).toHaveLength(0);
      expect(decodeBatchMessages(protocol.batch.decode(protocol.batch.encode(wire)), 2)).toEqual([{ groupId: 1, message: m }]);
    }
  });

  test('64 idle groups of heartbeats cost under 11 bytes each, well under full messages', () => {
    const heartbeats: GroupMessage[] = Array.from({ length: 64 }, (_, g) => ({ groupId: g + 1, message: message('heartbeat', { term: 12, commit: 40_000 + g }) }));
    const compact = protocol.batch.encode(encodeBatch(header, heartbeats)).length;
    const full = protocol.batch.encode({ ...header, messages: heartbeats.map((h) => ({ groupId: h.groupId, message: encodeMessage(h.message) })), heartbeats: [] }).length;
    // Measured: 645 bytes compact against 1157 as full messages (zero fields omitted in both).
    expect(compact * 3).toBeLessThan(full * 2);
    expect(compact).toBeLessThan(64 * 11);
  });

  test('messageBytesEstimate bounds the encoded size from above (random messages)', () => {
    const random = new SeededRandom(42);
    const types = Object.keys(MESSAGE_TYPE_TO_WIRE).filter((t) => t !== 'snap') as MessageType[];
    const big = (): number => (random.chance(0.2) ? SAFE_MAX - random.nextInt(1000) : random.nextInt(1 << 20));
    for (let i = 0; i < 500; i++) {
      const entries = Array.from({ length: random.nextInt(4) }, () => entry(big(), new Uint8Array(random.nextInt(300)), { term: big() }));
      const context = 'x\u4e2d'.repeat(random.nextInt(5));
      const m = message(types[random.nextInt(types.length)]!, { from: big(), to: big(), term: big(), logTerm: big(), index: big(), commit: big(), rejectHint: big(), rejectHintTerm: big(), reject: random.chance(0.5), entries, context });
      const encoded = protocol.batch.encode(encodeBatch(header, [{ groupId: 0xffffffff, message: m }])).length;
      const batchFraming = 2 + 1 + 5 + header.clusterId.length + 1 + 5 + 1 + 5; // from_node, cluster_id, the item's own framing
      expect(encoded).toBeLessThanOrEqual(messageBytesEstimate(m) + batchFraming);
    }
  });

  test('decoding refuses unknown enums, uint64 beyond 2^53, snap in a batch and empty items', () => {
    const base = encodeMessage(message('app', { term: 1 }));
    const refuse = (wire: typeof base): void => {
      expect(() => decodeMessage(protocol.message.decode(protocol.message.encode(wire)))).toThrow(CorralError);
    };
    refuse({ ...base, type: 99 });
    refuse({ ...base, type: 0 });
    refuse({ ...base, term: 2 ** 60 });
    refuse({ ...base, entries: [{ term: 1, index: 1, type: 7, data: new Uint8Array(0) }] });
    refuse({ ...base, snapshot: { meta: null, data: new Uint8Array(0) } });

    const snap = everyType().find((m) => m.type === 'snap')!;
    const viaBytes = (batch: Parameters<typeof protocol.batch.encode>[0]): void => {
      decodeBatchMessages(protocol.batch.decode(protocol.batch.encode(batch)), 2);
    };
    expect(() => viaBytes({ ...header, messages: [{ groupId: 1, message: encodeMessage(snap) }] })).toThrow(/snap messages travel on SendSnapshot/);
    expect(() => viaBytes({ ...header, messages: [{ groupId: 1 }] })).toThrow(/without a message/);
    let caught: unknown = null;
    try {
      viaBytes({ ...header, messages: [{ groupId: 1, message: { ...base, type: 99 } }] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CorralError);
    expect((caught as CorralError).code).toBe('invalid-argument');
    expect((caught as CorralError).message).toBe('malformed peer message: unknown message type 99');
  });
});
