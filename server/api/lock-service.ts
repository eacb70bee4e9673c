// The Lock service: acquire / release / inspect / list / observe. A lock is a path (it routes
// by namespace like a node); its holder is a session; the fencing token of a grant is the Raft
// index of the entry that granted it (strictly increasing per lock).
//
// Acquire runs at the group's leader. Granted at once, it answers at once. Queued (FIFO), the
// call waits for the grant — reported by the apply hook of this replica — up to wait_ms; then
// it proposes lockCancelWait, and if that finds the request granted in between, answers the
// token after all. A lock that was not acquired (busy with wait_ms 0, or the wait ran out)
// is DEADLINE_EXCEEDED with a message naming the lock and the wait.

import type * as grpc from '@grpc/grpc-js';
import type { AcquireLockResponse } from '../../proto/gen/corral/v1/AcquireLockResponse';
import type { LockHandlers } from '../../proto/gen/corral/v1/Lock';
import type { LockInfo as LockInfoMessage } from '../../proto/gen/corral/v1/LockInfo';
import type { ObserveRequest__Output } from '../../proto/gen/corral/v1/ObserveRequest';
import type { KvOk, LockCancelWaitResult } from '../kv/commands';
import type { LockInfo } from '../kv/lock-table';
import { checkPath, isRoot, namespaceOf } from '../kv/path';
import type { KvStateMachine } from '../kv/state-machine';
import type { GroupId } from '../host/ports';
import { CorralError } from '../util/errors';
import { type ApiContext, failStream, unary } from './api-context';
import { normalizeLockName } from './kv-service';
import { checkNamespace } from './session-service';
import { replicaElsewhere } from './watch-service';

export type LockWaitOutcome =
  | { readonly kind: 'granted'; readonly token: number }
  | { readonly kind: 'gone' }
  | { readonly kind: 'shutdown' };

export interface LockWaitHandle {
  /** Settles once with the outcome. */
  readonly outcome: Promise<LockWaitOutcome>;
  /** The acquire applied as 'queued': from now on a re-check may end the wait as 'gone'. */
  arm(state: KvStateMachine): void;
  /** Forget the wait (the caller stopped waiting). Idempotent. */
  dispose(): void;
}

/** What the lock service needs from the node's coordination runtime. */
export interface LockPort {
  /** Registers a wait for a queued acquire BEFORE it is proposed; null when too many wait. */
  addLockWait(groupId: GroupId, name: string, sessionId: number, requestId: number): LockWaitHandle | null;
  /** Calls `listener` after every apply that may have changed the lock; null if the group
   *  has no replica here. Returns the unsubscribe function. */
  observeLock(groupId: GroupId, name: string, listener: (info: LockInfo | null) => void): (() => void) | null;
  /** Takes one of the node's watcher slots (observers count as watchers); null when full. */
  admitWatcher(): (() => void) | null;
  trackStream(close: (error: CorralError) => void): () => void;
}

/** LockInfo messages an observer may leave unread before its stream is ended. */
export const OBSERVE_MESSAGES_QUEUED_MAX = 256;

export type LockWaitCheck = 'granted' | 'queued' | 'gone';

/** Where the acquire (name, session, request) stands in the replicated lock table. */
export function checkLockWait(state: KvStateMachine, name: string, sessionId: number, requestId: number): { readonly state: LockWaitCheck; readonly token: number } {
  const info = state.lock(name);
  const holder = info?.holder ?? null;
  if (holder !== null && holder.sessionId === sessionId && holder.requestId === requestId) return { state: 'granted', token: holder.token };
  const queued = info?.waiters.some((waiter) => waiter.sessionId === sessionId && waiter.requestId === requestId) ?? false;
  return { state: queued ? 'queued' : 'gone', token: 0 };
}

