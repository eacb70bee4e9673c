// Payload layouts of every record kind (all framed by record-frame.ts):
//   entry          term u64, type u8 (0 normal, 1 conf-change), data (rest)
//   hard state     term u64, vote u32, commit u64
//   snapshot meta  index u64, term u64, voters (u32 count, u32 each), learners (same),
//                  generation u32, chunk count u32, data bytes u64, data crc32 u32
//   identity       node id u32, cluster id utf-8 (rest)
//   format version u32
//   opaque         the bytes themselves (group descriptor, local metadata, snapshot chunk)
// The index of an entry is its key's; the key is part of the CRC, so it is bound to it.

import { crc32 } from 'node:zlib';
import type { ConfState, Entry, EntryType, HardState, SnapshotMeta } from '../raft/types';
import { assert } from '../util/assert';
import { ByteReader, DecodeError, U32_MAX, writeU32, writeU64 } from './byte-codec';
import { type Decoded, frameRecord, unframeRecord } from './record-frame';

export const CLUSTER_ID_BYTES_MAX = 256;
const CONF_NODES_MAX = 1024;

export interface NodeIdentity {
  readonly clusterId: string;
  readonly nodeId: number;
}

/** The snapshot meta as stored: the Raft meta plus where and how its data is stored. */
export interface StoredSnapshotMeta {
  readonly meta: SnapshotMeta;
  /** Chunks live under this generation; a new snapshot takes the next one. */
  readonly generation: number;
  readonly chunkCount: number;
  readonly dataBytes: number;
  /** crc32 of the whole data: an end-to-end check over all chunks. */
  readonly dataCrc: number;
}

const ENTRY_TYPE_CODES: Readonly<Record<EntryType, number>> = { normal: 0, 'conf-change': 1 };
const ENTRY_TYPES: readonly EntryType[] = ['normal', 'conf-change'];

function decodeWith<T>(key: Buffer, raw: Buffer, parse: (reader: ByteReader) => T): Decoded<T> {
  const frame = unframeRecord(key, raw);
  if (!frame.ok) return frame;
  try {
    const reader = new ByteReader(frame.value);
    const value = parse(reader);
    reader.finish();
    return { ok: true, value };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, reason: `malformed payload: ${error.message}` };
    throw error;
  }
}

export function encodeEntry(key: Buffer, entry: Entry): Buffer {
  const typeCode = ENTRY_TYPE_CODES[entry.type];
  assert(typeCode !== undefined, `unknown entry type ${String(entry.type)}`);
  const payload = Buffer.allocUnsafe(9 + entry.data.length);
  writeU64(payload, 0, entry.term);
  payload.writeUInt8(typeCode, 8);
  payload.set(entry.data, 9);
  return frameRecord(key, payload);
}

export function decodeEntry(key: Buffer, index: number, raw: Buffer): Decoded<Entry> {
  return decodeWith(key, raw, (reader) => {
    const term = reader.u64();
    const type = ENTRY_TYPES[reader.u8()];
    if (type === undefined) throw new DecodeError('unknown entry type');
    return { term, index, type, data: reader.rest() };
  });
}

export function encodeHardState(key: Buffer, hardState: HardState): Buffer {
  const payload = Buffer.allocUnsafe(20);
  writeU64(payload, 0, hardState.term);
  writeU32(payload, 8, hardState.vote);
  writeU64(payload, 12, hardState.commit);
  return frameRecord(key, payload);
}

export function decodeHardState(key: Buffer, raw: Buffer): Decoded<HardState> {
  return decodeWith(key, raw, (reader) => ({ term: reader.u64(), vote: reader.u32(), commit: reader.u64() }));
}

export function encodeSnapshotMeta(key: Buffer, stored: StoredSnapshotMeta): Buffer {
  const { voters, learners } = stored.meta.conf;
  const payload = Buffer.allocUnsafe(16 + 8 + 4 * (voters.length + learners.length) + 20);
  let offset = writeU64(payload, 0, stored.meta.index);
  offset = writeU64(payload, offset, stored.meta.term);
  for (const nodes of [voters, learners]) {
    offset = writeU32(payload, offset, nodes.length);
    for (const node of nodes) offset = writeU32(payload, offset, node);
  }
  offset = writeU32(payload, offset, stored.generation);
  offset = writeU32(payload, offset, stored.chunkCount);
  offset = writeU64(payload, offset, stored.dataBytes);
  offset = writeU32(payload, offset, stored.dataCrc);
  assert(offset === payload.length, 'snapshot meta payload size');
  return frameRecord(key, payload);
}

export function decodeSnapshotMeta(key: Buffer, raw: Buffer): Decoded<StoredSnapshotMeta> {
  return decodeWith(key, raw, (reader) => {
    const index = reader.u64();
    const term = reader.u64();
    const conf: ConfState = { voters: readNodeList(reader), learners: readNodeList(reader) };
    const generation = reader.u32();
    const chunkCount = reader.u32();
    const dataBytes = reader.u64();
    const dataCrc = reader.u32();
    if (generation === 0) throw new DecodeError('snapshot generation 0');
    return { meta: { index, term, conf }, generation, chunkCount, dataBytes, dataCrc };
  });
}

function readNodeList(reader: ByteReader): number[] {
  const count = reader.u32();
  if (count > CONF_NODES_MAX) throw new DecodeError(`${count} nodes in a configuration`);
  const nodes: number[] = [];
  for (let i = 0; i < count; i++) {
    const node = reader.u32();
    if (node === 0) throw new DecodeError('node id 0 in a configuration');
    nodes.push(node);
  }
  return nodes;
}

export function encodeIdentity(key: Buffer, identity: NodeIdentity): Buffer {
  const clusterId = Buffer.from(identity.clusterId, 'utf8');
  const payload = Buffer.allocUnsafe(4 + clusterId.length);
  writeU32(payload, 0, identity.nodeId);
  payload.set(clusterId, 4);
  return frameRecord(key, payload);
}

export function decodeIdentity(key: Buffer, raw: Buffer): Decoded<NodeIdentity> {
  return decodeWith(key, raw, (reader) => {
    const nodeId = reader.u32();
    const clusterId = reader.rest().toString('utf8');
    if (nodeId === 0 || clusterId.length === 0) throw new DecodeError('empty identity');
    return { clusterId, nodeId };
  });
}

export function encodeFormatVersion(key: Buffer, version: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  writeU32(payload, 0, version);
  return frameRecord(key, payload);
}

export function decodeFormatVersion(key: Buffer, raw: Buffer): Decoded<number> {
  return decodeWith(key, raw, (reader) => reader.u32());
}

export function encodeOpaque(key: Buffer, bytes: Uint8Array): Buffer {
  return frameRecord(key, bytes);
}

export function decodeOpaque(key: Buffer, raw: Buffer): Decoded<Buffer> {
  return unframeRecord(key, raw);
}

/** Checks a configuration before it is stored (the decoder enforces the same bounds). */
export function assertConfState(conf: ConfState): void {
  assert(conf.voters.length + conf.learners.length <= CONF_NODES_MAX, 'configuration too large');
  for (const node of [...conf.voters, ...conf.learners]) {
    assert(Number.isInteger(node) && node > 0 && node <= U32_MAX, `invalid node id ${node} in configuration`);
  }
}

export function dataCrcOf(data: Uint8Array): number {
  return crc32(data);
}
