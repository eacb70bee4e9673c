// The Session service: open / keepalive / close / time-to-live / list. A session lives in the
// KV group of its namespace (a client session that spans groups is one sub-session per group).
//
// Keepalives are NOT written to the Raft log one by one: the group leader renews its
// in-memory deadline (the session tracker) and replicates batches of renewed ids. So the
// KeepAlive stream must reach the group's leader: any other node ends the stream with
// UNAVAILABLE and the leader hint (`corral-leader-id`, `corral-leader-address`) in trailers.

import type * as grpc from '@grpc/grpc-js';
import type { KeepAliveRequest__Output } from '../../proto/gen/corral/v1/KeepAliveRequest';
import type { KeepAliveResponse } from '../../proto/gen/corral/v1/KeepAliveResponse';
import type { SessionHandlers } from '../../proto/gen/corral/v1/Session';
import type { SessionInfo } from '../../proto/gen/corral/v1/SessionInfo';
import type { KvOk } from '../kv/commands';
import { checkPath } from '../kv/path';
import type { KeepaliveOutcome } from '../kv/session-tracker';
import type { KvStateMachine, SessionView } from '../kv/state-machine';
import type { GroupId } from '../host/ports';
import { NONE, type NodeId } from '../raft/types';
import { CorralError } from '../util/errors';
import { type ApiContext, failStream, unary } from './api-context';

export type KeepaliveAnswer =
  | { readonly ok: true; readonly outcomes: readonly KeepaliveOutcome[] }
  /** This replica does not lead the group; `leader` is the one it knows of (NONE: none). */
  | { readonly ok: false; readonly reason: 'not-leader'; readonly leader: NodeId }
  /** This node leads the group but has not applied its predecessors' entries yet. */
  | { readonly ok: false; readonly reason: 'catching-up' }
  | { readonly ok: false; readonly reason: 'no-replica' };

/** What the session service needs from the node's coordination runtime. */
export interface SessionPort {
  keepalive(groupId: GroupId, ids: readonly number[], nowMs: number): KeepaliveAnswer;
  /** The leader's in-memory remaining lease, or null when this node's tracker does not know. */
  sessionRemainingMs(groupId: GroupId, sessionId: number, nowMs: number): number | null;
  /** Registers a stream to end when the node stops; returns the unregister function. */
  trackStream(close: (error: CorralError) => void): () => void;
}

/** Keepalive responses a client may leave unread before its stream is ended. */
export const KEEPALIVE_RESPONSES_QUEUED_MAX = 64;

/** A namespace is one path segment: `services` for `/services/...`. */
export function checkNamespace(context: ApiContext, namespace: string): string {
  if (namespace === '') throw new CorralError('invalid-argument', 'namespace is empty; sessions live in a namespace (the first path segment, e.g. "services")');
  const check = checkPath(`/${namespace}`, context.limits);
  if (!check.ok || namespace.includes('/')) throw new CorralError('invalid-argument', `namespace "${namespace}" is not one valid path segment`);
  return namespace;
}

function checkSessionId(sessionId: number): number {
  if (!Number.isSafeInteger(sessionId) || sessionId <= 0) throw new CorralError('invalid-argument', `session_id ${sessionId} must be a positive session id`);
  return sessionId;
}

function expectKind<K extends KvOk['kind']>(result: KvOk, kind: K): Extract<KvOk, { kind: K }> {
  if (result.kind !== kind) throw new CorralError('internal', `expected a ${kind} result, got ${result.kind}`);
  return result as Extract<KvOk, { kind: K }>;
}

/** The coded error for a keepalive this node cannot answer (hint and address when known). */
export function keepaliveRefusal(context: ApiContext, groupId: GroupId, answer: Exclude<KeepaliveAnswer, { ok: true }>): CorralError {
  const self = context.options.nodeId;
  switch (answer.reason) {
    case 'catching-up':
      return new CorralError('unavailable', `group ${groupId}: node ${self} was just elected leader and is applying its log; retry shortly`, { groupId, leaderHint: self });
    case 'no-replica':
    case 'not-leader': {
      const leader = answer.reason === 'not-leader' ? answer.leader : NONE;
      if (leader === NONE) {
        const replicas = context.router.replicasOf(groupId).filter((id) => id !== self);
        const other = replicas[0] ?? NONE;
        const address = other === NONE ? undefined : context.router.addressOf(other);
        return new CorralError('unavailable', `group ${groupId}: node ${self} knows no leader yet; keepalives go to the group leader; retry`, {
          groupId, ...(other !== NONE ? { leaderHint: other } : {}), ...(address !== undefined ? { leaderAddress: address } : {}),
        });
      }
      const address = context.router.addressOf(leader);
      return new CorralError('not-leader', `group ${groupId}: node ${self} is not the leader; send keepalives to node ${leader}`, {
        groupId, leaderHint: leader, ...(address !== undefined ? { leaderAddress: address } : {}),
      });
    }
  }
}

function keepaliveResponse(outcomes: readonly KeepaliveOutcome[]): KeepAliveResponse {
  const alive: number[] = [];
  const expired: number[] = [];
  let remainingMsMin = Number.POSITIVE_INFINITY;
  for (const outcome of outcomes) {
    if (outcome.ok) {
      alive.push(outcome.id);
      remainingMsMin = Math.min(remainingMsMin, outcome.remainingMs);
    } else {
      expired.push(outcome.id);
    }
  }
  return { alive, expired, ttl_remaining_ms: alive.length > 0 ? remainingMsMin : 0 };
}