export function lockInfoMessage(name: string, info: LockInfo | null): LockInfoMessage {
  const holder = info?.holder ?? null;
  return {
    name,
    holder_session_id: holder?.sessionId ?? 0,
    token: holder?.token ?? 0,
    granted_at_ms: holder?.grantedAtMs ?? 0,
    max_hold_ms: holder?.maxHoldMs ?? 0,
    waiters: (info?.waiters ?? []).map((waiter) => ({ session_id: waiter.sessionId, request_id: waiter.requestId, wait_deadline_ms: waiter.waitDeadlineMs })),
  };
}

function lockNameOf(context: ApiContext, raw: string): string {
  if (raw === '') throw new CorralError('invalid-argument', 'lock name is empty');
  const name = normalizeLockName(raw);
  const check = checkPath(name, context.limits);
  if (!check.ok) throw new CorralError('invalid-argument', `lock name: ${check.message}`);
  if (isRoot(name)) throw new CorralError('invalid-argument', 'lock name must not be the root "/"');
  return name;
}

function boundedMs(value: number, field: string, max: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw new CorralError('invalid-argument', `${field} ${value} must be in [0, ${max}]`);
  return value;
}

function waitTimedOut(name: string, waitMs: number, holderSessionId: number): CorralError {
  const held = holderSessionId !== 0 ? ` (held by session ${holderSessionId})` : '';
  return new CorralError('deadline-exceeded', `lock ${name} was not acquired: the wait timed out after ${waitMs} ms${held}`, { reason: 'lock-wait-timeout' });
}

function sessionGone(state: KvStateMachine, sessionId: number, name: string): CorralError {
  const expired = state.sessionStatus(sessionId) === 'expired';
  const how = expired ? 'has expired' : 'does not exist (never opened, or closed)';
  return new CorralError('not-found', `session ${sessionId} ${how}; it no longer waits for lock ${name}`, { reason: expired ? 'session-expired' : 'session-not-found' });
}

interface AcquireArgs {
  readonly groupId: GroupId;
  readonly name: string;
  readonly sessionId: number;
  readonly requestId: number;
  readonly waitMs: number;
  readonly maxHoldMs: number;
}

function expectKind<K extends KvOk['kind']>(result: KvOk, kind: K): Extract<KvOk, { kind: K }> {
  if (result.kind !== kind) throw new CorralError('internal', `expected a ${kind} result, got ${result.kind}`);
  return result as Extract<KvOk, { kind: K }>;
}

/** Resolves 'timeout' after `timeoutMs` or 'cancelled' when the client goes away. */
function waitOrGiveUp(outcome: Promise<LockWaitOutcome>, timeoutMs: number, call: grpc.ServerUnaryCall<unknown, unknown>): Promise<LockWaitOutcome | { readonly kind: 'timeout' }> {
  let timer: NodeJS.Timeout | undefined;
  let onCancelled: (() => void) | undefined;
  const gaveUp = new Promise<{ readonly kind: 'timeout' }>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
    onCancelled = () => resolve({ kind: 'timeout' });
    call.once('cancelled', onCancelled);
  });
  return Promise.race([outcome, gaveUp]).finally(() => {
    clearTimeout(timer);
    if (onCancelled !== undefined) call.removeListener('cancelled', onCancelled);
  });
}

async function acquireAtLeader(context: ApiContext, port: LockPort, args: AcquireArgs, call: grpc.ServerUnaryCall<unknown, unknown>): Promise<AcquireLockResponse> {
  const { groupId, name, sessionId, requestId } = args;
  const wait = port.addLockWait(groupId, name, sessionId, requestId);
  if (wait === null) throw new CorralError('resource-exhausted', `too many lock acquires are waiting on node ${context.options.nodeId}; retry later`);
  try {
    const command = { type: 'lockAcquire', name, sessionId, requestId, maxHoldMs: args.maxHoldMs, waitTimeoutMs: args.waitMs, nowMs: context.nowMs() } as const;
    const result = expectKind(await context.proposeLocal(groupId, command), 'lockAcquire');
    if (result.status === 'granted') return { token: result.token, session_id: sessionId };
    if (result.status === 'busy') throw waitTimedOut(name, 0, result.holderSessionId);
    const machine = context.localKv(groupId);
    if (machine === undefined) throw new CorralError('unavailable', `group ${groupId} has no replica on node ${context.options.nodeId}`);
    wait.arm(machine.state);
    const outcome = await waitOrGiveUp(wait.outcome, args.waitMs, call);
    if (outcome.kind !== 'timeout') return answerOutcome(context, args, outcome);
    return await cancelAfterWait(context, args, wait, call);
  } finally {
    wait.dispose();
  }
}

