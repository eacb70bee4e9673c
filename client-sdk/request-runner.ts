// Runs one logical unary call: route it (leader for writes, any replica for reads), send it,
// and on failure decide (retry-policy.ts) whether to follow a leader hint, refresh the
// cluster view and resend after a jittered backoff, or give up with a typed error. Bounded
// by `attemptsMax` and by the call's deadline.

import { assert } from './assert';
import { type BackoffPolicy, backoffDelayMs, type RandomSource } from './backoff';
import { type CallOptions, deadlineOf, throwIfAborted } from './call-options';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { CancelledError, CorralError, DeadlineExceededError, OutcomeUnknownError, UnavailableError } from './errors';
import { type CallSafety, decideRetry, finalError, neverSent } from './retry-policy';
import type { Role } from './routing';
import type { Topology } from './topology';
import type { Method, Transport } from './transport';

export interface RunnerConfig {
  readonly defaultTimeoutMs: number;
  /** Attempts per call, the first included. */
  readonly attemptsMax: number;
  readonly backoff: BackoffPolicy;
  readonly random: RandomSource;
  /** Waits between attempts; the caller awaits the call, so the timer holds the process. */
  readonly sleep: (ms: number, signal?: AbortSignal, hold?: boolean) => Promise<void>;
}

export interface UnaryCall<Request, Response> {
  readonly method: Method<Request, Response>;
  readonly request: Request;
  /** The namespace routed on; null: any node (cluster-wide calls). */
  readonly namespace: string | null;
  readonly role: Role;
  readonly safety: CallSafety;
  /** For messages: `get /a/b`. */
  readonly what: string;
  /** A fixed address (cluster admin calls aimed at one node); skips routing. */
  readonly address?: string;
}

export class RequestRunner {
  private rotation = 0;

  constructor(
    private readonly transport: Transport,
    readonly topology: Topology,
    readonly config: RunnerConfig,
  ) {}

  async run<Request, Response>(call: UnaryCall<Request, Response>, options: CallOptions = {}): Promise<Response> {
    const startMs = Date.now();
    const deadlineMs = deadlineOf(options, this.config.defaultTimeoutMs, startMs);
    const tried = new Set<string>();
    let lastError: CorralError | null = null;
    for (let attempt = 1; attempt <= this.config.attemptsMax; attempt++) {
      throwIfAborted(options.signal);
      const outcome = await this.attempt(call, attempt, deadlineMs, options.signal, tried);
      if (outcome.ok) return outcome.response;
      lastError = outcome.error;
      const remainingMs = deadlineMs - Date.now();
      const decision = decideRetry({ error: outcome.error, safety: call.safety, attempts: attempt, attemptsMax: this.config.attemptsMax, remainingMs });
      if (decision.action === 'fail') throw this.describe(decision.error, call, tried, deadlineMs - startMs);
      if (decision.refreshTopology) this.topology.invalidate();
      await this.config.sleep(backoffDelayMs(this.config.backoff, attempt - 1, this.config.random, remainingMs), options.signal, true);
      // No attempt is started with no time left: the last real failure says more than a
      // deadline that expired before the request could leave.
      if (Date.now() >= deadlineMs) break;
    }
    const error = lastError ?? new UnavailableError(`${call.what}: no attempt was made`);
    throw this.describe(finalError(error, call.safety), call, tried, deadlineMs - startMs);
  }

  private async attempt<Request, Response>(
    call: UnaryCall<Request, Response>,
    attempt: number,
    deadlineMs: number,
    signal: AbortSignal | undefined,
    tried: Set<string>,
  ): Promise<{ readonly ok: true; readonly response: Response } | { readonly ok: false; readonly error: CorralError }> {
    assert(attempt >= 1 && attempt <= this.config.attemptsMax, `attempt ${attempt} outside [1, ${this.config.attemptsMax}]`);
    if (call.address === undefined && this.topology.needsRefresh) {
      try {
        await this.topology.refresh(deadlineMs, signal);
      } catch (error) {
        const coded = CorralError.from(error);
        if (coded.code === 'cancelled') throw coded;
        // Without a view the call can still go to an endpoint: every node forwards.
      }
    }
    const target = call.address !== undefined ? { address: call.address, groupId: undefined } : this.topology.route({ namespace: call.namespace, role: call.role, rotation: this.rotation++ + attempt });
    tried.add(target.address);
    try {
      const response = await this.transport.unary(target.address, call.method, call.request, { deadlineMs, ...(signal !== undefined ? { signal } : {}) });
      return { ok: true, response };
    } catch (error) {
      const coded = CorralError.from(error);
      if (signal?.aborted === true) throw new CancelledError(`${call.what} was cancelled by its AbortSignal`, { cause: coded });
      if (coded.details.leaderId !== undefined && target.groupId !== undefined) this.topology.noteLeader(target.groupId, coded.details.leaderId);
      else if (coded.code === 'unavailable' && coded.details.serverCode === undefined) this.topology.markFailed(target.address);
      return { ok: false, error: coded };
    }
  }

  /** Gives a final error a message that says what was being done and where. */
  private describe(error: CorralError, call: { readonly what: string }, tried: ReadonlySet<string>, timeoutMs: number): CorralError {
    if (neverSent(error)) {
      return new UnavailableError(`${call.what}: cannot reach any Corral node (tried ${[...tried].join(', ')}): ${transportReason(error.message)}`, { ...error.details, cause: error });
    }
    if (error.code === 'deadline-exceeded' && error.details.serverCode === undefined) {
      return new DeadlineExceededError(`${call.what} timed out after ${timeoutMs} ms (tried ${[...tried].join(', ')})`, { ...error.details, cause: error });
    }
    if (error.code === 'outcome-unknown') {
      const kind = error.details.grpcCode === GrpcStatus.DEADLINE_EXCEEDED ? `timed out after ${timeoutMs} ms` : `failed (${error.message})`;
      return new OutcomeUnknownError(`${call.what} ${kind}; it may or may not have been applied`, error.details);
    }
    return error;
  }
}

/** grpc-js wraps a socket error in boilerplate; keep the part a person needs. */
export function transportReason(message: string): string {
  return message.replace(/^No connection established\.\s*Last error:\s*(Error:\s*)?/, '').replace(/\.?\s*Resolution note:\s*$/, '').trim();
}
