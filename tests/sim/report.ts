// Human-readable summaries of failures, kept to one line each so that a failing seed's
// report fits in CI output.

import { unobservedValue, type KvInput, type KvOutput } from './kv-model';
import type { LinearizabilityResult, Operation } from './linearizability';

function shown(value: string): string {
  return value === unobservedValue ? '(unobserved)' : value;
}

export function describeOperation(operation: Operation<KvInput, KvOutput>): string {
  const input = operation.input;
  const call =
    input.kind === 'put'
      ? `put(${input.key}=${shown(input.value)})`
      : input.kind === 'get'
        ? `get(${input.key})`
        : `cas(${input.key}: ${input.expected ?? 'absent'} -> ${shown(input.value)})`;
  const outcome = operation.outcome;
  if (outcome.kind === 'indeterminate') return `#${operation.id} c${operation.client} ${call} -> ? [${operation.invokeTime}, ...]`;
  const output = outcome.output;
  const result = output.kind === 'get' ? (output.value ?? 'absent') : output.kind === 'cas' ? String(output.ok) : 'ok';
  return `#${operation.id} c${operation.client} ${call} -> ${result} [${operation.invokeTime}, ${outcome.completeTime}]`;
}

export function describeLinearizabilityFailure(
  result: Extract<LinearizabilityResult<KvInput, KvOutput>, { kind: 'violation' }>,
): string {
  const byId = new Map(result.operations.map((operation) => [operation.id, operation]));
  const tail = result.longestPrefix.slice(-4).map((id) => {
    const operation = byId.get(id);
    return operation === undefined ? `#${id}` : describeOperation(operation);
  });
  return (
    `key ${result.stuck.input.key} (${result.operations.length} ops): ${describeOperation(result.stuck)}` +
    ` cannot be linearized; longest order (${result.longestPrefix.length} ops) ends with: ${tail.join('; ') || 'nothing'}`
  );
}
