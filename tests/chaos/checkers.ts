// The checkers run at the end of a chaos run:
// - linearizability of the whole KV history, per key (tests/sim's checker and kv model);
// - no acknowledged write lost: after healing, the value read for a key through every node
//   must be one that a surviving write could have left there.
// Each returns a list of anomalies (empty when the run is clean), in words for the report.

import { assert } from '../../server/util/assert';
import { checkLinearizability } from '../sim/linearizability';
import { kvModel } from '../sim/kv-model';
import type { ChaosOperation } from './history';

export interface Anomaly {
  readonly checker: 'linearizability' | 'lost-write' | 'check-inconclusive';
  readonly key: string | null;
  readonly message: string;
}

/** Search bound of the linearizability checker; past it the verdict is inconclusive,
 *  reported as an anomaly so that a run never passes unchecked. */
export const LINEARIZABILITY_STEPS_MAX = 50_000_000;

function describeOperation(operation: ChaosOperation): string {
  const outcome = operation.outcome.kind === 'ok' ? `${JSON.stringify(operation.outcome.output)} at ${operation.outcome.completeTime.toFixed(1)}` : 'indeterminate';
  return `#${operation.id} client ${operation.client} ${JSON.stringify(operation.input)} invoked ${operation.invokeTime.toFixed(1)} -> ${outcome}`;
}

export function checkKvLinearizable(history: readonly ChaosOperation[], stepsMax = LINEARIZABILITY_STEPS_MAX): Anomaly[] {
  const result = checkLinearizability(kvModel, history, { maxSteps: stepsMax });
  if (result.kind === 'ok') return [];
  if (result.kind === 'unknown') return [{ checker: 'check-inconclusive', key: null, message: `linearizability search gave up after ${result.steps} steps` }];
  const key = result.stuck.input.key;
  const prefix = result.longestPrefix.slice(-5).join(', ');
  return [{
    checker: 'linearizability',
    key,
    message: `key ${key}: no linearization of ${result.operations.length} operations; stuck at ${describeOperation(result.stuck)} after [..., ${prefix}]`,
  }];
}

/** A write that took effect for sure (acknowledged put, or cas that reported success). */
function isAckedWrite(operation: ChaosOperation): boolean {
  const { outcome } = operation;
  if (outcome.kind !== 'ok') return false;
  return outcome.output.kind === 'put' || (outcome.output.kind === 'cas' && outcome.output.ok);
}

/** Values the key may hold once every write has ended: acknowledged writes that no other
 *  acknowledged write strictly followed (invoked after it completed), and every write of
 *  unknown outcome (it may take effect late). Null (absent) only if nothing was acknowledged. */
export function survivingValues(writes: readonly ChaosOperation[]): Set<string | null> {
  const acked = writes.filter(isAckedWrite);
  const latestInvokeMs = Math.max(Number.NEGATIVE_INFINITY, ...acked.map((operation) => operation.invokeTime));
  const values = new Set<string | null>();
  if (acked.length === 0) values.add(null);
  for (const operation of writes) {
    if (operation.input.kind === 'get') continue;
    const { outcome } = operation;
    if (outcome.kind === 'indeterminate') values.add(operation.input.value);
    else if (isAckedWrite(operation) && outcome.completeTime >= latestInvokeMs) values.add(operation.input.value);
  }
  return values;
}

/** `finalReads`: key -> the value read through each node after healing (null: absent). */
export function checkNoLostWrites(history: readonly ChaosOperation[], finalReads: ReadonlyMap<string, readonly (string | null)[]>): Anomaly[] {
  const anomalies: Anomaly[] = [];
  for (const [key, reads] of finalReads) {
    assert(reads.length > 0, `no final read of ${key}`);
    const allowed = survivingValues(history.filter((operation) => operation.input.key === key && operation.input.kind !== 'get'));
    const distinct = [...new Set(reads)];
    if (distinct.length > 1) anomalies.push({ checker: 'lost-write', key, message: `key ${key}: nodes disagree after healing: ${JSON.stringify(reads)}` });
    for (const value of distinct) {
      if (allowed.has(value)) continue;
      const expected = [...allowed].map((v) => JSON.stringify(v)).join(' | ');
      anomalies.push({ checker: 'lost-write', key, message: `key ${key}: read ${JSON.stringify(value)} after healing; an acknowledged write is lost (expected one of ${expected})` });
    }
  }
  return anomalies;
}
