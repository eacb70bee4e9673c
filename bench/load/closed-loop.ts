// The closed-loop driver every throughput workload uses: each simulated client issues one
// operation, waits for its answer, records the latency, and issues the next, until the
// measurement's duration is over. Bounded in time (duration), in operations per client, and
// in error backoff; one warm-up operation per client runs before the clock starts, so that
// connection setup is not measured.

import { LatencyRecorder, type LatencySummary } from '../util/latency-recorder';
import { nowMs, sleep } from '../util/time';
import type { BenchClient } from './adapter';

/** Most operations one client issues in one measurement. */
export const OPS_PER_CLIENT_MAX = 10_000_000;
/** Pause after a failed operation, so an unavailable system is not spun against. */
export const ERROR_BACKOFF_MS = 10;
/** Distinct error messages kept for the report. */
export const ERROR_SAMPLES_MAX = 5;

export type Operation = (client: BenchClient, clientIndex: number, sequence: number) => Promise<void>;

export interface ClosedLoopOptions {
  readonly clients: readonly BenchClient[];
  readonly durationMs: number;
  readonly operation: Operation;
  /** Run once per client before the clock starts (default: `operation` with sequence -1). */
  readonly warmUp?: Operation;
}

export interface ClosedLoopResult {
  readonly operations: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly operationsPerSecond: number;
  readonly latency: LatencySummary;
  readonly errorSamples: readonly string[];
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const warmUp = options.warmUp ?? options.operation;
  const errorSamples = new Set<string>();
  let errors = 0;
  let warmUpErrors = 0;
  // A failed warm-up is not fatal (the system may be slow to answer the first call); it is
  // reported with the errors.
  await Promise.all(options.clients.map((client, i) => warmUp(client, i, -1).catch((error: unknown) => {
    warmUpErrors++;
    if (errorSamples.size < ERROR_SAMPLES_MAX) errorSamples.add(`warm-up: ${error instanceof Error ? error.message : String(error)}`);
  })));
  const recorder = new LatencyRecorder();
  const startMs = nowMs();
  const endMs = startMs + options.durationMs;
  const loop = async (client: BenchClient, index: number): Promise<void> => {
    for (let sequence = 0; sequence < OPS_PER_CLIENT_MAX && nowMs() < endMs; sequence++) {
      const invokedMs = nowMs();
      try {
        await options.operation(client, index, sequence);
        recorder.record(nowMs() - invokedMs);
      } catch (error) {
        errors++;
        if (errorSamples.size < ERROR_SAMPLES_MAX) errorSamples.add(error instanceof Error ? error.message : String(error));
        await sleep(ERROR_BACKOFF_MS);
      }
    }
  };
  await Promise.all(options.clients.map((client, i) => loop(client, i)));
  const elapsedMs = nowMs() - startMs;
  const latency = recorder.summary();
  return { operations: latency.count, errors: errors + warmUpErrors, elapsedMs, operationsPerSecond: (latency.count * 1000) / elapsedMs, latency, errorSamples: [...errorSamples] };
}
