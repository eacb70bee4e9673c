// Binary, order-preserving RocksDB keys. One prefix byte per kind; group ids are u32
// big-endian and log indexes u64 big-endian, so byte order is numeric order and every
// group's records of one kind form one contiguous range.
//
//   [00]                                   storage format version
//   [01]                                   node identity (cluster id, node id)
//   [02] name (utf-8)                      node-level local metadata for the host
//   [10] group                             tombstone: the group is being deleted
//   [11] group                             hard state
//   [12] group                             group descriptor (opaque bytes of the host)
//   [13] group 00                          snapshot meta
//   [13] group 01 generation chunk         snapshot data chunk (u32 generation, u32 chunk)
//   [14] group index                       log entry

import { assert } from '../util/assert';
import { U32_MAX, readU64, writeU32, writeU64 } from './byte-codec';

export const KIND_FORMAT_VERSION = 0x00;
export const KIND_IDENTITY = 0x01;
export const KIND_LOCAL = 0x02;
export const KIND_GROUP_TOMBSTONE = 0x10;
export const KIND_HARD_STATE = 0x11;
export const KIND_DESCRIPTOR = 0x12;
export const KIND_SNAPSHOT = 0x13;
export const KIND_LOG = 0x14;

/** Kinds whose presence means "this node holds data of the group". */
export const GROUP_DATA_KINDS: readonly number[] = [KIND_HARD_STATE, KIND_DESCRIPTOR, KIND_SNAPSHOT, KIND_LOG];

const SNAPSHOT_META_TAG = 0x00;
const SNAPSHOT_CHUNK_TAG = 0x01;

export const GROUP_ID_MAX = U32_MAX;
export const LOCAL_NAME_BYTES_MAX = 1024;

/** A half-open key range [gte, lt). */
export interface KeyRange {
  readonly gte: Buffer;
  readonly lt: Buffer;
}

export function assertGroupId(groupId: number): void {
  assert(Number.isInteger(groupId) && groupId >= 0 && groupId <= GROUP_ID_MAX, `invalid group id ${groupId}`);
}

export function formatVersionKey(): Buffer {
  return Buffer.from([KIND_FORMAT_VERSION]);
}

export function identityKey(): Buffer {
  return Buffer.from([KIND_IDENTITY]);
}

export function localKey(name: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  assert(nameBytes.length > 0 && nameBytes.length <= LOCAL_NAME_BYTES_MAX, `local key must be 1..${LOCAL_NAME_BYTES_MAX} bytes`);
  return Buffer.concat([Buffer.from([KIND_LOCAL]), nameBytes]);
}

/** [kind][group]: the whole key of one-per-group kinds, and the prefix of the others. */
export function groupKey(kind: number, groupId: number): Buffer {
  assertGroupId(groupId);
  const key = Buffer.allocUnsafe(5);
  key.writeUInt8(kind, 0);
  writeU32(key, 1, groupId);
  return key;
}

/** Every key of `kind` belonging to `groupId`. */
export function groupRange(kind: number, groupId: number): KeyRange {
  const lt = groupId === GROUP_ID_MAX ? Buffer.from([kind + 1]) : groupKey(kind, groupId + 1);
  return { gte: groupKey(kind, groupId), lt };
}

/** Every key of `kind`, all groups. */
export function kindRange(kind: number): KeyRange {
  return { gte: Buffer.from([kind]), lt: Buffer.from([kind + 1]) };
}

/** The group id of a key of a per-group kind. */
export function groupIdOfKey(key: Buffer): number {
  assert(key.length >= 5, `key too short for a group key: ${key.toString('hex')}`);
  return key.readUInt32BE(1);
}

export function logKey(groupId: number, index: number): Buffer {
  assertGroupId(groupId);
  const key = Buffer.allocUnsafe(13);
  key.writeUInt8(KIND_LOG, 0);
  writeU32(key, 1, groupId);
  writeU64(key, 5, index);
  return key;
}

/** Log keys of `groupId` with fromIndex <= index < toIndex. */
export function logRange(groupId: number, fromIndex: number, toIndex: number): KeyRange {
  assert(fromIndex <= toIndex, `empty log range [${fromIndex}, ${toIndex})`);
  return { gte: logKey(groupId, fromIndex), lt: logKey(groupId, toIndex) };
}

/** The index of a log key, or null if the key is not a log key of `groupId`. */
export function logIndexOfKey(groupId: number, key: Buffer): number | null {
  if (key.length !== 13 || key.readUInt8(0) !== KIND_LOG || key.readUInt32BE(1) !== groupId) return null;
  return readU64(key, 5);
}

export function snapshotMetaKey(groupId: number): Buffer {
  return Buffer.concat([groupKey(KIND_SNAPSHOT, groupId), Buffer.from([SNAPSHOT_META_TAG])]);
}

export function snapshotChunkKey(groupId: number, generation: number, chunk: number): Buffer {
  const key = Buffer.allocUnsafe(14);
  groupKey(KIND_SNAPSHOT, groupId).copy(key, 0);
  key.writeUInt8(SNAPSHOT_CHUNK_TAG, 5);
  writeU32(key, 6, generation);
  writeU32(key, 10, chunk);
  return key;
}

/** Every snapshot chunk key of the group, all generations. */
export function snapshotChunksRange(groupId: number): KeyRange {
  const prefix = groupKey(KIND_SNAPSHOT, groupId);
  return {
    gte: Buffer.concat([prefix, Buffer.from([SNAPSHOT_CHUNK_TAG])]),
    lt: Buffer.concat([prefix, Buffer.from([SNAPSHOT_CHUNK_TAG + 1])]),
  };
}
