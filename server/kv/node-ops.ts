// The four node operations (create, set, put, delete), shared by the plain commands and by
// transaction branches. Each validates its input, checks the tree, then mutates through the
// tree's journaled mutators. The caller owns the batch: on an error result it rolls the
// batch back, so an op may return an error after mutating (a sequential create that ran out
// of names after creating parents) without leaving anything behind.

import type { CreateOp, CreateResult, DeleteOp, DeleteResult, NodeOp, NodeOpResult, PutOp, PutResult, SetOp, SetResult } from './commands';
import { NO_SESSION } from './commands';
import { kvError } from './kv-error';
import type { KvError } from './kv-error';
import type { KvLimits } from './limits';
import type { NodeTree } from './node-tree';
import { SEQUENTIAL_COUNTER_MAX, checkPath, checkSequentialPrefix, isRoot, parentOf, sequentialPath } from './path';

/** A sequential create skips names taken by hand, at most this many per create. */
export const SEQUENTIAL_PROBES_MAX = 1024;

export interface NodeOpContext {
  readonly tree: NodeTree;
  readonly limits: KvLimits;
  /** The revision the open batch writes with (current revision + 1). */
  readonly revisionNext: number;
  /** null when the session is live, else the error to answer. */
  sessionError(sessionId: number): KvError | null;
}

