// The replicated state machine of one KV group: the node tree, sessions, locks, and the
// memory of idempotent requests. Pure and deterministic: no I/O, no timers, no clock, no
// randomness. Time enters only as `nowMs` inside commands (stamped by the leader), and ids
// (sessions, fencing tokens) are the Raft index passed to `apply`.
//
// Rules every command follows:
// - A failed command changes nothing (checks come first; node changes run in a journaled
//   batch that is rolled back on failure). Only `appliedIndex` moves.
// - The group revision counts changes to the node tree: an apply that changes at least one
//   node bumps it exactly once (a transaction, a recursive delete or a session expiry that
//   removes many nodes is one revision), and all its events carry that revision. Session
//   and lock bookkeeping does not bump it (as etcd's leases do not).
//
// Values handed out (get, events) are shared with the state: treat them as immutable.

import { assert } from '../util/assert';
import type {
  KvCommand,
  KvResult,
  LockAcquireCommand,
  LockCancelWaitCommand,
  LockExpireHoldsCommand,
  LockGuard,
  LockReleaseCommand,
  NodeOpResult,
  RequestTag,
  SessionCloseCommand,
  SessionExpireCommand,
  SessionKeepaliveBatchCommand,
  SessionOpenCommand,
  TxnCommand,
} from './commands';
import { ByteReader, ByteWriter, KvCodecError } from './byte-codec';
import { checkKvInvariants } from './kv-invariants';
import { kvError } from './kv-error';
import type { KvError } from './kv-error';
import { defaultKvLimits, validateKvLimits } from './limits';
import type { KvLimits } from './limits';
import { LockTable } from './lock-table';
import type { DueLockTimeouts, LockGrant, LockInfo } from './lock-table';
import { execNodeOp, revisionAfter, validateNodeOp } from './node-ops';
import type { NodeOpContext } from './node-ops';
import { NodeTree, lowerBound, statOf } from './node-tree';
import type { NodeStat } from './node-tree';
import { checkPath, childPath, isRoot, namespaceOf } from './path';
import type { KvStateParts } from './kv-state-parts';
import { SessionTable } from './session-table';
import { readSnapshot, writeSnapshot } from './snapshot-codec';
import { evaluateCheck } from './txn-checks';
import type { WatchEvent, WatchKind } from './watch-event';

export interface ApplyOutput {
  readonly result: KvResult;
  /** The node changes of this apply, in order, all with the same (new) revision. */
  readonly events: readonly WatchEvent[];
  /** Queued acquires granted by this apply (still held when the apply ends). */
  readonly lockGrants: readonly LockGrant[];
}

export interface NodeView {
  readonly value: Uint8Array;
  readonly stat: NodeStat;
}

export interface ListOptions {
  /** At most listPageMax; default listPageMax. */
  readonly pageSize?: number;
  /** Return names strictly after this one (the previous page's last name). */
  readonly after?: string;
}

export type ListResult =
  | { readonly ok: true; readonly names: readonly string[]; readonly more: boolean; readonly revision: number }
  | KvError;

export interface SessionView {
  readonly id: number;
  readonly ttlMs: number;
  readonly deadlineMs: number;
  readonly ephemeralCount: number;
  /** Locks the session holds or waits for. */
  readonly locks: readonly string[];
}

const NO_EVENTS: readonly WatchEvent[] = [];
const NO_GRANTS: readonly LockGrant[] = [];

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

export class KvStateMachine {
  private readonly tree = new NodeTree();
  private readonly sessionTable: SessionTable;
  private readonly lockTable: LockTable;
  private revisionValue = 0;
  private appliedIndexValue = 0;

  constructor(readonly limits: KvLimits = defaultKvLimits()) {
    const check = validateKvLimits(limits);
    assert(check.ok, `invalid KvLimits: ${check.ok ? '' : check.message}`);
    this.sessionTable = new SessionTable(limits);
    this.lockTable = new LockTable(limits);
  }

