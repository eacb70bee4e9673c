// The snapshot image of a KV state machine. Canonical: equal states give equal bytes (nodes
// in pre-order with sorted children, sessions by id, locks by name), so tests and replicas
// can compare images byte for byte.
//
// Layout (format 1): magic "CKVS", format byte, appliedIndex, revision; nodes (pre-order:
// path, value, version, createRevision, modRevision, ephemeralOwner, sequenceNext); sessions
// (id, ttlMs, deadlineMs, remembered requests oldest first); expired session ids oldest
// first; locks (name, holder, FIFO waiters). Derived indexes (ephemerals per session, locks
// per session, timed locks) are rebuilt on restore.
//
// KvLimits are NOT in the image: every replica must run the group with the same limits.

import type { ByteReader, ByteWriter } from './byte-codec';
import { KvCodecError } from './byte-codec';
import type { KvResult } from './commands';
import type { KvStateParts } from './kv-state-parts';
import type { LockHolder, LockRecord, LockWaiter } from './lock-table';
import { ROOT_PATH, basenameOf, checkPath, isRoot, parentOf } from './path';
import { readResult, writeResult } from './result-codec';

const MAGIC = [0x43, 0x4b, 0x56, 0x53]; // "CKVS"
export const SNAPSHOT_FORMAT_VERSION = 1;

export function writeSnapshot(writer: ByteWriter, parts: KvStateParts): void {
  for (const byte of MAGIC) writer.u8(byte);
  writer.u8(SNAPSHOT_FORMAT_VERSION);
  writer.varuint(parts.appliedIndex);
  writer.varuint(parts.revision);
  writeNodes(writer, parts);
  writeSessions(writer, parts);
  writeLocks(writer, parts);
}

function writeNodes(writer: ByteWriter, parts: KvStateParts): void {
  const paths = parts.tree.allPaths();
  writer.varuint(paths.length);
  for (const path of paths) {
    const node = parts.tree.get(path);
    if (node === undefined) throw new Error(`snapshot: ${path} vanished`);
    writer.string(path);
    writer.bytes(node.value);
    writer.varuint(node.version);
    writer.varuint(node.createRevision);
    writer.varuint(node.modRevision);
    writer.varuint(node.ephemeralOwner);
    writer.varuint(node.sequenceNext);
  }
}

function writeSessions(writer: ByteWriter, parts: KvStateParts): void {
  const ids = parts.sessions.ids();
  writer.varuint(ids.length);
  for (const id of ids) {
    const session = parts.sessions.get(id);
    if (session === undefined) throw new Error(`snapshot: session ${id} vanished`);
    writer.varuint(id);
    writer.varuint(session.ttlMs);
    writer.varuint(session.deadlineMs);
    writer.varuint(session.requests.size);
    for (const [requestId, result] of session.requests) {
      writer.varuint(requestId);
      writeResult(writer, result);
    }
  }
  const expired = parts.sessions.expiredIds();
  writer.varuint(expired.length);
  for (const id of expired) writer.varuint(id);
}

function writeLocks(writer: ByteWriter, parts: KvStateParts): void {
  const names = parts.locks.names();
  writer.varuint(names.length);
  for (const name of names) {
    const lock = parts.locks.get(name);
    if (lock === undefined || lock.holder === null) throw new Error(`snapshot: lock ${name} missing or free`);
    writer.string(name);
    const holder = lock.holder;
    for (const value of [holder.sessionId, holder.requestId, holder.token, holder.grantedAtMs, holder.maxHoldMs]) writer.varuint(value);
    writer.varuint(lock.waiters.length);
    for (const waiter of lock.waiters) {
      for (const value of [waiter.sessionId, waiter.requestId, waiter.maxHoldMs, waiter.enqueuedAtMs, waiter.waitDeadlineMs]) {
        writer.varuint(value);
      }
    }
  }
}

/** Reads an image into EMPTY parts; returns the header numbers. Throws KvCodecError. */
export function readSnapshot(reader: ByteReader, parts: KvStateParts): { appliedIndex: number; revision: number } {
  for (const byte of MAGIC) {
    if (reader.u8() !== byte) throw new KvCodecError('not a KV snapshot (bad magic)');
  }
  const format = reader.u8();
  if (format !== SNAPSHOT_FORMAT_VERSION) throw new KvCodecError(`unknown snapshot format ${format}`);
  const appliedIndex = reader.varuint();
  const revision = reader.varuint();
  readNodes(reader, parts);
  readSessions(reader, parts);
  readLocks(reader, parts);
  return { appliedIndex, revision };
}

