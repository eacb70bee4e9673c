// A linearizability checker for histories of concurrent operations against a sequential
// model, in the style of Wing & Gong's search with Lowe's refinements: the history is a
// time-ordered list of call and return entries; the search repeatedly linearizes an operation
// whose call precedes the first pending return, and memoizes (linearized set, model state)
// pairs so that no configuration is explored twice.
//
// Indeterminate operations (timed out: they may or may not have taken effect) have no return:
// the search may linearize them anywhere after their invocation, or leave them out.
//
// The checker is generic and has no dependency on the simulator, so that histories recorded
// from real processes can be checked with it too. The search is bounded by `maxSteps`: past
// it the answer is 'unknown', never a hang.

import { assert } from '../../server/util/assert';

/** A sequential specification of the object under test. */
export interface SequentialModel<S, I, O> {
  init(): S;
  /** Apply `input` to `state`. `output` is what the operation returned, or `undefined` when
   *  the operation is indeterminate (then any output is acceptable). `ok` is false when the
   *  output is impossible from `state`. Must not mutate `state`. */
  step(state: S, input: I, output: O | undefined): { ok: boolean; state: S };
  /** Split a history into independent sub-histories (for example one per key); each one is
   *  checked alone, which keeps the search small. */
  partition?(operations: readonly Operation<I, O>[]): Operation<I, O>[][];
  /** Drops operations that cannot change the verdict (for example indeterminate writes
   *  that nothing observed), applied to each partition before the search. Indeterminate
   *  operations multiply the search space; this keeps it tractable. */
  prune?(operations: readonly Operation<I, O>[]): Operation<I, O>[];
  /** A canonical string for a state, used for memoization (default: JSON.stringify). */
  stateKey?(state: S): string;
  /** A canonical string for an input (default: JSON.stringify). Indeterminate operations
   *  with equal inputs are interchangeable: the search only places the earliest-invoked of
   *  them that is still unplaced, which removes symmetric branches. */
  inputKey?(input: I): string;
}

export type Outcome<O> =
  | { readonly kind: 'ok'; readonly output: O; readonly completeTime: number }
  | { readonly kind: 'indeterminate' };

export interface Operation<I, O> {
  /** Unique within a history (used in reports). */
  readonly id: number;
  readonly client: number;
  readonly input: I;
  readonly invokeTime: number;
  readonly outcome: Outcome<O>;
}

export type LinearizabilityResult<I, O> =
  | { readonly kind: 'ok'; readonly steps: number }
  | { readonly kind: 'unknown'; readonly steps: number }
  | {
      readonly kind: 'violation';
      readonly steps: number;
      /** The sub-history (partition) that could not be linearized. */
      readonly operations: readonly Operation<I, O>[];
      /** The longest linearization found, as operation ids in order. */
      readonly longestPrefix: readonly number[];
      /** The operation whose return could not be matched at that point. */
      readonly stuck: Operation<I, O>;
    };

export interface CheckOptions {
  /** Upper bound on search steps over all partitions. */
  readonly maxSteps: number;
}

/** One call or return in the time-ordered doubly linked list that the search edits. */
interface ListEntry {
  readonly operation: number; // index into the partition's operations
  readonly isCall: boolean;
  readonly time: number;
  match: ListEntry | null; // call -> its return
  prev: ListEntry | null;
  next: ListEntry | null;
}

export function checkLinearizability<S, I, O>(
  model: SequentialModel<S, I, O>,
  history: readonly Operation<I, O>[],
  options: CheckOptions,
): LinearizabilityResult<I, O> {
  assert(options.maxSteps > 0, 'maxSteps must be positive');
  for (const operation of history) {
    if (operation.outcome.kind === 'ok') {
      assert(
        operation.outcome.completeTime >= operation.invokeTime,
        `operation ${operation.id} completes before it is invoked`,
      );
    }
  }
  const partitions = model.partition ? model.partition(history) : [history.slice()];
  let stepsTotal = 0;
  let unknown = false;
  for (const partition of partitions) {
    const operations = model.prune ? model.prune(partition) : partition;
    const result = checkPartition(model, operations, options.maxSteps - stepsTotal);
    stepsTotal += result.steps;
    if (result.kind === 'violation') return { ...result, steps: stepsTotal };
    if (result.kind === 'unknown') {
      unknown = true;
      break;
    }
  }
  return unknown ? { kind: 'unknown', steps: stepsTotal } : { kind: 'ok', steps: stepsTotal };
}

