// Every bound of a KV group, in one place (TigerBeetle style: everything is bounded, and
// overflow is an explicit outcome, `resource-exhausted` or `invalid-argument`).
//
// The state machine's limits are part of its deterministic behaviour: every replica of a
// group must apply with the SAME limits, or replicas diverge (one accepts what another
// refuses). Change them only together with a cluster-wide rollout; the watch-hub limits
// (watch*) are replica-local and may differ per node.

export interface KvLimits {
  /** Longest path in bytes (ASCII, so bytes = characters). */
  readonly pathBytesMax: number;
  /** Longest single path segment (node name) in bytes. */
  readonly segmentBytesMax: number;
  /** Largest node value. */
  readonly valueBytesMax: number;
  /** Most nodes in one group (the root included). */
  readonly nodesMax: number;
  /** Most child names returned by one `list` page. */
  readonly listPageMax: number;
  /** Most checks, and most ops per branch, in one transaction. */
  readonly txnOpsMax: number;
  /** Most nodes one recursive delete may remove in one apply (one revision). */
  readonly recursiveDeleteNodesMax: number;
  /** Most live sessions in one group. */
  readonly sessionsMax: number;
  /** Shortest session TTL; tie it to the election timeout so a failover fits in a TTL. */
  readonly sessionTtlMsMin: number;
  readonly sessionTtlMsMax: number;
  /** Most ephemeral nodes one session may own. */
  readonly ephemeralsPerSessionMax: number;
  /** Most session ids in one keepalive batch or expiry command. */
  readonly sessionIdsPerCommandMax: number;
  /** How many ended (expired) session ids are remembered to answer `session-expired`. */
  readonly expiredSessionsRememberedMax: number;
  /** Most (sessionId, requestId) results remembered per session for idempotent retries. */
  readonly requestIdsPerSessionMax: number;
  /** Most locks (held or waited for) in one group. */
  readonly locksMax: number;
  /** Most locks one session may hold or wait for at once. */
  readonly locksPerSessionMax: number;
  /** Longest FIFO wait queue of one lock. */
  readonly locksWaitersMax: number;
  /** Largest `maxHoldMs` and `waitTimeoutMs` a lock request may ask for. */
  readonly lockHoldMsMax: number;
  readonly lockWaitMsMax: number;
  /** Most holds released by one lockExpireHolds command. */
  readonly lockHoldsPerCommandMax: number;
  /** Replica-local: most live watchers on one replica. */
  readonly watchersMax: number;
  /** Replica-local: most undelivered events per watcher before it is cancelled as slow. */
  readonly watchQueueEventsMax: number;
  /** Replica-local: events kept for watches that start from a past revision... */
  readonly watchHistoryEventsMax: number;
  /** ...and the bytes those events may hold (values included). */
  readonly watchHistoryBytesMax: number;
  /** Replica-local: most nodes a `replay` subscription may replay; larger trees must list
   *  with pagination and then watch from the listing's revision. */
  readonly watchReplayEventsMax: number;
}

export function defaultKvLimits(): KvLimits {
  return {
    pathBytesMax: 1024,
    segmentBytesMax: 255,
    valueBytesMax: 1024 * 1024,
    nodesMax: 1_000_000,
    listPageMax: 1000,
    txnOpsMax: 128,
    recursiveDeleteNodesMax: 10_000,
    sessionsMax: 100_000,
    sessionTtlMsMin: 2_000,
    sessionTtlMsMax: 10 * 60_000,
    ephemeralsPerSessionMax: 10_000,
    sessionIdsPerCommandMax: 10_000,
    expiredSessionsRememberedMax: 4096,
    requestIdsPerSessionMax: 64,
    locksMax: 100_000,
    locksPerSessionMax: 1000,
    locksWaitersMax: 1000,
    lockHoldMsMax: 24 * 3600_000,
    lockWaitMsMax: 24 * 3600_000,
    lockHoldsPerCommandMax: 1000,
    watchersMax: 10_000,
    watchQueueEventsMax: 1000,
    watchHistoryEventsMax: 10_000,
    watchHistoryBytesMax: 64 * 1024 * 1024,
    watchReplayEventsMax: 10_000,
  };
}

export type LimitsCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** The sequential suffix is 10 digits; a path must leave room for "/" + one char + suffix. */
const SEQUENTIAL_PATH_BYTES_MIN = 12;

/** Checks every bound and names the first one that is wrong. */
export function validateKvLimits(limits: KvLimits): LimitsCheck {
  for (const [name, value] of Object.entries(limits) as [keyof KvLimits, number][]) {
    if (!Number.isSafeInteger(value) || value < 1) {
      return { ok: false, message: `${name} must be a positive integer, got ${String(value)}` };
    }
  }
  const rules: readonly [boolean, string][] = [
    [limits.pathBytesMax >= SEQUENTIAL_PATH_BYTES_MIN, `pathBytesMax must be >= ${SEQUENTIAL_PATH_BYTES_MIN}`],
    [limits.segmentBytesMax < limits.pathBytesMax, 'segmentBytesMax must be < pathBytesMax'],
    [limits.nodesMax >= 2, 'nodesMax must be >= 2 (the root and one node)'],
    [limits.sessionTtlMsMin <= limits.sessionTtlMsMax, 'sessionTtlMsMin must be <= sessionTtlMsMax'],
    [limits.sessionIdsPerCommandMax <= limits.sessionsMax, 'sessionIdsPerCommandMax must be <= sessionsMax'],
    [limits.locksPerSessionMax <= limits.locksMax, 'locksPerSessionMax must be <= locksMax'],
    [limits.lockHoldsPerCommandMax <= limits.locksMax, 'lockHoldsPerCommandMax must be <= locksMax'],
    [limits.ephemeralsPerSessionMax < limits.nodesMax, 'ephemeralsPerSessionMax must be < nodesMax'],
    [limits.recursiveDeleteNodesMax < limits.nodesMax, 'recursiveDeleteNodesMax must be < nodesMax'],
    [limits.watchQueueEventsMax <= limits.watchHistoryEventsMax, 'watchQueueEventsMax must be <= watchHistoryEventsMax'],
    [limits.watchHistoryBytesMax >= limits.valueBytesMax * 2, 'watchHistoryBytesMax must hold at least one event of two max-size values'],
  ];
  for (const [holds, message] of rules) {
    if (!holds) return { ok: false, message };
  }
  return { ok: true };
}
