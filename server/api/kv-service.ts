// The KV service: create / get / exists / set / put / delete / list / txn on the node tree.
// Input is validated before anything is proposed (bad input changes nothing and costs no log
// entry); writes run on the group's leader; reads are linearizable on any replica unless
// `serializable` is asked for.

import type * as grpc from '@grpc/grpc-js';
import type { KVHandlers } from '../../proto/gen/corral/v1/KV';
import type { CreateRequest__Output } from '../../proto/gen/corral/v1/CreateRequest';
import type { DeleteRequest__Output } from '../../proto/gen/corral/v1/DeleteRequest';
import type { PutRequest__Output } from '../../proto/gen/corral/v1/PutRequest';
import type { SetRequest__Output } from '../../proto/gen/corral/v1/SetRequest';
import type { Stat } from '../../proto/gen/corral/v1/Stat';
import type { Compare__Output } from '../../proto/gen/corral/v1/Compare';
import type { TxnOp__Output } from '../../proto/gen/corral/v1/TxnOp';
import type { TxnOpResult } from '../../proto/gen/corral/v1/TxnOpResult';
import type { LockGuard as LockGuardMessage } from '../../proto/gen/corral/v1/LockGuard';
import type { RequestId } from '../../proto/gen/corral/v1/RequestId';
import type { CompareOp, CreateOp, DeleteOp, LockGuard, NodeOp, NodeOpResult, PutOp, RequestTag, SetOp, TxnCheck } from '../kv/commands';
import { NO_SESSION } from '../kv/commands';
import { validateNodeOp } from '../kv/node-ops';
import { checkPath, childPath } from '../kv/path';
import type { NodeStat } from '../kv/node-tree';
import { namespaceOfPath } from '../meta/shard-map';
import { CorralError } from '../util/errors';
import { type ApiContext, kvFailure, unary } from './api-context';

export function statMessage(stat: NodeStat): Stat {
  return {
    version: stat.version,
    create_revision: stat.createRevision,
    mod_revision: stat.modRevision,
    ephemeral_owner: stat.ephemeralOwner,
    num_children: stat.numChildren,
    data_length: stat.dataLength,
  };
}

export function guardOf(guard: LockGuardMessage | null | undefined): LockGuard | null {
  if (guard === null || guard === undefined || !guard.token) return null;
  return { lockName: normalizeLockName(String(guard.lock ?? '')), token: Number(guard.token) };
}

function requestTagOf(request: RequestId | null | undefined): RequestTag | null {
  if (request === null || request === undefined || !request.id) return null;
  return { sessionId: Number(request.session_id ?? 0), requestId: Number(request.id) };
}

