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
  /** A canonical string for a state, used for memoization (default: JSON.stringify). */
  stateKey?(state: S): string;
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
  for (const operations of partitions) {
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

  clear(bit: number): void {
    this.words[bit >>> 5] &= ~(1 << (bit & 31));
  }

  key(): string {
    return this.words.join(',');
  }
}

interface Frame<S> {
  readonly call: ListEntry;
  readonly stateBefore: S;
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

function checkPartition<S, I, O>(
  model: SequentialModel<S, I, O>,
  operations: readonly Operation<I, O>[],
  stepsMax: number,
): PartitionResult<I, O> {
  const stateKey = model.stateKey ?? ((state: S): string => JSON.stringify(state));
  const head = buildList(operations);
  const linearized = new BitSet(operations.length);
  const seen = new Set<string>();
  const stack: Frame<S>[] = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  let longest: { prefix: number[]; stuck: number } = { prefix: [], stuck: -1 };
  while (entry !== null) {
    if (steps >= stepsMax) return { kind: 'unknown', steps };
    steps += 1;
    const operation = operations[entry.operation];
    if (!entry.isCall) {
      // The first pending return: if its operation is indeterminate, every determinate
      // operation has been linearized (their returns all precede this one).
      if (operation.outcome.kind === 'indeterminate') return { kind: 'ok', steps };
      if (stack.length >= longest.prefix.length) {
        longest = { prefix: stack.map((f) => operations[f.call.operation].id), stuck: entry.operation };
      }
      const frame = stack.pop();
      if (frame === undefined) break;
      linearized.clear(frame.call.operation);
      state = frame.stateBefore;
      unlift(frame.call);
      entry = frame.call.next;
      continue;
    }
    const output = operation.outcome.kind === 'ok' ? operation.outcome.output : undefined;
    const next = model.step(state, operation.input, output);
    if (next.ok) {
      linearized.set(entry.operation);
      const key = `${linearized.key()}|${stateKey(next.state)}`;
      if (!seen.has(key)) {
        seen.add(key);
        stack.push({ call: entry, stateBefore: state });
        state = next.state;
        lift(entry);
        entry = head.next;
        continue;
      }
      linearized.clear(entry.operation);
    }
    entry = entry.next;
  }
  if (entry === null) return { kind: 'ok', steps };
  assert(longest.stuck >= 0, 'violation without a stuck operation');
  return {
    kind: 'violation',
    steps,
    operations,
    longestPrefix: longest.prefix,
    stuck: operations[longest.stuck],
  };
}