function readNodes(reader: ByteReader, parts: KvStateParts): void {
  const count = reader.count(6);
  if (count < 1 || count > parts.limits.nodesMax) throw new KvCodecError(`snapshot has ${count} nodes`);
  for (let index = 0; index < count; index += 1) {
    const path = reader.string();
    const record = {
      value: reader.bytes(),
      version: reader.varuint(),
      createRevision: reader.varuint(),
      modRevision: reader.varuint(),
      ephemeralOwner: reader.varuint(),
      sequenceNext: reader.varuint(),
    };
    if ((index === 0) !== isRoot(path)) throw new KvCodecError('snapshot must start with the root, once');
    if (!isRoot(path)) {
      const check = checkPath(path, parts.limits);
      if (!check.ok) throw new KvCodecError(`snapshot node: ${check.message}`);
      const parentPath = parentOf(path);
      const parent = parts.tree.get(parentPath);
      if (parent === undefined) throw new KvCodecError(`snapshot node ${path} comes before its parent`);
      // Children arrive sorted, so a duplicate or misplaced node is one not after the last child.
      const last = parent.children[parent.children.length - 1];
      if (last !== undefined && last >= basenameOf(path)) throw new KvCodecError(`snapshot children of ${parentPath} duplicated or not sorted`);
    } else if (record.value.length !== 0 || record.version !== 0 || record.ephemeralOwner !== 0) {
      throw new KvCodecError(`snapshot root ${ROOT_PATH} has data`);
    }
    parts.tree.insertRestored(path, record);
  }
}

function readSessions(reader: ByteReader, parts: KvStateParts): void {
  const count = reader.count(4);
  for (let index = 0; index < count; index += 1) {
    const id = reader.varuint();
    const ttlMs = reader.varuint();
    const deadlineMs = reader.varuint();
    const requestCount = reader.count(2);
    if (parts.sessions.get(id) !== undefined) throw new KvCodecError(`snapshot session ${id} twice`);
    if (requestCount > parts.limits.requestIdsPerSessionMax) throw new KvCodecError(`snapshot session ${id} remembers ${requestCount} requests`);
    const requests = new Map<number, KvResult>();
    for (let request = 0; request < requestCount; request += 1) {
      const requestId = reader.varuint();
      const result = readResult(reader);
      if (!result.ok || requests.has(requestId)) throw new KvCodecError(`snapshot session ${id} request ${requestId} invalid`);
      requests.set(requestId, result);
    }
    parts.sessions.restoreSession({ id, ttlMs, deadlineMs, requests });
  }
  const expiredCount = reader.count(1);
  if (expiredCount > parts.limits.expiredSessionsRememberedMax) throw new KvCodecError(`snapshot remembers ${expiredCount} expired sessions`);
  for (let index = 0; index < expiredCount; index += 1) {
    const id = reader.varuint();
    if (parts.sessions.status(id) !== 'unknown') throw new KvCodecError(`snapshot expired session ${id} duplicated or live`);
    parts.sessions.restoreExpired(id);
  }
}

function readLocks(reader: ByteReader, parts: KvStateParts): void {
  const count = reader.count(7);
  for (let index = 0; index < count; index += 1) {
    const name = reader.string();
    const holder: LockHolder = {
      sessionId: reader.varuint(),
      requestId: reader.varuint(),
      token: reader.varuint(),
      grantedAtMs: reader.varuint(),
      maxHoldMs: reader.varuint(),
    };
    const waiterCount = reader.count(5);
    const waiters: LockWaiter[] = [];
    for (let waiter = 0; waiter < waiterCount; waiter += 1) {
      waiters.push({
        sessionId: reader.varuint(),
        requestId: reader.varuint(),
        maxHoldMs: reader.varuint(),
        enqueuedAtMs: reader.varuint(),
        waitDeadlineMs: reader.varuint(),
      });
    }
    const sessionIds = [holder.sessionId, ...waiters.map((waiter) => waiter.sessionId)];
    if (parts.locks.get(name) !== undefined || new Set(sessionIds).size !== sessionIds.length) {
      throw new KvCodecError(`snapshot lock ${name} duplicated or with a session twice`);
    }
    if (sessionIds.some((id) => parts.locks.locksOf(id).length >= parts.limits.locksPerSessionMax)) {
      throw new KvCodecError(`snapshot lock ${name}: a session exceeds locksPerSessionMax`);
    }
    const record: LockRecord = { name, holder, waiters };
    parts.locks.restoreLock(record);
  }
}
