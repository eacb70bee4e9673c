// The sequential specification of the simulator's key-value store: put, get and
// compare-and-set on string keys. Used by the linearizability checker (partitioned per key)
// and by the replicated state machine, so that both agree on what an operation means.

import { unreachable } from '../../server/util/assert';
import type { Operation, SequentialModel } from './linearizability';

export type KvInput =
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'get'; readonly key: string }
  /** Sets `value` only if the current value equals `expected` (null: the key is absent). */
  | { readonly kind: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

export type KvOutput =
  | { readonly kind: 'put' }
  | { readonly kind: 'get'; readonly value: string | null }
  | { readonly kind: 'cas'; readonly ok: boolean };

/** The model state: key -> value, absent keys are missing. Never mutated in place. */
export type KvState = Readonly<Record<string, string>>;

/** Applies one operation to a state; the single source of truth for KV semantics. */
export function applyKv(state: KvState, input: KvInput): { state: KvState; output: KvOutput } {
  switch (input.kind) {
    case 'put':
      return { state: { ...state, [input.key]: input.value }, output: { kind: 'put' } };
    case 'get':
      return { state, output: { kind: 'get', value: state[input.key] ?? null } };
    case 'cas': {
      const current = state[input.key] ?? null;
      if (current !== input.expected) return { state, output: { kind: 'cas', ok: false } };
      return { state: { ...state, [input.key]: input.value }, output: { kind: 'cas', ok: true } };
    }
    default:
      return unreachable(input, 'unknown kv input');
  }
}

export function sameKvOutput(a: KvOutput, b: KvOutput): boolean {
  if (a.kind === 'put' && b.kind === 'put') return true;
  if (a.kind === 'get' && b.kind === 'get') return a.value === b.value;
  if (a.kind === 'cas' && b.kind === 'cas') return a.ok === b.ok;
  return false;
}

function stateKey(state: KvState): string {
  return JSON.stringify(Object.keys(state).sort().map((key) => [key, state[key]]));
}

function partitionByKey(
  operations: readonly Operation<KvInput, KvOutput>[],
): Operation<KvInput, KvOutput>[][] {
  const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
  for (const operation of operations) {
    const group = byKey.get(operation.input.key);
    if (group === undefined) byKey.set(operation.input.key, [operation]);
    else group.push(operation);
  }
  return [...byKey.keys()].sort().map((key) => byKey.get(key) ?? []);
}

/** Drops indeterminate writes that cannot matter, and merges the values of the rest. Call a write "unobserved" when no read
 *  returned its value and no cas expected it. In a valid linearization, an unobserved write
 *  can only matter as the last write before a failed cas (nothing can see its value), so at
 *  most k of them are needed, k being the number of failed cas operations. An unobserved put
 *  can stand in for any unobserved write invoked no earlier (a cas only conditionally does
 *  what a put does). Hence keeping the k earliest unobserved puts, and the unobserved cas
 *  invoked before the k-th of those puts, never changes the verdict. */
function pruneUnobservedWrites(
  operations: readonly Operation<KvInput, KvOutput>[],
): Operation<KvInput, KvOutput>[] {
  const observed = new Set<string>();
  let failedCas = 0;
  for (const { input, outcome } of operations) {
    if (input.kind === 'cas' && input.expected !== null) observed.add(`${input.key}\u0000${input.expected}`);
    if (outcome.kind !== 'ok') continue;
    if (outcome.output.kind === 'get' && outcome.output.value !== null) {
      observed.add(`${input.key}\u0000${outcome.output.value}`);
    }
    if (outcome.output.kind === 'cas' && !outcome.output.ok) failedCas += 1;
  }
  const isUnobservedWrite = ({ input, outcome }: Operation<KvInput, KvOutput>): boolean =>
    outcome.kind === 'indeterminate' && input.kind !== 'get' && !observed.has(`${input.key}\u0000${input.value}`);
  const puts = operations
    .filter((operation) => isUnobservedWrite(operation) && operation.input.kind === 'put')
    .sort((a, b) => a.invokeTime - b.invokeTime)
    .slice(0, failedCas);
  const keptPuts = new Set(puts);
  const casCutoff = puts.length < failedCas ? Number.POSITIVE_INFINITY : (puts[puts.length - 1]?.invokeTime ?? Number.NEGATIVE_INFINITY);
  const kept = operations.filter((operation) => {
    if (!isUnobservedWrite(operation)) return true;
    if (operation.input.kind === 'put') return keptPuts.has(operation);
    return operation.invokeTime < casCutoff;
  });
  // Nothing can tell unobserved values apart: give them all one value, so that the kept
  // writes become interchangeable twins for the checker and their states coincide.
  return kept.map((operation) => {
    if (!isUnobservedWrite(operation) || operation.input.kind === 'get') return operation;
    return { ...operation, input: { ...operation.input, value: unobservedValue } };
  });
}

/** Stands for "some value nothing observed"; no client writes it. */
export const unobservedValue = '\u0000unobserved';

export const kvModel: SequentialModel<KvState, KvInput, KvOutput> = {
  init: () => ({}),
  step(state, input, output) {
    const result = applyKv(state, input);
    const ok = output === undefined || sameKvOutput(result.output, output);
    return { ok, state: result.state };
  },
  partition: partitionByKey,
  prune: pruneUnobservedWrites,
  stateKey,
};