  /** The group revision: number of applies that changed the node tree. */
  get revision(): number {
    return this.revisionValue;
  }

  get appliedIndex(): number {
    return this.appliedIndexValue;
  }

  /** Applies the command of Raft entry `index` (strictly increasing across calls). */
  apply(index: number, command: KvCommand): ApplyOutput {
    assert(Number.isSafeInteger(index) && index > this.appliedIndexValue, `apply ${index} after ${this.appliedIndexValue}`);
    this.appliedIndexValue = index;
    const revisionNext = this.revisionValue + 1;
    const grants: LockGrant[] = [];
    this.tree.begin(revisionNext);
    const result = this.dispatch(index, command, grants);
    if (!result.ok) {
      this.tree.rollback();
      assert(grants.length === 0, `failed ${command.type} granted a lock`);
      return { result, events: NO_EVENTS, lockGrants: NO_GRANTS };
    }
    const events = this.tree.commit();
    if (events.length > 0) this.revisionValue = revisionNext;
    assert(this.tree.size <= this.limits.nodesMax, `nodesMax exceeded by ${command.type}`);
    return { result, events, lockGrants: this.liveGrants(grants) };
  }

  /** Notes an entry without a KV command (leader no-op, conf change). */
  skipEntry(index: number): void {
    assert(Number.isSafeInteger(index) && index > this.appliedIndexValue, `skip ${index} after ${this.appliedIndexValue}`);
    this.appliedIndexValue = index;
  }

  private dispatch(index: number, command: KvCommand, grants: LockGrant[]): KvResult {
    switch (command.type) {
      case 'create':
      case 'set':
      case 'put':
      case 'delete':
        return this.applyGuarded(command.guard, command.request, () => execNodeOp(this.opContext(), command));
      case 'txn':
        return this.applyGuarded(command.guard, command.request, () => this.runTxn(command));
      case 'sessionOpen':
        return this.openSession(index, command);
      case 'sessionKeepaliveBatch':
        return this.keepaliveBatch(command);
      case 'sessionClose':
        return this.closeSession(index, command, grants);
      case 'sessionExpire':
        return this.expireSessions(index, command, grants);
      case 'lockAcquire':
        return this.acquireLock(index, command);
      case 'lockRelease':
        return this.releaseLock(index, command, grants);
      case 'lockCancelWait':
        return this.cancelLockWait(command);
      case 'lockExpireHolds':
        return this.expireLockHolds(index, command, grants);
    }
  }

  // --- node commands --------------------------------------------------------------------

  private opContext(): NodeOpContext {
    return {
      tree: this.tree,
      limits: this.limits,
      revisionNext: this.revisionValue + 1,
      sessionError: (sessionId) => this.sessionError(sessionId),
    };
  }

  /** Idempotency and lock guard around a node command. A remembered request answers its
   *  original result without applying again (even if the guard has gone stale since). */
  private applyGuarded(guard: LockGuard | null, request: RequestTag | null, run: () => KvResult): KvResult {
    if (request !== null) {
      if (!isCount(request.sessionId) || !isCount(request.requestId)) {
        return kvError('invalid-argument', 'request sessionId and requestId must be non-negative integers');
      }
      const sessionError = this.sessionError(request.sessionId);
      if (sessionError !== null) return sessionError;
      const recalled = this.sessionTable.recallRequest(request);
      if (recalled !== undefined) return recalled;
    }
    if (guard !== null) {
      const guardError = this.checkGuard(guard);
      if (guardError !== null) return guardError;
    }
    const result = run();
    if (result.ok && request !== null) this.sessionTable.rememberRequest(request, result);
    return result;
  }

  private checkGuard(guard: LockGuard): KvError | null {
    const holder = this.lockTable.get(guard.lockName)?.holder ?? null;
    if (holder === null) return kvError('guard-failed', `guard lock ${guard.lockName} is not held`);
    if (holder.token !== guard.token) {
      return kvError('guard-failed', `guard lock ${guard.lockName} is held with token ${holder.token}, not ${guard.token}`);
    }
    return null;
  }