/** Builds the list: calls and returns sorted by time; at equal times calls come first (the
 *  operations are then treated as concurrent, the permissive reading of a tie). Returns of
 *  indeterminate operations sit at the very end, after every determinate return. */
function buildList<I, O>(operations: readonly Operation<I, O>[]): ListEntry {
  const entries: ListEntry[] = [];
  operations.forEach((operation, index) => {
    const call: ListEntry = {
      operation: index,
      isCall: true,
      time: operation.invokeTime,
      match: null,
      prev: null,
      next: null,
    };
    const returnTime =
      operation.outcome.kind === 'ok' ? operation.outcome.completeTime : Number.POSITIVE_INFINITY;
    const ret: ListEntry = {
      operation: index,
      isCall: false,
      time: returnTime,
      match: null,
      prev: null,
      next: null,
    };
    call.match = ret;
    entries.push(call, ret);
  });
  entries.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1));
  const head: ListEntry = {
    operation: -1,
    isCall: false,
    time: Number.NEGATIVE_INFINITY,
    match: null,
    prev: null,
    next: null,
  };
  let last = head;
  for (const entry of entries) {
    last.next = entry;
    entry.prev = last;
    last = entry;
  }
  return head;
}

/** Removes a call and its return from the list (the operation has been linearized). */
function lift(call: ListEntry): void {
  const ret = call.match;
  assert(ret !== null && call.prev !== null && ret.prev !== null, 'lift: malformed list');
  call.prev.next = call.next;
  if (call.next !== null) call.next.prev = call.prev;
  ret.prev.next = ret.next;
  if (ret.next !== null) ret.next.prev = ret.prev;
}

/** Undoes `lift` (entries are restored in reverse order of removal). */
function unlift(call: ListEntry): void {
  const ret = call.match;
  assert(ret !== null && call.prev !== null && ret.prev !== null, 'unlift: malformed list');
  ret.prev.next = ret;
  if (ret.next !== null) ret.next.prev = ret;
  call.prev.next = call;
  if (call.next !== null) call.next.prev = call;
}

class BitSet {
  private readonly words: Uint32Array;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32) + 1);
  }

  set(bit: number): void {
    this.words[bit >>> 5] |= 1 << (bit & 31);
  }

  has(bit: number): boolean {
    return (this.words[bit >>> 5] & (1 << (bit & 31))) !== 0;
  }

  clear(bit: number): void {
    this.words[bit >>> 5] &= ~(1 << (bit & 31));
  }

  key(): string {
    return this.words.join(',');
  }
}

/** Candidates at one search node are tried in two passes: determinate operations first,
 *  then indeterminate ones (which rarely need to be placed at all). Every candidate is still
 *  tried once, so the order changes only how fast a linearization is found. */
type Pass = 0 | 1;

interface Frame<S> {
  readonly call: ListEntry;
  readonly stateBefore: S;
  readonly pass: Pass;
}

type PartitionResult<I, O> =
  | { readonly kind: 'ok'; readonly steps: number }
  | { readonly kind: 'unknown'; readonly steps: number }
  | {
      readonly kind: 'violation';
      readonly steps: number;
      readonly operations: readonly Operation<I, O>[];
      readonly longestPrefix: readonly number[];
      readonly stuck: Operation<I, O>;
    };

/** For each indeterminate operation, the previous indeterminate one (by invocation) with an
 *  equal input, or -1. Placing the later twin while the earlier one is unplaced is never
 *  needed: swapping them gives an equivalent linearization (the earlier one may be placed
 *  wherever the later one may). */
function findTwins<I, O>(operations: readonly Operation<I, O>[], inputKey: (input: I) => string): Int32Array {
  const twins = new Int32Array(operations.length).fill(-1);
  const order = operations.map((_, index) => index).sort((a, b) => operations[a].invokeTime - operations[b].invokeTime);
  const lastByKey = new Map<string, number>();
  for (const index of order) {
    if (operations[index].outcome.kind !== 'indeterminate') continue;
    const key = inputKey(operations[index].input);
    twins[index] = lastByKey.get(key) ?? -1;
    lastByKey.set(key, index);
  }
  return twins;
}