export function revisionAfter(context: NodeOpContext): number {
  return context.tree.changed ? context.revisionNext : context.revisionNext - 1;
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** Input checks that need no state: path shape, value size, number ranges. */
export function validateNodeOp(op: NodeOp, limits: KvLimits): KvError | null {
  const pathCheck = op.type === 'create' && op.sequential ? checkSequentialPrefix(op.path, limits) : checkPath(op.path, limits);
  if (!pathCheck.ok) return kvError('invalid-argument', pathCheck.message);
  if (op.type === 'create' && op.sequential) {
    // "/job-" would make "/job-0000000042": a new namespace per node, each routed to its own
    // group. Sequential nodes live inside a namespace.
    if (isRoot(parentOf(sequentialPath(op.path, 0)))) {
      return kvError('invalid-argument', `sequential prefix ${op.path} must be inside a namespace ("/jobs/job-", not "/job-")`);
    }
  } else if (isRoot(op.path)) {
    return kvError('invalid-argument', `${op.type} of the root "/" is not allowed`);
  }
  if (op.type !== 'delete' && op.value.length > limits.valueBytesMax) {
    return kvError('invalid-argument', `value of ${op.path} is ${op.value.length} bytes, more than valueBytesMax ${limits.valueBytesMax}`);
  }
  if ((op.type === 'set' || op.type === 'delete') && op.expectedVersion !== null && !isCount(op.expectedVersion)) {
    return kvError('invalid-argument', `expectedVersion ${op.expectedVersion} must be a non-negative integer`);
  }
  if ((op.type === 'create' || op.type === 'put') && !isCount(op.ephemeralOwner)) {
    return kvError('invalid-argument', `ephemeralOwner ${op.ephemeralOwner} must be a non-negative integer`);
  }
  return null;
}

export function execNodeOp(context: NodeOpContext, op: NodeOp): NodeOpResult | KvError {
  const invalid = validateNodeOp(op, context.limits);
  if (invalid !== null) return invalid;
  switch (op.type) {
    case 'create':
      return execCreate(context, op);
    case 'set':
      return execSet(context, op);
    case 'put':
      return execPut(context, op);
    case 'delete':
      return execDelete(context, op);
  }
}

/** Ancestors of `parentPath` (itself included) that do not exist, top-down; and the
 *  nearest one that does. Bounded by the path's depth. */
function missingAncestors(tree: NodeTree, parentPath: string): { missing: string[]; existing: string } {
  const missing: string[] = [];
  let current = parentPath;
  while (!tree.has(current)) {
    missing.push(current);
    current = parentOf(current);
  }
  return { missing: missing.reverse(), existing: current };
}

/** Checks shared by create and put-that-creates: owner session, parents, bounds. */
function checkCreate(
  context: NodeOpContext,
  path: string,
  ephemeralOwner: number,
  makeParents: boolean,
): { missing: string[] } | KvError {
  const { tree, limits } = context;
  if (ephemeralOwner !== NO_SESSION) {
    const sessionError = context.sessionError(ephemeralOwner);
    if (sessionError !== null) return sessionError;
    const owned = tree.ephemeralsOf(ephemeralOwner).size;
    if (owned >= limits.ephemeralsPerSessionMax) {
      return kvError('resource-exhausted', `session ${ephemeralOwner} owns ${owned} ephemeral nodes (ephemeralsPerSessionMax)`);
    }
  }
  const { missing, existing } = missingAncestors(tree, parentOf(path));
  if (missing.length > 0 && !makeParents) return kvError('no-parent', `parent ${missing[missing.length - 1]} of ${path} does not exist`);
  const existingRecord = tree.get(existing);
  if (existingRecord !== undefined && existingRecord.ephemeralOwner !== NO_SESSION) {
    return kvError('ephemeral-parent', `${existing} is ephemeral and cannot have children`);
  }
  if (tree.size + missing.length + 1 > limits.nodesMax) {
    return kvError('resource-exhausted', `group has ${tree.size} nodes (nodesMax ${limits.nodesMax})`);
  }
  return { missing };
}

function execCreate(context: NodeOpContext, op: CreateOp): CreateResult | KvError {
  const { tree } = context;
  const probePath = op.sequential ? sequentialPath(op.path, 0) : op.path;
  if (!op.sequential && tree.has(op.path)) return kvError('already-exists', `${op.path} already exists`);
  const checked = checkCreate(context, probePath, op.ephemeralOwner, op.makeParents);
  if ('ok' in checked) return checked;
  for (const parent of checked.missing) tree.createNode(parent, new Uint8Array(0), NO_SESSION);
  let path = op.path;
  if (op.sequential) {
    const slot = takeSequentialSlot(tree, op.path, parentOf(probePath));
    if (typeof slot !== 'string') return slot;
    path = slot;
  }
  tree.createNode(path, op.value, op.ephemeralOwner);
  return { ok: true, kind: 'create', path, revision: context.revisionNext };
}

function takeSequentialSlot(tree: NodeTree, prefix: string, parentPath: string): string | KvError {
  for (let probe = 0; probe < SEQUENTIAL_PROBES_MAX; probe += 1) {
    const counter = tree.takeSequence(parentPath);
    if (counter > SEQUENTIAL_COUNTER_MAX) {
      return kvError('resource-exhausted', `sequential counter of ${parentPath} is exhausted`);
    }
    const candidate = sequentialPath(prefix, counter);
    if (!tree.has(candidate)) return candidate;
  }
  return kvError('already-exists', `the next ${SEQUENTIAL_PROBES_MAX} sequential names after ${prefix} are taken`);
}

function execSet(context: NodeOpContext, op: SetOp): SetResult | KvError {
  const node = context.tree.get(op.path);
  if (node === undefined) return kvError('not-found', `${op.path} does not exist`);
  if (op.expectedVersion !== null && op.expectedVersion !== node.version) {
    return kvError('version-mismatch', `${op.path} is at version ${node.version}, expected ${op.expectedVersion}`);
  }
  context.tree.updateNode(op.path, op.value);
  return { ok: true, kind: 'set', revision: context.revisionNext, version: node.version };
}

function execPut(context: NodeOpContext, op: PutOp): PutResult | KvError {
  const { tree } = context;
  const node = tree.get(op.path);
  if (node !== undefined) {
    tree.updateNode(op.path, op.value);
    return { ok: true, kind: 'put', revision: context.revisionNext, version: node.version, created: false, ephemeralOwner: node.ephemeralOwner };
  }
  const checked = checkCreate(context, op.path, op.ephemeralOwner, true);
  if ('ok' in checked) return checked;
  for (const parent of checked.missing) tree.createNode(parent, new Uint8Array(0), NO_SESSION);
  tree.createNode(op.path, op.value, op.ephemeralOwner);
  return { ok: true, kind: 'put', revision: context.revisionNext, version: 1, created: true, ephemeralOwner: op.ephemeralOwner };
}

function execDelete(context: NodeOpContext, op: DeleteOp): DeleteResult | KvError {
  const { tree, limits } = context;
  const node = tree.get(op.path);
  if (node === undefined) {
    if (op.ifExists) return { ok: true, kind: 'delete', revision: revisionAfter(context), deleted: 0 };
    return kvError('not-found', `${op.path} does not exist`);
  }
  if (op.expectedVersion !== null && op.expectedVersion !== node.version) {
    return kvError('version-mismatch', `${op.path} is at version ${node.version}, expected ${op.expectedVersion}`);
  }
  if (node.children.length > 0 && !op.recursive) {
    return kvError('not-empty', `${op.path} has ${node.children.length} children; delete them first or delete recursively`);
  }
  // Pre-order lists every node before its descendants: removing in reverse removes leaves first.
  const subtree = tree.walk(op.path, limits.recursiveDeleteNodesMax + 1);
  if (subtree.length > limits.recursiveDeleteNodesMax) {
    return kvError('resource-exhausted', `${op.path} has more than ${limits.recursiveDeleteNodesMax} nodes (recursiveDeleteNodesMax); delete it in parts`);
  }
  for (let index = subtree.length - 1; index >= 0; index -= 1) tree.removeLeaf(subtree[index]);
  return { ok: true, kind: 'delete', revision: context.revisionNext, deleted: subtree.length };
}
