// Path -> namespace -> slot -> KV group, as the server's meta group defines it: the namespace
// is the first path segment, hashed with 32-bit FNV-1a over its UTF-8 bytes into one of
// `slots.length` slots, each mapped to a group. This must agree with the server bit for bit
// (a wrong guess only costs a forwarding hop, never correctness: the server re-routes).

import { assert } from './assert';
import { InvalidArgumentError } from './errors';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function hashNamespace(namespace: string): number {
  let hash = FNV_OFFSET_BASIS;
  const bytes = Buffer.from(namespace, 'utf8');
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** Checks the shape the SDK needs to route (absolute, no empty segment, not the root);
 *  the server checks everything else (characters, lengths). */
export function checkRoutablePath(path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new InvalidArgumentError(`bad path ${JSON.stringify(path)}: paths are absolute, like /services/api`);
  if (path === '/') throw new InvalidArgumentError('bad path "/": the root belongs to no namespace; use a path like /name/...');
  if (path.endsWith('/')) throw new InvalidArgumentError(`bad path ${JSON.stringify(path)}: no trailing "/"`);
  if (path.includes('//')) throw new InvalidArgumentError(`bad path ${JSON.stringify(path)}: empty segment`);
}

/** The namespace of a routable path: its first segment. */
export function namespaceOfPath(path: string): string {
  checkRoutablePath(path);
  const end = path.indexOf('/', 1);
  const namespace = end === -1 ? path.slice(1) : path.slice(1, end);
  assert(namespace.length > 0, `path ${path} has an empty namespace`);
  return namespace;
}

export function slotOfNamespace(namespace: string, slotCount: number): number {
  assert(Number.isInteger(slotCount) && slotCount > 0, `slotCount must be a positive integer, got ${slotCount}`);
  return hashNamespace(namespace) % slotCount;
}

/** The KV group of a namespace; undefined when the shard map is empty (not yet known). */
export function groupOfNamespace(slots: readonly number[], namespace: string): number | undefined {
  if (slots.length === 0) return undefined;
  return slots[slotOfNamespace(namespace, slots.length)];
}

/** Lock names are paths; a bare name (`nightly`, `jobs/x`) means `/nightly`, `/jobs/x`. */
export function lockPath(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}
