// The KV group's replicated commands (what a Raft entry carries), their results, and the
// command codec.
//
// Time enters only here: every command that needs "now" carries `nowMs`, stamped by the
// leader when proposing, so that every replica applies the same numbers. Session ids and
// fencing tokens are Raft indexes (passed to `apply`), so they are unique and increasing.
//
// Versions follow etcd: a node is created at version 1 and each update adds 1; version 0
// means "does not exist" in transaction checks. Revisions are the group's change counter.

import { unreachable } from '../util/assert';
import { ByteReader, ByteWriter, KvCodecError } from './byte-codec';
import type { KvError } from './kv-error';

/** `ephemeralOwner` value of a persistent node. Session ids are Raft indexes, so never 0. */
export const NO_SESSION = 0;

/** Applied only if `lockName` is currently held with `token` (fencing). */
export interface LockGuard {
  readonly lockName: string;
  readonly token: number;
}

/** Idempotency key: a retried request with the same tag returns the original result. */
export interface RequestTag {
  readonly sessionId: number;
  readonly requestId: number;
}

export interface CreateOp {
  readonly type: 'create';
  /** For a sequential create, the prefix the counter is appended to. */
  readonly path: string;
  readonly value: Uint8Array;
  /** NO_SESSION for a persistent node, else the owning session. */
  readonly ephemeralOwner: number;
  readonly sequential: boolean;
  /** Create missing ancestors as empty persistent nodes. */
  readonly makeParents: boolean;
}

export interface SetOp {
  readonly type: 'set';
  readonly path: string;
  readonly value: Uint8Array;
  /** null: any version. */
  readonly expectedVersion: number | null;
}

/** Upsert: creates missing parents; rewriting an existing node keeps its ephemeral owner. */
export interface PutOp {
  readonly type: 'put';
  readonly path: string;
  readonly value: Uint8Array;
  /** Owner used only when the node is created. */
  readonly ephemeralOwner: number;
}

export interface DeleteOp {
  readonly type: 'delete';
  readonly path: string;
  /** Checked against the node at `path` (not its descendants). null: any version. */
  readonly expectedVersion: number | null;
  /** Delete the whole subtree (at most recursiveDeleteNodesMax nodes). */
  readonly recursive: boolean;
  /** A missing node is success with `deleted: 0` instead of `not-found`. */
  readonly ifExists: boolean;
}

export type NodeOp = CreateOp | SetOp | PutOp | DeleteOp;

interface Guarded {
  readonly guard: LockGuard | null;
  readonly request: RequestTag | null;
}

export type CreateCommand = CreateOp & Guarded;
export type SetCommand = SetOp & Guarded;
export type PutCommand = PutOp & Guarded;
export type DeleteCommand = DeleteOp & Guarded;

export type CompareOp = 'eq' | 'ne' | 'lt' | 'gt';

/** etcd semantics for a missing node: version/createRevision/modRevision compare as 0, and
 *  every value comparison is false. */
export type TxnCheck =
  | { readonly target: 'exists' | 'not-exists'; readonly path: string }
  | {
      readonly target: 'version' | 'createRevision' | 'modRevision';
      readonly path: string;
      readonly compare: CompareOp;
      readonly operand: number;
    }
  | { readonly target: 'value'; readonly path: string; readonly compare: CompareOp; readonly operand: Uint8Array };

/** If every check holds, apply `success`, else `failure` (etcd's then/else). All paths must
 *  share one namespace. Any failing op fails the whole transaction and changes nothing. */
export interface TxnCommand extends Guarded {
  readonly type: 'txn';
  readonly checks: readonly TxnCheck[];
  readonly success: readonly NodeOp[];
  readonly failure: readonly NodeOp[];
}

export interface SessionOpenCommand {
  readonly type: 'sessionOpen';
  readonly ttlMs: number;
  readonly nowMs: number;
}

/** The leader's batch of sessions that kept alive since its previous batch. */
export interface SessionKeepaliveBatchCommand {
  readonly type: 'sessionKeepaliveBatch';
  readonly sessionIds: readonly number[];
  readonly nowMs: number;
}

export interface SessionCloseCommand {
  readonly type: 'sessionClose';
  readonly sessionId: number;
  readonly nowMs: number;
}

export interface SessionExpireCommand {
  readonly type: 'sessionExpire';
  readonly sessionIds: readonly number[];
  readonly nowMs: number;
}