  private validateTxn(command: TxnCommand): KvError | null {
    const opsMax = this.limits.txnOpsMax;
    const counts = [command.checks.length, command.success.length, command.failure.length];
    if (counts.some((count) => count > opsMax)) {
      return kvError('invalid-argument', `txn has ${counts.join('/')} checks/success/failure ops, more than txnOpsMax ${opsMax}`);
    }
    const namespaces = new Set<string>();
    for (const check of command.checks) {
      const pathCheck = checkPath(check.path, this.limits);
      if (!pathCheck.ok) return kvError('invalid-argument', `txn check: ${pathCheck.message}`);
      if (check.target === 'value' && check.operand.length > this.limits.valueBytesMax) {
        return kvError('invalid-argument', `txn check value for ${check.path} exceeds valueBytesMax`);
      }
      if (check.target !== 'value' && 'operand' in check && !isCount(check.operand)) {
        return kvError('invalid-argument', `txn check operand ${check.operand} must be a non-negative integer`);
      }
      namespaces.add(namespaceOf(check.path));
    }
    for (const op of [...command.success, ...command.failure]) {
      const invalid = validateNodeOp(op, this.limits);
      if (invalid !== null) return kvError('invalid-argument', `txn op: ${invalid.message}`);
      namespaces.add(namespaceOf(op.path));
    }
    if (namespaces.size > 1) {
      return kvError('invalid-argument', `txn spans namespaces ${[...namespaces].sort().join(', ')}; a txn stays in one namespace`);
    }
    return null;
  }

  private runTxn(command: TxnCommand): KvResult {
    const invalid = this.validateTxn(command);
    if (invalid !== null) return invalid;
    const succeeded = command.checks.every((check) => evaluateCheck(this.tree, check));
    const branch = succeeded ? command.success : command.failure;
    const context = this.opContext();
    const results: NodeOpResult[] = [];
    for (let index = 0; index < branch.length; index += 1) {
      const op = branch[index];
      const result = execNodeOp(context, op);
      if (!result.ok) {
        const branchName = succeeded ? 'success' : 'failure';
        return kvError(result.code, `txn ${branchName} op ${index} (${op.type} ${op.path}): ${result.message}`);
      }
      results.push(result);
    }
    const revision = revisionAfter(context);
    return { ok: true, kind: 'txn', succeeded, revision, results: results.map((result) => ({ ...result, revision })) };
  }

  // --- sessions -------------------------------------------------------------------------

  /** null when live; otherwise the error a request naming this session gets. */
  private sessionError(sessionId: number): KvError | null {
    switch (this.sessionTable.status(sessionId)) {
      case 'live':
        return null;
      case 'expired':
        return kvError('session-expired', `session ${sessionId} has expired`);
      case 'unknown':
        return kvError('session-not-found', `session ${sessionId} does not exist (never opened, or closed)`);
    }
  }

  private openSession(index: number, command: SessionOpenCommand): KvResult {
    const { ttlMs, nowMs } = command;
    const { sessionTtlMsMin, sessionTtlMsMax, sessionsMax } = this.limits;
    if (!isCount(nowMs)) return kvError('invalid-argument', `nowMs ${nowMs} must be a non-negative integer`);
    if (!Number.isSafeInteger(ttlMs) || ttlMs < sessionTtlMsMin || ttlMs > sessionTtlMsMax) {
      return kvError('invalid-argument', `session TTL ${ttlMs} ms is outside [${sessionTtlMsMin}, ${sessionTtlMsMax}]`);
    }
    if (this.sessionTable.size >= sessionsMax) {
      return kvError('resource-exhausted', `group has ${this.sessionTable.size} sessions (sessionsMax)`);
    }
    const deadlineMs = nowMs + ttlMs;
    this.sessionTable.open(index, ttlMs, deadlineMs);
    return { ok: true, kind: 'sessionOpen', sessionId: index, ttlMs, deadlineMs };
  }

