// The node tree of a KV group: path -> node, each node with its children's names kept
// sorted (for paginated listing), plus the index of ephemeral nodes per owning session.
//
// Mutations happen only inside a batch (`begin` ... `commit` | `rollback`). Every mutation
// records its undo and its watch event, so a command that fails half-way (a transaction whose
// third op fails) is rolled back to exactly the previous state: a failed command changes
// nothing. The journal is bounded by the apply's own work, which KvLimits bound.
//
// The caller (the state machine) checks the rules that produce expected errors before it
// calls a mutator; the mutators assert them, because breaking them here is a bug.

import { assert } from '../util/assert';
import { NO_SESSION } from './commands';
import { ROOT_PATH, basenameOf, childPath, parentOf } from './path';
import type { WatchEvent } from './watch-event';

/** Internal, mutable node record. Handed out only as Readonly. */
export interface NodeRecord {
  value: Uint8Array;
  version: number;
  createRevision: number;
  modRevision: number;
  ephemeralOwner: number;
  /** Child names, sorted ascending (UTF-16 code unit order = byte order for ASCII). */
  readonly children: string[];
  /** Next counter of a sequential create under this node. */
  sequenceNext: number;
}

export interface NodeStat {
  readonly version: number;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly ephemeralOwner: number;
  readonly numChildren: number;
  readonly dataLength: number;
}

export const EMPTY_VALUE: Uint8Array = new Uint8Array(0);

export function statOf(node: Readonly<NodeRecord>): NodeStat {
  return {
    version: node.version,
    createRevision: node.createRevision,
    modRevision: node.modRevision,
    ephemeralOwner: node.ephemeralOwner,
    numChildren: node.children.length,
    dataLength: node.value.length,
  };
}

/** Index of the first name >= `name` in a sorted array. */
export function lowerBound(sorted: readonly string[], name: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < name) low = middle + 1;
    else high = middle;
  }
  return low;
}

function insertSorted(sorted: string[], name: string): void {
  const at = lowerBound(sorted, name);
  assert(sorted[at] !== name, `child "${name}" already listed`);
  sorted.splice(at, 0, name);
}

function removeSorted(sorted: string[], name: string): void {
  const at = lowerBound(sorted, name);
  assert(sorted[at] === name, `child "${name}" not listed`);
  sorted.splice(at, 1);
}

function newRecord(value: Uint8Array, revision: number, ephemeralOwner: number): NodeRecord {
  return { value, version: 1, createRevision: revision, modRevision: revision, ephemeralOwner, children: [], sequenceNext: 0 };
}

export class NodeTree {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly ephemeralsBySession = new Map<number, Set<string>>();
  private readonly undoLog: (() => void)[] = [];
  private events: WatchEvent[] = [];
  /** Revision the open batch writes with; 0 when no batch is open. */
  private batchRevision = 0;

  constructor() {
    this.nodes.set(ROOT_PATH, { value: EMPTY_VALUE, version: 0, createRevision: 0, modRevision: 0, ephemeralOwner: NO_SESSION, children: [], sequenceNext: 0 });
  }

  /** Number of nodes, the root included. */
  get size(): number {
    return this.nodes.size;
  }

  get(path: string): Readonly<NodeRecord> | undefined {
    return this.nodes.get(path);
  }

  has(path: string): boolean {
    return this.nodes.has(path);
  }

  ephemeralsOf(sessionId: number): ReadonlySet<string> {
    return this.ephemeralsBySession.get(sessionId) ?? EMPTY_SET;
  }

  /** Sessions that own at least one ephemeral node. */
  ephemeralOwners(): IterableIterator<number> {
    return this.ephemeralsBySession.keys();
  }

  // --- batches ---------------------------------------------------------------------------

  begin(revision: number): void {
    assert(this.batchRevision === 0, 'a batch is already open');
    assert(this.undoLog.length === 0 && this.events.length === 0, 'leftovers from a previous batch');
    assert(Number.isSafeInteger(revision) && revision > 0, `bad batch revision ${revision}`);
    this.batchRevision = revision;
  }

  /** True when the open batch has changed at least one node. */
  get changed(): boolean {
    return this.events.length > 0;
  }

  /** Keeps the batch's changes; returns their events in order. */
  commit(): WatchEvent[] {
    assert(this.batchRevision !== 0, 'commit without a batch');
    const events = this.events;
    this.events = [];
    this.undoLog.length = 0;
    this.batchRevision = 0;
    return events;
  }

  /** Undoes the batch's changes, newest first. */
  rollback(): void {
    assert(this.batchRevision !== 0, 'rollback without a batch');
    for (let index = this.undoLog.length - 1; index >= 0; index -= 1) this.undoLog[index]();
    this.undoLog.length = 0;
    this.events = [];
    this.batchRevision = 0;
  }

  // --- mutators (inside a batch) --------------------------------------------------------

  createNode(path: string, value: Uint8Array, ephemeralOwner: number): void {
    const revision = this.openRevision();
    assert(!this.nodes.has(path), `create: ${path} exists`);
    const parent = this.nodes.get(parentOf(path));
    assert(parent !== undefined, `create: parent of ${path} missing`);
    assert(parent.ephemeralOwner === NO_SESSION, `create: parent of ${path} is ephemeral`);
    const record = newRecord(value, revision, ephemeralOwner);
    this.link(path, record, parent);
    this.undoLog.push(() => this.unlink(path, record));
    this.events.push({ type: 'ADD', path, revision, value, prevValue: null, version: 1, createRevision: revision, ephemeralOwner });
  }

