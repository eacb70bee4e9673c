// The history of a chaos run: every client operation with its invoke and complete times
// (milliseconds on the monotonic clock) and its outcome, in the shape the project's
// linearizability checker (tests/sim/linearizability.ts) reads. Operations that failed
// definitely (they did not take effect) are kept apart: they cannot change any verdict, but
// they are counted and reported.

import { performance } from 'node:perf_hooks';
import { assert } from '../../server/util/assert';
import type { Operation } from '../sim/linearizability';
import type { KvInput, KvOutput } from '../sim/kv-model';

export type ChaosOperation = Operation<KvInput, KvOutput>;

/** What one call ended as, before it is recorded. */
export type CallResult =
  | { readonly kind: 'ok'; readonly output: KvOutput }
  /** May or may not have taken effect (deadline, connection lost, forwarded failure). */
  | { readonly kind: 'indeterminate'; readonly reason: string }
  /** Definitely did not take effect (not leader, aborted by a leader change, a read that failed). */
  | { readonly kind: 'failed'; readonly reason: string };

export interface HistoryCounts {
  readonly ok: number;
  readonly indeterminate: number;
  readonly failed: number;
}

/** Monotonic milliseconds; every time in a history comes from here. */
export function nowMs(): number {
  return performance.now();
}

const REASON_CHARS_MAX = 100;

export class HistoryRecorder {
  private readonly operations: ChaosOperation[] = [];
  private failedCount = 0;
  private nextId = 0;
  /** Why calls did not succeed: 'indeterminate: <reason>' -> count (reasons shortened). */
  private readonly reasonCounts = new Map<string, number>();

  constructor(private readonly operationsMax: number) {
    assert(operationsMax > 0, 'operationsMax must be positive');
  }

  get full(): boolean {
    return this.operations.length + this.failedCount >= this.operationsMax;
  }

  /** Records one finished call that was invoked at `invokeTime`. */
  record(client: number, input: KvInput, invokeTime: number, result: CallResult): void {
    const completeTime = nowMs();
    assert(completeTime >= invokeTime, 'an operation completes before it is invoked');
    const id = this.nextId++;
    if (result.kind !== 'ok') {
      const reason = `${result.kind} ${input.kind}: ${result.reason.replace(/[0-9]+/g, 'N').slice(0, REASON_CHARS_MAX)}`;
      this.reasonCounts.set(reason, (this.reasonCounts.get(reason) ?? 0) + 1);
    }
    if (result.kind === 'failed') {
      this.failedCount += 1;
      return;
    }
    const outcome = result.kind === 'ok' ? { kind: 'ok' as const, output: result.output, completeTime } : { kind: 'indeterminate' as const };
    this.operations.push({ id, client, input, invokeTime, outcome });
  }

  get history(): readonly ChaosOperation[] {
    return this.operations;
  }

  /** The most frequent failure reasons, most frequent first. */
  topReasons(limit: number): [string, number][] {
    return [...this.reasonCounts].sort((a, b) => b[1] - a[1]).slice(0, limit);
  }

  counts(): HistoryCounts {
    const ok = this.operations.filter((operation) => operation.outcome.kind === 'ok').length;
    return { ok, indeterminate: this.operations.length - ok, failed: this.failedCount };
  }
}