  private checkSessionIds(ids: readonly number[], nowMs: number): KvError | null {
    if (ids.length > this.limits.sessionIdsPerCommandMax) {
      return kvError('invalid-argument', `${ids.length} session ids, more than sessionIdsPerCommandMax ${this.limits.sessionIdsPerCommandMax}`);
    }
    if (!isCount(nowMs)) return kvError('invalid-argument', `nowMs ${nowMs} must be a non-negative integer`);
    return null;
  }

  private keepaliveBatch(command: SessionKeepaliveBatchCommand): KvResult {
    const invalid = this.checkSessionIds(command.sessionIds, command.nowMs);
    if (invalid !== null) return invalid;
    let renewed = 0;
    const missing: number[] = [];
    for (const id of command.sessionIds) {
      if (this.sessionTable.renew(id, command.nowMs)) renewed += 1;
      else missing.push(id);
    }
    return { ok: true, kind: 'sessionKeepaliveBatch', renewed, missing };
  }

  private closeSession(index: number, command: SessionCloseCommand, grants: LockGrant[]): KvResult {
    if (!isCount(command.nowMs)) return kvError('invalid-argument', `nowMs ${command.nowMs} must be a non-negative integer`);
    const sessionError = this.sessionError(command.sessionId);
    if (sessionError !== null) return sessionError;
    const ended = this.endSession(command.sessionId, index, command.nowMs, false, grants);
    return { ok: true, kind: 'sessionClose', revision: this.revisionAfterBatch(), ...ended };
  }

  private expireSessions(index: number, command: SessionExpireCommand, grants: LockGrant[]): KvResult {
    const invalid = this.checkSessionIds(command.sessionIds, command.nowMs);
    if (invalid !== null) return invalid;
    const expired: number[] = [];
    const missing: number[] = [];
    for (const id of command.sessionIds) {
      if (this.sessionTable.status(id) !== 'live') {
        missing.push(id);
        continue;
      }
      this.endSession(id, index, command.nowMs, true, grants);
      expired.push(id);
    }
    return { ok: true, kind: 'sessionExpire', revision: this.revisionAfterBatch(), expired, missing };
  }

  /** Releases the session's locks (granting next waiters), deletes its ephemeral nodes (REMOVE
   *  events carry their last data), and forgets it. Cannot fail. */
  private endSession(id: number, index: number, nowMs: number, expired: boolean, grants: LockGrant[]): { removedNodes: number; releasedLocks: number } {
    const releasedLocks = this.lockTable.dropSession(id, index, nowMs, grants);
    const owned = [...this.tree.ephemeralsOf(id)].sort();
    for (const path of owned) this.tree.removeLeaf(path);
    assert(this.tree.ephemeralsOf(id).size === 0, `session ${id} still owns nodes after ending`);
    this.sessionTable.remove(id, expired);
    return { removedNodes: owned.length, releasedLocks };
  }

  private revisionAfterBatch(): number {
    return this.tree.changed ? this.revisionValue + 1 : this.revisionValue;
  }

  // --- locks ----------------------------------------------------------------------------

  private checkLockName(name: string): KvError | null {
    const check = checkPath(name, this.limits);
    if (!check.ok) return kvError('invalid-argument', `lock name: ${check.message}`);
    if (isRoot(name)) return kvError('invalid-argument', 'lock name must not be the root "/"');
    return null;
  }

  private acquireLock(index: number, command: LockAcquireCommand): KvResult {
    const invalid = this.checkLockName(command.name);
    if (invalid !== null) return invalid;
    const { maxHoldMs, waitTimeoutMs } = command;
    if (!isCount(command.requestId) || !isCount(command.nowMs)) {
      return kvError('invalid-argument', 'lock requestId and nowMs must be non-negative integers');
    }
    if (!isCount(maxHoldMs) || maxHoldMs > this.limits.lockHoldMsMax) {
      return kvError('invalid-argument', `maxHoldMs ${maxHoldMs} must be in [0, ${this.limits.lockHoldMsMax}]`);
    }
    if (waitTimeoutMs !== null && (!isCount(waitTimeoutMs) || waitTimeoutMs > this.limits.lockWaitMsMax)) {
      return kvError('invalid-argument', `waitTimeoutMs ${waitTimeoutMs} must be in [0, ${this.limits.lockWaitMsMax}]`);
    }
    const sessionError = this.sessionError(command.sessionId);
    if (sessionError !== null) return sessionError;
    return this.lockTable.acquire(command, index);
  }

