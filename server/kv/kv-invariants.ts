// A full scan of the KV state's invariants. O(state): run after restoring a snapshot and,
// in tests, after every apply. The state machine also asserts the cheap ones inline.

import { NO_SESSION } from './commands';
import type { KvStateParts } from './kv-state-parts';
import { SEQUENTIAL_COUNTER_MAX, childPath, isRoot } from './path';

/** Stops collecting after this many violations (one broken index can produce thousands). */
const PROBLEMS_MAX = 20;

export function checkKvInvariants(parts: KvStateParts): string[] {
  const problems: string[] = [];
  const ephemeralCounts = checkTree(parts, problems);
  checkEphemeralIndex(parts, ephemeralCounts, problems);
  checkSessions(parts, problems);
  checkLocks(parts, problems);
  return problems.slice(0, PROBLEMS_MAX);
}

function checkTree(parts: KvStateParts, problems: string[]): Map<number, number> {
  const { tree, limits, sessions, revision } = parts;
  const paths = tree.allPaths();
  if (paths.length !== tree.size) problems.push(`${tree.size} nodes but ${paths.length} reachable from the root`);
  if (tree.size > limits.nodesMax) problems.push(`${tree.size} nodes > nodesMax`);
  const ephemeralCounts = new Map<number, number>();
  for (const path of paths) {
    if (problems.length >= PROBLEMS_MAX) break;
    const node = tree.get(path);
    if (node === undefined) continue;
    for (let index = 1; index < node.children.length; index += 1) {
      if (!(node.children[index - 1] < node.children[index])) problems.push(`children of ${path} not strictly sorted`);
    }
    for (const name of node.children) {
      if (!tree.has(childPath(path, name))) problems.push(`${path} lists missing child ${name}`);
    }
    if (node.sequenceNext > SEQUENTIAL_COUNTER_MAX + 1) problems.push(`${path} sequence counter ${node.sequenceNext} overflows`);
    if (isRoot(path)) continue;
    if (node.version < 1) problems.push(`${path} has version ${node.version}`);
    if (!(node.createRevision >= 1 && node.createRevision <= node.modRevision && node.modRevision <= revision)) {
      problems.push(`${path} revisions create ${node.createRevision} mod ${node.modRevision} (group ${revision})`);
    }
    if (node.ephemeralOwner === NO_SESSION) continue;
    if (node.children.length > 0) problems.push(`ephemeral ${path} has children`);
    if (sessions.status(node.ephemeralOwner) !== 'live') problems.push(`ephemeral ${path} owned by dead session ${node.ephemeralOwner}`);
    if (!tree.ephemeralsOf(node.ephemeralOwner).has(path)) problems.push(`ephemeral ${path} missing from its owner's index`);
    ephemeralCounts.set(node.ephemeralOwner, (ephemeralCounts.get(node.ephemeralOwner) ?? 0) + 1);
  }
  return ephemeralCounts;
}

function checkEphemeralIndex(parts: KvStateParts, counts: Map<number, number>, problems: string[]): void {
  for (const owner of parts.tree.ephemeralOwners()) {
    const indexed = parts.tree.ephemeralsOf(owner);
    if (indexed.size !== (counts.get(owner) ?? 0)) {
      problems.push(`session ${owner} indexes ${indexed.size} ephemerals, tree has ${counts.get(owner) ?? 0}`);
    }
    if (indexed.size > parts.limits.ephemeralsPerSessionMax) problems.push(`session ${owner} owns > ephemeralsPerSessionMax`);
  }
}

function checkSessions(parts: KvStateParts, problems: string[]): void {
  const { sessions, limits, appliedIndex } = parts;
  if (sessions.size > limits.sessionsMax) problems.push(`${sessions.size} sessions > sessionsMax`);
  for (const id of sessions.ids()) {
    const session = sessions.get(id);
    if (session === undefined) continue;
    if (id < 1 || id > appliedIndex) problems.push(`session id ${id} outside [1, applied ${appliedIndex}]`);
    if (session.ttlMs < limits.sessionTtlMsMin || session.ttlMs > limits.sessionTtlMsMax) problems.push(`session ${id} TTL ${session.ttlMs} out of range`);
    if (session.requests.size > limits.requestIdsPerSessionMax) problems.push(`session ${id} remembers too many requests`);
  }
  for (const id of sessions.expiredIds()) {
    if (sessions.status(id) !== 'expired') problems.push(`expired session ${id} is ${sessions.status(id)}`);
  }
  if (sessions.expiredIds().length > limits.expiredSessionsRememberedMax) problems.push('too many expired sessions remembered');
}

function checkLocks(parts: KvStateParts, problems: string[]): void {
  const { locks, sessions, limits, appliedIndex } = parts;
  if (locks.size > limits.locksMax) problems.push(`${locks.size} locks > locksMax`);
  const expected = new Map<number, string[]>();
  const note = (sessionId: number, name: string): void => {
    expected.set(sessionId, [...(expected.get(sessionId) ?? []), name]);
  };
  for (const name of locks.names()) {
    const lock = locks.get(name);
    if (lock === undefined) continue;
    if (lock.holder === null) {
      problems.push(`lock ${name} has no holder`);
      continue;
    }
    if (sessions.status(lock.holder.sessionId) !== 'live') problems.push(`lock ${name} held by dead session ${lock.holder.sessionId}`);
    if (lock.holder.token < 1 || lock.holder.token > appliedIndex) problems.push(`lock ${name} token ${lock.holder.token} beyond applied ${appliedIndex}`);
    if (lock.waiters.length > limits.locksWaitersMax) problems.push(`lock ${name} has > locksWaitersMax waiters`);
    note(lock.holder.sessionId, name);
    for (const waiter of lock.waiters) {
      if (sessions.status(waiter.sessionId) !== 'live') problems.push(`lock ${name} waited for by dead session ${waiter.sessionId}`);
      note(waiter.sessionId, name);
    }
  }
  const indexedSessions = new Set(locks.sessionsWithLocks());
  for (const [sessionId, names] of expected) {
    const indexed = locks.locksOf(sessionId).join(',');
    if (indexed !== [...names].sort().join(',')) problems.push(`session ${sessionId} lock index [${indexed}] != [${names.join(',')}]`);
    if (names.length > limits.locksPerSessionMax) problems.push(`session ${sessionId} has > locksPerSessionMax locks`);
    indexedSessions.delete(sessionId);
  }
  if (indexedSessions.size > 0) problems.push(`sessions indexed without locks: ${[...indexedSessions].join(',')}`);
}
