// What every gRPC service needs: route a request to its group, run it on the leader (or
// forward it there), read linearizably from a local replica, map KV outcomes to errors.

import * as grpc from '@grpc/grpc-js';
import type { MultiRaftHost } from '../host/multi-raft-host';
import type { GroupId } from '../host/ports';
import { encodeCommand, type KvCommand, type KvOk, type KvResult } from '../kv/commands';
import type { KvError, KvErrorCode } from '../kv/kv-error';
import type { KvLimits } from '../kv/limits';
import type { KvStateMachine } from '../kv/state-machine';
import type { KvApplied, KvGroupStateMachine } from '../kv/kv-group';
import { NONE, type NodeId } from '../raft/types';
import { CorralError, type ErrorCode } from '../util/errors';
import { ForwardedError, Forwarder, hopsOf } from './forwarder';
import type { Router } from './router';
import { toServiceError } from './status-map';

/** Forwarded at most this many times: client -> any node -> a replica -> its leader. */
export const HOPS_MAX = 2;

const KV_ERROR_CODES: Readonly<Record<KvErrorCode, ErrorCode>> = {
  'invalid-argument': 'invalid-argument',
  'not-found': 'not-found',
  'already-exists': 'already-exists',
  'version-mismatch': 'failed-precondition',
  'not-empty': 'failed-precondition',
  'no-parent': 'not-found',
  'ephemeral-parent': 'failed-precondition',
  'session-not-found': 'not-found',
  'session-expired': 'not-found',
  'lock-not-held': 'failed-precondition',
  'guard-failed': 'failed-precondition',
  'resource-exhausted': 'resource-exhausted',
};

export function kvFailure(result: KvResult | KvError): CorralError | null {
  if (result.ok) return null;
  return new CorralError(KV_ERROR_CODES[result.code], result.message, { reason: result.code });
}

export interface ApiContextOptions {
  readonly host: MultiRaftHost;
  readonly router: Router;
  readonly forwarder: Forwarder;
  readonly kvGroup: (groupId: GroupId) => KvGroupStateMachine | undefined;
  readonly limits: KvLimits;
  readonly requestTimeoutMs: number;
  readonly nodeId: NodeId;
}

export class ApiContext {
  constructor(readonly options: ApiContextOptions) {}

  get host(): MultiRaftHost {
    return this.options.host;
  }

  get router(): Router {
    return this.options.router;
  }

  get limits(): KvLimits {
    return this.options.limits;
  }

  /** The leader's clock, stamped into commands that need time (sessions, locks). */
  nowMs(): number {
    return Date.now();
  }

  /** The local KV replica of a group, if this node hosts one. */
  localKv(groupId: GroupId): KvGroupStateMachine | undefined {
    return this.options.kvGroup(groupId);
  }

  /** Proposes a command on this node (it must lead the group) and returns the successful
   *  result, or throws the coded failure. */
  async proposeLocal(groupId: GroupId, command: KvCommand): Promise<KvOk> {
    const { result } = await this.host.propose(groupId, encodeCommand(command));
    const outcome = (result as KvApplied).result;
    const failure = kvFailure(outcome);
    if (failure !== null) throw failure;
    return outcome as KvOk;
  }

  /** Waits until the local replica may serve a linearizable read; returns its state. */
  async readLocal(groupId: GroupId, serializable: boolean): Promise<KvStateMachine> {
    const machine = this.localKv(groupId);
    if (machine === undefined) throw new CorralError('unavailable', `group ${groupId} has no replica on node ${this.options.nodeId}`);
    if (!serializable) await this.host.readBarrier(groupId, this.options.requestTimeoutMs);
    return machine.state;
  }

