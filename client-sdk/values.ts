// Values and node metadata as the SDK hands them out: bytes in (Uint8Array or UTF-8 string),
// Buffers out, and a camelCase `NodeStat` instead of the wire's snake_case message.

import type { Stat__Output } from '../proto/gen/corral/v1/Stat';

export type Value = Uint8Array | string;

export interface NodeStat {
  /** 1 at creation, +1 per change. */
  readonly version: number;
  /** Group revision that created the node. */
  readonly createRevision: number;
  /** Group revision of the last change. */
  readonly modRevision: number;
  /** Owning session id (of the node's group) for an ephemeral node; 0 if persistent. */
  readonly ephemeralOwner: number;
  readonly numChildren: number;
  readonly dataLength: number;
}

export const EMPTY_STAT: NodeStat = { version: 0, createRevision: 0, modRevision: 0, ephemeralOwner: 0, numChildren: 0, dataLength: 0 };

export function toBytes(value: Value): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

export function statOf(message: Stat__Output | null | undefined): NodeStat {
  if (message === null || message === undefined) return EMPTY_STAT;
  return {
    version: Number(message.version),
    createRevision: Number(message.create_revision),
    modRevision: Number(message.mod_revision),
    ephemeralOwner: Number(message.ephemeral_owner),
    numChildren: Number(message.num_children),
    dataLength: Number(message.data_length),
  };
}

/** A write guarded by a lock: applied only while `token` still holds `lock`. */
export interface LockGuard {
  readonly lock: string;
  readonly token: number;
}

export function guardMessage(guard: LockGuard | undefined): { lock: string; token: number } | null {
  return guard === undefined ? null : { lock: guard.lock, token: guard.token };
}

/** Joins a parent path and a child name. */
export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}
