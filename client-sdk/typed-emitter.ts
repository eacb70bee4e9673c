// A minimal typed event emitter: listeners are checked against an event map at compile time.
// A listener that throws does not stop the others; its error is rethrown from a microtask,
// so that a bug in a listener still crashes loudly instead of vanishing.

export type EventMap = Record<string, readonly unknown[]>;
type Listener<Args extends readonly unknown[]> = (...args: Args) => void;

/** Most listeners per event: a leak guard, like Node's MaxListenersExceededWarning but hard. */
export const LISTENERS_PER_EVENT_MAX = 1_000;

export class TypedEmitter<Events extends EventMap> {
  private readonly listeners = new Map<keyof Events, Set<Listener<readonly unknown[]>>>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    if (set.size >= LISTENERS_PER_EVENT_MAX) throw new RangeError(`more than ${LISTENERS_PER_EVENT_MAX} listeners for ${String(event)}`);
    set.add(listener as Listener<readonly unknown[]>);
    return () => this.off(event, listener);
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, ((...args: Events[K]) => {
      off();
      listener(...args);
    }) as Listener<Events[K]>);
    return off;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<readonly unknown[]>);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  protected removeAllListeners(): void {
    this.listeners.clear();
  }
}