  /** Where to send a call this node cannot serve: the leader if known, else a replica. */
  forwardTarget(groupId: GroupId, needLeader: boolean, hint: NodeId = NONE): NodeId {
    const replica = this.host.group(groupId);
    if (hint !== NONE && hint !== this.options.nodeId) return hint;
    if (replica !== undefined) {
      if (replica.leader !== NONE && replica.leader !== this.options.nodeId) return replica.leader;
      if (needLeader || replica.leader === NONE) {
        throw new CorralError('unavailable', `group ${groupId}: no leader elected yet; retry`, { groupId });
      }
    }
    const others = this.router.replicasOf(groupId).filter((id) => id !== this.options.nodeId);
    if (others.length === 0) throw new CorralError('unavailable', `group ${groupId}: no reachable replica`, { groupId });
    return others[Math.floor(Math.random() * others.length)];
  }

  /**
   * Runs `local` if this node leads the group; otherwise (or if leadership moved meanwhile)
   * forwards the same call to the leader. Forwarding is bounded by HOPS_MAX.
   */
  async atLeader<Request, Response>(
    groupId: GroupId,
    call: { readonly request: Request; readonly metadata: grpc.Metadata },
    method: grpc.MethodDefinition<Request, Response>,
    local: () => Promise<Response>,
    /** Bound on a forwarded call (default requestTimeoutMs); calls that wait on purpose,
     *  such as a lock acquire with wait_ms, pass their wait plus requestTimeoutMs. */
    forwardDeadlineMs: number = this.options.requestTimeoutMs,
  ): Promise<Response> {
    const replica = this.host.group(groupId);
    let hint = NONE;
    if (replica !== undefined && replica.role === 'leader') {
      try {
        return await local();
      } catch (error) {
        if (!(error instanceof CorralError) || error.code !== 'not-leader') throw error;
        hint = error.details.leaderHint ?? NONE;
      }
    }
    return this.forward(groupId, call, method, true, hint, forwardDeadlineMs);
  }

  /** Runs `local` on a local replica of the group, else forwards to a node that has one. */
  async atReplica<Request, Response>(
    groupId: GroupId,
    call: { readonly request: Request; readonly metadata: grpc.Metadata },
    method: grpc.MethodDefinition<Request, Response>,
    local: () => Promise<Response>,
  ): Promise<Response> {
    if (this.host.group(groupId) !== undefined) return local();
    return this.forward(groupId, call, method, false, NONE);
  }

  private forward<Request, Response>(
    groupId: GroupId,
    call: { readonly request: Request; readonly metadata: grpc.Metadata },
    method: grpc.MethodDefinition<Request, Response>,
    needLeader: boolean,
    hint: NodeId,
    deadlineMs: number = this.options.requestTimeoutMs,
  ): Promise<Response> {
    const hops = hopsOf(call.metadata);
    const target = this.forwardTarget(groupId, needLeader, hint);
    const address = this.router.addressOf(target);
    if (hops >= HOPS_MAX || address === undefined) {
      throw new CorralError('not-leader', `group ${groupId}: node ${this.options.nodeId} cannot serve this; try node ${target}`, {
        leaderHint: target,
        groupId,
        ...(address !== undefined ? { leaderAddress: address } : {}),
      });
    }
    return this.options.forwarder.forwardUnary({ method, request: call.request, address, deadlineMs, hops });
  }
}

/** Wraps an async handler as a grpc-js unary handler: errors become statuses, forwarded
 *  statuses pass through unchanged. */
export function unary<Request, Response>(
  handler: (call: grpc.ServerUnaryCall<Request, Response>) => Promise<Response>,
): grpc.handleUnaryCall<Request, Response> {
  return (call, callback) => {
    handler(call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(error instanceof ForwardedError ? error.status : toServiceError(error)),
    );
  };
}

/** Ends a server or bidi stream with the error as its status (leader hint in trailers);
 *  forwarded statuses pass through unchanged. */
export function failStream(call: { emit(event: 'error', error: Error): boolean }, error: unknown): void {
  const status = error instanceof ForwardedError ? error.status : toServiceError(error);
  call.emit('error', Object.assign(new Error(status.details ?? 'error'), status));
}