/** Lock names are paths; a bare name (`nightly`, `jobs/x`) is taken as `/nightly`, `/jobs/x`. */
export function normalizeLockName(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

function expectedVersionOf(value: number): number | null {
  if (value === -1) return null;
  if (!Number.isSafeInteger(value) || value < 0) throw new CorralError('invalid-argument', `expected_version ${value} must be -1 (any) or a version >= 0`);
  return value;
}

export function createOpOf(request: CreateRequest__Output): CreateOp {
  const ephemeral = request.mode === 'EPHEMERAL' || request.mode === 'EPHEMERAL_SEQUENTIAL';
  if (ephemeral && !request.session_id) throw new CorralError('invalid-argument', `ephemeral create of ${request.path} needs a session_id`);
  return {
    type: 'create',
    path: request.path,
    value: request.value,
    ephemeralOwner: ephemeral ? Number(request.session_id) : NO_SESSION,
    sequential: request.mode === 'PERSISTENT_SEQUENTIAL' || request.mode === 'EPHEMERAL_SEQUENTIAL',
    makeParents: request.make_parents,
  };
}

export function setOpOf(request: SetRequest__Output): SetOp {
  return { type: 'set', path: request.path, value: request.value, expectedVersion: expectedVersionOf(Number(request.expected_version)) };
}

export function putOpOf(request: PutRequest__Output): PutOp {
  if (request.ephemeral && !request.session_id) throw new CorralError('invalid-argument', `ephemeral put of ${request.path} needs a session_id`);
  return { type: 'put', path: request.path, value: request.value, ephemeralOwner: request.ephemeral ? Number(request.session_id) : NO_SESSION };
}

export function deleteOpOf(request: DeleteRequest__Output): DeleteOp {
  return {
    type: 'delete',
    path: request.path,
    expectedVersion: expectedVersionOf(Number(request.expected_version)),
    recursive: request.recursive,
    ifExists: request.ignore_missing,
  };
}

function validated<T extends NodeOp>(context: ApiContext, op: T): T {
  const problem = validateNodeOp(op, context.limits);
  if (problem !== null) throw kvFailure(problem)!;
  return op;
}

function checkReadPath(context: ApiContext, path: string): void {
  const check = checkPath(path, context.limits);
  if (!check.ok) throw new CorralError('invalid-argument', check.message);
}

function expectKind<K extends NodeOpResult['kind']>(result: NodeOpResult, kind: K): Extract<NodeOpResult, { kind: K }> {
  if (result.kind !== kind) throw new CorralError('internal', `expected a ${kind} result, got ${result.kind}`);
  return result as Extract<NodeOpResult, { kind: K }>;
}

function opResultMessage(result: NodeOpResult): TxnOpResult {
  switch (result.kind) {
    case 'create': return { create: { path: result.path, revision: result.revision } };
    case 'set': return { set: { revision: result.revision, stat: { version: result.version, mod_revision: result.revision } } };
    case 'put': return { put: { revision: result.revision, created: result.created, stat: { version: result.version, mod_revision: result.revision, ephemeral_owner: result.ephemeralOwner } } };
    case 'delete': return { delete: { revision: result.revision, deleted: result.deleted } };
  }
}

const COMPARE_OPS: Readonly<Record<string, CompareOp>> = { EQUAL: 'eq', NOT_EQUAL: 'ne', LESS: 'lt', GREATER: 'gt' };

function checkOf(compare: Compare__Output): TxnCheck {
  const op = COMPARE_OPS[compare.op];
  switch (compare.target) {
    case 'EXISTS': return { target: compare.exists ? 'exists' : 'not-exists', path: compare.path };
    case 'VERSION': return { target: 'version', path: compare.path, compare: op, operand: Number(compare.number) };
    case 'CREATE_REVISION': return { target: 'createRevision', path: compare.path, compare: op, operand: Number(compare.number) };
    case 'MOD_REVISION': return { target: 'modRevision', path: compare.path, compare: op, operand: Number(compare.number) };
    case 'VALUE': return { target: 'value', path: compare.path, compare: op, operand: compare.value };
  }
}

function txnOpOf(op: TxnOp__Output): NodeOp {
  switch (op.op) {
    case 'create': return createOpOf(op.create!);
    case 'set': return setOpOf(op.set!);
    case 'put': return putOpOf(op.put!);
    case 'delete': return deleteOpOf(op.delete!);
    default: throw new CorralError('invalid-argument', 'a transaction op must be one of create, set, put, delete');
  }
}

/** A transaction runs in one group: every path must share one namespace. */
function txnNamespace(paths: readonly string[]): string {
  if (paths.length === 0) throw new CorralError('invalid-argument', 'a transaction needs at least one compare or op');
  const namespaces = new Set(paths.map(namespaceOfPath));
  if (namespaces.size > 1) throw new CorralError('invalid-argument', `a transaction's paths must share one namespace; got ${[...namespaces].map((n) => `/${n}`).join(', ')}`);
  return [...namespaces][0];
}

export function kvHandlers(context: ApiContext, methods: Record<string, grpc.MethodDefinition<unknown, unknown>>): KVHandlers {
  const group = (path: string): number => context.router.groupOfPath(path);
  const method = <Q, R>(name: string) => methods[name] as unknown as grpc.MethodDefinition<Q, R>;
  return {
    Create: unary(async (call) => {
      const op = validated(context, createOpOf(call.request));
      const groupId = group(op.path);
      return context.atLeader(groupId, call, method('Create'), async () => {
        const result = expectKind(await context.proposeLocal(groupId, { ...op, guard: guardOf(call.request.guard), request: requestTagOf(call.request.request_id) }) as NodeOpResult, 'create');
        const stat = context.localKv(groupId)?.state.stat(result.path);
        return { path: result.path, revision: result.revision, ...(stat ? { stat: statMessage(stat) } : {}) };
      });
    }),
    Set: unary(async (call) => {
      const op = validated(context, setOpOf(call.request));
      const groupId = group(op.path);
      return context.atLeader(groupId, call, method('Set'), async () => {
        const result = expectKind(await context.proposeLocal(groupId, { ...op, guard: guardOf(call.request.guard), request: null }) as NodeOpResult, 'set');
        return { revision: result.revision, stat: { version: result.version, mod_revision: result.revision, data_length: op.value.length } };
      });
    }),
    Put: unary(async (call) => {
      const op = validated(context, putOpOf(call.request));
      const groupId = group(op.path);
      return context.atLeader(groupId, call, method('Put'), async () => {
        const result = expectKind(await context.proposeLocal(groupId, { ...op, guard: guardOf(call.request.guard), request: requestTagOf(call.request.request_id) }) as NodeOpResult, 'put');
        return { revision: result.revision, created: result.created, stat: { version: result.version, mod_revision: result.revision, ephemeral_owner: result.ephemeralOwner, data_length: op.value.length } };
      });
    }),
    Delete: unary(async (call) => {
      const op = validated(context, deleteOpOf(call.request));
      const groupId = group(op.path);
      return context.atLeader(groupId, call, method('Delete'), async () => {
        const result = expectKind(await context.proposeLocal(groupId, { ...op, guard: guardOf(call.request.guard), request: null }) as NodeOpResult, 'delete');
        return { revision: result.revision, deleted: result.deleted };
      });
    }),
    Get: unary(async (call) => {
      checkReadPath(context, call.request.path);
      const groupId = group(call.request.path);
      return context.atReplica(groupId, call, method('Get'), async () => {
        const machine = await context.readLocal(groupId, call.request.serializable);
        const node = machine.get(call.request.path);
        if (node === null) throw new CorralError('not-found', `node ${call.request.path} does not exist`);
        return { value: Buffer.from(node.value), stat: statMessage(node.stat), revision: machine.revision };
      });
    }),
    Exists: unary(async (call) => {
      checkReadPath(context, call.request.path);
      const groupId = group(call.request.path);
      return context.atReplica(groupId, call, method('Exists'), async () => {
        const machine = await context.readLocal(groupId, call.request.serializable);
        const stat = machine.stat(call.request.path);
        return { exists: stat !== null, revision: machine.revision, ...(stat !== null ? { stat: statMessage(stat) } : {}) };
      });
    }),
    List: unary(async (call) => {
      checkReadPath(context, call.request.path);
      const groupId = group(call.request.path);
      return context.atReplica(groupId, call, method('List'), async () => {
        const machine = await context.readLocal(groupId, call.request.serializable);
        const pageSize = call.request.page_size === 0 ? undefined : Math.min(call.request.page_size, context.limits.listPageMax);
        const listed = machine.list(call.request.path, { ...(pageSize !== undefined ? { pageSize } : {}), ...(call.request.after !== '' ? { after: call.request.after } : {}) });
        if (!listed.ok) throw kvFailure(listed)!;
        const children = listed.names.map((name) => {
          const stat = call.request.with_stats ? machine.stat(childPath(call.request.path, name)) : null;
          return { name, ...(stat !== null ? { stat: statMessage(stat) } : {}) };
        });
        return { children, more: listed.more, revision: listed.revision };
      });
    }),
    Txn: unary(async (call) => {
      const request = call.request;
      if (request.success.length + request.failure.length > context.limits.txnOpsMax) {
        throw new CorralError('invalid-argument', `a transaction may have at most ${context.limits.txnOpsMax} ops, got ${request.success.length + request.failure.length}`);
      }
      const checks = request.compare.map(checkOf);
      const success = request.success.map((op) => validated(context, txnOpOf(op)));
      const failure = request.failure.map((op) => validated(context, txnOpOf(op)));
      const namespace = txnNamespace([...checks.map((c) => c.path), ...success.map((o) => o.path), ...failure.map((o) => o.path)]);
      const groupId = context.router.groupOfNamespace(namespace);
      return context.atLeader(groupId, call, method('Txn'), async () => {
        const result = await context.proposeLocal(groupId, { type: 'txn', checks, success, failure, guard: guardOf(request.guard), request: null });
        if (result.kind !== 'txn') throw new CorralError('internal', `expected a txn result, got ${result.kind}`);
        return { succeeded: result.succeeded, revision: result.revision, results: result.results.map(opResultMessage) };
      });
    }),
  };
}