export interface LockAcquireCommand {
  readonly type: 'lockAcquire';
  /** A valid path; routes like a node path (its namespace picks the group). */
  readonly name: string;
  readonly sessionId: number;
  readonly requestId: number;
  /** 0: no maximum hold time. */
  readonly maxHoldMs: number;
  /** null: wait until granted or cancelled; 0: try-lock (never queue). */
  readonly waitTimeoutMs: number | null;
  readonly nowMs: number;
}

export interface LockReleaseCommand {
  readonly type: 'lockRelease';
  readonly name: string;
  readonly token: number;
  readonly nowMs: number;
}

export interface LockCancelWaitCommand {
  readonly type: 'lockCancelWait';
  readonly name: string;
  readonly sessionId: number;
  readonly requestId: number;
  readonly nowMs: number;
}

export interface LockHoldRef {
  readonly name: string;
  readonly token: number;
}

/** The leader found these holds past their maximum hold time. Stale tokens are skipped. */
export interface LockExpireHoldsCommand {
  readonly type: 'lockExpireHolds';
  readonly holds: readonly LockHoldRef[];
  readonly nowMs: number;
}

export type KvCommand =
  | CreateCommand
  | SetCommand
  | PutCommand
  | DeleteCommand
  | TxnCommand
  | SessionOpenCommand
  | SessionKeepaliveBatchCommand
  | SessionCloseCommand
  | SessionExpireCommand
  | LockAcquireCommand
  | LockReleaseCommand
  | LockCancelWaitCommand
  | LockExpireHoldsCommand;

export type KvCommandType = KvCommand['type'];

// ---------------------------------------------------------------------------------------
// Results. `revision` is the group revision after the command (unchanged if it changed no
// node).

export interface CreateResult {
  readonly ok: true;
  readonly kind: 'create';
  /** The created path (with the counter for a sequential create). */
  readonly path: string;
  readonly revision: number;
}

export interface SetResult {
  readonly ok: true;
  readonly kind: 'set';
  readonly revision: number;
  readonly version: number;
}

export interface PutResult {
  readonly ok: true;
  readonly kind: 'put';
  readonly revision: number;
  readonly version: number;
  readonly created: boolean;
  readonly ephemeralOwner: number;
}

export interface DeleteResult {
  readonly ok: true;
  readonly kind: 'delete';
  readonly revision: number;
  /** Nodes removed (0 only with ifExists on a missing node). */
  readonly deleted: number;
}

export type NodeOpResult = CreateResult | SetResult | PutResult | DeleteResult;

export interface TxnResult {
  readonly ok: true;
  readonly kind: 'txn';
  readonly succeeded: boolean;
  readonly revision: number;
  /** One result per op of the branch taken. */
  readonly results: readonly NodeOpResult[];
}

export interface SessionOpenResult {
  readonly ok: true;
  readonly kind: 'sessionOpen';
  readonly sessionId: number;
  readonly ttlMs: number;
  readonly deadlineMs: number;
}

export interface SessionKeepaliveBatchResult {
  readonly ok: true;
  readonly kind: 'sessionKeepaliveBatch';
  readonly renewed: number;
  /** Ids that are no longer live (expired or closed in the meantime). */
  readonly missing: readonly number[];
}

export interface SessionCloseResult {
  readonly ok: true;
  readonly kind: 'sessionClose';
  readonly revision: number;
  readonly removedNodes: number;
  readonly releasedLocks: number;
}

export interface SessionExpireResult {
  readonly ok: true;
  readonly kind: 'sessionExpire';
  readonly revision: number;
  readonly expired: readonly number[];
  readonly missing: readonly number[];
}

export type LockAcquireResult =
  | {
      readonly ok: true;
      readonly kind: 'lockAcquire';
      readonly status: 'granted';
      readonly token: number;
      /** The session already held the lock (a retry, or a re-entrant acquire). */
      readonly reentrant: boolean;
    }
  | { readonly ok: true; readonly kind: 'lockAcquire'; readonly status: 'queued'; readonly position: number }
  | { readonly ok: true; readonly kind: 'lockAcquire'; readonly status: 'busy'; readonly holderSessionId: number };

export interface LockReleaseResult {
  readonly ok: true;
  readonly kind: 'lockRelease';
  /** The waiter granted the lock by this release (NO_SESSION if none). */
  readonly nextHolderSessionId: number;
}