function answerOutcome(context: ApiContext, args: AcquireArgs, outcome: LockWaitOutcome): AcquireLockResponse {
  switch (outcome.kind) {
    case 'granted':
      return { token: outcome.token, session_id: args.sessionId };
    case 'shutdown':
      throw new CorralError('unavailable', `node ${context.options.nodeId} is shutting down; retry the acquire with the same request_id`);
    case 'gone': {
      const state = context.localKv(args.groupId)?.state;
      if (state !== undefined && state.sessionStatus(args.sessionId) !== 'live') throw sessionGone(state, args.sessionId, args.name);
      throw waitTimedOut(args.name, args.waitMs, state?.lock(args.name)?.holder?.sessionId ?? 0);
    }
  }
}

/** The wait ran out: cancel it. The cancel reports a grant that won the race. */
async function cancelAfterWait(context: ApiContext, args: AcquireArgs, wait: LockWaitHandle, call: grpc.ServerUnaryCall<unknown, unknown>): Promise<AcquireLockResponse> {
  const { groupId, name, sessionId, requestId } = args;
  let cancel: LockCancelWaitResult | CorralError;
  try {
    cancel = expectKind(await context.proposeLocal(groupId, { type: 'lockCancelWait', name, sessionId, requestId, nowMs: context.nowMs() }), 'lockCancelWait');
  } catch (error) {
    cancel = CorralError.from(error);
  }
  if (!(cancel instanceof CorralError)) {
    if (!cancel.cancelled && cancel.heldToken !== null) return { token: cancel.heldToken, session_id: sessionId };
    throw waitTimedOut(name, args.waitMs, context.localKv(groupId)?.state.lock(name)?.holder?.sessionId ?? 0);
  }
  // Not waiting any more (granted, skipped or its session ended), or leadership moved and the
  // new leader's tracker cancels the overdue wait: the replicated state tells which.
  const state = context.localKv(groupId)?.state;
  if (state === undefined) throw cancel;
  const check = checkLockWait(state, name, sessionId, requestId);
  if (check.state === 'granted') return { token: check.token, session_id: sessionId };
  if (check.state === 'gone') return answerOutcome(context, args, { kind: 'gone' });
  const late = await waitOrGiveUp(wait.outcome, context.options.requestTimeoutMs, call);
  if (late.kind !== 'timeout') return answerOutcome(context, args, late);
  throw new CorralError('deadline-exceeded', `lock ${name}: outcome unknown after the wait (its cancel was not applied: ${cancel.message}); retry the acquire with the same request_id`);
}

function observeHandler(context: ApiContext, port: LockPort): grpc.handleServerStreamingCall<ObserveRequest__Output, LockInfoMessage> {
  return (call) => {
    let ended = false;
    const cleanups: (() => void)[] = [];
    const finish = (error: unknown): void => {
      if (ended) return;
      ended = true;
      for (const cleanup of cleanups.splice(0)) cleanup();
      if (error === null) call.end();
      else failStream(call, error);
    };
    try {
      const name = lockNameOf(context, call.request.name);
      const groupId = context.router.groupOfPath(name);
      const machine = context.localKv(groupId);
      if (machine === undefined) throw replicaElsewhere(context, groupId);
      const release = port.admitWatcher();
      if (release === null) throw new CorralError('resource-exhausted', `node ${context.options.nodeId} serves ${context.limits.watchersMax} watchers and observers (watchersMax)`);
      cleanups.push(release);
      let lastToken = -1;
      const send = (info: LockInfo | null): void => {
        const token = info?.holder?.token ?? 0;
        if (ended || token === lastToken) return;
        lastToken = token;
        call.write(lockInfoMessage(name, info));
        if (call.writableLength > OBSERVE_MESSAGES_QUEUED_MAX) finish(new CorralError('resource-exhausted', `observer of lock ${name} left ${call.writableLength} messages unread`));
      };
      send(machine.state.lock(name));
      const unobserve = port.observeLock(groupId, name, send);
      if (unobserve === null) throw replicaElsewhere(context, groupId);
      cleanups.push(unobserve, port.trackStream((error) => finish(error)));
      call.on('cancelled', () => finish(null));
      call.on('error', () => finish(null));
    } catch (error) {
      finish(error);
    }
  };
}

