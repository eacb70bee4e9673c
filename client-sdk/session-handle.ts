// What KV writes, locks and watches need from a session, without depending on the session's
// implementation (keeps the import graph acyclic).

export interface SessionHandle {
  /** The sub-session id for a namespace's group, opening the sub-session if needed.
   *  Rejects with SessionExpiredError once the session has expired or closed. */
  subSessionId(namespace: string, options?: { readonly timeoutMs?: number; readonly signal?: AbortSignal }): Promise<number>;
  /** A request id unique within this session (for idempotent retries). */
  nextRequestId(): number;
  /** Reports a SessionExpiredError seen by a call made with this session. */
  noteExpired(namespace: string, reason: string): void;
}