export interface LockCancelWaitResult {
  readonly ok: true;
  readonly kind: 'lockCancelWait';
  /** false: the request was granted before the cancel applied and holds `heldToken`. */
  readonly cancelled: boolean;
  readonly heldToken: number | null;
}

export interface LockExpireHoldsResult {
  readonly ok: true;
  readonly kind: 'lockExpireHolds';
  readonly released: readonly string[];
}

export type KvOk =
  | NodeOpResult
  | TxnResult
  | SessionOpenResult
  | SessionKeepaliveBatchResult
  | SessionCloseResult
  | SessionExpireResult
  | LockAcquireResult
  | LockReleaseResult
  | LockCancelWaitResult
  | LockExpireHoldsResult;

export type KvResult = KvOk | KvError;

// ---------------------------------------------------------------------------------------
// Command codec: compact binary. Byte 0 is the format version, byte 1 the command tag; then
// the fields in declaration order (varints, length-prefixed strings and bytes). A create
// of a short path with a small value costs about its path and value plus ~8 bytes.

export const COMMAND_FORMAT_VERSION = 1;

const COMMAND_TAGS: Readonly<Record<KvCommandType, number>> = {
  create: 1,
  set: 2,
  put: 3,
  delete: 4,
  txn: 5,
  sessionOpen: 16,
  sessionKeepaliveBatch: 17,
  sessionClose: 18,
  sessionExpire: 19,
  lockAcquire: 32,
  lockRelease: 33,
  lockCancelWait: 34,
  lockExpireHolds: 35,
};

const COMMAND_TYPES_BY_TAG: ReadonlyMap<number, KvCommandType> = new Map(
  (Object.entries(COMMAND_TAGS) as [KvCommandType, number][]).map(([type, tag]) => [tag, type]),
);

const OP_TAGS: Readonly<Record<NodeOp['type'], number>> = { create: 1, set: 2, put: 3, delete: 4 };
const CHECK_TARGETS: readonly TxnCheck['target'][] = ['exists', 'not-exists', 'version', 'createRevision', 'modRevision', 'value'];
const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'lt', 'gt'];

const FLAG_SEQUENTIAL = 1;
const FLAG_MAKE_PARENTS = 2;
const FLAG_RECURSIVE = 1;
const FLAG_IF_EXISTS = 2;

export function encodeCommand(command: KvCommand): Uint8Array {
  const writer = new ByteWriter(initialSize(command));
  writer.u8(COMMAND_FORMAT_VERSION);
  writer.u8(COMMAND_TAGS[command.type]);
  switch (command.type) {
    case 'create':
    case 'set':
    case 'put':
    case 'delete':
      writeOp(writer, command);
      writeGuarded(writer, command);
      break;
    case 'txn':
      writeTxn(writer, command);
      break;
    case 'sessionOpen':
      writer.varuint(command.ttlMs);
      writer.varuint(command.nowMs);
      break;
    case 'sessionKeepaliveBatch':
    case 'sessionExpire':
      writeIds(writer, command.sessionIds);
      writer.varuint(command.nowMs);
      break;
    case 'sessionClose':
      writer.varuint(command.sessionId);
      writer.varuint(command.nowMs);
      break;
    default:
      writeLockCommand(writer, command);
  }
  return writer.finish();
}

function initialSize(command: KvCommand): number {
  const bodyBytes = 'value' in command ? command.value.length + command.path.length : 0;
  return bodyBytes + 64;
}

function writeLockCommand(
  writer: ByteWriter,
  command: LockAcquireCommand | LockReleaseCommand | LockCancelWaitCommand | LockExpireHoldsCommand,
): void {
  switch (command.type) {
    case 'lockAcquire':
      writer.string(command.name);
      writer.varuint(command.sessionId);
      writer.varuint(command.requestId);
      writer.varuint(command.maxHoldMs);
      writer.optionalVaruint(command.waitTimeoutMs);
      break;
    case 'lockRelease':
      writer.string(command.name);
      writer.varuint(command.token);
      break;
    case 'lockCancelWait':
      writer.string(command.name);
      writer.varuint(command.sessionId);
      writer.varuint(command.requestId);
      break;
    case 'lockExpireHolds':
      writer.varuint(command.holds.length);
      for (const hold of command.holds) {
        writer.string(hold.name);
        writer.varuint(hold.token);
      }
      break;
    default:
      unreachable(command, 'unknown lock command');
  }
  writer.varuint(command.nowMs);
}

