// Adapts the KV state machine to the host's GroupStateMachine port: decodes each committed
// entry, applies it, and hands the applied changes (watch events, lock grants) to listeners
// (the watch hub, waiting lock acquires). Every replica runs this, not only the leader.

import type { GroupStateMachine } from '../host/ports';
import { decodeCommand, type KvResult } from '../kv/commands';
import type { KvLimits } from '../kv/limits';
import type { LockGrant } from '../kv/lock-table';
import { KvStateMachine } from '../kv/state-machine';
import type { WatchEvent } from '../kv/watch-event';
import { assert } from '../util/assert';

export interface KvApplyListener {
  onApply?(index: number, events: readonly WatchEvent[], grants: readonly LockGrant[], result: KvResult): void;
  /** The whole state was replaced by a snapshot from the leader: derived state must resync. */
  onRestore?(machine: KvStateMachine): void;
}

export class KvGroupMachine implements GroupStateMachine {
  private machine: KvStateMachine;
  private readonly listeners = new Set<KvApplyListener>();

  constructor(
    readonly groupId: number,
    private readonly limits: KvLimits,
  ) {
    this.machine = new KvStateMachine(limits);
  }

  get state(): KvStateMachine {
    return this.machine;
  }

  get appliedIndex(): number {
    return this.machine.appliedIndex;
  }

  listen(listener: KvApplyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  applyEntry(index: number, _term: number, data: Uint8Array): KvResult {
    const decoded = decodeCommand(data);
    // Entries are written only by this code's own encoder after validation: a command that
    // does not decode is a bug or a corrupt log, never an expected outcome.
    assert(decoded.ok, `group ${this.groupId} entry ${index}: undecodable command: ${decoded.ok ? '' : decoded.message}`);
    const output = this.machine.apply(index, decoded.command);
    for (const listener of this.listeners) listener.onApply?.(index, output.events, output.lockGrants, output.result);
    return output.result;
  }

  skipEntry(index: number): void {
    this.machine.skipEntry(index);
  }

  snapshot(): Uint8Array {
    return this.machine.snapshot();
  }

  restore(data: Uint8Array, index: number): void {
    const restored = KvStateMachine.restore(data, this.limits);
    assert(restored.appliedIndex === index, `group ${this.groupId}: snapshot at ${restored.appliedIndex}, expected ${index}`);
    this.machine = restored;
    for (const listener of this.listeners) listener.onRestore?.(restored);
  }
}
