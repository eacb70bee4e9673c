// Acquire calls waiting on this node for a queued lock request to be granted. A wait is
// registered BEFORE its lockAcquire is proposed, because the grant may be applied in the same
// host pass that applies the acquire, before the proposer's promise continuation runs.
//
// A wait ends with:
// - 'granted': an applied entry granted (name, session, request) — from the apply's
//   lockGrants, or found in the state on a re-check;
// - 'gone': the request is neither queued nor holding any more (cancelled, skipped after
//   its wait deadline, or its session ended) — found by a re-check after an apply that
//   touched the lock or ended a session. Only ARMED waits are re-checked: a wait is armed
//   once its acquire has applied as 'queued' (before that, "not queued" means "not yet").
// - 'shutdown': the node is stopping.

import { assert } from '../util/assert';
import { checkLockWait, type LockWaitHandle, type LockWaitOutcome } from '../api/lock-service';
import type { LockGrant } from '../kv/lock-table';
import type { KvStateMachine } from '../kv/state-machine';

interface PendingWait {
  readonly name: string;
  readonly sessionId: number;
  readonly requestId: number;
  armed: boolean;
  settled: boolean;
  settle(outcome: LockWaitOutcome): void;
}

function waitKey(name: string, sessionId: number, requestId: number): string {
  return `${name}\u0000${sessionId}\u0000${requestId}`;
}

export class LockWaits {
  /** key -> waits (a retried acquire may wait alongside the original call). */
  private readonly byKey = new Map<string, Set<PendingWait>>();
  private count = 0;

  constructor(readonly waitsMax: number) {
    assert(Number.isSafeInteger(waitsMax) && waitsMax > 0, 'waitsMax must be a positive integer');
  }

  get size(): number {
    return this.count;
  }

  /** Registers a wait; null when `waitsMax` waits are pending already. */
  add(name: string, sessionId: number, requestId: number): LockWaitHandle | null {
    if (this.count >= this.waitsMax) return null;
    const key = waitKey(name, sessionId, requestId);
    let resolveOutcome: (outcome: LockWaitOutcome) => void = () => undefined;
    const outcome = new Promise<LockWaitOutcome>((resolve) => { resolveOutcome = resolve; });
    const wait: PendingWait = {
      name, sessionId, requestId, armed: false, settled: false,
      settle: (result) => {
        if (wait.settled) return;
        wait.settled = true;
        this.remove(key, wait);
        resolveOutcome(result);
      },
    };
    let waits = this.byKey.get(key);
    if (waits === undefined) this.byKey.set(key, (waits = new Set()));
    waits.add(wait);
    this.count += 1;
    return {
      outcome,
      arm: (state) => {
        wait.armed = true;
        this.recheckWait(state, wait);
      },
      dispose: () => {
        if (wait.settled) return;
        wait.settled = true;
        this.remove(key, wait);
      },
    };
  }

  /** Resolves the waits of queued requests an apply granted. */
  onGrants(grants: readonly LockGrant[]): void {
    for (const grant of grants) {
      const waits = this.byKey.get(waitKey(grant.name, grant.sessionId, grant.requestId));
      if (waits === undefined) continue;
      for (const wait of [...waits]) wait.settle({ kind: 'granted', token: grant.token });
    }
  }

  /** Re-checks armed waits on the given locks (all locks when `names` is null). */
  recheck(state: KvStateMachine, names: ReadonlySet<string> | null): void {
    if (this.count === 0) return;
    for (const waits of [...this.byKey.values()]) {
      for (const wait of [...waits]) {
        if (names === null || names.has(wait.name)) this.recheckWait(state, wait);
      }
    }
  }

  /** Ends every wait (the node is stopping). */
  shutdown(): void {
    for (const waits of [...this.byKey.values()]) for (const wait of [...waits]) wait.settle({ kind: 'shutdown' });
    assert(this.count === 0, 'lock waits left after shutdown');
  }

  private recheckWait(state: KvStateMachine, wait: PendingWait): void {
    if (!wait.armed || wait.settled) return;
    const check = checkLockWait(state, wait.name, wait.sessionId, wait.requestId);
    if (check.state === 'granted') wait.settle({ kind: 'granted', token: check.token });
    else if (check.state === 'gone') wait.settle({ kind: 'gone' });
  }

  private remove(key: string, wait: PendingWait): void {
    const waits = this.byKey.get(key);
    if (waits === undefined || !waits.delete(wait)) return;
    this.count -= 1;
    if (waits.size === 0) this.byKey.delete(key);
    assert(this.count >= 0, 'lock wait count below zero');
  }
}