function writeIds(writer: ByteWriter, ids: readonly number[]): void {
  writer.varuint(ids.length);
  for (const id of ids) writer.varuint(id);
}

function writeGuarded(writer: ByteWriter, command: Guarded): void {
  writer.bool(command.guard !== null);
  if (command.guard !== null) {
    writer.string(command.guard.lockName);
    writer.varuint(command.guard.token);
  }
  writer.bool(command.request !== null);
  if (command.request !== null) {
    writer.varuint(command.request.sessionId);
    writer.varuint(command.request.requestId);
  }
}

function writeOp(writer: ByteWriter, op: NodeOp): void {
  writer.string(op.path);
  switch (op.type) {
    case 'create':
      writer.bytes(op.value);
      writer.varuint(op.ephemeralOwner);
      writer.u8((op.sequential ? FLAG_SEQUENTIAL : 0) | (op.makeParents ? FLAG_MAKE_PARENTS : 0));
      break;
    case 'set':
      writer.bytes(op.value);
      writer.optionalVaruint(op.expectedVersion);
      break;
    case 'put':
      writer.bytes(op.value);
      writer.varuint(op.ephemeralOwner);
      break;
    case 'delete':
      writer.optionalVaruint(op.expectedVersion);
      writer.u8((op.recursive ? FLAG_RECURSIVE : 0) | (op.ifExists ? FLAG_IF_EXISTS : 0));
      break;
    default:
      unreachable(op, 'unknown node op');
  }
}

function writeCheck(writer: ByteWriter, check: TxnCheck): void {
  writer.u8(CHECK_TARGETS.indexOf(check.target));
  writer.string(check.path);
  switch (check.target) {
    case 'exists':
    case 'not-exists':
      return;
    case 'value':
      writer.u8(COMPARE_OPS.indexOf(check.compare));
      writer.bytes(check.operand);
      return;
    default:
      writer.u8(COMPARE_OPS.indexOf(check.compare));
      writer.varuint(check.operand);
  }
}

function writeTxn(writer: ByteWriter, command: TxnCommand): void {
  writer.varuint(command.checks.length);
  for (const check of command.checks) writeCheck(writer, check);
  for (const branch of [command.success, command.failure]) {
    writer.varuint(branch.length);
    for (const op of branch) {
      writer.u8(OP_TAGS[op.type]);
      writeOp(writer, op);
    }
  }
  writeGuarded(writer, command);
}

export type DecodeCommandResult =
  | { readonly ok: true; readonly command: KvCommand }
  | { readonly ok: false; readonly message: string };

/** Decodes a command; malformed bytes are an expected outcome, returned as a value. */
export function decodeCommand(bytes: Uint8Array): DecodeCommandResult {
  try {
    const reader = new ByteReader(bytes);
    const version = reader.u8();
    if (version !== COMMAND_FORMAT_VERSION) throw new KvCodecError(`unknown command format version ${version}`);
    const tag = reader.u8();
    const type = COMMAND_TYPES_BY_TAG.get(tag);
    if (type === undefined) throw new KvCodecError(`unknown command tag ${tag}`);
    const command = readCommandBody(reader, type);
    reader.finish();
    return { ok: true, command };
  } catch (error) {
    if (error instanceof KvCodecError) return { ok: false, message: `malformed command: ${error.message}` };
    throw error;
  }
}

function readCommandBody(reader: ByteReader, type: KvCommandType): KvCommand {
  switch (type) {
    case 'create':
    case 'set':
    case 'put':
    case 'delete': {
      const op = readOp(reader, type);
      return { ...op, ...readGuarded(reader) };
    }
    case 'txn':
      return readTxn(reader);
    case 'sessionOpen':
      return { type, ttlMs: reader.varuint(), nowMs: reader.varuint() };
    case 'sessionKeepaliveBatch':
    case 'sessionExpire':
      return { type, sessionIds: readIds(reader), nowMs: reader.varuint() };
    case 'sessionClose':
      return { type, sessionId: reader.varuint(), nowMs: reader.varuint() };
    default:
      return readLockCommand(reader, type);
  }
}