  private releaseLock(index: number, command: LockReleaseCommand, grants: LockGrant[]): KvResult {
    const invalid = this.checkLockName(command.name);
    if (invalid !== null) return invalid;
    if (!isCount(command.token) || !isCount(command.nowMs)) {
      return kvError('invalid-argument', 'lock token and nowMs must be non-negative integers');
    }
    const outcome = this.lockTable.release(command.name, command.token, index, command.nowMs, grants);
    if ('ok' in outcome) return outcome;
    return { ok: true, kind: 'lockRelease', nextHolderSessionId: outcome.nextHolder };
  }

  private cancelLockWait(command: LockCancelWaitCommand): KvResult {
    const invalid = this.checkLockName(command.name);
    if (invalid !== null) return invalid;
    const outcome = this.lockTable.cancelWait(command.name, command.sessionId, command.requestId);
    if ('ok' in outcome) return outcome;
    return { ok: true, kind: 'lockCancelWait', ...outcome };
  }

  private expireLockHolds(index: number, command: LockExpireHoldsCommand, grants: LockGrant[]): KvResult {
    if (command.holds.length > this.limits.lockHoldsPerCommandMax) {
      return kvError('invalid-argument', `${command.holds.length} holds, more than lockHoldsPerCommandMax ${this.limits.lockHoldsPerCommandMax}`);
    }
    if (!isCount(command.nowMs)) return kvError('invalid-argument', `nowMs ${command.nowMs} must be a non-negative integer`);
    for (const hold of command.holds) {
      const invalid = this.checkLockName(hold.name);
      if (invalid !== null) return invalid;
    }
    const released = this.lockTable.expireHolds(command.holds, index, command.nowMs, grants);
    return { ok: true, kind: 'lockExpireHolds', released };
  }

  /** Grants whose holder still holds at the end of the apply (a waiter granted and then
   *  released in the same apply, e.g. two sessions expiring together, is not reported). */
  private liveGrants(grants: LockGrant[]): readonly LockGrant[] {
    if (grants.length === 0) return NO_GRANTS;
    return grants.filter((grant) => {
      const holder = this.lockTable.get(grant.name)?.holder ?? null;
      if (holder === null || holder.token !== grant.token || holder.sessionId !== grant.sessionId) return false;
      assert(this.sessionTable.status(holder.sessionId) === 'live', `lock ${grant.name} granted to dead session ${holder.sessionId}`);
      return true;
    });
  }

  // --- queries --------------------------------------------------------------------------

  get(path: string): NodeView | null {
    const node = this.tree.get(path);
    return node === undefined ? null : { value: node.value, stat: statOf(node) };
  }

  exists(path: string): boolean {
    return this.tree.has(path);
  }

  stat(path: string): NodeStat | null {
    const node = this.tree.get(path);
    return node === undefined ? null : statOf(node);
  }