export function lockHandlers(context: ApiContext, port: LockPort, methods: Record<string, grpc.MethodDefinition<unknown, unknown>>): LockHandlers {
  const method = <Q, R>(name: string) => methods[name] as unknown as grpc.MethodDefinition<Q, R>;
  const limits = context.limits;
  return {
    Acquire: unary(async (call) => {
      const request = call.request;
      const name = lockNameOf(context, request.name);
      const sessionId = Number(request.session_id);
      if (!Number.isSafeInteger(sessionId) || sessionId <= 0) throw new CorralError('invalid-argument', `acquire of lock ${name} needs a session_id (got ${sessionId})`);
      const waitMs = boundedMs(Number(request.wait_ms), 'wait_ms', limits.lockWaitMsMax);
      const maxHoldMs = boundedMs(Number(request.max_hold_ms), 'max_hold_ms', limits.lockHoldMsMax);
      const requestId = boundedMs(Number(request.request_id), 'request_id', Number.MAX_SAFE_INTEGER);
      const groupId = context.router.groupOfPath(name);
      const args: AcquireArgs = { groupId, name, sessionId, requestId, waitMs, maxHoldMs };
      const forwardDeadlineMs = waitMs + context.options.requestTimeoutMs * 2;
      return context.atLeader(groupId, call, method('Acquire'), () => acquireAtLeader(context, port, args, call as grpc.ServerUnaryCall<unknown, unknown>), forwardDeadlineMs);
    }),
    Release: unary(async (call) => {
      const name = lockNameOf(context, call.request.name);
      const token = Number(call.request.token);
      if (!Number.isSafeInteger(token) || token <= 0) throw new CorralError('invalid-argument', `release of lock ${name} needs the fencing token of the hold (got ${token})`);
      const groupId = context.router.groupOfPath(name);
      return context.atLeader(groupId, call, method('Release'), async () => {
        expectKind(await context.proposeLocal(groupId, { type: 'lockRelease', name, token, nowMs: context.nowMs() }), 'lockRelease');
        return {};
      });
    }),
    Inspect: unary(async (call) => {
      const name = lockNameOf(context, call.request.name);
      const groupId = context.router.groupOfPath(name);
      return context.atReplica(groupId, call, method('Inspect'), async () => {
        const machine = await context.readLocal(groupId, call.request.serializable);
        return lockInfoMessage(name, machine.lock(name));
      });
    }),
    List: unary(async (call) => {
      const namespace = checkNamespace(context, call.request.namespace);
      const groupId = context.router.groupOfNamespace(namespace);
      return context.atReplica(groupId, call, method('List'), async () => {
        const machine = await context.readLocal(groupId, false);
        const locks = machine.locks().filter((info) => namespaceOf(info.name) === namespace);
        if (locks.length > limits.listPageMax) {
          throw new CorralError('resource-exhausted', `namespace ${namespace} has ${locks.length} locks, more than one list page (${limits.listPageMax})`);
        }
        return { locks: locks.map((info) => lockInfoMessage(info.name, info)) };
      });
    }),
    Observe: observeHandler(context, port),
  };
}