function readLockCommand(
  reader: ByteReader,
  type: 'lockAcquire' | 'lockRelease' | 'lockCancelWait' | 'lockExpireHolds',
): KvCommand {
  switch (type) {
    case 'lockAcquire': {
      const name = reader.string();
      const sessionId = reader.varuint();
      const requestId = reader.varuint();
      const maxHoldMs = reader.varuint();
      const waitTimeoutMs = reader.optionalVaruint();
      return { type, name, sessionId, requestId, maxHoldMs, waitTimeoutMs, nowMs: reader.varuint() };
    }
    case 'lockRelease': {
      const name = reader.string();
      const token = reader.varuint();
      return { type, name, token, nowMs: reader.varuint() };
    }
    case 'lockCancelWait': {
      const name = reader.string();
      const sessionId = reader.varuint();
      const requestId = reader.varuint();
      return { type, name, sessionId, requestId, nowMs: reader.varuint() };
    }
    case 'lockExpireHolds': {
      const count = reader.count(2);
      const holds: LockHoldRef[] = [];
      for (let index = 0; index < count; index += 1) holds.push({ name: reader.string(), token: reader.varuint() });
      return { type, holds, nowMs: reader.varuint() };
    }
    default:
      return unreachable(type, 'unknown lock command type');
  }
}

function readIds(reader: ByteReader): number[] {
  const count = reader.count(1);
  const ids: number[] = [];
  for (let index = 0; index < count; index += 1) ids.push(reader.varuint());
  return ids;
}

function readGuarded(reader: ByteReader): Guarded {
  const guard = reader.bool() ? { lockName: reader.string(), token: reader.varuint() } : null;
  const request = reader.bool() ? { sessionId: reader.varuint(), requestId: reader.varuint() } : null;
  return { guard, request };
}

function readFlags(reader: ByteReader, known: number): number {
  const flags = reader.u8();
  if ((flags & ~known) !== 0) throw new KvCodecError(`unknown flags ${flags}`);
  return flags;
}

function readOp(reader: ByteReader, type: NodeOp['type']): NodeOp {
  const path = reader.string();
  switch (type) {
    case 'create': {
      const value = reader.bytes();
      const ephemeralOwner = reader.varuint();
      const flags = readFlags(reader, FLAG_SEQUENTIAL | FLAG_MAKE_PARENTS);
      const sequential = (flags & FLAG_SEQUENTIAL) !== 0;
      return { type, path, value, ephemeralOwner, sequential, makeParents: (flags & FLAG_MAKE_PARENTS) !== 0 };
    }
    case 'set':
      return { type, path, value: reader.bytes(), expectedVersion: reader.optionalVaruint() };
    case 'put':
      return { type, path, value: reader.bytes(), ephemeralOwner: reader.varuint() };
    case 'delete': {
      const expectedVersion = reader.optionalVaruint();
      const flags = readFlags(reader, FLAG_RECURSIVE | FLAG_IF_EXISTS);
      return { type, path, expectedVersion, recursive: (flags & FLAG_RECURSIVE) !== 0, ifExists: (flags & FLAG_IF_EXISTS) !== 0 };
    }
    default:
      return unreachable(type, 'unknown node op type');
  }
}

function readCheck(reader: ByteReader): TxnCheck {
  const target = CHECK_TARGETS[reader.u8()];
  if (target === undefined) throw new KvCodecError('unknown txn check target');
  const path = reader.string();
  if (target === 'exists' || target === 'not-exists') return { target, path };
  const compare = COMPARE_OPS[reader.u8()];
  if (compare === undefined) throw new KvCodecError('unknown txn compare op');
  if (target === 'value') return { target, path, compare, operand: reader.bytes() };
  return { target, path, compare, operand: reader.varuint() };
}

const OP_TYPES: readonly NodeOp['type'][] = ['create', 'set', 'put', 'delete'];

function readBranch(reader: ByteReader): NodeOp[] {
  const count = reader.count(3);
  const ops: NodeOp[] = [];
  for (let index = 0; index < count; index += 1) {
    const type = OP_TYPES[reader.u8() - 1];
    if (type === undefined) throw new KvCodecError('unknown txn op tag');
    ops.push(readOp(reader, type));
  }
  return ops;
}

function readTxn(reader: ByteReader): TxnCommand {
  const checkCount = reader.count(2);
  const checks: TxnCheck[] = [];
  for (let index = 0; index < checkCount; index += 1) checks.push(readCheck(reader));
  const success = readBranch(reader);
  const failure = readBranch(reader);
  return { type: 'txn', checks, success, failure, ...readGuarded(reader) };
}
