// Observers of one replica's locks (Lock.Observe, election "observe leader"): after an apply
// that may have changed who holds a lock, each observer of that lock is handed the lock's
// current state and decides itself whether the holder changed (it remembers the last token
// it sent). Replica-local, like the watch hub: any replica can serve an observer.

import { assert } from '../util/assert';
import type { LockInfo } from '../kv/lock-table';
import type { KvStateMachine } from '../kv/state-machine';

/** Called with the lock's state (null: free) after an apply that may have changed it. */
export type LockListener = (info: LockInfo | null) => void;

export class LockObservers {
  private readonly byName = new Map<string, Set<LockListener>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(name: string, listener: LockListener): () => void {
    let listeners = this.byName.get(name);
    if (listeners === undefined) this.byName.set(name, (listeners = new Set()));
    assert(!listeners.has(listener), `listener added twice on lock ${name}`);
    listeners.add(listener);
    this.count += 1;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const current = this.byName.get(name);
      assert(current !== undefined && current.delete(listener), `listener of lock ${name} missing`);
      this.count -= 1;
      if (current.size === 0) this.byName.delete(name);
    };
  }

  /** Hands the current state of the given locks (every observed lock when null) to their
   *  observers. Bounded by the number of observers. */
  notify(state: KvStateMachine, names: ReadonlySet<string> | null): void {
    if (this.count === 0) return;
    const targets = names === null ? [...this.byName.keys()] : [...names].filter((name) => this.byName.has(name));
    for (const name of targets) {
      const info = state.lock(name);
      for (const listener of [...(this.byName.get(name) ?? [])]) listener(info);
    }
  }
}
