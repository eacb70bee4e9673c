// Evaluation of transaction checks, with etcd's semantics for a missing node: version,
// createRevision and modRevision compare as 0, and any value comparison is false.

import { unreachable } from '../util/assert';
import type { CompareOp, TxnCheck } from './commands';
import type { NodeTree } from './node-tree';

function compareNumbers(actual: number, compare: CompareOp, operand: number): boolean {
  switch (compare) {
    case 'eq':
      return actual === operand;
    case 'ne':
      return actual !== operand;
    case 'lt':
      return actual < operand;
    case 'gt':
      return actual > operand;
    default:
      return unreachable(compare, 'unknown compare op');
  }
}

/** Lexicographic byte order; a proper prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    if (a[index] !== b[index]) return a[index] - b[index];
  }
  return a.length - b.length;
}

export function evaluateCheck(tree: NodeTree, check: TxnCheck): boolean {
  const node = tree.get(check.path);
  switch (check.target) {
    case 'exists':
      return node !== undefined;
    case 'not-exists':
      return node === undefined;
    case 'version':
      return compareNumbers(node?.version ?? 0, check.compare, check.operand);
    case 'createRevision':
      return compareNumbers(node?.createRevision ?? 0, check.compare, check.operand);
    case 'modRevision':
      return compareNumbers(node?.modRevision ?? 0, check.compare, check.operand);
    case 'value':
      if (node === undefined) return false;
      return compareNumbers(compareBytes(node.value, check.operand), check.compare, 0);
    default:
      return unreachable(check, 'unknown txn check');
  }
}