function keepAliveHandler(context: ApiContext, port: SessionPort): grpc.handleBidiStreamingCall<KeepAliveRequest__Output, KeepAliveResponse> {
  return (call) => {
    let ended = false;
    let untrack: () => void = () => undefined;
    const finish = (error: unknown): void => {
      if (ended) return;
      ended = true;
      untrack();
      if (error === null) call.end();
      else failStream(call, error);
    };
    try {
      untrack = port.trackStream((error) => finish(error));
    } catch (error) {
      finish(error);
      return;
    }
    call.on('data', (request: KeepAliveRequest__Output) => {
      if (ended) return;
      try {
        const ids = request.session_ids.map(Number);
        if (ids.length > context.limits.sessionIdsPerCommandMax) {
          throw new CorralError('invalid-argument', `${ids.length} session ids in one keepalive, more than ${context.limits.sessionIdsPerCommandMax}`);
        }
        const groupId = context.router.groupOfNamespace(checkNamespace(context, request.namespace));
        const answer = port.keepalive(groupId, ids, context.nowMs());
        if (!answer.ok) throw keepaliveRefusal(context, groupId, answer);
        call.write(keepaliveResponse(answer.outcomes));
        if (call.writableLength > KEEPALIVE_RESPONSES_QUEUED_MAX) {
          throw new CorralError('resource-exhausted', `${call.writableLength} keepalive responses unread (more than ${KEEPALIVE_RESPONSES_QUEUED_MAX}); read the stream`);
        }
      } catch (error) {
        finish(error);
      }
    });
    call.on('end', () => finish(null));
    call.on('cancelled', () => { ended = true; untrack(); });
    call.on('error', () => { ended = true; untrack(); });
  };
}

function sessionInfoOf(port: SessionPort, groupId: GroupId, session: SessionView, machine: KvStateMachine, nowMs: number): SessionInfo {
  const remainingMs = port.sessionRemainingMs(groupId, session.id, nowMs) ?? Math.max(0, session.deadlineMs - nowMs);
  const locksHeld = session.locks.filter((name) => machine.lock(name)?.holder?.sessionId === session.id).length;
  return { session_id: session.id, ttl_ms: session.ttlMs, remaining_ms: remainingMs, ephemeral_count: session.ephemeralCount, locks_held: locksHeld };
}

function sessionMissing(machine: KvStateMachine, sessionId: number): CorralError {
  return machine.sessionStatus(sessionId) === 'expired'
    ? new CorralError('not-found', `session ${sessionId} has expired`, { reason: 'session-expired' })
    : new CorralError('not-found', `session ${sessionId} does not exist (never opened, or closed)`, { reason: 'session-not-found' });
}

export function sessionHandlers(context: ApiContext, port: SessionPort, methods: Record<string, grpc.MethodDefinition<unknown, unknown>>): SessionHandlers {
  const method = <Q, R>(name: string) => methods[name] as unknown as grpc.MethodDefinition<Q, R>;
  const limits = context.limits;
  return {
    Open: unary(async (call) => {
      const ttlMs = Number(call.request.ttl_ms);
      if (!Number.isSafeInteger(ttlMs) || ttlMs < limits.sessionTtlMsMin || ttlMs > limits.sessionTtlMsMax) {
        throw new CorralError('invalid-argument', `ttl_ms ${ttlMs} is outside [${limits.sessionTtlMsMin}, ${limits.sessionTtlMsMax}]`);
      }
      const groupId = context.router.groupOfNamespace(checkNamespace(context, call.request.namespace));
      return context.atLeader(groupId, call, method('Open'), async () => {
        const result = expectKind(await context.proposeLocal(groupId, { type: 'sessionOpen', ttlMs, nowMs: context.nowMs() }), 'sessionOpen');
        return { session_id: result.sessionId, ttl_ms: result.ttlMs };
      });
    }),
    KeepAlive: keepAliveHandler(context, port),
    Close: unary(async (call) => {
      const sessionId = checkSessionId(Number(call.request.session_id));
      const groupId = context.router.groupOfNamespace(checkNamespace(context, call.request.namespace));
      return context.atLeader(groupId, call, method('Close'), async () => {
        expectKind(await context.proposeLocal(groupId, { type: 'sessionClose', sessionId, nowMs: context.nowMs() }), 'sessionClose');
        return {};
      });
    }),
    TimeToLive: unary(async (call) => {
      const sessionId = checkSessionId(Number(call.request.session_id));
      const groupId = context.router.groupOfNamespace(checkNamespace(context, call.request.namespace));
      // At the leader: its tracker holds the authoritative (in-memory) deadline.
      return context.atLeader(groupId, call, method('TimeToLive'), async () => {
        const machine = await context.readLocal(groupId, false);
        const session = machine.session(sessionId);
        if (session === null) throw sessionMissing(machine, sessionId);
        return sessionInfoOf(port, groupId, session, machine, context.nowMs());
      });
    }),
    List: unary(async (call) => {
      const groupId = context.router.groupOfNamespace(checkNamespace(context, call.request.namespace));
      return context.atLeader(groupId, call, method('List'), async () => {
        const machine = await context.readLocal(groupId, false);
        const sessions = machine.sessions();
        if (sessions.length > limits.listPageMax) {
          throw new CorralError('resource-exhausted', `group ${groupId} has ${sessions.length} sessions, more than one list page (${limits.listPageMax})`);
        }
        const nowMs = context.nowMs();
        return { sessions: sessions.map((session) => sessionInfoOf(port, groupId, session, machine, nowMs)) };
      });
    }),
  };
}
