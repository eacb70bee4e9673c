// Transactions as the SDK spells them (plain objects, camelCase, values as strings or bytes)
// and their translation to and from the wire. All paths of a transaction must share one
// namespace (the server checks; the SDK routes on the first path).

import type { Compare } from '../proto/gen/corral/v1/Compare';
import type { TxnOp } from '../proto/gen/corral/v1/TxnOp';
import type { TxnOpResult__Output } from '../proto/gen/corral/v1/TxnOpResult';
import type { TxnResponse__Output } from '../proto/gen/corral/v1/TxnResponse';
import { CorralError, InvalidArgumentError } from './errors';
import { type LockGuard, type NodeStat, statOf, toBytes, type Value } from './values';

export type CompareTarget = 'exists' | 'version' | 'value' | 'createRevision' | 'modRevision';
export type CompareOp = '==' | '!=' | '<' | '>';

export interface TxnCompare {
  readonly path: string;
  readonly target: CompareTarget;
  /** Defaults to '=='. */
  readonly op?: CompareOp;
  /** exists: boolean; version / revisions: number; value: string or bytes. */
  readonly value: boolean | number | Value;
}

export type TxnOperation =
  | { readonly op: 'create'; readonly path: string; readonly value?: Value; readonly ephemeral?: boolean; readonly sequential?: boolean; readonly makeParents?: boolean }
  | { readonly op: 'set'; readonly path: string; readonly value?: Value; readonly expectedVersion?: number }
  | { readonly op: 'put'; readonly path: string; readonly value?: Value; readonly ephemeral?: boolean }
  | { readonly op: 'delete'; readonly path: string; readonly expectedVersion?: number; readonly recursive?: boolean; readonly ignoreMissing?: boolean };

export interface TxnSpec {
  readonly compare?: readonly TxnCompare[];
  readonly success?: readonly TxnOperation[];
  readonly failure?: readonly TxnOperation[];
  /** The whole transaction applies only while the guard's token holds its lock. */
  readonly guard?: LockGuard;
}

export type TxnOpOutcome =
  | { readonly op: 'create'; readonly path: string; readonly revision: number }
  | { readonly op: 'set'; readonly stat: NodeStat; readonly revision: number }
  | { readonly op: 'put'; readonly stat: NodeStat; readonly revision: number; readonly created: boolean }
  | { readonly op: 'delete'; readonly deleted: number; readonly revision: number };

export interface TxnResult {
  readonly succeeded: boolean;
  readonly revision: number;
  readonly results: readonly TxnOpOutcome[];
}

const TARGETS: Readonly<Record<CompareTarget, Compare['target']>> = {
  exists: 'EXISTS',
  version: 'VERSION',
  value: 'VALUE',
  createRevision: 'CREATE_REVISION',
  modRevision: 'MOD_REVISION',
};

const OPS: Readonly<Record<CompareOp, Compare['op']>> = { '==': 'EQUAL', '!=': 'NOT_EQUAL', '<': 'LESS', '>': 'GREATER' };

function compareMessage(compare: TxnCompare): Compare {
  const op = OPS[compare.op ?? '=='];
  const target = TARGETS[compare.target];
  if (target === undefined) throw new InvalidArgumentError(`txn compare on ${compare.path}: unknown target ${JSON.stringify(compare.target)}`);
  if (op === undefined) throw new InvalidArgumentError(`txn compare on ${compare.path}: unknown op ${JSON.stringify(compare.op)}`);
  switch (compare.target) {
    case 'exists':
      if (typeof compare.value !== 'boolean') throw new InvalidArgumentError(`txn compare exists on ${compare.path} needs a boolean value`);
      return { path: compare.path, target, op, exists: compare.value };
    case 'value':
      if (typeof compare.value !== 'string' && !(compare.value instanceof Uint8Array)) throw new InvalidArgumentError(`txn compare value on ${compare.path} needs a string or bytes`);
      return { path: compare.path, target, op, value: toBytes(compare.value) };
    default:
      if (typeof compare.value !== 'number' || !Number.isSafeInteger(compare.value) || compare.value < 0) {
        throw new InvalidArgumentError(`txn compare ${compare.target} on ${compare.path} needs a non-negative integer`);
      }
      return { path: compare.path, target, op, number: compare.value };
  }
}

/** Session ids per op, resolved by the caller (ephemeral ops need one). */
export type SessionIdOf = (operation: TxnOperation) => number;

function opMessage(operation: TxnOperation, sessionIdOf: SessionIdOf): TxnOp {
  const value = toBytes(('value' in operation ? operation.value : undefined) ?? '');
  switch (operation.op) {
    case 'create': {
      const mode = `${operation.ephemeral === true ? 'EPHEMERAL' : 'PERSISTENT'}${operation.sequential === true ? '_SEQUENTIAL' : ''}` as const;
      return { create: { path: operation.path, value, mode, session_id: sessionIdOf(operation), make_parents: operation.makeParents === true } };
    }
    case 'set':
      return { set: { path: operation.path, value, expected_version: operation.expectedVersion ?? -1 } };
    case 'put':
      return { put: { path: operation.path, value, ephemeral: operation.ephemeral === true, session_id: sessionIdOf(operation) } };
    case 'delete':
      return { delete: { path: operation.path, expected_version: operation.expectedVersion ?? -1, recursive: operation.recursive === true, ignore_missing: operation.ignoreMissing === true } };
    default:
      throw new InvalidArgumentError(`txn op must be one of create, set, put, delete; got ${JSON.stringify((operation as { op?: unknown }).op)}`);
  }
}

export function txnPaths(spec: TxnSpec): string[] {
  return [...(spec.compare ?? []).map((c) => c.path), ...(spec.success ?? []).map((o) => o.path), ...(spec.failure ?? []).map((o) => o.path)];
}

export function txnNeedsSession(spec: TxnSpec): boolean {
  return [...(spec.success ?? []), ...(spec.failure ?? [])].some((o) => (o.op === 'create' || o.op === 'put') && o.ephemeral === true);
}

export function txnRequest(spec: TxnSpec, sessionIdOf: SessionIdOf): { compare: Compare[]; success: TxnOp[]; failure: TxnOp[]; guard: LockGuard | null } {
  return {
    compare: (spec.compare ?? []).map(compareMessage),
    success: (spec.success ?? []).map((o) => opMessage(o, sessionIdOf)),
    failure: (spec.failure ?? []).map((o) => opMessage(o, sessionIdOf)),
    guard: spec.guard === undefined ? null : { lock: spec.guard.lock, token: spec.guard.token },
  };
}

function outcomeOf(result: TxnOpResult__Output): TxnOpOutcome {
  if (result.create) return { op: 'create', path: result.create.path, revision: Number(result.create.revision) };
  if (result.set) return { op: 'set', stat: statOf(result.set.stat), revision: Number(result.set.revision) };
  if (result.put) return { op: 'put', stat: statOf(result.put.stat), revision: Number(result.put.revision), created: result.put.created };
  if (result.delete) return { op: 'delete', deleted: Number(result.delete.deleted), revision: Number(result.delete.revision) };
  throw new CorralError('internal', 'the server answered a txn op with an empty result');
}

export function txnResultOf(response: TxnResponse__Output): TxnResult {
  return { succeeded: response.succeeded, revision: Number(response.revision), results: response.results.map(outcomeOf) };
}
