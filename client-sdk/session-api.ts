// Inspecting sessions: the sessions of a namespace's group and one session's remaining lease.

import type { SessionInfo__Output } from '../proto/gen/corral/v1/SessionInfo';
import type { CallOptions } from './call-options';
import { InvalidArgumentError } from './errors';
import { corralMethods } from './methods';
import type { RequestRunner } from './request-runner';

export interface SessionSummary {
  readonly sessionId: number;
  readonly ttlMs: number;
  readonly remainingMs: number;
  readonly ephemeralCount: number;
  readonly locksHeld: number;
}

function summaryOf(info: SessionInfo__Output): SessionSummary {
  return {
    sessionId: Number(info.session_id),
    ttlMs: Number(info.ttl_ms),
    remainingMs: Number(info.remaining_ms),
    ephemeralCount: Number(info.ephemeral_count),
    locksHeld: Number(info.locks_held),
  };
}

/** `jobs` or `/jobs` -> `jobs`; anything else is not a namespace. */
export function bareNamespace(namespace: string, what: string): string {
  const bare = namespace.replace(/^\//, '');
  if (bare === '' || bare.includes('/')) throw new InvalidArgumentError(`${what} needs a namespace (a first path segment like jobs), got ${JSON.stringify(namespace)}`);
  return bare;
}

export class SessionApi {
  constructor(private readonly runner: RequestRunner) {}

  /** Sessions of the group that holds `namespace`. */
  async list(namespace: string, options: CallOptions = {}): Promise<SessionSummary[]> {
    const bare = bareNamespace(namespace, 'session list');
    const response = await this.runner.run(
      { method: corralMethods().session.List, request: { namespace: bare }, namespace: bare, role: 'leader', safety: 'read', what: `list sessions in /${bare}` },
      options,
    );
    return response.sessions.map(summaryOf);
  }

  async timeToLive(sessionId: number, namespace: string, options: CallOptions = {}): Promise<SessionSummary> {
    const bare = bareNamespace(namespace, 'session time-to-live');
    const response = await this.runner.run(
      { method: corralMethods().session.TimeToLive, request: { session_id: sessionId, namespace: bare }, namespace: bare, role: 'leader', safety: 'read', what: `time to live of session ${sessionId}` },
      options,
    );
    return summaryOf(response);
  }
}
