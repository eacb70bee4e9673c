// A KV group's replicated state as the multi-raft host drives it: it has the shape of the
// host's GroupStateMachine port (applyEntry / skipEntry / snapshot / restore) and owns the
// replica's watch hub, publishing every apply's events to it.
//
// A committed entry whose bytes do not decode is applied as an `invalid-argument` result on
// every replica alike (decoding is deterministic), so replicas never diverge over it.

import { assert } from '../util/assert';
import { decodeCommand } from './commands';
import type { KvCommand, KvResult } from './commands';
import { kvError } from './kv-error';
import { defaultKvLimits } from './limits';
import type { KvLimits } from './limits';
import type { DueLockTimeouts, LockGrant } from './lock-table';
import type { LockTimeoutSource } from './session-tracker';
import { KvStateMachine } from './state-machine';
import { WatchHub } from './watch-hub';
import type { WatchEvent } from './watch-event';
import type { Watcher } from './watcher';

export interface KvApplied {
  readonly index: number;
  /** The decoded command (null when the entry did not decode). */
  readonly command: KvCommand | null;
  readonly result: KvResult;
  readonly events: readonly WatchEvent[];
  readonly lockGrants: readonly LockGrant[];
  /** Watchers with new output after this apply: the host drains them. */
  readonly readyWatchers: readonly Watcher[];
}

export class KvGroupStateMachine implements LockTimeoutSource {
  private machine: KvStateMachine;
  readonly hub: WatchHub;

  constructor(private readonly limits: KvLimits = defaultKvLimits()) {
    this.machine = new KvStateMachine(limits);
    this.hub = new WatchHub(limits, this.machine);
  }

  /** The current state machine (replaced by `restore`: do not keep references). */
  get state(): KvStateMachine {
    return this.machine;
  }

  get appliedIndex(): number {
    return this.machine.appliedIndex;
  }

  applyEntry(index: number, _term: number, data: Uint8Array): KvApplied {
    const decoded = decodeCommand(data);
    if (!decoded.ok) {
      this.machine.skipEntry(index);
      return { index, command: null, result: kvError('invalid-argument', decoded.message), events: [], lockGrants: [], readyWatchers: [] };
    }
    const output = this.machine.apply(index, decoded.command);
    const readyWatchers = this.hub.publish(output.events);
    return { index, command: decoded.command, result: output.result, events: output.events, lockGrants: output.lockGrants, readyWatchers };
  }

  skipEntry(index: number): void {
    this.machine.skipEntry(index);
  }

  snapshot(): Uint8Array {
    return this.machine.snapshot();
  }

  /** Replaces the state with a snapshot taken at `index`; every watcher must re-list. */
  restore(data: Uint8Array, index: number): void {
    const restored = KvStateMachine.restore(data, this.limits);
    assert(restored.appliedIndex === index, `snapshot image at ${restored.appliedIndex}, meta says ${index}`);
    this.machine = restored;
    this.hub.reset(restored);
  }

  dueLockTimeouts(nowMs: number, itemsMax: number): DueLockTimeouts {
    return this.machine.dueLockTimeouts(nowMs, itemsMax);
  }
}