  updateNode(path: string, value: Uint8Array): void {
    const revision = this.openRevision();
    const record = this.nodes.get(path);
    assert(record !== undefined && path !== ROOT_PATH, `update: ${path} missing or root`);
    const previous = { value: record.value, version: record.version, modRevision: record.modRevision };
    record.value = value;
    record.version += 1;
    record.modRevision = revision;
    this.undoLog.push(() => {
      record.value = previous.value;
      record.version = previous.version;
      record.modRevision = previous.modRevision;
    });
    this.events.push({
      type: 'UPDATE', path, revision, value, prevValue: previous.value,
      version: record.version, createRevision: record.createRevision, ephemeralOwner: record.ephemeralOwner,
    });
  }

  /** Removes a node without children. */
  removeLeaf(path: string): void {
    const revision = this.openRevision();
    const record = this.nodes.get(path);
    assert(record !== undefined && path !== ROOT_PATH, `remove: ${path} missing or root`);
    assert(record.children.length === 0, `remove: ${path} has children`);
    this.unlink(path, record);
    this.undoLog.push(() => {
      const parent = this.nodes.get(parentOf(path));
      assert(parent !== undefined, `undo remove: parent of ${path} missing`);
      this.link(path, record, parent);
    });
    this.events.push({
      type: 'REMOVE', path, revision, value: EMPTY_VALUE, prevValue: record.value,
      version: record.version, createRevision: record.createRevision, ephemeralOwner: record.ephemeralOwner,
    });
  }

  /** Takes the next sequential counter of `parentPath` (which must exist). */
  takeSequence(parentPath: string): number {
    this.openRevision();
    const parent = this.nodes.get(parentPath);
    assert(parent !== undefined, `sequence: ${parentPath} missing`);
    const counter = parent.sequenceNext;
    parent.sequenceNext = counter + 1;
    this.undoLog.push(() => {
      parent.sequenceNext = counter;
    });
    return counter;
  }

  // --- restore (outside batches, no events) ---------------------------------------------

  /** Inserts a node read from a snapshot; parents must come before their children. */
  insertRestored(path: string, record: Omit<NodeRecord, 'children'>): void {
    assert(this.batchRevision === 0, 'restore inside a batch');
    if (path === ROOT_PATH) {
      const root = this.nodes.get(ROOT_PATH);
      assert(root !== undefined && root.children.length === 0, 'root restored twice or after children');
      root.sequenceNext = record.sequenceNext;
      return;
    }
    assert(!this.nodes.has(path), `restore: ${path} twice`);
    const parent = this.nodes.get(parentOf(path));
    assert(parent !== undefined, `restore: ${path} before its parent`);
    const last = parent.children[parent.children.length - 1];
    const name = basenameOf(path);
    assert(last === undefined || last < name, `restore: children of ${parentOf(path)} out of order`);
    this.link(path, { ...record, children: [] }, parent);
  }

  // --- traversal ------------------------------------------------------------------------

  /** Pre-order walk (parents first, children sorted) of the subtree at `path`; stops after
   *  `nodesMax` nodes. Returns the paths visited. */
  walk(path: string, nodesMax: number): string[] {
    const visited: string[] = [];
    if (!this.nodes.has(path)) return visited;
    const stack = [path];
    while (stack.length > 0 && visited.length < nodesMax) {
      const current = stack.pop() as string;
      visited.push(current);
      const record = this.nodes.get(current);
      assert(record !== undefined, `walk: ${current} vanished`);
      for (let index = record.children.length - 1; index >= 0; index -= 1) {
        stack.push(childPath(current, record.children[index]));
      }
    }
    return visited;
  }

  /** Every path, in pre-order. For snapshots and invariant checks. */
  allPaths(): string[] {
    return this.walk(ROOT_PATH, this.nodes.size);
  }

  // --- internals ------------------------------------------------------------------------

  private openRevision(): number {
    assert(this.batchRevision !== 0, 'mutation outside a batch');
    return this.batchRevision;
  }

  private link(path: string, record: NodeRecord, parent: NodeRecord): void {
    this.nodes.set(path, record);
    insertSorted(parent.children, basenameOf(path));
    if (record.ephemeralOwner !== NO_SESSION) {
      let owned = this.ephemeralsBySession.get(record.ephemeralOwner);
      if (owned === undefined) {
        owned = new Set();
        this.ephemeralsBySession.set(record.ephemeralOwner, owned);
      }
      owned.add(path);
    }
  }

  private unlink(path: string, record: NodeRecord): void {
    const parent = this.nodes.get(parentOf(path));
    assert(parent !== undefined, `unlink: parent of ${path} missing`);
    this.nodes.delete(path);
    removeSorted(parent.children, basenameOf(path));
    if (record.ephemeralOwner !== NO_SESSION) {
      const owned = this.ephemeralsBySession.get(record.ephemeralOwner);
      assert(owned !== undefined && owned.delete(path), `unlink: ${path} not indexed for its owner`);
      if (owned.size === 0) this.ephemeralsBySession.delete(record.ephemeralOwner);
    }
  }
}

const EMPTY_SET: ReadonlySet<string> = new Set();
