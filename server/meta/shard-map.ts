// Namespace -> slot -> KV group. A namespace is a path's first segment (`/services/a` ->
// `services`); all of a namespace lives in one group, so transactions, recursive watches and
// revisions are consistent within it.

import { assert } from '../util/assert';
import { CorralError } from '../util/errors';

export const SLOT_COUNT_DEFAULT = 256;

/** FNV-1a over the UTF-8 bytes: stable across processes and versions (it is persisted). */
export function hashNamespace(namespace: string): number {
  let hash = 0x811c9dc5;
  const bytes = Buffer.from(namespace, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function slotOf(namespace: string, slotCount: number): number {
  assert(slotCount > 0, 'slotCount must be positive');
  return hashNamespace(namespace) % slotCount;
}

/** The namespace of an absolute path; '' for the root. */
export function namespaceOfPath(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

export function groupForNamespace(slots: readonly number[], namespace: string): number {
  // A node that has not received the meta group's first entry (just started, or joining)
  // has no slot map yet: a retryable outcome, not a bug.
  if (slots.length === 0) throw new CorralError('unavailable', 'this node has no shard map yet (its meta replica is catching up); retry');
  const group = slots[slotOf(namespace, slots.length)];
  assert(group !== undefined, `no group for namespace ${namespace}`);
  return group;
}