  /** Immediate child names of `path`, sorted, one page at a time. */
  list(path: string, options: ListOptions = {}): ListResult {
    const pageSize = options.pageSize ?? this.limits.listPageMax;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > this.limits.listPageMax) {
      return kvError('invalid-argument', `pageSize ${pageSize} must be in [1, ${this.limits.listPageMax}]`);
    }
    const node = this.tree.get(path);
    if (node === undefined) return kvError('not-found', `${path} does not exist`);
    let start = 0;
    if (options.after !== undefined) {
      start = lowerBound(node.children, options.after);
      if (node.children[start] === options.after) start += 1;
    }
    const names = node.children.slice(start, start + pageSize);
    return { ok: true, names, more: start + pageSize < node.children.length, revision: this.revisionValue };
  }

  sessions(): SessionView[] {
    return this.sessionTable.ids().map((id) => this.session(id) as SessionView);
  }

  /** 'expired' for the last expiredSessionsRememberedMax expired ids; 'unknown' for ids
   *  never opened, closed, or expired longer ago. */
  sessionStatus(id: number): 'live' | 'expired' | 'unknown' {
    return this.sessionTable.status(id);
  }

  session(id: number): SessionView | null {
    const record = this.sessionTable.get(id);
    if (record === undefined) return null;
    return {
      id,
      ttlMs: record.ttlMs,
      deadlineMs: record.deadlineMs,
      ephemeralCount: this.tree.ephemeralsOf(id).size,
      locks: this.lockTable.locksOf(id),
    };
  }

  locks(): LockInfo[] {
    return this.lockTable.names().map((name) => this.lockTable.info(name) as LockInfo);
  }

  lock(name: string): LockInfo | null {
    return this.lockTable.info(name);
  }

  /** Holds past max-hold and waits past their deadline at `nowMs` (for the leader's tracker). */
  dueLockTimeouts(nowMs: number, itemsMax: number): DueLockTimeouts {
    return this.lockTable.dueTimeouts(nowMs, itemsMax);
  }

  /** The current state of what a watch covers, as ADD events (revision = the node's
   *  modRevision), parents before children; null if more than `eventsMax`. */
  collectReplay(path: string, kind: WatchKind, eventsMax: number): WatchEvent[] | null {
    let paths: string[];
    if (kind === 'path') {
      paths = this.tree.has(path) && !isRoot(path) ? [path] : [];
    } else if (kind === 'children') {
      const node = this.tree.get(path);
      if (node !== undefined && node.children.length > eventsMax) return null;
      paths = (node?.children ?? []).map((name) => childPath(path, name));
    } else {
      paths = this.tree.walk(path, eventsMax + 1);
      if (isRoot(path)) paths = paths.slice(1); // the root is not a node anyone wrote
    }
    if (paths.length > eventsMax) return null;
    return paths.map((nodePath) => {
      const node = this.tree.get(nodePath);
      assert(node !== undefined, `replay: ${nodePath} vanished`);
      return {
        type: 'ADD', path: nodePath, revision: node.modRevision, value: node.value, prevValue: null,
        version: node.version, createRevision: node.createRevision, ephemeralOwner: node.ephemeralOwner,
      };
    });
  }

  // --- snapshots and invariants ---------------------------------------------------------

  /** The whole state as bytes; canonical (equal states give equal bytes). */
  snapshot(): Uint8Array {
    const writer = new ByteWriter(1024);
    writeSnapshot(writer, this.parts());
    return writer.finish();
  }

  /** Rebuilds a state machine from `snapshot()` bytes. Throws KvCodecError when malformed. */
  static restore(bytes: Uint8Array, limits: KvLimits = defaultKvLimits()): KvStateMachine {
    const machine = new KvStateMachine(limits);
    const reader = new ByteReader(bytes);
    const header = readSnapshot(reader, machine.parts());
    reader.finish();
    machine.appliedIndexValue = header.appliedIndex;
    machine.revisionValue = header.revision;
    const problems = machine.checkInvariants();
    if (problems.length > 0) throw new KvCodecError(`snapshot violates invariants: ${problems.slice(0, 3).join('; ')}`);
    return machine;
  }

  /** Full scan of every invariant; returns the violations (empty when sound). O(state). */
  checkInvariants(): string[] {
    return checkKvInvariants(this.parts());
  }

  private parts(): KvStateParts {
    return {
      tree: this.tree,
      sessions: this.sessionTable,
      locks: this.lockTable,
      limits: this.limits,
      appliedIndex: this.appliedIndexValue,
      revision: this.revisionValue,
    };
  }
}