function checkPartition<S, I, O>(
  model: SequentialModel<S, I, O>,
  operations: readonly Operation<I, O>[],
  stepsMax: number,
): PartitionResult<I, O> {
  return new PartitionSearch(model, operations).run(stepsMax);
}

/** The search over one partition: a depth-first walk over linearization prefixes, with the
 *  list `head` holding what is not linearized yet and `stack` what is, in order. */
class PartitionSearch<S, I, O> {
  private readonly head: ListEntry;
  private readonly linearized: BitSet;
  private readonly seen = new Set<string>();
  private readonly stack: Frame<S>[] = [];
  private readonly twins: Int32Array;
  private readonly stateKey: (state: S) => string;
  private state: S;
  private longest: { prefix: number[]; stuck: number } = { prefix: [], stuck: -1 };

  constructor(
    private readonly model: SequentialModel<S, I, O>,
    private readonly operations: readonly Operation<I, O>[],
  ) {
    this.head = buildList(operations);
    this.linearized = new BitSet(operations.length);
    this.twins = findTwins(operations, model.inputKey ?? ((input: I): string => JSON.stringify(input)));
    this.stateKey = model.stateKey ?? ((state: S): string => JSON.stringify(state));
    this.state = model.init();
  }

  run(stepsMax: number): PartitionResult<I, O> {
    let entry = this.head.next;
    let pass: Pass = 0;
    let steps = 0;
    while (entry !== null) {
      if (steps >= stepsMax) return { kind: 'unknown', steps };
      steps += 1;
      if (entry.isCall) {
        const placed = this.skip(entry, pass) ? null : this.tryPlace(entry, pass);
        entry = placed ?? entry.next;
        if (placed !== null) pass = 0;
        continue;
      }
      // The first pending return: if its operation is indeterminate, every determinate
      // operation has been linearized (their returns all precede this one).
      if (this.isIndeterminate(entry)) return { kind: 'ok', steps };
      if (pass === 0) {
        pass = 1; // now the indeterminate candidates at this search node
        entry = this.head.next;
        continue;
      }
      const frame = this.backtrack(entry);
      if (frame === null) break;
      entry = frame.call.next;
      pass = frame.pass;
    }
    if (entry === null) return { kind: 'ok', steps };
    const stuck = this.longest.stuck;
    assert(stuck >= 0, 'violation without a stuck operation');
    const operations = this.operations;
    return { kind: 'violation', steps, operations, longestPrefix: this.longest.prefix, stuck: operations[stuck] };
  }

  private isIndeterminate(entry: ListEntry): boolean {
    return this.operations[entry.operation].outcome.kind === 'indeterminate';
  }

  /** Pass 0 places determinate calls, pass 1 indeterminate ones, and a later twin waits
   *  for its earlier twin. */
  private skip(entry: ListEntry, pass: Pass): boolean {
    if (this.isIndeterminate(entry) === (pass === 0)) return true;
    const twin = this.twins[entry.operation];
    return twin >= 0 && !this.linearized.has(twin);
  }

  /** Linearizes `call` if the model allows it and the configuration is new; returns the
   *  list head to continue from, or null if it could not. */
  private tryPlace(call: ListEntry, pass: Pass): ListEntry | null {
    const operation = this.operations[call.operation];
    const output = operation.outcome.kind === 'ok' ? operation.outcome.output : undefined;
    const next = this.model.step(this.state, operation.input, output);
    if (!next.ok) return null;
    this.linearized.set(call.operation);
    const key = `${this.linearized.key()}|${this.stateKey(next.state)}`;
    if (this.seen.has(key)) {
      this.linearized.clear(call.operation);
      return null;
    }
    this.seen.add(key);
    this.stack.push({ call, stateBefore: this.state, pass });
    this.state = next.state;
    lift(call);
    return this.head.next;
  }

  /** `stuckReturn`'s operation cannot be linearized in this prefix: undo the last step. */
  private backtrack(stuckReturn: ListEntry): Frame<S> | null {
    if (this.stack.length >= this.longest.prefix.length) {
      const prefix = this.stack.map((frame) => this.operations[frame.call.operation].id);
      this.longest = { prefix, stuck: stuckReturn.operation };
    }
    const frame = this.stack.pop();
    if (frame === undefined) return null;
    this.linearized.clear(frame.call.operation);
    this.state = frame.stateBefore;
    unlift(frame.call);
    return frame;
  }
}
